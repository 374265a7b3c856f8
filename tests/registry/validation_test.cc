#include "puente/registry/validation.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace puente::registry {
namespace {

absl::Time Now() { return puente::testing::TestClock().Now(); }

struct BadApplicantCase {
  const char* name;
  void (*mutate)(NewApplicant&);
  const char* expected;  // substring of the message
};

void PrintTo(const BadApplicantCase& c, std::ostream* os) { *os << c.name; }

class RejectsBadApplicantTest : public ::testing::TestWithParam<BadApplicantCase> {};

TEST_P(RejectsBadApplicantTest, NamesTheField) {
  NewApplicant a = puente::testing::SampleApplicant();
  GetParam().mutate(a);
  auto r = ValidateNewApplicant(a, Now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find(GetParam().expected), std::string::npos)
      << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RejectsBadApplicantTest,
    ::testing::Values(
        BadApplicantCase{"EmptyGivenNames", [](NewApplicant& a) { a.given_names = "  "; },
                         "given_names: is required"},
        BadApplicantCase{"DigitsInName", [](NewApplicant& a) { a.given_names = "R2D2"; },
                         "given_names: contains '2'"},
        BadApplicantCase{"InvalidUtf8", [](NewApplicant& a) { a.surname1 = "P\xC3\x28rez"; },
                         "surname1: is not valid UTF-8"},
        BadApplicantCase{"ControlCharacter", [](NewApplicant& a) { a.surname1 = "Pe\nrez"; },
                         "surname1: contains control characters"},
        BadApplicantCase{"OverlongName",
                         [](NewApplicant& a) { a.given_names = std::string(101, 'a'); },
                         "given_names: is 101 characters long, the limit is 100"},
        BadApplicantCase{"SecondSurnameOnly",
                         [](NewApplicant& a) {
                           a.surname1 = "";
                           a.surname2 = "Cruz";
                         },
                         "surname2: set surname1 first"},
        BadApplicantCase{"ImpossibleDate",
                         [](NewApplicant& a) {
                           a.date_of_birth = {2023, 2, 30};
                         },
                         "date_of_birth: '2023-02-30' is not a date"},
        BadApplicantCase{"FutureDate",
                         [](NewApplicant& a) {
                           a.date_of_birth = {2031, 1, 1};
                         },
                         "date_of_birth: 2031-01-01 is in the future"},
        BadApplicantCase{"Before1900",
                         [](NewApplicant& a) {
                           a.date_of_birth = {1899, 12, 31};
                         },
                         "date_of_birth: 1899-12-31 is before 1900"},
        BadApplicantCase{"UnknownNationality", [](NewApplicant& a) { a.nationality = "ABC"; },
                         "nationality: 'ABC' is not an ISO 3166-1 alpha-3 code"},
        BadApplicantCase{"UnknownLanguage", [](NewApplicant& a) { a.languages = {"xx1"}; },
                         "languages: 'xx1' is not an ISO 639 language code"},
        BadApplicantCase{"PhoneWithoutCountryCode", [](NewApplicant& a) { a.phone = "6123 4567"; },
                         "phone: '6123 4567' needs its country code"},
        BadApplicantCase{"PhoneWithLetters", [](NewApplicant& a) { a.phone = "+507 CALL ME"; },
                         "phone: '+507 CALL ME' contains 'C'"},
        BadApplicantCase{"DocumentNumberSymbols",
                         [](NewApplicant& a) { a.documents[0].number = "A12#45"; },
                         "documents.number: may hold only"},
        BadApplicantCase{"DocumentCountry",
                         [](NewApplicant& a) { a.documents[0].issuing_country = "ZZZ"; },
                         "documents.issuing_country: 'ZZZ'"},
        BadApplicantCase{"DocumentExpiry",
                         [](NewApplicant& a) { a.documents[0].expiry_date = "2029-13-01"; },
                         "documents.expiry_date: '2029-13-01' is not a date"},
        BadApplicantCase{"OfficeCode", [](NewApplicant& a) { a.office_code = "12"; },
                         "office: '12' is not a 3-digit office code"},
        BadApplicantCase{"OfficerName", [](NewApplicant& a) { a.officer = "Ana Officer"; },
                         "officer: may hold only"},
        BadApplicantCase{"DependantWithoutCase",
                         [](NewApplicant& a) { a.relationship = Relationship::kChild; },
                         "relationship: a dependant needs the case number"},
        BadApplicantCase{"SecondPrincipal",
                         [](NewApplicant& a) { a.case_number = "C101-2026-000001"; },
                         "relationship: the case already has a principal"}),
    [](const ::testing::TestParamInfo<BadApplicantCase>& info) { return info.param.name; });

TEST(ValidateNewApplicantTest, ReportsAllProblemsAtOnce) {
  NewApplicant a = puente::testing::SampleApplicant();
  a.nationality = "XYZ";
  a.phone = "12";
  auto r = ValidateNewApplicant(a, Now());
  ASSERT_FALSE(r.ok());
  const std::string msg(r.status().message());
  EXPECT_NE(msg.find("nationality:"), std::string::npos);
  EXPECT_NE(msg.find("phone:"), std::string::npos);
}

TEST(ValidateNewApplicantTest, NormalisesAcceptedInput) {
  NewApplicant a = puente::testing::SampleApplicant();
  a.given_names = "  María   José ";
  a.nationality = "ven";
  a.languages = {"ES", "hat"};
  a.phone = "+507 (6123) 45-67";
  a.documents[0].number = "a-123 4567";
  auto r = ValidateNewApplicant(a, Now());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->given_names, "María José");
  EXPECT_EQ(r->nationality, "VEN");
  EXPECT_EQ(r->languages, (std::vector<std::string>{"es", "hat"}));
  EXPECT_EQ(r->phone, "+50761234567");
  EXPECT_EQ(r->documents[0].number, "A1234567");
}

