#include "puente/registry/registration_number.h"

#include <gtest/gtest.h>

namespace puente::registry {
namespace {

TEST(DammTest, KnownValue) {
  // The textbook example: 572 has check digit 4.
  EXPECT_EQ(DammCheckDigit("572"), 4);
  EXPECT_EQ(DammCheckDigit("5724"), 0);
}

TEST(RegistrationNumberTest, FormatsAndParsesBack) {
  const std::string n = FormatRegistrationNumber("101", 2026, 42);
  EXPECT_EQ(n.substr(0, 16), "101-2026-000042-");
  auto parsed = ParseRegistrationNumber(n);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, n);
  // Hyphens and spaces are optional on input.
  std::string compact;
  for (char c : n) {
    if (c != '-') compact.push_back(c);
  }
  EXPECT_EQ(*ParseRegistrationNumber(compact), n);
  EXPECT_EQ(*ParseRegistrationNumber("101 2026 000042 " + n.substr(16)), n);
}

TEST(RegistrationNumberTest, DetectsEverySingleDigitError) {
  const std::string n = FormatRegistrationNumber("205", 2026, 123456);
  for (size_t i = 0; i < n.size(); ++i) {
    if (n[i] == '-') continue;
    for (char d = '0'; d <= '9'; ++d) {
      if (d == n[i]) continue;
      std::string typo = n;
      typo[i] = d;
      EXPECT_FALSE(ParseRegistrationNumber(typo).ok()) << typo;
    }
  }
}

TEST(RegistrationNumberTest, DetectsEveryAdjacentTransposition) {
  const std::string digits = "2052026123456";
  const std::string n = FormatRegistrationNumber("205", 2026, 123456);
  std::string full = digits + n.back();
  for (size_t i = 0; i + 1 < full.size(); ++i) {
    if (full[i] == full[i + 1]) continue;
    std::string swapped = full;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(ParseRegistrationNumber(swapped).ok()) << swapped;
  }
}

TEST(RegistrationNumberTest, RejectsWrongShapeWithFieldName) {
  for (const char* bad :
       {"", "101-2026-42", "ABC-2026-000042-1", "101-2026-000042-12", "101-2026-000042-1-9"}) {
    auto r = ParseRegistrationNumber(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().substr(0, 20), "registration_number:");
  }
}

}  // namespace
}  // namespace puente::registry
