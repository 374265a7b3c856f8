#include "src/api_json.h"

#include "absl/status/status.h"
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

}  // namespace puente::server
