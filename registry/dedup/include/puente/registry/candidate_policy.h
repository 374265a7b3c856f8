// Which possible duplicates an enrollment is held or flagged for, and in
// what order a supervisor sees them: the decision rule on top of the 1:N
// face search and the demographic comparison, as pure functions (no
// database, no models). docs/enrollment.md explains the model and where
// each number comes from.
//
// Evidence is fused, not OR-ed: each compared person gets one score, the
// log10 likelihood ratio "same person" against "different people" of the
// face score plus that of the demographic agreement (names, date of birth,
// sex, documents). Decisions are taken against a target false-positive
// identification rate (FPIR: the share of genuinely new applicants held),
// for the gallery size at that moment: an enrollment is compared with all
// N people enrolled, so the per-comparison false-match rate allowed is
// 1 - (1 - FPIR)^(1/N), and the threshold on the fused score rises with N.
//
// Thread-safe (values only).
#ifndef PUENTE_REGISTRY_CANDIDATE_POLICY_H_
#define PUENTE_REGISTRY_CANDIDATE_POLICY_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/demographic_match.h"

namespace puente::registry {

// How one template set's cosine scores are distributed, measured on a
// labelled face set (bench/face_score_study). Impostors (different people):
// a normal body, and above `tail_start` an exponential upper tail,
//   log10 P(impostor >= s) = tail_log10_fmr - tail_slope * (s - tail_start).
// Genuine pairs (same person): normal.
struct FaceScoreModel {
  std::string template_set;  // e.g. "fr_feature+reid_0095/1"
  double impostor_mean = 0, impostor_sd = 0.1;
  double tail_start = 0.3, tail_log10_fmr = -3, tail_slope = 20;
  double genuine_mean = 0.7, genuine_sd = 0.1;
  // The face evidence never counts less than this: photos of one person can
  // disagree (years apart, injury, a poor capture), so a strong demographic
  // match (same document, same names and date of birth) is still reviewed.
  double llr_floor = -2.0;

  // P(impostor score >= s).
  double Fmr(double s) const;
  // P(genuine score < s).
  double Fnmr(double s) const;
  // log10 of the genuine over the impostor density at s, made
  // non-decreasing in s (a higher score is never weaker evidence).
  double Llr(double s) const;
  // The lowest score whose Llr is at least `llr` (2 if none up to 1).
  double ScoreForLlr(double llr) const;
};

// Fits a model to measured scores (genuine and impostor, each sorted
// ascending): the normals by their mean and spread; the tail by least
// squares on log10 FMR, from the threshold at FMR 1e-3 (1e-2 with fewer
// than 100,000 impostor pairs) down to where 20 impostor pairs remain.
// InvalidArgument with too few scores to fit.
absl::StatusOr<FaceScoreModel> FitFaceScoreModel(std::string template_set,
                                                 std::span<const float> genuine,
                                                 std::span<const float> impostor);

// The model measured for a template set, and for the studio (counter
// photo) subset of the scale set when `studio`. NotFound for a set without
// measurements.
absl::StatusOr<FaceScoreModel> DefaultFaceScoreModel(std::string_view template_set,
                                                     bool studio = true);

// The demographic agreement between two records, as discrete levels.
enum class NameAgreement { kSame, kAlike, kPartial, kOther };
enum class BirthAgreement { kSame, kSwapped, kWithinMonth, kWithinYear, kNear, kFar, kUnknown };
enum class SexAgreement { kSame, kDifferent, kUnknown };
struct DemographicLevels {
  NameAgreement names = NameAgreement::kOther;
  BirthAgreement birth = BirthAgreement::kUnknown;
  SexAgreement sex = SexAgreement::kUnknown;
  bool same_document = false;
};
DemographicLevels LevelsOf(const DemographicRecord& a, const DemographicRecord& b,
                           const DemographicMatch& m);

// One level's weight: how often it occurs between two different people and
// for the same person registered twice; its evidence is log10 of their
// ratio. Only `different` decides the false-positive rate; `same` decides
// how much a level helps catch duplicates.
struct LevelWeight {
  double different = 1;
  double same = 1;
  double Llr() const;
};
struct DemographicWeights {
  // Indexed by the enums above.
  LevelWeight names[4];
  LevelWeight birth[7];
  LevelWeight sex[3];
  LevelWeight document[2];  // [0] no shared document, [1] same document
};
// The documented defaults (docs/enrollment.md, "Demographic evidence").
DemographicWeights DefaultDemographicWeights();

double DemographicLlr(const DemographicWeights& w, const DemographicLevels& l);

enum class CandidateTier { kNone, kFlag, kHold };
std::string_view ToString(CandidateTier t);  // "none", "flag", "hold"

struct CandidatePolicy {
  // Share of genuinely new applicants held (blocking their card) and, in
  // all, held or flagged for a lower-priority review.
  double hold_fpir = 0.005;
  double flag_fpir = 0.03;
  // Whatever the gallery size, never held on a likelihood ratio below
  // 10^min_hold_score, nor flagged below 10^min_flag_score: in a small
  // gallery the FPIR alone would allow holds on weak evidence (a shared
  // birth date) that no supervisor should have to look at.
  double min_hold_score = 2.5;
  double min_flag_score = 2.0;
  FaceScoreModel face;  // of the template set in use
  DemographicWeights demographics = DefaultDemographicWeights();
};

// Thresholds on the fused score for a gallery of `gallery_size` people.
struct TierThresholds {
  size_t gallery_size = 0;
  double hold = 0, flag = 0;
  // The per-comparison false-match rates the FPIRs allow (the thresholds
  // meet them, or stay below them where the minimum scores apply).
  double hold_fmr = 0, flag_fmr = 0;
};

// InvalidArgument if an FPIR is outside (0, 1) or the flag one is below the
// hold one.
absl::Status ValidatePolicy(const CandidatePolicy& p);

// The per-comparison false-match rate of the fused threshold `t`: the share
// of pairs of different people whose fused score reaches `t`, over every
// combination of demographic levels (face and demographics independent
// between different people).
double FalseMatchRateAt(const CandidatePolicy& p, double t);

// The thresholds for `gallery_size` (at least 1 person counted).
TierThresholds ThresholdsFor(const CandidatePolicy& p, size_t gallery_size);

// One compared person: the face similarity (absent when not known) and the
// demographic levels.
struct CandidateEvidence {
  std::optional<float> face;
  DemographicLevels demographics;
};

double FusedScore(const CandidatePolicy& p, const CandidateEvidence& e);

CandidateTier TierOf(const TierThresholds& t, double fused_score);

// Candidates are listed by fused score, highest first.
bool RanksBefore(double fused_a, double fused_b);

// Operating points of a policy for reports (`puente face calibrate`): the
// face-only threshold and the share of duplicates missed, for face-only
// duplicates and for duplicates that keep their name and date of birth.
struct OperatingPointAtSize {
  size_t gallery_size = 0;
  double fpir = 0;
  double face_threshold = 0;     // cosine a face-only candidate needs
  double fnir_face_only = 0;     // duplicates with unrelated demographics missed
  double fnir_same_details = 0;  // duplicates keeping names, date of birth, sex
};
OperatingPointAtSize OperatingPointFor(const CandidatePolicy& p, size_t gallery_size, double fpir);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_CANDIDATE_POLICY_H_
