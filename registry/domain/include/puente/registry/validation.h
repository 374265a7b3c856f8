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

// Limits on what one request, CLI call or import row may carry (docs/api.md,
// "Limits"). The HTTP layer, the CLI and the CSV import all go through these
// validators, so they share them; a value over a limit is refused with an
// InvalidArgument naming the field and the limit.
inline constexpr size_t kMaxNameLength = 100;     // code points
inline constexpr size_t kMaxPlaceLength = 200;    // code points
inline constexpr size_t kMaxAddressLength = 300;  // code points
inline constexpr size_t kMaxReasonLength = 1000;  // code points: reasons and notes
inline constexpr size_t kMaxLanguages = 10;       // languages of one applicant
inline constexpr size_t kMaxDocuments = 10;       // identity documents of one applicant
inline constexpr size_t kMaxCaseMembers = 50;     // principal and dependants of one case
// Raw (before normalisation) lengths of short coded fields: a phone number
// as typed, a document number, a code; longer input is refused unread.
inline constexpr size_t kMaxPhoneInputLength = 32;  // bytes
inline constexpr size_t kMaxCodeInputLength = 64;   // bytes

// Refuses a list longer than `max`: "FIELD: N ITEMS, the limit is MAX".
absl::Status CheckCount(std::string_view field, size_t count, size_t max, std::string_view items);

// True for ISO 3166-1 alpha-3 codes (from Debian's iso-codes at build time).
bool IsCountryCode(std::string_view alpha3_upper);
// True for ISO 639 alpha-2 or alpha-3 codes (iso-codes' ISO 639-3 table).
bool IsLanguageCode(std::string_view lower);

// Displayed text (names, places, addresses, reasons, notes) never holds an
// invisible character that can change how it reads: Unicode general
// categories Cc (controls: C0, DEL, C1; tab and newline included), Cf
// (format: U+200B..U+200F zero-width and direction marks, U+202A..U+202E
// embeddings and overrides, U+2060..U+2064, U+2066..U+2069 isolates,
// U+FEFF, U+00AD soft hyphen, tags...), Zl and Zp (U+2028, U+2029), by
// ICU's character database. InvalidArgument naming the field and the code
// point; OK for well-formed UTF-8 without them. The rule: docs/enrollment.md.
absl::Status CheckDisplayedText(std::string_view field, std::string_view value);

// Person-name part: UTF-8, no control or format characters
// (CheckDisplayedText), no digits or ASCII symbols other than space - ' . ,
// at most kMaxNameLength code points. Returns the whitespace-collapsed
// value. `required` makes empty an error.
absl::StatusOr<std::string> ValidateNamePart(std::string_view field, std::string_view value,
                                             bool required);

// Free text (place of birth, address, reasons): UTF-8, no control or format
// characters (CheckDisplayedText), at most `max_len` code points; collapsed
// whitespace.
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
