#include "puente/biometrics/face_capture.h"

#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/models.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"

namespace puente::biometrics {

struct FaceCapture::Nets {
  cv::Ptr<cv::FaceDetectorYN> detector;
  cv::Ptr<cv::FaceRecognizerSF> aligner;  // alignCrop (and SFace's feature)
  cv::dnn::Net fr_feature;                // empty unless the set uses it
  cv::dnn::Net reid;                      // face_reidentification_retail_0095, fused set
  cv::dnn::Net liveness;                  // empty unless CaptureOptions::liveness
};

namespace {

constexpr TemplateSetInfo kTemplateSets[] = {
    {TemplateSet::kFused, "fr_feature+reid_0095/1", "fr_feature+reid_0095", 1, 768},
    {TemplateSet::kFrFeatureV2, "fr_feature/2", "fr_feature", 2, 512},
    {TemplateSet::kFrFeatureV1, "fr_feature/1", "fr_feature", 1, 512},
    {TemplateSet::kSFace, "sface_2021dec/1", "sface_2021dec", 1, 128},
};

constexpr float kPi = 3.14159265358979f;

// YuNet output row: box x,y,w,h; right eye, left eye, nose, right and left
// mouth corners (x,y each); score.
struct Detection {
  cv::Mat row;  // 1x15 CV_32F in original-photo coordinates
  float score() const { return row.at<float>(0, 14); }
  cv::Point2f right_eye() const { return {row.at<float>(0, 4), row.at<float>(0, 5)}; }
  cv::Point2f left_eye() const { return {row.at<float>(0, 6), row.at<float>(0, 7)}; }
  cv::Point2f nose() const { return {row.at<float>(0, 8), row.at<float>(0, 9)}; }
  // Landmark k (0..4: right eye, left eye, nose, right and left mouth corners).
  cv::Point2f landmark(int k) const {
    return {row.at<float>(0, 4 + 2 * k), row.at<float>(0, 5 + 2 * k)};
  }
  float eye_distance() const { return static_cast<float>(cv::norm(left_eye() - right_eye())); }
  cv::Rect box() const {
    return cv::Rect(cv::Point(cvRound(row.at<float>(0, 0)), cvRound(row.at<float>(0, 1))),
                    cv::Size(cvRound(row.at<float>(0, 2)), cvRound(row.at<float>(0, 3))));
  }
};

absl::Status FromCv(const cv::Exception& e, std::string_view what) {
  return absl::InternalError(StrCat(what, ": OpenCV error ", e.code));
}

}  // namespace

std::span<const TemplateSetInfo> TemplateSets() { return kTemplateSets; }

const TemplateSetInfo& InfoOf(TemplateSet set) {
  for (const TemplateSetInfo& i : kTemplateSets) {
    if (i.set == set) return i;
  }
  return kTemplateSets[0];
}

absl::StatusOr<TemplateSet> ParseTemplateSet(std::string_view name) {
  if (name == "fused") return kDefaultTemplateSet;
  std::string known;
  for (const TemplateSetInfo& i : kTemplateSets) {
    if (i.name == name) return i.set;
    known += StrCat(known.empty() ? "" : ", ", i.name);
  }
  return absl::InvalidArgumentError(
      StrCat("template set: unknown \"", name, "\"; known: ", known, " (or \"fused\")"));
}

std::optional<TemplateSet> TemplateSetOf(std::string_view model_id, int version) {
  for (const TemplateSetInfo& i : kTemplateSets) {
    if (i.model_id == model_id && i.version == version) return i.set;
  }
  return std::nullopt;
}

std::string_view QualityCodeName(QualityCode c) {
  switch (c) {
    case QualityCode::kNoFace:
      return "no_face";
    case QualityCode::kMultipleFaces:
      return "multiple_faces";
    case QualityCode::kFaceTooSmall:
      return "face_too_small";
    case QualityCode::kTooBlurry:
      return "too_blurry";
    case QualityCode::kUnderExposed:
      return "under_exposed";
    case QualityCode::kOverExposed:
      return "over_exposed";
    case QualityCode::kNotFrontal:
      return "not_frontal";
    case QualityCode::kLowConfidence:
      return "low_confidence";
    case QualityCode::kFaceCutOff:
      return "face_cut_off";
  }
  return "unknown";
}

std::string_view QualityReason(QualityCode c) {
  switch (c) {
    case QualityCode::kNoFace:
      return "face.none";
    case QualityCode::kMultipleFaces:
      return "face.multiple";
    case QualityCode::kFaceTooSmall:
      return "face.too_small";
    case QualityCode::kTooBlurry:
      return "face.too_blurry";
    case QualityCode::kUnderExposed:
      return "face.under_exposed";
    case QualityCode::kOverExposed:
      return "face.over_exposed";
    case QualityCode::kNotFrontal:
      return "face.not_frontal";
    case QualityCode::kLowConfidence:
      return "face.low_confidence";
    case QualityCode::kFaceCutOff:
      return "face.cut_off";
  }
  return "face.unknown";
}

FaceCapture::FaceCapture(CaptureOptions options, std::unique_ptr<Nets> nets)
    : options_(std::move(options)), nets_(std::move(nets)) {}
FaceCapture::~FaceCapture() = default;

absl::StatusOr<std::unique_ptr<FaceCapture>> FaceCapture::Create(const std::string& models_dir,
                                                                 CaptureOptions options) {
  PUENTE_ASSIGN_OR_RETURN(std::string detector_path, LocateModel("yunet_2022mar", models_dir));
  const TemplateSet set = options.templates;
  const bool sface = set == TemplateSet::kSFace;
  PUENTE_ASSIGN_OR_RETURN(std::string recognizer_path,
                          LocateModel(sface ? "sface_2021dec" : "fr_feature", models_dir));
  std::string reid_path;
  if (set == TemplateSet::kFused) {
    PUENTE_ASSIGN_OR_RETURN(reid_path, LocateModel("reid_0095", models_dir));
  }
  auto nets = std::make_unique<Nets>();
  try {
    nets->detector = cv::FaceDetectorYN::create(detector_path, "", cv::Size(320, 320),
                                                options.quality.min_detection_score, 0.3f, 5000);
    nets->aligner = cv::FaceRecognizerSF::create(recognizer_path, "");
    // SFace embeds through FaceRecognizerSF::feature; fr_feature and
    // reid_0095 need their own preprocessing, so they run as plain networks.
    if (!sface) nets->fr_feature = cv::dnn::readNetFromONNX(recognizer_path);
    if (!reid_path.empty()) nets->reid = cv::dnn::readNetFromONNX(reid_path);
    if (options.liveness) {
      auto liveness_path = LocateModel("fr_liveness", models_dir);
      if (!liveness_path.ok()) return liveness_path.status();
      nets->liveness = cv::dnn::readNetFromONNX(*liveness_path);
    }
  } catch (const cv::Exception& e) {
    return FromCv(e, "loading face models");
  }
  if (nets->detector.empty() || nets->aligner.empty() || (!sface && nets->fr_feature.empty()) ||
      (!reid_path.empty() && nets->reid.empty())) {
    return absl::InternalError("loading face models failed");
  }
  return std::unique_ptr<FaceCapture>(new FaceCapture(std::move(options), std::move(nets)));
}

absl::StatusOr<Capture> FaceCapture::AnalyzeBytes(std::string_view bytes) {
  PUENTE_ASSIGN_OR_RETURN(cv::Mat img, DecodeImage(bytes, options_.limits));
  return Analyze(img);
}

absl::StatusOr<Capture> FaceCapture::CheckQualityBytes(std::string_view bytes) {
  PUENTE_ASSIGN_OR_RETURN(cv::Mat img, DecodeImage(bytes, options_.limits));
  return AnalyzeImpl(img, false);
}

absl::StatusOr<Capture> FaceCapture::AnalyzeFile(const std::string& path) {
  PUENTE_ASSIGN_OR_RETURN(cv::Mat img, ReadImageFile(path, options_.limits));
  return Analyze(img);
}

namespace {

// The faces YuNet finds in `bgr` (scored at least min_detection_score):
// detected on a downscaled copy padded on every side (YuNet misses faces that
// touch the border), mapped back to the photo's coordinates.
absl::StatusOr<std::vector<Detection>> DetectFaces(cv::FaceDetectorYN& detector, const cv::Mat& bgr,
                                                   const CaptureOptions& o) {
  std::vector<Detection> faces;
  try {
    // Detect on a downscaled, padded copy; map results back to the original.
    const int side = std::max(bgr.cols, bgr.rows);
    const double scale = side > o.max_detection_side ? double(o.max_detection_side) / side : 1.0;
    cv::Mat small;
    if (scale < 1.0) {
      cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
    } else {
      small = bgr;
    }
    const int pad_x = cvRound(small.cols * o.border_pad);
    const int pad_y = cvRound(small.rows * o.border_pad);
    cv::Mat padded;
    cv::copyMakeBorder(small, padded, pad_y, pad_y, pad_x, pad_x, cv::BORDER_CONSTANT,
                       cv::Scalar(0, 0, 0));
    detector.setInputSize(padded.size());
    cv::Mat raw;
    detector.detect(padded, raw);
    for (int i = 0; i < raw.rows; ++i) {
      Detection d{raw.row(i).clone()};
      auto* v = d.row.ptr<float>(0);
      for (int k = 0; k < 14; ++k) {
        const int pad = (k % 2 == 0) ? pad_x : pad_y;
        // Box width/height (k = 2, 3) only scale; coordinates also shift.
        v[k] = static_cast<float>(((k == 2 || k == 3) ? v[k] : v[k] - pad) / scale);
      }
      if (d.score() >= o.quality.min_detection_score) faces.push_back(std::move(d));
    }
  } catch (const cv::Exception& e) {
    return FromCv(e, "face detection");
  }
  return faces;
}

// The liveness model's "live" probability for the face in `box`.
absl::StatusOr<float> LivenessScore(cv::dnn::Net& net, const cv::Mat& bgr, const cv::Rect& box) {
  // As the model's own package prepares it: the face box widened 2.7x
  // (kept inside the photo), 128x128, RGB 0..255, softmax over the output.
  try {
    const cv::Rect b = box;
    const float scale = std::min({2.7f, (bgr.rows - 1.0f) / std::max(1, b.height),
                                  (bgr.cols - 1.0f) / std::max(1, b.width)});
    const float w = b.width * scale, h = b.height * scale;
    float x = b.x + b.width / 2.0f - w / 2, y = b.y + b.height / 2.0f - h / 2;
    x = std::clamp(x, 0.0f, bgr.cols - 1 - w);
    y = std::clamp(y, 0.0f, bgr.rows - 1 - h);
    cv::Mat crop;
    cv::resize(
        bgr(cv::Rect(cvRound(x), cvRound(y), std::max(1, cvRound(w)), std::max(1, cvRound(h))) &
            cv::Rect(0, 0, bgr.cols, bgr.rows)),
        crop, cv::Size(128, 128));
    net.setInput(cv::dnn::blobFromImage(crop, 1.0, cv::Size(128, 128), cv::Scalar(),
                                        /*swapRB=*/true, false));
    cv::Mat logits = net.forward().reshape(1, 1);
    double max_logit;
    cv::minMaxLoc(logits, nullptr, &max_logit);
    cv::Mat e;
    cv::exp(logits - max_logit, e);
    return static_cast<float>(e.at<float>(0, 0) / cv::sum(e)[0]);
  } catch (const cv::Exception& e) {
    return FromCv(e, "liveness");
  }
}

struct Verdict {
  std::vector<QualityIssue> issues;   // refuse the photo
  std::vector<QualityIssue> remarks;  // notes only
};

// The quality gate's verdict on a measured face: every problem, in plain
// words for the officer (no issues when the photo passes), and remarks.
Verdict Judge(const FaceMetrics& m, int others, const QualityOptions& q) {
  Verdict verdict;
  std::vector<QualityIssue>& issues = verdict.issues;
  auto issue = [&issues](QualityCode c, std::string msg) { issues.push_back({c, std::move(msg)}); };
  if (others > 0) {
    issue(
        QualityCode::kMultipleFaces,
        absl::StrFormat("%d other face(s) in the photo: only the applicant may be in it", others));
  }
  if (m.confidence < q.min_confidence) {
    issue(QualityCode::kLowConfidence,
          absl::StrFormat("the face is unclear (detector confidence %.2f, at least %.2f needed)",
                          m.confidence, q.min_confidence));
  }
  if (m.eye_distance_px < q.min_eye_distance_px) {
    issue(QualityCode::kFaceTooSmall,
          absl::StrFormat("face too small: eyes %.0f px apart, at least %.0f needed; move closer",
                          m.eye_distance_px, q.min_eye_distance_px));
  }
  if (m.sharpness < q.min_sharpness) {
    issue(QualityCode::kTooBlurry,
          absl::StrFormat("photo too blurry (sharpness %.0f, at least %.0f needed); hold still "
                          "and focus",
                          m.sharpness, q.min_sharpness));
  }
  if (m.brightness < q.min_brightness) {
    issue(QualityCode::kUnderExposed,
          absl::StrFormat("face too dark (brightness %.0f, at least %.0f); add light", m.brightness,
                          q.min_brightness));
  } else if (m.brightness > q.max_brightness) {
    issue(QualityCode::kOverExposed,
          absl::StrFormat("face too bright (brightness %.0f, at most %.0f); reduce light",
                          m.brightness, q.max_brightness));
  }
  if (std::abs(m.yaw) > q.max_yaw || std::abs(m.roll_degrees) > q.max_roll_degrees) {
    issue(QualityCode::kNotFrontal,
          absl::StrFormat("face not frontal (turned %.2f, tilted %.0f degrees; limits %.2f and "
                          "%.0f); look straight at the camera",
                          m.yaw, m.roll_degrees, q.max_yaw, q.max_roll_degrees));
  }
  // A face partly outside the photo: refused when an eye, the nose or a
  // mouth corner is outside (the template would be made from a guess),
  // remarked when only the box (forehead, chin, ears) crosses the edge.
  if (m.landmarks_outside > 0) {
    issue(QualityCode::kFaceCutOff,
          absl::StrFormat("the face is cut off at the edge of the photo (%d of the 5 face points "
                          "outside it); centre the face",
                          m.landmarks_outside));
  } else if (m.box_crosses_edge) {
    verdict.remarks.push_back({QualityCode::kFaceCutOff,
                               "the face is cut off at the edge of the photo; centre the face"});
  }
  return verdict;
}

// One network's output for a prepared input blob, as a vector.
std::vector<float> Forward(cv::dnn::Net& net, const cv::Mat& blob) {
  net.setInput(blob);
  cv::Mat out = net.forward().reshape(1, 1);
  return std::vector<float>(out.ptr<float>(0), out.ptr<float>(0) + out.cols);
}

// Scales `v` to unit length in place (left as is if zero).
void Normalise(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += double(x) * x;
  if (sum <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= inv;
}

// The template of `set` for an aligned 112x112 BGR face. Throws cv::Exception.
absl::StatusOr<FaceTemplate> Embed(FaceCapture::Nets& nets, TemplateSet set,
                                   const cv::Mat& aligned) {
  const TemplateSetInfo& info = InfoOf(set);
  std::vector<float> v;
  if (set == TemplateSet::kSFace) {
    cv::Mat feature;
    nets.aligner->feature(aligned, feature);
    feature = feature.reshape(1, 1);
    v.assign(feature.ptr<float>(0), feature.ptr<float>(0) + feature.cols);
  } else {
    // fr_feature.onnx: (x - 127) / 128, 1x3x112x112 -> 1x512; version 1
    // swapped the crop to RGB, the later sets feed it BGR.
    v = Forward(nets.fr_feature, cv::dnn::blobFromImage(aligned, 1.0 / 128.0, cv::Size(112, 112),
                                                        cv::Scalar(127, 127, 127),
                                                        /*swapRB=*/set == TemplateSet::kFrFeatureV1,
                                                        /*crop=*/false));
  }
  if (set == TemplateSet::kFused) {
    // face_reidentification_retail_0095: the central 96x112 of the aligned
    // crop (x 8..104) resized to 128x128, BGR, raw 0..255 -> 1x256. Its
    // published reference landmarks sit there (../shared/models/SOURCES.md).
    cv::Mat reid_in;
    cv::resize(aligned(cv::Rect(8, 0, 96, 112)), reid_in, cv::Size(128, 128), 0, 0,
               cv::INTER_LINEAR);
    std::vector<float> reid =
        Forward(nets.reid, cv::dnn::blobFromImage(reid_in, 1.0, cv::Size(128, 128), cv::Scalar(),
                                                  /*swapRB=*/false, /*crop=*/false));
    // Each part at unit length, so both weigh the same in the cosine.
    Normalise(v);
    Normalise(reid);
    v.insert(v.end(), reid.begin(), reid.end());
  }
  if (static_cast<int>(v.size()) != info.dimension) {
    return absl::InternalError(StrCat("face embedding: ", info.name, " gave ", v.size(),
                                      " values, expected ", info.dimension));
  }
  return FaceTemplate::FromFeature(std::string(info.model_id), info.version, v);
}

}  // namespace

absl::StatusOr<Capture> FaceCapture::AnalyzeImpl(const cv::Mat& bgr, bool with_template) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return WithDetail(absl::InvalidArgumentError("image: expected an 8-bit colour image"),
                      kDetailReason, "image.wrong_type");
  }
  if (std::min(bgr.cols, bgr.rows) < 32 ||
      std::max(bgr.cols, bgr.rows) > options_.limits.max_aspect * std::min(bgr.cols, bgr.rows)) {
    return WithDetail(absl::InvalidArgumentError(StrCat("image.bad_aspect: ", bgr.cols, "x",
                                                        bgr.rows, " cannot hold a face photo")),
                      kDetailReason, "image.bad_aspect");
  }
  const QualityOptions& q = options_.quality;
  Capture out;
  PUENTE_ASSIGN_OR_RETURN(std::vector<Detection> faces,
                          DetectFaces(*nets_->detector, bgr, options_));
  out.metrics.face_count = static_cast<int>(faces.size());
  if (faces.empty()) {
    out.issues.push_back({QualityCode::kNoFace, "no face found in the photo"});
    return out;
  }
  // The applicant is the most central of the large faces (a bystander may be
  // as large, but is off-centre).
  std::sort(faces.begin(), faces.end(), [](const Detection& a, const Detection& b) {
    return a.eye_distance() > b.eye_distance();
  });
  const float largest = faces[0].eye_distance();
  const cv::Point2f centre(bgr.cols / 2.0f, bgr.rows / 2.0f);
  auto off_centre = [&centre](const Detection& d) {
    const cv::Rect b = d.box();
    return static_cast<float>(
        cv::norm(cv::Point2f(b.x + b.width / 2.0f, b.y + b.height / 2.0f) - centre));
  };
  size_t main_index = 0;
  for (size_t i = 1; i < faces.size(); ++i) {
    if (faces[i].eye_distance() >= q.other_face_ratio * largest &&
        off_centre(faces[i]) < off_centre(faces[main_index])) {
      main_index = i;
    }
  }
  std::swap(faces[0], faces[main_index]);
  const Detection& main = faces[0];
  FaceMetrics& m = out.metrics;
  m.confidence = main.score();
  m.eye_distance_px = main.eye_distance();
  m.box = main.box();
  m.box_crosses_edge = m.box.x < 0 || m.box.y < 0 || m.box.x + m.box.width > bgr.cols ||
                       m.box.y + m.box.height > bgr.rows;
  for (int k = 0; k < 5; ++k) {
    const cv::Point2f p = main.landmark(k);
    if (!(p.x >= 0 && p.y >= 0 && p.x < bgr.cols && p.y < bgr.rows)) ++m.landmarks_outside;
  }
  const cv::Point2f eye_vec = main.left_eye() - main.right_eye();
  m.roll_degrees = std::atan2(eye_vec.y, eye_vec.x) * 180.0f / kPi;
  // Nose offset from the eye midpoint along the eye line, in eye distances:
  // about 0 for a frontal face, growing with yaw.
  const cv::Point2f mid = (main.left_eye() + main.right_eye()) * 0.5f;
  const cv::Point2f unit = eye_vec * (1.0f / std::max(1e-3f, m.eye_distance_px));
  m.yaw = (main.nose() - mid).dot(unit) / std::max(1e-3f, m.eye_distance_px);

