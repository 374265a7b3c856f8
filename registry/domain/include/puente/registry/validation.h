// Validation of officer-entered data. Every error names the field and what
// was wrong ("date_of_birth: 2031-02-30 is not a date") and never echoes
// secrets. Validators also normalise (trim, upper-case codes, phone digits).
#ifndef PUENTE_REGISTRY_VALIDATION_H_
#define PUENTE_REGISTRY_VALIDATION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "puente/registry/model.h"

namespace puente::registry {

inline constexpr size_t kMaxNameLength = 100;     // code points
inline constexpr size_t kMaxPlaceLength = 200;    // code points
inline constexpr size_t kMaxAddressLength = 300;  // code points
inline constexpr size_t kMaxReasonLength = 1000;  // code points

// True for ISO 3166-1 alpha-3 codes (from Debian's iso-codes at build time).
bool IsCountryCode(std::string_view alpha3_upper);
// True for ISO 639 alpha-2 or alpha-3 codes (iso-codes' ISO 639-3 table).
bool IsLanguageCode(std::string_view lower);

// Person-name part: UTF-8, no control characters, no digits or ASCII symbols
// other than space - ' . , at most kMaxNameLength code points. Returns the
// whitespace-collapsed value. `required` makes empty an error.
absl::StatusOr<std::string> ValidateNamePart(std::string_view field, std::string_view value,
                                             bool required);

// Free text (place of birth, address, reasons): UTF-8, no control
// characters, at most `max_len` code points; collapsed whitespace.
absl::StatusOr<std::string> ValidateFreeText(std::string_view field, std::string_view value,
                                             size_t max_len, bool required);

// "YYYY-MM-DD" (or "YYYY" for kYearOnly) that exists in the calendar, is not
// in the future relative to `now` and not before 1900. Errors name `field`.
absl::StatusOr<DateOfBirth> ParseDateOfBirth(std::string_view text, DatePrecision precision,
                                             absl::Time now,
                                             std::string_view field = "date_of_birth");
// A real calendar date "YYYY-MM-DD" (no range check).
absl::Status ValidateCalendarDate(std::string_view field, std::string_view text);

// Upper-cased alpha-3; XXA (stateless) and XXX (undetermined) allowed.
absl::StatusOr<std::string> ValidateNationality(std::string_view field, std::string_view code);
// Lower-cased ISO 639 code.
absl::StatusOr<std::string> ValidateLanguage(std::string_view code);
// E.164: returns "+" and 8..15 digits; spaces, hyphens, dots and parentheses
// in the input are dropped. Empty stays empty.
absl::StatusOr<std::string> ValidatePhone(std::string_view phone);
// Normalised document: number upper-cased with spaces and hyphens removed,
// 3..30 characters of A-Z0-9; issuing country checked; expiry a real date.
absl::StatusOr<IdentityDocument> ValidateDocument(IdentityDocument doc);
// "101": three digits, not 000.
absl::Status ValidateOfficeCode(std::string_view code);
// User names: 1..64 of a-z 0-9 . _ -
absl::Status ValidateUserName(std::string_view field, std::string_view name);

// Validates and normalises every field of `in`; all problems are reported in
// one InvalidArgument message, separated by "; ".
absl::StatusOr<NewApplicant> ValidateNewApplicant(NewApplicant in, absl::Time now);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_VALIDATION_H_
