#include "puente/registry/candidate_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace puente::registry {
namespace {

// A fixed score model, so these cases do not move when the measured
// defaults are refitted: impostors N(0, 0.1) with the exponential tail from
// 0.35 (FMR 1e-3 there, a decade per 0.05), genuine pairs N(0.7, 0.1).
FaceScoreModel TestModel() {
  FaceScoreModel m;
  m.template_set = "test/1";
  m.impostor_mean = 0;
  m.impostor_sd = 0.1;
  m.tail_start = 0.35;
  m.tail_log10_fmr = -3;
  m.tail_slope = 20;
  m.genuine_mean = 0.7;
  m.genuine_sd = 0.1;
  return m;
}

CandidatePolicy TestPolicy() {
  CandidatePolicy p;
  p.face = TestModel();
  return p;
}

DemographicLevels Unrelated() {
  return {NameAgreement::kOther, BirthAgreement::kNear, SexAgreement::kSame, false};
}
DemographicLevels SameDetails() {
  return {NameAgreement::kSame, BirthAgreement::kSame, SexAgreement::kSame, false};
}

TEST(FaceScoreModelTest, TailIsExponentialAndLlrNeverFalls) {
  const FaceScoreModel m = TestModel();
  EXPECT_NEAR(m.Fmr(0.35), 1e-3, 1e-9);
  EXPECT_NEAR(m.Fmr(0.40), 1e-4, 1e-10);
  EXPECT_NEAR(m.Fmr(0.55), 1e-7, 1e-13);
  EXPECT_LE(m.Fmr(-1.0), 1.0);
  EXPECT_GT(m.Fmr(0.2), m.Fmr(0.3));
  EXPECT_NEAR(m.Fnmr(0.7), 0.5, 1e-9);
  double last = -1e9;
  for (double s = -0.5; s <= 1.0; s += 0.01) {
    const double llr = m.Llr(s);
    EXPECT_GE(llr, last - 1e-9) << s;
    EXPECT_GE(llr, m.llr_floor) << s;
    last = llr;
  }
  // The score for an evidence level is where the evidence reaches it.
  for (double llr : {0.0, 2.0, 5.0, 8.0}) {
    EXPECT_NEAR(m.Llr(m.ScoreForLlr(llr)), llr, 0.05) << llr;
  }
}

// The FPIR mechanics alone, without the minimum scores.
CandidatePolicy FpirOnlyPolicy() {
  CandidatePolicy p = TestPolicy();
  p.min_hold_score = p.min_flag_score = -100;
  return p;
}

TEST(CandidatePolicyTest, ThresholdsRiseWithTheGallerySize) {
  const CandidatePolicy p = FpirOnlyPolicy();
  double last_hold = -1e9;
  for (size_t n : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    const TierThresholds t = ThresholdsFor(p, n);
    EXPECT_GT(t.hold, last_hold) << n;
    EXPECT_GE(t.hold, t.flag) << n;
    // The thresholds stand for the per-comparison rates FPIR / N allows.
    EXPECT_NEAR(t.hold_fmr, 1 - std::pow(1 - p.hold_fpir, 1.0 / n), 1e-12) << n;
    // Each is the lowest fused score whose false-match rate is within them
    // (the rate jumps where a demographic combination alone reaches the
    // threshold, so "within" rather than "equal").
    EXPECT_LE(FalseMatchRateAt(p, t.hold), t.hold_fmr * 1.0001) << n;
    EXPECT_GT(FalseMatchRateAt(p, t.hold - 0.01), t.hold_fmr) << n;
    EXPECT_LE(FalseMatchRateAt(p, t.flag), t.flag_fmr * 1.0001) << n;
    EXPECT_GT(FalseMatchRateAt(p, t.flag - 0.01), t.flag_fmr) << n;
    last_hold = t.hold;
  }
  // An empty gallery counts as one person.
  EXPECT_EQ(ThresholdsFor(p, 0).gallery_size, 1u);
  // With the minimum scores, small galleries stop at them.
  const CandidatePolicy with_minimum = TestPolicy();
  EXPECT_DOUBLE_EQ(ThresholdsFor(with_minimum, 1).hold, with_minimum.min_hold_score);
  EXPECT_GT(ThresholdsFor(with_minimum, 100'000).hold, with_minimum.min_hold_score);
}

TEST(CandidatePolicyTest, SmallGalleriesStillNeedRealEvidence) {
  const CandidatePolicy p = TestPolicy();
  const TierThresholds t = ThresholdsFor(p, 1);
  // FPIR 0.5% over one comparison would hold on a shared birth date alone.
  EXPECT_DOUBLE_EQ(t.hold, p.min_hold_score);
  EXPECT_DOUBLE_EQ(t.flag, p.min_flag_score);
  EXPECT_LT(FalseMatchRateAt(p, t.hold), t.hold_fmr);
  const DemographicLevels same_birth{NameAgreement::kOther, BirthAgreement::kSame,
                                     SexAgreement::kSame, false};
  EXPECT_EQ(TierOf(t, FusedScore(p, {0.08f, same_birth})), CandidateTier::kNone);
  EXPECT_EQ(TierOf(t, FusedScore(p, {0.50f, Unrelated()})), CandidateTier::kHold);
}

struct FusionCase {
  const char* name;
  size_t gallery_size;
  std::optional<float> face;
  DemographicLevels demographics;
  CandidateTier tier;
};

TEST(CandidatePolicyTest, FusesFaceAndDemographicsByTable) {
  const CandidatePolicy p = TestPolicy();
  const DemographicLevels alike_name_only{NameAgreement::kPartial, BirthAgreement::kWithinYear,
                                          SexAgreement::kSame, false};
  const DemographicLevels same_document{NameAgreement::kOther, BirthAgreement::kNear,
                                        SexAgreement::kSame, true};
  DemographicLevels other_sex = Unrelated();
  other_sex.sex = SexAgreement::kDifferent;
  const FusionCase cases[] = {
      {"strong face alone, small gallery", 1'000, 0.57f, Unrelated(), CandidateTier::kHold},
      {"the same face, a million enrolled", 1'000'000, 0.57f, Unrelated(), CandidateTier::kFlag},
      {"moderate face alone", 10'000, 0.45f, Unrelated(), CandidateTier::kNone},
      {"moderate face, same names and birth date", 10'000, 0.45f, SameDetails(),
       CandidateTier::kHold},
      {"weak name resemblance alone", 10'000, 0.05f, alike_name_only, CandidateTier::kNone},
      {"names and birth date with an unknown face", 10'000, std::nullopt, SameDetails(),
       CandidateTier::kHold},
      {"same document, unlike face", 10'000, 0.0f, same_document, CandidateTier::kFlag},
      {"no evidence at all", 10'000, std::nullopt, Unrelated(), CandidateTier::kNone},
  };
  for (const FusionCase& c : cases) {
    const TierThresholds t = ThresholdsFor(p, c.gallery_size);
    const double fused = FusedScore(p, {c.face, c.demographics});
    EXPECT_EQ(TierOf(t, fused), c.tier)
        << c.name << ": fused " << fused << ", hold " << t.hold << ", flag " << t.flag;
  }
  // Sex and age are soft evidence: a mismatch lowers the score, it never
  // removes a strong face.
  const double same_sex = FusedScore(p, {0.6f, Unrelated()});
  const double different_sex = FusedScore(p, {0.6f, other_sex});
  EXPECT_LT(different_sex, same_sex);
  EXPECT_EQ(TierOf(ThresholdsFor(p, 1'000), different_sex), CandidateTier::kHold);
  DemographicLevels far = Unrelated();
  far.birth = BirthAgreement::kFar;
  EXPECT_LT(FusedScore(p, {0.6f, far}), same_sex);
}

TEST(CandidatePolicyTest, TheNamesOfTheIssueAreNotADuplicateOnTheirOwn) {
  // "Lucía Restrepo Campos 1979-05-14" against "Luisa Campos Escobar
  // 1979-06-04": held on demographics alone (0.82) before.
  DemographicRecord a{"Lucía",      "Restrepo", "Campos", {1979, 5, 14, DatePrecision::kExact},
                      Sex::kFemale, "COL",      {}};
  DemographicRecord b{"Luisa",      "Campos", "Escobar", {1979, 6, 4, DatePrecision::kExact},
                      Sex::kFemale, "COL",    {}};
  const DemographicMatch m = CompareDemographics(a, b);
  const DemographicLevels l = LevelsOf(a, b, m);
  const CandidatePolicy p = TestPolicy();
  const TierThresholds t = ThresholdsFor(p, 3'600);
  EXPECT_EQ(TierOf(t, FusedScore(p, {0.10f, l})), CandidateTier::kNone)
      << "fused " << FusedScore(p, {0.10f, l}) << " hold " << t.hold;
  // The same two with a face that matches are held.
  EXPECT_EQ(TierOf(t, FusedScore(p, {0.55f, l})), CandidateTier::kHold);
}

TEST(CandidatePolicyTest, LevelsFollowTheComparison) {
  DemographicRecord a{"Ana María",  "Pérez", "Gómez", {1990, 3, 4, DatePrecision::kExact},
                      Sex::kFemale, "VEN",   {}};
  DemographicRecord b = a;
  DemographicLevels same = LevelsOf(a, b, CompareDemographics(a, b));
  EXPECT_EQ(same.names, NameAgreement::kSame);
  EXPECT_EQ(same.birth, BirthAgreement::kSame);
  EXPECT_EQ(same.sex, SexAgreement::kSame);
  b.date_of_birth = {1990, 4, 3, DatePrecision::kExact};
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).birth, BirthAgreement::kSwapped);
  b.date_of_birth = {1990, 3, 20, DatePrecision::kExact};
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).birth, BirthAgreement::kWithinMonth);
  b.date_of_birth = {1970, 3, 4, DatePrecision::kExact};
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).birth, BirthAgreement::kFar);
  b.date_of_birth = {1985, 3, 4, DatePrecision::kExact};
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).birth, BirthAgreement::kNear);
  b.date_of_birth = {};
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).birth, BirthAgreement::kUnknown);
  b.sex = Sex::kMale;
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).sex, SexAgreement::kDifferent);
  b.sex = Sex::kUnspecified;
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).sex, SexAgreement::kUnknown);
  b.given_names = "Zoe";
  b.surname1 = "Quispe";
  b.surname2 = "";
  EXPECT_EQ(LevelsOf(a, b, CompareDemographics(a, b)).names, NameAgreement::kOther);
}

