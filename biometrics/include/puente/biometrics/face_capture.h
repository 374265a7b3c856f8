// Face capture: detect (YuNet), check quality, align (five points, 112x112)
// and embed one photo into the template of a template set (below).
//
// Quality problems come back as issues with a stable code and an
// officer-readable message; the capture still carries the metrics (and a
// template when a face was found) so calibration can use every photo. Only
// `passed` captures should be enrolled. Remarks are notes that do not refuse
// (e.g. the face box crosses the photo's edge): show them to the officer.
//
// A FaceCapture holds OpenCV networks and is NOT thread-safe: create one per
// thread (creation loads the models, ~50 ms).
#ifndef PUENTE_BIOMETRICS_FACE_CAPTURE_H_
#define PUENTE_BIOMETRICS_FACE_CAPTURE_H_

#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_template.h"
#include "puente/biometrics/image.h"

namespace puente::biometrics {

// Defaults are justified from the dev photos in docs/biometrics.md.
struct QualityOptions {
  float min_detection_score = 0.6f;   // below this a detection is not a face at all
  float min_confidence = 0.80f;       // low_confidence below
  float min_eye_distance_px = 28.0f;  // face_too_small below (inter-eye distance)
  float min_sharpness = 40.0f;        // too_blurry below (Laplacian variance, aligned face)
  float min_brightness = 55.0f;       // under_exposed below (mean grey, aligned face)
  float max_brightness = 210.0f;      // over_exposed above
  float max_yaw = 0.35f;              // not_frontal above (|nose offset| / eye distance)
  float max_roll_degrees = 20.0f;     // not_frontal above (eye-line angle)
  // Other faces at least this fraction of the main face's size count as a
  // second person in the photo (multiple_faces).
  float other_face_ratio = 0.5f;
};

// Which recognizers make a template, and how they are fed. A template
// records its set's model id and version, and templates of different sets
// are never compared (CosineSimilarity refuses): a registry changes set by
// re-templating every enrolled photo (`puente face retemplate`).
enum class TemplateSet {
  // fr_feature.onnx fed RGB, 512-d: what puente enrolled before 2026-12 (and
  // what older cards carry). Kept to read and re-template those.
  kFrFeatureV1,
  // fr_feature.onnx fed BGR (the order it was trained in), 512-d.
  kFrFeatureV2,
  // fr_feature (BGR) and face_reidentification_retail_0095 fused: the two
  // L2-normalised vectors concatenated (768-d), so one cosine is the mean
  // of the two (docs/biometrics.md). The default.
  kFused,
  // OpenCV Zoo SFace 2021dec, 128-d, when its file is supplied.
  kSFace,
};

struct TemplateSetInfo {
  TemplateSet set;
  std::string_view name;      // "<model id>/<version>", as flags and messages give it
  std::string_view model_id;  // recorded in templates
  int version;
  int dimension;
};

inline constexpr TemplateSet kDefaultTemplateSet = TemplateSet::kFused;

// Every template set, the default first.
std::span<const TemplateSetInfo> TemplateSets();
const TemplateSetInfo& InfoOf(TemplateSet set);
// From its name ("fr_feature+reid_0095/1"; "fused" for the default's).
// InvalidArgument listing the names otherwise.
absl::StatusOr<TemplateSet> ParseTemplateSet(std::string_view name);
// The set that made templates of this model id and version, if known.
std::optional<TemplateSet> TemplateSetOf(std::string_view model_id, int version);

struct CaptureOptions {
  TemplateSet templates = kDefaultTemplateSet;
  QualityOptions quality;
  ImageLimits limits;
  int max_detection_side = 1024;  // photos are downscaled to this for detection only
  // Presentation-attack score from fr_liveness.onnx (optional model). Off by
  // default: on the dev photos it did not separate real captures from
  // simulated recaptures (docs/biometrics.md).
  bool liveness = false;
  float border_pad = 0.15f;  // YuNet misses faces touching the border
};

enum class QualityCode {
  kNoFace,
  kMultipleFaces,
  kFaceTooSmall,
  kTooBlurry,
  kUnderExposed,
  kOverExposed,
  kNotFrontal,
  kLowConfidence,
  kFaceCutOff,  // an issue when a landmark is outside the photo, else a remark
};
// "no_face", "multiple_faces", ... (shown to officers, in JSON output).
std::string_view QualityCodeName(QualityCode c);
// The stable refusal code of a quality problem, for the kDetailReason of a
// status that refuses a photo because of it (puente/common/error_detail.h):
// "face.none", "face.multiple", "face.too_small", "face.too_blurry",
// "face.under_exposed", "face.over_exposed", "face.not_frontal",
// "face.low_confidence", "face.cut_off".
std::string_view QualityReason(QualityCode c);

struct QualityIssue {
  QualityCode code;
  std::string message;  // e.g. "face too small: eyes 21 px apart, at least 28 needed"
};

struct FaceMetrics {
  int face_count = 0;         // detections above min_detection_score
  float confidence = 0;       // detector score of the main face
  float eye_distance_px = 0;  // in the original photo
  float sharpness = 0;
  float brightness = 0;
  float yaw = 0;  // signed nose offset / eye distance
  float roll_degrees = 0;
  float liveness = -1;  // P(class 0) of fr_liveness, -1 when not computed
  cv::Rect box;         // main face, original photo coordinates
  // The main face at the photo's edge: its box crosses it (a remark), or some
  // of its five landmarks (eyes, nose, mouth corners) are outside (refused).
  bool box_crosses_edge = false;
  int landmarks_outside = 0;
};

struct Capture {
  bool passed = false;
  std::vector<QualityIssue> issues;
  // Notes for the officer that do not refuse the photo (face_cut_off when
  // only the face box crosses the edge).
  std::vector<QualityIssue> remarks;
  FaceMetrics metrics;
  std::optional<FaceTemplate> face_template;  // float32; set whenever a face was found
  cv::Mat aligned;                            // 112x112 BGR crop of the main face
};

class FaceCapture {
 public:
  // Loads the detector and the template set's recognizers from `models_dir`
  // after checking their sha256 (see models.h). NotFound / DataLoss for
  // missing or wrong files (SFace's file is not shipped: supply it from the
  // source in SOURCES.md).
  static absl::StatusOr<std::unique_ptr<FaceCapture>> Create(const std::string& models_dir,
                                                             CaptureOptions options = {});
  ~FaceCapture();

