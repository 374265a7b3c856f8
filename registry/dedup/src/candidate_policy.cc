#include "puente/registry/candidate_policy.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/status/status.h"
#include "puente/common/strings.h"

namespace puente::registry {
namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kPi = 3.141592653589793;
// The score grid the monotone LLR is tabulated on.
constexpr double kGridLow = -0.5, kGridHigh = 1.0, kGridStep = 0.001;
constexpr int kGridPoints = static_cast<int>((kGridHigh - kGridLow) / kGridStep) + 1;

double NormalSf(double x, double mean, double sd) {
  return 0.5 * std::erfc((x - mean) / (sd * std::sqrt(2.0)));
}

double Log10NormalPdf(double x, double mean, double sd) {
  const double z = (x - mean) / sd;
  return (-0.5 * z * z - std::log(sd * std::sqrt(2 * kPi))) / kLn10;
}

// log10 of the impostor density at s: the derivative of Fmr.
double Log10ImpostorPdf(const FaceScoreModel& m, double s) {
  if (s >= m.tail_start) {
    return std::log10(m.tail_slope * kLn10) + m.tail_log10_fmr - m.tail_slope * (s - m.tail_start);
  }
  // The body, scaled to meet the tail at tail_start.
  const double scale =
      m.tail_log10_fmr - std::log10(NormalSf(m.tail_start, m.impostor_mean, m.impostor_sd));
  return Log10NormalPdf(s, m.impostor_mean, m.impostor_sd) + scale;
}

double RawLlr(const FaceScoreModel& m, double s) {
  return Log10NormalPdf(s, m.genuine_mean, m.genuine_sd) - Log10ImpostorPdf(m, s);
}

// Llr on the grid, non-decreasing: each point takes the least raw value at
// or above it (so a low score never counts as more evidence than a higher
// one, where the genuine normal's lower tail would make it so), and at
// least the model's floor.
std::vector<double> BuildLlrTable(const FaceScoreModel& m) {
  std::vector<double> t(kGridPoints);
  double least = RawLlr(m, kGridHigh);
  for (int i = kGridPoints - 1; i >= 0; --i) {
    least = std::min(least, RawLlr(m, kGridLow + i * kGridStep));
    t[i] = std::max(least, m.llr_floor);
  }
  return t;
}

// The table of `m`, built once per thread for the model last asked about:
// an enrollment scores each of its candidates with the same model.
const std::vector<double>& LlrTable(const FaceScoreModel& m) {
  struct Cached {
    std::vector<double> key;
    std::vector<double> table;
  };
  thread_local Cached cached;
  std::vector<double> key{m.impostor_mean, m.impostor_sd,  m.tail_start, m.tail_log10_fmr,
                          m.tail_slope,    m.genuine_mean, m.genuine_sd, m.llr_floor};
  if (cached.table.empty() || cached.key != key) {
    cached.table = BuildLlrTable(m);
    cached.key = std::move(key);
  }
  return cached.table;
}

double LlrFromTable(const std::vector<double>& t, double s) {
  if (s <= kGridLow) return t.front();
  if (s >= kGridHigh) return t.back();
  const double pos = (s - kGridLow) / kGridStep;
  const int i = static_cast<int>(pos);
  if (i + 1 >= kGridPoints) return t.back();
  const double f = pos - i;
  return t[i] + f * (t[i + 1] - t[i]);
}

double ScoreFromTable(const std::vector<double>& t, double llr) {
  if (t.back() < llr) return 2.0;
  if (t.front() >= llr) return kGridLow;
  const int i = static_cast<int>(std::lower_bound(t.begin(), t.end(), llr) - t.begin());
  // t[i - 1] < llr <= t[i]: interpolate.
  const double lo = t[i - 1], hi = t[i];
  const double f = hi > lo ? (llr - lo) / (hi - lo) : 1.0;
  return kGridLow + (i - 1 + f) * kGridStep;
}

// Every combination of demographic levels, with its share among pairs of
// different people and its evidence.
struct Combination {
  double p_different;
  double p_same;
  double llr;
};
std::vector<Combination> Combinations(const DemographicWeights& w) {
  std::vector<Combination> out;
  for (int n = 0; n < 4; ++n) {
    for (int b = 0; b < 7; ++b) {
      for (int s = 0; s < 3; ++s) {
        for (int d = 0; d < 2; ++d) {
          const DemographicLevels l{static_cast<NameAgreement>(n), static_cast<BirthAgreement>(b),
                                    static_cast<SexAgreement>(s), d == 1};
          out.push_back({w.names[n].different * w.birth[b].different * w.sex[s].different *
                             w.document[d].different,
                         w.names[n].same * w.birth[b].same * w.sex[s].same * w.document[d].same,
                         DemographicLlr(w, l)});
        }
      }
    }
  }
  return out;
}

double FmrAt(const CandidatePolicy& p, const std::vector<double>& table,
             const std::vector<Combination>& combos, double t) {
  double x = 0;
  for (const Combination& c : combos) {
    if (c.p_different <= 0) continue;
    x += c.p_different * p.face.Fmr(ScoreFromTable(table, t - c.llr));
  }
  return x;
}

// The fused threshold whose per-comparison FMR is `target` (bisection; the
// FMR falls as the threshold rises).
double ThresholdForFmr(const CandidatePolicy& p, const std::vector<double>& table,
                       const std::vector<Combination>& combos, double target) {
  double lo = -10, hi = 60;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (FmrAt(p, table, combos, mid) > target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

// The per-comparison FMR allowed for `fpir` over `n` comparisons.
double PerComparison(double fpir, size_t n) {
  return -std::expm1(std::log1p(-fpir) / static_cast<double>(std::max<size_t>(1, n)));
}

}  // namespace

double FaceScoreModel::Fmr(double s) const {
  if (s >= tail_start) return std::pow(10.0, tail_log10_fmr - tail_slope * (s - tail_start));
  const double scale =
      std::pow(10.0, tail_log10_fmr) / NormalSf(tail_start, impostor_mean, impostor_sd);
  return std::min(1.0, NormalSf(s, impostor_mean, impostor_sd) * scale);
}

double FaceScoreModel::Fnmr(double s) const { return 1.0 - NormalSf(s, genuine_mean, genuine_sd); }

double FaceScoreModel::Llr(double s) const { return LlrFromTable(LlrTable(*this), s); }

double FaceScoreModel::ScoreForLlr(double llr) const {
  return ScoreFromTable(LlrTable(*this), llr);
}

absl::StatusOr<FaceScoreModel> FitFaceScoreModel(std::string template_set,
                                                 std::span<const float> genuine,
                                                 std::span<const float> impostor) {
  if (genuine.size() < 10 || impostor.size() < 1000) {
    return absl::InvalidArgumentError(
        StrCat("score model: ", genuine.size(), " genuine and ", impostor.size(),
               " impostor scores; at least 10 and 1000 are needed to fit"));
  }
  auto moments = [](std::span<const float> v, double* mean, double* sd) {
    double sum = 0, sq = 0;
    for (float x : v) sum += x;
    *mean = sum / v.size();
    for (float x : v) sq += (x - *mean) * (x - *mean);
    *sd = std::max(1e-3, std::sqrt(sq / std::max<size_t>(1, v.size() - 1)));
  };
  FaceScoreModel m;
  m.template_set = std::move(template_set);
  moments(genuine, &m.genuine_mean, &m.genuine_sd);
  moments(impostor, &m.impostor_mean, &m.impostor_sd);
  const double n = static_cast<double>(impostor.size());
  // The score with `above` impostor scores at or above it.
  auto score_with_above = [&](double above) {
    const size_t k = static_cast<size_t>(std::max(1.0, std::round(above)));
    return static_cast<double>(impostor[impostor.size() - std::min(impostor.size(), k)]);
  };
  const double start_fmr = n >= 1e5 ? 1e-3 : 1e-2;
  m.tail_log10_fmr = std::log10(start_fmr);
  m.tail_start = score_with_above(start_fmr * n);
  // Points a quarter decade apart down to 20 pairs; slope through the start.
  double sxy = 0, sxx = 0;
  for (double f = start_fmr / std::pow(10.0, 0.25); f * n >= 20; f /= std::pow(10.0, 0.25)) {
    const double dx = score_with_above(f * n) - m.tail_start;
    const double dy = std::log10(f) - m.tail_log10_fmr;
    sxy += dx * dy;
    sxx += dx * dx;
  }
  if (sxx <= 0 || sxy >= 0) {
    return absl::InvalidArgumentError("score model: the impostor tail is too short to fit");
  }
  m.tail_slope = -sxy / sxx;
  return m;
}

absl::StatusOr<FaceScoreModel> DefaultFaceScoreModel(std::string_view template_set, bool studio) {
  // Fitted by bench/face_score_study on ../shared/faces/scale
  // (docs/biometrics.md, "Template sets measured on the scale set"). The
  // counter default (`studio`) takes the impostor scores of the studio
  // subset (CFD: standardised photos make different people look more alike,
  // FMR at cosine 0.33 about 4x that of the other photos) and the genuine
  // scores of all photos (in-the-wild pairs, years apart: the studio pairs
  // are from one session and would promise too much); `studio` false takes
  // both from all photos. Fields: set, impostor mean, sd, tail start (the
  // threshold at FMR 1e-3), log10 FMR there, decades per unit of cosine,
  // genuine mean, sd.
  struct Entry {
    std::string_view set;
    bool studio;
    FaceScoreModel model;
  };
  static const Entry kModels[] = {
      {"fr_feature+reid_0095/1",
       true,
       {"fr_feature+reid_0095/1", 0.0437, 0.1015, 0.4256, -3, 12.76, 0.586, 0.197}},
      {"fr_feature+reid_0095/1",
       false,
       {"fr_feature+reid_0095/1", 0.0071, 0.0877, 0.3465, -3, 10.32, 0.586, 0.197}},
      {"fr_feature/2", true, {"fr_feature/2", 0.0423, 0.1085, 0.4293, -3, 13.26, 0.584, 0.206}},
      {"fr_feature/2", false, {"fr_feature/2", 0.0066, 0.0978, 0.3618, -3, 10.69, 0.584, 0.206}},
      {"fr_feature/1", true, {"fr_feature/1", 0.0490, 0.1086, 0.4351, -3, 13.55, 0.547, 0.202}},
      {"fr_feature/1", false, {"fr_feature/1", 0.0108, 0.0980, 0.3581, -3, 11.66, 0.547, 0.202}},
  };
  for (const Entry& e : kModels) {
    if (e.set == template_set && e.studio == studio) return e.model;
  }
  return absl::NotFoundError(
      StrCat("no score model measured for template set ", template_set,
             ": measure one with bench/face_score_study (docs/biometrics.md)"));
}

DemographicLevels LevelsOf(const DemographicRecord& a, const DemographicRecord& b,
                           const DemographicMatch& m) {
  DemographicLevels l;
  l.same_document = m.same_document;
  l.names = m.name_score >= 0.97   ? NameAgreement::kSame
            : m.name_score >= 0.90 ? NameAgreement::kAlike
            : m.name_score >= 0.80 ? NameAgreement::kPartial
                                   : NameAgreement::kOther;
  const DateOfBirth &x = a.date_of_birth, &y = b.date_of_birth;
  if (x.year == 0 || y.year == 0) {
    l.birth = BirthAgreement::kUnknown;
  } else if (m.dob_score >= 1.0) {
    l.birth = BirthAgreement::kSame;
  } else if (m.dob_score >= 0.85 && x.precision == DatePrecision::kExact &&
             y.precision == DatePrecision::kExact) {
    l.birth = BirthAgreement::kSwapped;
  } else if (m.dob_score >= 0.75 && x.precision == DatePrecision::kExact &&
             y.precision == DatePrecision::kExact) {
    l.birth = BirthAgreement::kWithinMonth;
  } else if (m.dob_score > 0) {
    l.birth = BirthAgreement::kWithinYear;  // within a year, or estimated years 2 apart at most
  } else {
    l.birth = std::abs(x.year - y.year) > 10 ? BirthAgreement::kFar : BirthAgreement::kNear;
  }
  if (a.sex == Sex::kUnspecified || b.sex == Sex::kUnspecified) {
    l.sex = SexAgreement::kUnknown;
  } else {
    l.sex = a.sex == b.sex ? SexAgreement::kSame : SexAgreement::kDifferent;
  }
  return l;
}

double LevelWeight::Llr() const { return std::log10(same / different); }

DemographicWeights DefaultDemographicWeights() {
  // {share among pairs of different people, share among the same person
  // registered twice}. The first column decides the false-positive rate and
  // is an estimate for this population (docs/enrollment.md gives the basis
  // of each); the second only how much a level helps and is an assumption.
  // "No evidence" levels have equal shares (log-ratio 0): a different name
  // says nothing, since someone registering twice on purpose changes it.
  DemographicWeights w;
  w.names[int(NameAgreement::kSame)] = {1e-4, 0.55};
  w.names[int(NameAgreement::kAlike)] = {1e-3, 0.15};
  w.names[int(NameAgreement::kPartial)] = {0.02, 0.10};
  w.names[int(NameAgreement::kOther)] = {0.9789, 0.9789};
  w.birth[int(BirthAgreement::kSame)] = {1.5e-4, 0.50};
  w.birth[int(BirthAgreement::kSwapped)] = {3e-5, 0.03};
  w.birth[int(BirthAgreement::kWithinMonth)] = {2.5e-3, 0.05};
  w.birth[int(BirthAgreement::kWithinYear)] = {0.03, 0.07};
  w.birth[int(BirthAgreement::kNear)] = {0.25, 0.20};
  w.birth[int(BirthAgreement::kFar)] = {0.60, 0.15};
  w.birth[int(BirthAgreement::kUnknown)] = {0.11732, 0.11732};
  w.sex[int(SexAgreement::kSame)] = {0.5, 0.97};
  w.sex[int(SexAgreement::kDifferent)] = {0.45, 0.03};
  w.sex[int(SexAgreement::kUnknown)] = {0.05, 0.05};
  w.document[0] = {1.0, 1.0};
  w.document[1] = {1e-6, 0.3};
  return w;
}

double DemographicLlr(const DemographicWeights& w, const DemographicLevels& l) {
  return w.names[int(l.names)].Llr() + w.birth[int(l.birth)].Llr() + w.sex[int(l.sex)].Llr() +
         w.document[l.same_document ? 1 : 0].Llr();
}

std::string_view ToString(CandidateTier t) {
  switch (t) {
    case CandidateTier::kHold:
      return "hold";
    case CandidateTier::kFlag:
      return "flag";
    case CandidateTier::kNone:
      break;
  }
  return "none";
}

absl::Status ValidatePolicy(const CandidatePolicy& p) {
  if (!(p.hold_fpir > 0 && p.hold_fpir < 1)) {
    return absl::InvalidArgumentError("hold_fpir: must be between 0 and 1");
  }
  if (!(p.flag_fpir > 0 && p.flag_fpir < 1) || p.flag_fpir < p.hold_fpir) {
    return absl::InvalidArgumentError("flag_fpir: must be between hold_fpir and 1");
  }
  if (!(p.min_flag_score <= p.min_hold_score)) {
    return absl::InvalidArgumentError("min_flag_score: must not be above min_hold_score");
  }
  if (!(p.face.tail_slope > 0) || !(p.face.impostor_sd > 0) || !(p.face.genuine_sd > 0)) {
    return absl::InvalidArgumentError("face score model: slopes and spreads must be positive");
  }
  return absl::OkStatus();
}

double FalseMatchRateAt(const CandidatePolicy& p, double t) {
  return FmrAt(p, LlrTable(p.face), Combinations(p.demographics), t);
}

TierThresholds ThresholdsFor(const CandidatePolicy& p, size_t gallery_size) {
  const std::vector<double> table = LlrTable(p.face);
  const std::vector<Combination> combos = Combinations(p.demographics);
  TierThresholds t;
  t.gallery_size = std::max<size_t>(1, gallery_size);
  t.hold_fmr = PerComparison(p.hold_fpir, t.gallery_size);
  t.flag_fmr = PerComparison(p.flag_fpir, t.gallery_size);
  t.hold = std::max(p.min_hold_score, ThresholdForFmr(p, table, combos, t.hold_fmr));
  t.flag =
      std::min(t.hold, std::max(p.min_flag_score, ThresholdForFmr(p, table, combos, t.flag_fmr)));
  return t;
}

double FusedScore(const CandidatePolicy& p, const CandidateEvidence& e) {
  const double face = e.face ? p.face.Llr(*e.face) : 0.0;
  return face + DemographicLlr(p.demographics, e.demographics);
}

CandidateTier TierOf(const TierThresholds& t, double fused_score) {
  if (fused_score >= t.hold) return CandidateTier::kHold;
  if (fused_score >= t.flag) return CandidateTier::kFlag;
  return CandidateTier::kNone;
}

bool RanksBefore(double fused_a, double fused_b) { return fused_a > fused_b; }

OperatingPointAtSize OperatingPointFor(const CandidatePolicy& p, size_t gallery_size, double fpir) {
  CandidatePolicy q = p;
  q.hold_fpir = fpir;
  q.flag_fpir = std::max(fpir, q.flag_fpir);
  const TierThresholds t = ThresholdsFor(q, gallery_size);
  const std::vector<double> table = LlrTable(p.face);
  OperatingPointAtSize out;
  out.gallery_size = t.gallery_size;
  out.fpir = fpir;
  out.face_threshold = ScoreFromTable(table, t.hold);
  // A face-only duplicate's details are unrelated to the first record's:
  // they agree as two different people's do.
  double missed = 0;
  for (const Combination& c : Combinations(p.demographics)) {
    missed += c.p_different * p.face.Fnmr(ScoreFromTable(table, t.hold - c.llr));
  }
  out.fnir_face_only = missed;
  const DemographicLevels same{NameAgreement::kSame, BirthAgreement::kSame, SexAgreement::kSame,
                               false};
  out.fnir_same_details =
      p.face.Fnmr(ScoreFromTable(table, t.hold - DemographicLlr(p.demographics, same)));
  return out;
}

}  // namespace puente::registry
