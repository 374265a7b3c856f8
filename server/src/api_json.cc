#include "src/api_json.h"

#include "absl/status/status.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/card.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/json.h"
#include "puente/registry/validation.h"

namespace puente::server {
namespace {

using nlohmann::json;

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat(field, ": ", what));
}

}  // namespace

absl::StatusOr<registry::NewApplicant> ApplicantFromJson(const json& body, const std::string& key) {
  return registry::NewApplicantFromJson(body, key);
}

absl::StatusOr<std::string> StringField(const json& body, const std::string& field,
                                        const std::string& fallback) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return WithDetail(Bad(field, "must be a string"), kDetailField, field);
  return it->get<std::string>();
}

absl::StatusOr<std::string> PhotoFromJson(const json& body) {
  PUENTE_ASSIGN_OR_RETURN(std::string text, StringField(body, "photo_base64"));
  if (text.empty()) return Bad("photo_base64", "is required (the photo, base64-encoded)");
  auto bytes = crypto::Base64Decode(text);
  if (!bytes.ok()) return Bad("photo_base64", "is not valid base64");
  return bytes;
}

json ApplicantJson(const registry::Applicant& a) { return registry::ToJson(a); }

json EnrollmentJson(const registry::Enrollment& e) { return registry::ToJson(e); }

namespace {

// The fields every card answer shares; the links to its PNG and PDF.
json CardFields(uint64_t serial, std::string_view type, const std::string& status,
                const std::string& revoke_reason, const std::optional<uint64_t>& replaces) {
  json j{{"serial", serial},
         {"type", type},
         {"status", status},
         {"png", puente::StrCat("/api/v1/cards/", serial, ".png")},
         {"pdf", puente::StrCat("/api/v1/cards/", serial, ".pdf")}};
  if (!revoke_reason.empty()) j["revoke_reason"] = revoke_reason;
  if (replaces) j["replaces"] = *replaces;
  return j;
}

}  // namespace

json CardJson(const registry::IssuedCard& c) {
  json j = CardFields(c.serial, credentials::CardTypeName(c.card.type), c.status, c.revoke_reason,
                      c.replaces);
  j["registration_number"] = c.registration_number;
  j["issued_at"] = c.card.issued_at;
  j["expires_at"] = c.card.expires_at;
  j["qr_text"] = c.qr_text;
  return j;
}

json CardSummaryJson(const registry::CardSummary& c) {
  json j = CardFields(c.serial, c.type, c.status, c.revoke_reason, c.replaces);
  j["issued_at"] = c.issued_at;
  j["expires_at"] = c.expires_at;
  if (!c.revoked_at.empty()) j["revoked_at"] = c.revoked_at;
  return j;
}

}  // namespace puente::server
