// HTTP JSON request bodies through what the routes call on them, without the
// network: the body check (JsonBody), the Idempotency-Key header, the
// applicant (ApplicantFromJson, then the domain validation), the photo, and
// the string fields of the login, decision, case-status and card bodies
// through their validators. One input is one body; each parser reads the
// members it knows (the corpus holds bodies of every kind).
//
// Checks what must hold whatever the input: no crash or exception, and an
// applicant that passes is within every documented limit and holds no
// control or format character.
#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "puente/common/text.h"
#include "puente/credentials/card.h"
#include "puente/registry/model.h"
#include "puente/registry/validation.h"
#include "src/api_json.h"
#include "src/context.h"

namespace {

using nlohmann::json;
namespace registry = puente::registry;

void Require(bool ok) {
  if (!ok) __builtin_trap();
}

// A string member as the routes read one (absent or another type: none).
const std::string* StringMember(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

void CheckDisplayed(const std::string& field, const std::string& value, size_t max_len) {
  Require(registry::CheckDisplayedText(field, value).ok());
  auto len = puente::Utf8Length(value);
  Require(len.has_value() && *len <= max_len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Time now = absl::FromUnixSeconds(1795000000);  // 2026-11-19
  httplib::Request req;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  req.set_header("Content-Type", "application/json");
  // An input not starting with '{' whose first line is short: that line is
  // an Idempotency-Key header, the rest the body.
  const auto nl = text.find('\n');
  if (!text.empty() && text[0] != '{' && nl != std::string_view::npos && nl < 200) {
    req.set_header("Idempotency-Key", std::string(text.substr(0, nl)));
    text.remove_prefix(nl + 1);
    auto key = puente::server::IdempotencyKeyOf(req);
    if (key.ok() && !key->empty()) {  // (a value with CR is not set at all)
      Require(key->size() <= 128);
      for (char c : *key) Require(c > 0x20 && c < 0x7F);
    }
  }
  req.body.assign(text.data(), text.size());
  auto parsed = puente::server::JsonBody(req);
  if (!parsed.ok()) return 0;
  const json& body = *parsed;
  Require(body.is_object());

  // POST /api/v1/enrollments: {applicant, photo_base64}.
  auto applicant = puente::server::ApplicantFromJson(body, "applicant");
  if (applicant.ok()) {
    applicant->officer = "ana.officer";
    auto valid = registry::ValidateNewApplicant(*applicant, now);
    if (valid.ok()) {
      const registry::NewApplicant& a = *valid;
      Require(a.languages.size() <= registry::kMaxLanguages);
      Require(a.documents.size() <= registry::kMaxDocuments);
      CheckDisplayed("given_names", a.given_names, registry::kMaxNameLength);
      CheckDisplayed("surname1", a.surname1, registry::kMaxNameLength);
      CheckDisplayed("surname2", a.surname2, registry::kMaxNameLength);
      CheckDisplayed("place_of_birth", a.place_of_birth, registry::kMaxPlaceLength);
      CheckDisplayed("address", a.address, registry::kMaxAddressLength);
      Require(!a.given_names.empty());
      Require(a.phone.empty() || (a.phone[0] == '+' && a.phone.size() <= 16));
      for (const auto& d : a.documents) Require(d.number.size() >= 3 && d.number.size() <= 30);
    }
  }
  (void)puente::server::PhotoFromJson(body);

  // POST /api/v1/sessions: {user, password}; POST /api/v1/users: {name, role}.
  for (const char* key : {"user", "name"}) {
    if (const std::string* v = StringMember(body, key)) {
      (void)registry::ValidateUserName(key, *v);
    }
  }
  // POST /api/v1/candidates/{id}/decision: {decision, note}; cards' and
  // cases' {reason}.
  for (const char* key : {"note", "reason"}) {
    if (const std::string* v = StringMember(body, key)) {
      auto t = registry::ValidateFreeText(key, *v, registry::kMaxReasonLength, true);
      if (t.ok()) CheckDisplayed(key, *t, registry::kMaxReasonLength);
    }
  }
  // POST /api/v1/cases/{case_no}/status: {to, reason, effective}.
  if (const std::string* to = StringMember(body, "to")) (void)registry::ParseCaseStatus(*to);
  if (const std::string* eff = StringMember(body, "effective")) {
    (void)registry::ValidateCalendarDate("effective", *eff);
  }
  // POST /api/v1/applicants/{reg_no}/cards: {type}.
  if (const std::string* type = StringMember(body, "type")) {
    (void)puente::credentials::ParseCardType(*type);
  }
  return 0;
}
