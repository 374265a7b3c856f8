// Threshold calibration on a labelled photo folder (one sub-folder per
// person, like ../shared/faces/dev).
//
// Every photo with a detectable face is used, whatever its quality, so the
// figures describe the recognizer, not the quality gate. Genuine pairs are
// two photos of the same person, impostor pairs photos of different people.
#ifndef PUENTE_BIOMETRICS_CALIBRATION_H_
#define PUENTE_BIOMETRICS_CALIBRATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/face_template.h"

namespace puente::biometrics {

// 1:1 decision threshold for fr_feature v1 templates: cosine similarity at
// a false-match rate of at most 1e-3 on the dev photos (docs/biometrics.md).
inline constexpr float kDefaultMatchThreshold = 0.34f;

struct LabelledTemplate {
  std::string person;
  std::string path;
  FaceTemplate face_template;
  bool passed_quality = false;
};

struct LabelledFolder {
  std::vector<LabelledTemplate> faces;
  std::vector<std::string> unusable;  // "path: reason" for photos without a face
};

// Runs `capture` over DIR/*/*.{jpg,jpeg,png}, in sorted order.
absl::StatusOr<LabelledFolder> LoadLabelledFolder(FaceCapture& capture, const std::string& dir);

struct OperatingPoint {
  float threshold = 0;
  double fmr = 0;   // false match rate: impostor scores >= threshold
  double fnmr = 0;  // false non-match rate: genuine scores < threshold
};

struct CalibrationReport {
  int people = 0;
  int photos = 0;
  long long genuine_pairs = 0;
  long long impostor_pairs = 0;
  std::vector<float> genuine;         // sorted scores
  std::vector<float> impostor;        // sorted scores
  std::vector<OperatingPoint> table;  // thresholds 0.20 .. 0.60 step 0.05
  // Lowest threshold whose FMR is at most the target (1e-3, 1e-4), and the
  // FNMR there. With N impostor pairs, FMR below 1/N cannot be measured.
  OperatingPoint at_fmr_1e3, at_fmr_1e4;
  // Rank-1 identification: gallery = the first photo of each person, probes
  // = their other photos, searched among everyone.
  int rank1_probes = 0;
  int rank1_hits = 0;
};

// InvalidArgument if fewer than 2 people or no genuine pair.
absl::StatusOr<CalibrationReport> Calibrate(const std::vector<LabelledTemplate>& faces);

// FMR and FNMR of the report's scores at `threshold`.
OperatingPoint EvaluateAt(const CalibrationReport& r, float threshold);

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_CALIBRATION_H_
