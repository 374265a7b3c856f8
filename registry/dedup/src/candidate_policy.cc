#include "puente/registry/candidate_policy.h"

#include <algorithm>

namespace puente::registry {

bool IsFaceEvidence(const CandidatePolicy& p, float face_score) {
  return face_score >= p.face_support_threshold;
}

bool IsCandidate(const CandidatePolicy& p, const CandidateEvidence& e) {
  const bool strong_face = e.face && *e.face >= p.face_threshold;
  const bool strong_demographics = e.demographic >= p.demographic_threshold;
  const bool together = e.face && *e.face >= p.face_support_threshold &&
                        e.demographic >= p.demographic_support_threshold;
  return strong_face || strong_demographics || together;
}

double CandidateRankScore(const CandidateEvidence& e) {
  return std::max<double>(e.face.value_or(0), e.demographic);
}

bool RanksBefore(const CandidateEvidence& a, const CandidateEvidence& b) {
  return CandidateRankScore(a) > CandidateRankScore(b);
}

}  // namespace puente::registry
