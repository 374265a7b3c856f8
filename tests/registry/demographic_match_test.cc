#include "puente/registry/demographic_match.h"

#include <gtest/gtest.h>

namespace puente::registry {
namespace {

DateOfBirth Exact(int y, int m, int d) { return {y, m, d, DatePrecision::kExact}; }
DateOfBirth Year(int y) { return {y, 0, 0, DatePrecision::kYearOnly}; }

DemographicRecord Person(std::string given, std::string s1, std::string s2, DateOfBirth dob,
                         Sex sex = Sex::kFemale, std::string nat = "VEN") {
  return {std::move(given), std::move(s1), std::move(s2), dob, sex, std::move(nat), {}};
}

bool HasReason(const DemographicMatch& m, const std::string& r) {
  return std::find(m.reasons.begin(), m.reasons.end(), r) != m.reasons.end();
}

TEST(FoldNameTest, AccentsCaseScriptsAndPunctuation) {
  EXPECT_EQ(FoldName("Núñez-Peña"), "nunez pena");
  EXPECT_EQ(FoldName("  MARÍA  José "), "maria jose");
  EXPECT_EQ(FoldName("O'Brien"), "obrien");
  EXPECT_EQ(FoldName("Müller"), "muller");
  EXPECT_EQ(FoldName("Мухаммед"), "muhammed");
  EXPECT_EQ(FoldName("محمد"), "mhmd");
  EXPECT_EQ(NameTokens("María de la Cruz"), (std::vector<std::string>{"maria", "cruz"}));
  EXPECT_EQ(NameTokens("Del Valle"), (std::vector<std::string>{"valle"}));
}

TEST(PhoneticKeyTest, SpellingsThatSoundAlike) {
  EXPECT_EQ(PhoneticKey("gonzalez"), PhoneticKey("gonzales"));
  EXPECT_EQ(PhoneticKey("mohamed"), PhoneticKey("muhammad"));
  EXPECT_EQ(PhoneticKey("mohammed"), PhoneticKey("muhamad"));
  EXPECT_EQ(PhoneticKey("vasquez"), PhoneticKey("basques"));
  EXPECT_EQ(PhoneticKey("yepez"), PhoneticKey("llepes"));
  EXPECT_EQ(PhoneticKey("hernandez"), PhoneticKey("ernandes"));
  EXPECT_NE(PhoneticKey("perez"), PhoneticKey("lopez"));
}

TEST(JaroWinklerTest, KnownValues) {
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler("dixon", "dicksonx"), 0.813, 0.001);
  EXPECT_EQ(JaroWinkler("abc", "abc"), 1.0);
  EXPECT_EQ(JaroWinkler("abc", "xyz"), 0.0);
}

struct Case {
  const char* what;
  DemographicRecord a, b;
  bool candidate;
  const char* reason;  // one reason that must be given, or ""
};

TEST(CompareDemographicsTest, TheVariantsOfficersMeet) {
  const DemographicRecord maria = Person("María José", "Pérez", "Núñez", Exact(1988, 3, 14));
  const Case cases[] = {
      {"accents dropped", maria, Person("MARIA JOSE", "PEREZ", "NUNEZ", Exact(1988, 3, 14)), true,
       "same surnames"},
      {"surnames swapped", maria, Person("María José", "Núñez", "Pérez", Exact(1988, 3, 14)), true,
       "surnames swapped"},
      {"second surname omitted", maria, Person("María José", "Pérez", "", Exact(1988, 3, 14)), true,
       "one surname omitted"},
      {"second given name omitted", maria, Person("María", "Pérez", "Núñez", Exact(1988, 3, 14)),
       true, "given names match, one omitted"},
      {"particles", Person("Ana", "de la Cruz", "del Valle", Exact(1990, 1, 2)),
       Person("Ana", "Cruz", "Valle", Exact(1990, 1, 2)), true, "same surnames"},
      {"spelled by ear", Person("Mohamed", "Al-Hassan", "", Exact(1979, 6, 1), Sex::kMale, "SYR"),
       Person("Muhammad", "Hasan", "", Exact(1979, 6, 1), Sex::kMale, "SYR"), true,
       "surnames spelled alike"},
      {"other script", Person("Мухаммед", "Хасан", "", Year(1979), Sex::kMale, "SYR"),
       Person("Muhammad", "Hasan", "", Exact(1979, 6, 1), Sex::kMale, "SYR"), true,
       "same birth year (estimated date)"},
      {"estimated date a year off", maria,
       Person("María José", "Pérez", "Núñez", {1989, 0, 0, DatePrecision::kEstimated}), true,
       "birth years 1 apart (estimated date)"},
      {"different people, same surnames", maria,
       Person("Carmen", "Pérez", "Núñez", Exact(1961, 11, 2)), false, ""},
      {"different people, common surname and year",
       Person("Luis", "García", "", Exact(1990, 1, 1), Sex::kMale),
       Person("Pedro", "García", "", Exact(1990, 8, 30), Sex::kMale), false, ""},
      {"different people entirely", maria, Person("John", "Smith", "", Exact(1970, 1, 1)), false,
       ""},
  };
  for (const Case& c : cases) {
    const DemographicMatch m = CompareDemographics(c.a, c.b);
    EXPECT_EQ(m.score >= kDemographicCandidateThreshold, c.candidate)
        << c.what << ": score " << m.score;
    if (*c.reason) {
      EXPECT_TRUE(HasReason(m, c.reason)) << c.what;
    }
    // Symmetric.
    EXPECT_NEAR(CompareDemographics(c.b, c.a).score, m.score, 1e-9) << c.what;
  }
  // Day and month swapped, both valid dates.
  const DemographicMatch swapped = CompareDemographics(
      Person("Ana", "Ruiz", "", Exact(1990, 4, 7)), Person("Ana", "Ruiz", "", Exact(1990, 7, 4)));
  EXPECT_TRUE(swapped.score >= kDemographicCandidateThreshold) << swapped.score;
  EXPECT_TRUE(HasReason(swapped, "date of birth with day and month swapped"));
}

TEST(CompareDemographicsTest, SameDocumentIsAlwaysACandidate) {
  DemographicRecord a = Person("Ana", "Ruiz", "", Exact(1990, 1, 1));
  DemographicRecord b = Person("Beatriz", "Gómez", "", Exact(1970, 5, 5));
  a.documents = {{DocumentType::kPassport, "VEN", "A1234567", ""}};
  b.documents = {{DocumentType::kPassport, "VEN", "A1234567", ""}};
  const DemographicMatch m = CompareDemographics(a, b);
  EXPECT_TRUE(m.same_document);
  EXPECT_GE(m.score, 0.99);
  EXPECT_TRUE(HasReason(m, "same passport VEN A1234567")) << m.reasons[0];
}

TEST(MatchKeysTest, FindCandidatesAcrossSpellings) {
  DemographicRecord a = Person("María", "González", "Núñez", Exact(1990, 1, 1));
  DemographicRecord b = Person("Maria", "Nunes", "", Exact(1990, 1, 1));
  a.documents = {{DocumentType::kPassport, "VEN", "A1", ""}};
  const auto ka = MatchKeys(a), kb = MatchKeys(b);
  EXPECT_EQ(ka, (std::vector<std::string>{"doc:passport:VEN:A1", "sn:gnsls", "sn:ns"}));
  EXPECT_EQ(kb, (std::vector<std::string>{"sn:ns"}));
}

}  // namespace
}  // namespace puente::registry