TEST(CandidatePolicyTest, DemographicWeightsAreProbabilitiesAndNamesNeverCountAgainst) {
  const DemographicWeights w = DefaultDemographicWeights();
  double names = 0, birth = 0, sex = 0;
  for (const auto& l : w.names) names += l.different;
  for (const auto& l : w.birth) birth += l.different;
  for (const auto& l : w.sex) sex += l.different;
  EXPECT_NEAR(names, 1.0, 1e-6);
  EXPECT_NEAR(birth, 1.0, 1e-6);
  EXPECT_NEAR(sex, 1.0, 1e-6);
  for (const auto& l : w.names) EXPECT_GE(l.Llr(), 0.0);
  EXPECT_DOUBLE_EQ(w.birth[int(BirthAgreement::kUnknown)].Llr(), 0.0);
  EXPECT_DOUBLE_EQ(w.sex[int(SexAgreement::kUnknown)].Llr(), 0.0);
  EXPECT_LT(w.sex[int(SexAgreement::kDifferent)].Llr(), 0.0);
  EXPECT_LT(w.birth[int(BirthAgreement::kFar)].Llr(), 0.0);
}

TEST(CandidatePolicyTest, RanksByFusedScore) {
  std::vector<double> list{1.5, 9.0, -0.5, 4.2};
  std::sort(list.begin(), list.end(), RanksBefore);
  EXPECT_EQ(list, (std::vector<double>{9.0, 4.2, 1.5, -0.5}));
  EXPECT_FALSE(RanksBefore(1.0, 1.0));
}

