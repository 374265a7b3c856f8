// JSON of the HTTP API: request parsing (strict, naming the field) and
// response documents. (The OpenAPI document comes from the route table.)
#ifndef PUENTE_SERVER_SRC_API_JSON_H_
#define PUENTE_SERVER_SRC_API_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "puente/registry/cards.h"
#include "puente/registry/enrollment.h"

namespace puente::server {

// body[key] as a NewApplicant: given_names, surname1, surname2, sex (F/M/X),
// date_of_birth ("YYYY-MM-DD" or "YYYY"), dob_precision (exact/year/estimated),
// nationality, place_of_birth, languages [..], phone, address, documents
// [{type, country, number, expiry}], office_code, case_number, relationship.
absl::StatusOr<registry::NewApplicant> ApplicantFromJson(const nlohmann::json& body,
                                                         const std::string& key);
// body[field] as a string: `fallback` when the field is absent or null;
// InvalidArgument "FIELD: must be a string" (with the kDetailField detail)
// for a number, boolean, array or object. Every route reads the strings of
// its body through this, so a value of the wrong type is a 400 naming the
// field, never an exception.
absl::StatusOr<std::string> StringField(const nlohmann::json& body, const std::string& field,
                                        const std::string& fallback = "");
// body["photo_base64"] decoded.
absl::StatusOr<std::string> PhotoFromJson(const nlohmann::json& body);

nlohmann::json ApplicantJson(const registry::Applicant& a);
nlohmann::json EnrollmentJson(const registry::Enrollment& e);
nlohmann::json CardJson(const registry::IssuedCard& c);
// A card as a person's record lists it: CardJson's fields without the QR text.
nlohmann::json CardSummaryJson(const registry::CardSummary& c);

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_API_JSON_H_
