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

// A string member (empty when absent); InvalidArgument when not a string.
absl::StatusOr<std::string> Text(const json& obj, const std::string& key,
                                 const std::string& prefix) {
  if (!obj.contains(key) || obj[key].is_null()) return std::string();
  if (!obj[key].is_string()) return Bad(prefix + key, "must be a string");
  return obj[key].get<std::string>();
}

}  // namespace

absl::StatusOr<registry::NewApplicant> ApplicantFromJson(const json& body,
                                                         const std::string& key) {
  if (!body.contains(key) || !body[key].is_object()) return Bad(key, "is required (an object)");
  const json& j = body[key];
  const std::string p = key + ".";
  registry::NewApplicant a;
  PUENTE_ASSIGN_OR_RETURN(a.given_names, Text(j, "given_names", p));
  PUENTE_ASSIGN_OR_RETURN(a.surname1, Text(j, "surname1", p));
  PUENTE_ASSIGN_OR_RETURN(a.surname2, Text(j, "surname2", p));
  PUENTE_ASSIGN_OR_RETURN(std::string sex, Text(j, "sex", p));
  auto parsed_sex = registry::ParseSex(sex);
  if (!parsed_sex) return Bad(p + "sex", "F, M or X");
  a.sex = *parsed_sex;
  PUENTE_ASSIGN_OR_RETURN(std::string dob, Text(j, "date_of_birth", p));
  PUENTE_ASSIGN_OR_RETURN(std::string precision, Text(j, "dob_precision", p));
  auto prec = registry::ParseDatePrecision(precision.empty() ? "exact" : precision);
  if (!prec) return Bad(p + "dob_precision", "exact, year or estimated");
  PUENTE_ASSIGN_OR_RETURN(a.date_of_birth,
                          registry::ParseDateOfBirth(dob, *prec, absl::Now()));
  PUENTE_ASSIGN_OR_RETURN(a.nationality, Text(j, "nationality", p));
  PUENTE_ASSIGN_OR_RETURN(a.place_of_birth, Text(j, "place_of_birth", p));
  PUENTE_ASSIGN_OR_RETURN(a.phone, Text(j, "phone", p));
  PUENTE_ASSIGN_OR_RETURN(a.address, Text(j, "address", p));
  PUENTE_ASSIGN_OR_RETURN(a.office_code, Text(j, "office_code", p));
  PUENTE_ASSIGN_OR_RETURN(a.case_number, Text(j, "case_number", p));
  PUENTE_ASSIGN_OR_RETURN(std::string rel, Text(j, "relationship", p));
  auto relationship = registry::ParseRelationship(rel.empty() ? "principal" : rel);
  if (!relationship) return Bad(p + "relationship", "not a known relationship");
  a.relationship = *relationship;
  if (j.contains("languages")) {
    if (!j["languages"].is_array()) return Bad(p + "languages", "must be an array of codes");
    for (const auto& l : j["languages"]) {
      if (!l.is_string()) return Bad(p + "languages", "must be an array of codes");
      a.languages.push_back(l.get<std::string>());
    }
  }
  if (j.contains("documents")) {
    if (!j["documents"].is_array()) return Bad(p + "documents", "must be an array");
    for (const auto& d : j["documents"]) {
      if (!d.is_object()) return Bad(p + "documents", "each must be an object");
      registry::IdentityDocument doc;
      PUENTE_ASSIGN_OR_RETURN(std::string type, Text(d, "type", p + "documents[]."));
      auto t = registry::ParseDocumentType(type);
      if (!t) return Bad(p + "documents[].type", "not a document type");
      doc.type = *t;
      PUENTE_ASSIGN_OR_RETURN(doc.issuing_country, Text(d, "country", p + "documents[]."));
      PUENTE_ASSIGN_OR_RETURN(doc.number, Text(d, "number", p + "documents[]."));
      PUENTE_ASSIGN_OR_RETURN(doc.expiry_date, Text(d, "expiry", p + "documents[]."));
      a.documents.push_back(std::move(doc));
    }
  }
  return a;
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

json EnrollmentJson(const registry::Enrollment& e) {
  json candidates = json::array();
  for (const auto& c : e.candidates) {
    json j{{"id", c.id},
           {"registration_number", c.registration_number},
           {"face_score", c.face_score ? json(*c.face_score) : json(nullptr)},
           {"demographic_score", c.demographic_score},
           {"reasons", c.reasons},
           {"decision", c.decision ? json(registry::ToString(*c.decision)) : json(nullptr)}};
    if (c.decision) {
      j["decided_by"] = c.decided_by;
      j["decided_at"] = c.decided_at;
    }
    candidates.push_back(std::move(j));
  }
  return {{"id", e.id},
          {"status", registry::ToString(e.status)},
          {"applicant", ApplicantJson(e.applicant)},
          {"candidates", candidates},
          {"created_at", e.created_at},
          {"created_by", e.created_by}};
}

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
