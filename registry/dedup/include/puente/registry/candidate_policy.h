// Which possible duplicates an enrollment is held for, and in what order a
// supervisor sees them: the decision rule on top of the 1:N face search and
// the demographic comparison, as pure functions (no database, no models).
//
// Thread-safe (values only).
#ifndef PUENTE_REGISTRY_CANDIDATE_POLICY_H_
#define PUENTE_REGISTRY_CANDIDATE_POLICY_H_

#include <optional>

namespace puente::registry {

struct CandidatePolicy {
  // A face alone makes a candidate from here: FMR <= 1e-4 per comparison on
  // the dev photos (docs/biometrics.md).
  float face_threshold = 0.43f;
  // Demographics alone (names, date of birth, documents) from here.
  double demographic_threshold = 0.80;
  // Both together: a weaker face (FMR <= 1e-3) with some demographic support.
  // Faces below this are not kept as evidence at all.
  float face_support_threshold = 0.34f;
  double demographic_support_threshold = 0.50;
};

// One compared person: the face similarity if the face was among the
// nearest (and at least the support threshold), and the demographic score.
struct CandidateEvidence {
  std::optional<float> face;
  double demographic = 0;
};

// Whether `e` makes the person a possible duplicate under `p`.
bool IsCandidate(const CandidatePolicy& p, const CandidateEvidence& e);

// Whether a face score counts as evidence at all (else it is dropped).
bool IsFaceEvidence(const CandidatePolicy& p, float face_score);

// The score candidates are listed by, highest first (the stronger of the
// face and the demographic evidence).
double CandidateRankScore(const CandidateEvidence& e);

// Whether `a` is listed before `b`.
bool RanksBefore(const CandidateEvidence& a, const CandidateEvidence& b);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_CANDIDATE_POLICY_H_