  // Analyses a decoded 8-bit BGR photo. Quality problems are issues of an OK
  // capture. Errors: InvalidArgument for a photo that cannot hold a face,
  // with kDetailReason "image.wrong_type" (not 8-bit BGR) or
  // "image.bad_aspect"; Internal when OpenCV fails.
  absl::StatusOr<Capture> Analyze(const cv::Mat& bgr) { return AnalyzeImpl(bgr, true); }
  // Decodes (see image.h for the refusals and their reasons) and analyses.
  absl::StatusOr<Capture> AnalyzeBytes(std::string_view bytes);
  absl::StatusOr<Capture> AnalyzeFile(const std::string& path);
  // The quality check alone, for a live camera's frames: the same verdict,
  // issues, remarks and metrics as AnalyzeBytes, without computing the face
  // template (face_template stays empty), so several frames a second fit.
  absl::StatusOr<Capture> CheckQualityBytes(std::string_view bytes);

  const CaptureOptions& options() const { return options_; }
  const TemplateSetInfo& template_set() const { return InfoOf(options_.templates); }

  struct Nets;  // the loaded networks (opaque)

 private:
  FaceCapture(CaptureOptions options, std::unique_ptr<Nets> nets);
  absl::StatusOr<Capture> AnalyzeImpl(const cv::Mat& bgr, bool with_template);
  CaptureOptions options_;
  std::unique_ptr<Nets> nets_;
};

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_FACE_CAPTURE_H_
