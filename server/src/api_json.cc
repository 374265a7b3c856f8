#include "src/api_json.h"

#include "absl/status/status.h"
#include "puente/common/strings.h"
#include "puente/credentials/card.h"
#include "puente/crypto/encoding.h"
#include "puente/common/status_macros.h"
#include "puente/registry/json.h"
#include "puente/registry/validation.h"

namespace puente::server {
namespace {

using nlohmann::json;

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat(field, ": ", what));
}

}  // namespace

absl::StatusOr<registry::NewApplicant> ApplicantFromJson(const json& body,
                                                         const std::string& key) {
  return registry::NewApplicantFromJson(body, key);
}

absl::StatusOr<std::string> PhotoFromJson(const json& body) {
  if (!body.contains("photo_base64") || !body["photo_base64"].is_string()) {
    return Bad("photo_base64", "is required (the photo, base64-encoded)");
  }
  auto bytes = crypto::Base64Decode(body["photo_base64"].get<std::string>());
  if (!bytes.ok()) return Bad("photo_base64", "is not valid base64");
  return bytes;
}

json ApplicantJson(const registry::Applicant& a) { return registry::ToJson(a); }

json EnrollmentJson(const registry::Enrollment& e) { return registry::ToJson(e); }

json CardJson(const registry::IssuedCard& c) {
  json j{{"serial", c.serial},
         {"registration_number", c.registration_number},
         {"type", credentials::CardTypeName(c.card.type)},
         {"status", c.status},
         {"issued_at", c.card.issued_at},
         {"expires_at", c.card.expires_at},
         {"qr_text", c.qr_text},
         {"png", puente::StrCat("/api/v1/cards/", c.serial, ".png")},
         {"pdf", puente::StrCat("/api/v1/cards/", c.serial, ".pdf")}};
  if (!c.revoke_reason.empty()) j["revoke_reason"] = c.revoke_reason;
  if (c.replaces) j["replaces"] = *c.replaces;
  return j;
}

json OpenApiDocument() {
  struct Op {
    const char* path;
    const char* method;
    const char* roles;
    const char* summary;
  };
  static const Op kOps[] = {
      {"/health", "get", "", "Liveness and gallery size"},
      {"/metrics", "get", "", "Prometheus counters"},
      {"/openapi.json", "get", "", "This document"},
      {"/api/v1/sessions", "post", "", "Log in: {user, password} -> {token}"},
      {"/api/v1/sessions", "delete", "any", "Log out (revokes the bearer token)"},
      {"/api/v1/users", "post", "admin", "Create a user: {name, role, password}"},
      {"/api/v1/enrollments", "post", "officer",
       "Enroll: {applicant: {...}, photo_base64} -> enrollment (cleared or held with candidates)"},
      {"/api/v1/enrollments", "get", "supervisor", "Enrollments held for adjudication (?status=held)"},
      {"/api/v1/applicants/{registration_number}", "get", "officer, supervisor, auditor",
       "An applicant's enrollment and duplicate candidates"},
      {"/api/v1/applicants/{registration_number}/photo", "get", "officer, supervisor",
       "The enrolled face photo"},
      {"/api/v1/applicants/{registration_number}/verify-face", "post", "officer",
       "1:1 check of a live photo: {photo_base64} -> {match, similarity}"},
      {"/api/v1/candidates/{id}/decision", "post", "supervisor",
       "Adjudicate: {decision: same_person|different, note}"},
      {"/api/v1/cases/{case_number}/status", "post", "supervisor",
       "Change a case's status: {to, reason}; a closed case revokes its cards"},
      {"/api/v1/applicants/{registration_number}/cards", "post", "officer",
       "Issue a card: {type: asylum-seeker|refugee}"},
      {"/api/v1/cards/{serial}", "get", "officer, supervisor", "A card and its QR text"},
      {"/api/v1/cards/{serial}.png", "get", "officer, supervisor", "The card, 300 dpi PNG"},
      {"/api/v1/cards/{serial}.pdf", "get", "officer, supervisor", "The card, print-ready PDF"},
      {"/api/v1/cards/{serial}/replace", "post", "officer", "Replace a lost card: {reason}"},
      {"/api/v1/cards/{serial}/renew", "post", "officer", "Renew after a 1:1 face check: {photo_base64}"},
      {"/api/v1/cards/{serial}/revoke", "post", "supervisor", "Revoke: {reason}"},
      {"/api/v1/lists/trust", "get", "", "Signed trust list (COSE_Sign1)"},
      {"/api/v1/lists/revocation", "get", "", "Signed revocation list (COSE_Sign1)"},
      {"/api/v1/keys/root", "get", "", "The root public key file"},
      {"/api/v1/kits/bundles/{bundle_id}", "post", "",
       "A field kit's signed bundle manifest: checked (foreign or tampered: 400), then "
       "-> 202 {missing: [chunk sha256]} or 200 with the import report"},
      {"/api/v1/kits/bundles/{bundle_id}/chunks/{sha256}", "put", "",
       "One chunk of a posted bundle (application/octet-stream; its SHA-256 must be listed)"},
      {"/api/v1/kits/pull", "post", "",
       "A field kit's pull, signed by its key: lists and its regional snapshot delta, sealed "
       "to the request's reply key, the answer signed by the root key"},
      {"/api/v1/cases/{case_number}", "get", "officer, supervisor, auditor",
       "A case: members and status history"},
      {"/api/v1/audit/events", "get", "auditor", "Audit events after ?after=SEQ, up to ?limit=N"},
      {"/api/v1/audit/verify", "get", "auditor", "Check the audit hash chain"},
  };
  json paths = json::object();
  for (const Op& op : kOps) {
    json o{{"summary", op.summary},
           {"responses",
            {{"200", {{"description", "OK"}}},
             {"4XX", {{"description", "{error: {code, message}}"}}}}}};
    if (*op.roles) {
      o["security"] = json::array({{{"bearer", json::array()}}});
      o["x-roles"] = op.roles;
    }
    paths[op.path][op.method] = std::move(o);
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "puente enrollment service"}, {"version", "1"}}},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
          {"paths", paths}};
}

}  // namespace puente::server