TEST(ValidateNewApplicantTest, AcceptsStatelessMononymousAndYearOnly) {
  NewApplicant a = puente::testing::SampleApplicant();
  a.surname1 = "";
  a.surname2 = "";
  a.nationality = "XXA";
  a.date_of_birth = {1990, 0, 0, DatePrecision::kYearOnly};
  EXPECT_TRUE(ValidateNewApplicant(a, Now()).ok());
  a.nationality = "XXX";
  EXPECT_TRUE(ValidateNewApplicant(a, Now()).ok());
}

TEST(ParseDateOfBirthTest, HandlesPrecisionAndLeapYears) {
  EXPECT_TRUE(ParseDateOfBirth("2024-02-29", DatePrecision::kExact, Now()).ok());
  EXPECT_FALSE(ParseDateOfBirth("2023-02-29", DatePrecision::kExact, Now()).ok());
  EXPECT_FALSE(ParseDateOfBirth("1990-4-1", DatePrecision::kExact, Now()).ok());
  auto y = ParseDateOfBirth("1990", DatePrecision::kYearOnly, Now());
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->ToString(), "1990");
  EXPECT_FALSE(ParseDateOfBirth("1990-01-01", DatePrecision::kYearOnly, Now()).ok());
  EXPECT_FALSE(ParseDateOfBirth("2027", DatePrecision::kYearOnly, Now()).ok());
}

TEST(CodeListsTest, ComeFromIsoCodes) {
  EXPECT_TRUE(IsCountryCode("PAN"));
  EXPECT_TRUE(IsCountryCode("VEN"));
  EXPECT_TRUE(IsCountryCode("HTI"));
  EXPECT_FALSE(IsCountryCode("XXA"));  // accepted as nationality, not a country
  EXPECT_TRUE(IsLanguageCode("spa"));
  EXPECT_TRUE(IsLanguageCode("es"));
  EXPECT_TRUE(IsLanguageCode("guc"));  // Wayuu, ISO 639-3 only
  EXPECT_TRUE(IsLanguageCode("fre"));  // ISO 639-2/B
  EXPECT_FALSE(IsLanguageCode("zz"));
}

}  // namespace
}  // namespace puente::registry
