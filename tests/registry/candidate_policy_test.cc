#include "puente/registry/candidate_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace puente::registry {
namespace {

struct Case {
  const char* name;
  std::optional<float> face;
  double demographic;
  bool candidate;
};

// With the default policy: face alone >= 0.43, demographics alone >= 0.80,
// together face >= 0.34 and demographics >= 0.50.
TEST(CandidatePolicyTest, DecidesByTable) {
  const CandidatePolicy p;
  const Case cases[] = {
      {"nothing", std::nullopt, 0.0, false},
      {"strong face alone", 0.43f, 0.0, true},
      {"face just below alone", 0.42f, 0.0, false},
      {"strong demographics alone", std::nullopt, 0.80, true},
      {"demographics just below alone", std::nullopt, 0.79, false},
      {"weak face with support", 0.34f, 0.50, true},
      {"weak face, support too weak", 0.34f, 0.49, false},
      {"face below support with support", 0.33f, 0.79, false},
      {"support without a face", std::nullopt, 0.60, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsCandidate(p, {c.face, c.demographic}), c.candidate) << c.name;
  }
}

TEST(CandidatePolicyTest, FaceEvidenceStartsAtTheSupportThreshold) {
  CandidatePolicy p;
  EXPECT_TRUE(IsFaceEvidence(p, 0.34f));
  EXPECT_FALSE(IsFaceEvidence(p, 0.3399f));
  p.face_support_threshold = 0.5f;
  EXPECT_FALSE(IsFaceEvidence(p, 0.45f));
}

TEST(CandidatePolicyTest, ThresholdsAreThePolicys) {
  CandidatePolicy strict;
  strict.face_threshold = 0.6f;
  strict.demographic_threshold = 0.95;
  EXPECT_FALSE(IsCandidate(strict, {0.5f, 0.0}));
  EXPECT_FALSE(IsCandidate(strict, {std::nullopt, 0.9}));
  EXPECT_TRUE(IsCandidate(strict, {0.61f, 0.0}));
}

TEST(CandidatePolicyTest, RanksByTheStrongerEvidence) {
  std::vector<CandidateEvidence> list = {
      {std::nullopt, 0.85}, {0.90f, 0.10}, {0.40f, 0.55}, {0.50f, 0.95}};
  std::sort(list.begin(), list.end(), RanksBefore);
  EXPECT_DOUBLE_EQ(CandidateRankScore(list[0]), 0.95);
  EXPECT_FLOAT_EQ(static_cast<float>(CandidateRankScore(list[1])), 0.90f);
  EXPECT_DOUBLE_EQ(CandidateRankScore(list[2]), 0.85);
  EXPECT_DOUBLE_EQ(CandidateRankScore(list[3]), 0.55);
  EXPECT_FALSE(RanksBefore(list[1], list[0]));
}

}  // namespace
}  // namespace puente::registry
