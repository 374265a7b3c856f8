#include "puente/registry/registration_number.h"

#include <cstdio>

#include "absl/status/status.h"

namespace puente::registry {
namespace {
// Damm's totally anti-symmetric quasigroup of order 10.
constexpr int kDamm[10][10] = {{0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
                               {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
                               {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
                               {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
                               {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};
}  // namespace

int DammCheckDigit(std::string_view digits) {
  int interim = 0;
  for (char c : digits) interim = kDamm[interim][c - '0'];
  return interim;
}

std::string FormatRegistrationNumber(std::string_view office, int year, long long sequence) {
  char body[32];
  std::snprintf(body, sizeof body, "%.3s%04d%06lld", std::string(office).c_str(), year, sequence);
  char out[40];
  std::snprintf(out, sizeof out, "%.3s-%.4s-%.6s-%d", body, body + 3, body + 7,
                DammCheckDigit(body));
  return out;
}

absl::StatusOr<std::string> ParseRegistrationNumber(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    if (c < '0' || c > '9' || digits.size() == 14) {
      return absl::InvalidArgumentError("registration_number: '" + std::string(text.substr(0, 40)) +
                                        "' is not in the form OOO-YYYY-NNNNNN-C");
    }
    digits.push_back(c);
  }
  if (digits.size() != 14) {
    return absl::InvalidArgumentError("registration_number: '" + std::string(text.substr(0, 40)) +
                                      "' is not in the form OOO-YYYY-NNNNNN-C");
  }
  if (DammCheckDigit(digits) != 0) {  // a valid number including its check digit reduces to 0
    return absl::InvalidArgumentError("registration_number: " + std::string(text) +
                                      " has a wrong check digit (mistyped?)");
  }
  return digits.substr(0, 3) + "-" + digits.substr(3, 4) + "-" + digits.substr(7, 6) + "-" +
         digits.substr(13, 1);
}

}  // namespace puente::registry