TEST(CandidatePolicyTest, RefusesPoliciesThatCannotBeMet) {
  CandidatePolicy p = TestPolicy();
  EXPECT_TRUE(ValidatePolicy(p).ok());
  p.hold_fpir = 0;
  EXPECT_EQ(ValidatePolicy(p).message(), "hold_fpir: must be between 0 and 1");
  p = TestPolicy();
  p.flag_fpir = p.hold_fpir / 2;
  EXPECT_EQ(ValidatePolicy(p).message(), "flag_fpir: must be between hold_fpir and 1");
  p = TestPolicy();
  p.face.tail_slope = 0;
  EXPECT_FALSE(ValidatePolicy(p).ok());
}

TEST(CandidatePolicyTest, OperatingPointsMissMoreDuplicatesAsTheGalleryGrows) {
  const CandidatePolicy p = FpirOnlyPolicy();
  double last = 0;
  for (size_t n : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    const OperatingPointAtSize op = OperatingPointFor(p, n, 0.01);
    EXPECT_GT(op.fnir_face_only, last) << n;
    EXPECT_LT(op.fnir_same_details, op.fnir_face_only) << n;
    EXPECT_GT(op.face_threshold, 0.35) << n;
    last = op.fnir_face_only;
  }
  // A stricter FPIR costs more misses.
  EXPECT_GT(OperatingPointFor(p, 10'000, 0.003).fnir_face_only,
            OperatingPointFor(p, 10'000, 0.03).fnir_face_only);
}

TEST(CandidatePolicyTest, EveryMeasuredTemplateSetHasAModel) {
  for (const char* set : {"fr_feature+reid_0095/1", "fr_feature/2", "fr_feature/1"}) {
    for (bool studio : {true, false}) {
      auto m = DefaultFaceScoreModel(set, studio);
      ASSERT_TRUE(m.ok()) << set;
      EXPECT_EQ(m->template_set, set);
      CandidatePolicy p;
      p.face = *m;
      EXPECT_TRUE(ValidatePolicy(p).ok()) << set;
    }
  }
  EXPECT_EQ(DefaultFaceScoreModel("sface_2021dec/1").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace puente::registry
