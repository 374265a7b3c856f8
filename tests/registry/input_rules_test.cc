// The rules every request body, CLI call and import row meets (issue 15,
// items 6 and 11): limits on every list and string, refused with the field
// and the limit named; invisible format and control characters (Unicode Cc,
// Cf, Zl, Zp) refused in every displayed text field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "puente/common/error_detail.h"
#include "puente/registry/applicant_json.h"
#include "puente/registry/validation.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using nlohmann::json;

absl::Time Now() { return puente::testing::TestClock().Now(); }

bool Contains(const absl::Status& s, const std::string& part) {
  return std::string(s.message()).find(part) != std::string::npos;
}

struct InvisibleCase {
  const char* name;
  const char* text;      // inside a name, between "Ana" and "Paula"
  const char* expected;  // substring of the message
};

void PrintTo(const InvisibleCase& c, std::ostream* os) { *os << c.name; }

class RefusesInvisibleCharactersTest : public ::testing::TestWithParam<InvisibleCase> {};

TEST_P(RefusesInvisibleCharactersTest, InNamesPlacesAddressesAndReasons) {
  const std::string value = std::string("Ana") + GetParam().text + "Paula";
  auto name = ValidateNamePart("given_names", value, true);
  ASSERT_FALSE(name.ok()) << GetParam().name;
  EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(name.status(), std::string("given_names: ") + "contains")) << name.status();
  EXPECT_TRUE(Contains(name.status(), GetParam().expected)) << name.status();
  EXPECT_EQ(DetailOf(name.status(), kDetailField), "given_names");
  for (const char* field : {"place_of_birth", "address", "reason", "note"}) {
    auto text = ValidateFreeText(field, value, kMaxReasonLength, false);
    ASSERT_FALSE(text.ok()) << field;
    EXPECT_TRUE(Contains(text.status(), std::string(field) + ": contains")) << text.status();
    EXPECT_TRUE(Contains(text.status(), GetParam().expected)) << text.status();
  }
  NewApplicant a = puente::testing::SampleApplicant();
  a.surname1 = "P" + std::string(GetParam().text) + "erez";
  auto v = ValidateNewApplicant(a, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(Contains(v.status(), "surname1: contains")) << v.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusesInvisibleCharactersTest,
    ::testing::Values(InvisibleCase{"RightToLeftOverride", "\u202E",
                                    "U+202E RIGHT-TO-LEFT OVERRIDE"},
                      InvisibleCase{"LeftToRightOverride", "\u202D", "U+202D"},
                      InvisibleCase{"RightToLeftEmbedding", "\u202B", "U+202B"},
                      InvisibleCase{"ZeroWidthSpace", "\u200B", "U+200B ZERO WIDTH SPACE"},
                      InvisibleCase{"ZeroWidthNonJoiner", "\u200C", "U+200C"},
                      InvisibleCase{"ZeroWidthJoiner", "\u200D", "U+200D"},
                      InvisibleCase{"LeftToRightMark", "\u200E", "U+200E"},
                      InvisibleCase{"RightToLeftMark", "\u200F", "U+200F"},
                      InvisibleCase{"LeftToRightIsolate", "\u2066", "U+2066"},
                      InvisibleCase{"RightToLeftIsolate", "\u2067", "U+2067"},
                      InvisibleCase{"FirstStrongIsolate", "\u2068", "U+2068"},
                      InvisibleCase{"PopDirectionalIsolate", "\u2069", "U+2069"},
                      InvisibleCase{"WordJoiner", "\u2060", "U+2060"},
                      InvisibleCase{"ByteOrderMark", "\uFEFF", "U+FEFF"},
                      InvisibleCase{"SoftHyphen", "\u00AD", "U+00AD"},
                      InvisibleCase{"ArabicLetterMark", "\u061C", "U+061C"},
                      InvisibleCase{"MongolianVowelSeparator", "\u180E", "U+180E"},
                      InvisibleCase{"TagLatinA", "\U000E0041", "U+E0041"},
                      InvisibleCase{"LineSeparator", "\u2028", "U+2028"},
                      InvisibleCase{"ParagraphSeparator", "\u2029", "U+2029"},
                      InvisibleCase{"C1NextLine", "\u0085", "control characters"},
                      InvisibleCase{"C1CSI", "\u009B", "control characters"},
                      InvisibleCase{"C0Escape", "\x1B", "control characters"},
                      InvisibleCase{"Delete", "\x7F", "control characters"},
                      InvisibleCase{"Tab", "\t", "control characters"}),
    [](const ::testing::TestParamInfo<InvisibleCase>& info) { return info.param.name; });

