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

}  // namespace puente::server
