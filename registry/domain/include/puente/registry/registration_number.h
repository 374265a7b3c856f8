// Registration numbers: "OOO-YYYY-NNNNNN-C".
//
//   OOO     registering office (or field kit) code, 3 digits
//   YYYY    year of registration
//   NNNNNN  sequence within office and year
//   C       Damm check digit over the 13 digits before it
//
// The Damm algorithm detects every single-digit error and every transposition
// of adjacent digits, the two mistakes people make copying numbers from a
// card or over the phone.
#ifndef PUENTE_REGISTRY_REGISTRATION_NUMBER_H_
#define PUENTE_REGISTRY_REGISTRATION_NUMBER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::registry {

// Damm check digit of a string of ASCII digits (precondition: digits only).
int DammCheckDigit(std::string_view digits);

// Formats office (3 digits), year and sequence (1..999999) with the check digit.
std::string FormatRegistrationNumber(std::string_view office, int year, long long sequence);

// Parses user input: hyphens and spaces optional. Returns the canonical form.
// InvalidArgument("registration_number: ...") for a wrong shape or check digit.
absl::StatusOr<std::string> ParseRegistrationNumber(std::string_view text);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_REGISTRATION_NUMBER_H_