TEST(DisplayedTextTest, KeepsLettersOfEveryScript) {
  for (const char* name : {"María José", "Nguyễn Thị", "محمد", "Ελένη", "Дмитрий", "李小龍",
                           "O'Brien-Núñez", "Mbappé", "Ṣàngó", "ሰላም"}) {
    auto v = ValidateNamePart("given_names", name, true);
    EXPECT_TRUE(v.ok()) << name << ": " << v.status();
  }
  EXPECT_TRUE(
      ValidateFreeText("address", "Calle 50, edif. Ñ — piso 3", kMaxAddressLength, false).ok());
}

TEST(InputLimitsTest, ListsOverTheirLimitAreRefusedNamingFieldAndLimit) {
  NewApplicant a = puente::testing::SampleApplicant();
  a.languages.assign(kMaxLanguages + 1, "spa");
  auto v = ValidateNewApplicant(a, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(Contains(v.status(), "languages: 11 languages, the limit is 10")) << v.status();

  a = puente::testing::SampleApplicant();
  a.documents.assign(kMaxDocuments + 1, a.documents.at(0));
  v = ValidateNewApplicant(a, Now());
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(Contains(v.status(), "documents: 11 documents, the limit is 10")) << v.status();

  a = puente::testing::SampleApplicant();
  a.languages.assign(kMaxLanguages, "spa");
  a.documents.assign(kMaxDocuments, a.documents.at(0));
  EXPECT_TRUE(ValidateNewApplicant(a, Now()).ok()) << "exactly at the limits is allowed";
}

TEST(InputLimitsTest, StringsOverTheirLimitAreRefusedNamingFieldAndLimit) {
  struct Case {
    const char* field;
    void (*mutate)(NewApplicant&);
    const char* expected;
  };
  const Case cases[] = {
      {"place_of_birth", [](NewApplicant& a) { a.place_of_birth = std::string(201, 'x'); },
       "place_of_birth: is 201 characters long, the limit is 200"},
      {"address", [](NewApplicant& a) { a.address = std::string(301, 'x'); },
       "address: is 301 characters long, the limit is 300"},
      {"address (megabytes)", [](NewApplicant& a) { a.address = std::string(5 << 20, 'x'); },
       "address: is over 300 characters long"},
      {"surname2", [](NewApplicant& a) { a.surname2 = std::string(101, 'x'); },
       "surname2: is 101 characters long, the limit is 100"},
      {"phone", [](NewApplicant& a) { a.phone = "+507 " + std::string(40, '1'); },
       "phone: is 45 characters long, the limit is 32"},
      {"documents.number",
       [](NewApplicant& a) { a.documents.at(0).number = std::string(100000, 'A'); },
       "documents.number: is 100000 characters long, the limit is 64"},
  };
  for (const Case& c : cases) {
    NewApplicant a = puente::testing::SampleApplicant();
    c.mutate(a);
    auto v = ValidateNewApplicant(a, Now());
    ASSERT_FALSE(v.ok()) << c.field;
    EXPECT_TRUE(Contains(v.status(), c.expected)) << c.field << ": " << v.status();
  }
  auto reason =
      ValidateFreeText("reason", std::string(kMaxReasonLength + 1, 'x'), kMaxReasonLength, true);
  ASSERT_FALSE(reason.ok());
  EXPECT_TRUE(Contains(reason.status(), "reason: is 1001 characters long, the limit is 1000"));
}

TEST(InputLimitsTest, ApplicantJsonRefusesAHugeArrayBeforeReadingIt) {
  json docs = json::array();
  for (int i = 0; i < 110000; ++i) {
    docs.push_back({{"type", "passport"}, {"country", "VEN"}, {"number", "A1234567"}});
  }
  const json body{{"applicant",
                   {{"given_names", "Ana"},
                    {"sex", "F"},
                    {"date_of_birth", "1990-01-01"},
                    {"nationality", "VEN"},
                    {"office_code", "101"},
                    {"documents", docs}}}};
  auto a = NewApplicantFromJson(body, "applicant");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(a.status(), "applicant.documents: 110000 documents, the limit is 10"))
      << a.status().message().substr(0, 200);

  json langs = json::array();
  for (int i = 0; i < 11; ++i) langs.push_back("spa");
  json body2 = body;
  body2["applicant"].erase("documents");
  body2["applicant"]["languages"] = langs;
  a = NewApplicantFromJson(body2, "applicant");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(a.status(), "applicant.languages: 11 languages, the limit is 10"))
      << a.status();
}

}  // namespace
}  // namespace puente::registry