  int others = 0;
  for (size_t i = 1; i < faces.size(); ++i) {
    if (faces[i].eye_distance() >= q.other_face_ratio * m.eye_distance_px) ++others;
  }
  try {
    nets_->aligner->alignCrop(bgr, main.row, out.aligned);
    cv::Mat gray, lap;
    cv::cvtColor(out.aligned, gray, cv::COLOR_BGR2GRAY);
    cv::Laplacian(gray, lap, CV_32F);
    cv::Scalar mu, sigma;
    cv::meanStdDev(lap, mu, sigma);
    m.sharpness = static_cast<float>(sigma[0] * sigma[0]);
    // Brightness of the face interior (the crop's central region).
    m.brightness = static_cast<float>(cv::mean(gray(cv::Rect(28, 28, 56, 56)))[0]);
    if (with_template) {
      PUENTE_ASSIGN_OR_RETURN(out.face_template, Embed(*nets_, options_.templates, out.aligned));
    }
  } catch (const cv::Exception& e) {
    return FromCv(e, "face alignment and embedding");
  }

  if (!nets_->liveness.empty()) {
    PUENTE_ASSIGN_OR_RETURN(m.liveness, LivenessScore(nets_->liveness, bgr, m.box));
  }

  Verdict verdict = Judge(m, others, q);
  out.issues = std::move(verdict.issues);
  out.remarks = std::move(verdict.remarks);
  out.passed = out.issues.empty();
  return out;
}

}  // namespace puente::biometrics
