// `puente face check|compare|calibrate|bench`: the biometrics toolkit for
// officers and for whoever tunes the thresholds.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "absl/strings/str_format.h"
#include "puente/biometrics/calibration.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/image.h"
#include "puente/biometrics/models.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/open_registry.h"
#include "puente/registry/candidate_policy.h"
#include "puente/registry/retemplate.h"

namespace puente::cli {
namespace {

using namespace biometrics;

nlohmann::json MetricsJson(const FaceMetrics& m) {
  return {{"face_count", m.face_count},
          {"confidence", m.confidence},
          {"eye_distance_px", m.eye_distance_px},
          {"sharpness", m.sharpness},
          {"brightness", m.brightness},
          {"yaw", m.yaw},
          {"roll_degrees", m.roll_degrees},
          {"box", {m.box.x, m.box.y, m.box.width, m.box.height}},
          {"box_crosses_edge", m.box_crosses_edge},
          {"landmarks_outside", m.landmarks_outside}};
}

nlohmann::json IssuesJson(const std::vector<QualityIssue>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& i : list) {
    out.push_back({{"code", QualityCodeName(i.code)}, {"message", i.message}});
  }
  return out;
}

nlohmann::json CaptureJson(const Capture& c) {
  return {{"passed", c.passed},
          {"issues", IssuesJson(c.issues)},
          {"remarks", IssuesJson(c.remarks)},
          {"metrics", MetricsJson(c.metrics)}};
}

std::string CaptureText(const std::string& path, const Capture& c) {
  const FaceMetrics& m = c.metrics;
  std::string out = StrCat(path, ": ", c.passed ? "PASSED" : "REFUSED", "\n");
  for (const auto& i : c.issues)
    StrAppend(&out, "  - ", QualityCodeName(i.code), ": ", i.message, "\n");
  for (const auto& r : c.remarks)
    StrAppend(&out, "  note ", QualityCodeName(r.code), ": ", r.message, "\n");
  StrAppend(&out, absl::StrFormat("  faces %d  confidence %.2f  eyes %.0f px  sharpness %.0f  "
                                  "brightness %.0f  yaw %.2f  roll %.0f deg\n",
                                  m.face_count, m.confidence, m.eye_distance_px, m.sharpness,
                                  m.brightness, m.yaw, m.roll_degrees));
  return out;
}

absl::StatusOr<std::unique_ptr<FaceCapture>> NewCapture(const Globals& g) {
  return OpenFaceCapture(g);
}

absl::Status RunCheck(const Globals& g, const std::string& photo) {
  PUENTE_ASSIGN_OR_RETURN(auto capture, NewCapture(g));
  PUENTE_ASSIGN_OR_RETURN(Capture c, capture->AnalyzeFile(photo));
  Print(g, CaptureJson(c), CaptureText(photo, c));
  if (!c.passed) {
    return absl::InvalidArgumentError(
        StrCat("photo refused: ", QualityCodeName(c.issues.front().code)));
  }
  return absl::OkStatus();
}

absl::Status RunCompare(const Globals& g, const std::string& a, const std::string& b,
                        float threshold) {
  PUENTE_ASSIGN_OR_RETURN(auto capture, NewCapture(g));
  PUENTE_ASSIGN_OR_RETURN(Capture ca, capture->AnalyzeFile(a));
  PUENTE_ASSIGN_OR_RETURN(Capture cb, capture->AnalyzeFile(b));
  for (const auto* c : {&ca, &cb}) {
    if (!c->face_template) {
      return absl::InvalidArgumentError(StrCat(c == &ca ? a : b, ": no face found"));
    }
  }
  PUENTE_ASSIGN_OR_RETURN(float score, CosineSimilarity(*ca.face_template, *cb.face_template));
  const bool same = score >= threshold;
  Print(g,
        {{"score", score},
         {"threshold", threshold},
         {"same_person", same},
         {"a", CaptureJson(ca)},
         {"b", CaptureJson(cb)}},
        absl::StrFormat("similarity %.4f (threshold %.3f): %s\n%s%s", score, threshold,
                        same ? "SAME PERSON" : "DIFFERENT PEOPLE", CaptureText(a, ca),
                        CaptureText(b, cb)));
  return absl::OkStatus();
}

absl::Status RunCalibrate(const Globals& g, const std::string& dir) {
  PUENTE_ASSIGN_OR_RETURN(auto capture, NewCapture(g));
  PUENTE_ASSIGN_OR_RETURN(LabelledFolder folder, LoadLabelledFolder(*capture, dir));
  PUENTE_ASSIGN_OR_RETURN(CalibrationReport r, Calibrate(folder.faces));
  int passed = 0;
  for (const auto& f : folder.faces) passed += f.passed_quality ? 1 : 0;
  auto point = [](const OperatingPoint& p) {
    return nlohmann::json{{"threshold", p.threshold}, {"fmr", p.fmr}, {"fnmr", p.fnmr}};
  };
  nlohmann::json table = nlohmann::json::array();
  for (const auto& p : r.table) table.push_back(point(p));
  auto quantiles = [](const std::vector<float>& v) {
    nlohmann::json q;
    for (double f : {0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0}) {
      q[absl::StrFormat("p%g", f * 100)] = v[std::min(v.size() - 1, size_t(f * (v.size() - 1)))];
    }
    return q;
  };
  nlohmann::json j = {{"people", r.people},
                      {"photos_used", r.photos},
                      {"photos_unusable", folder.unusable},
                      {"photos_passing_quality", passed},
                      {"genuine_pairs", r.genuine_pairs},
                      {"impostor_pairs", r.impostor_pairs},
                      {"genuine_scores", quantiles(r.genuine)},
                      {"impostor_scores", quantiles(r.impostor)},
                      {"table", table},
                      {"at_fmr_1e-3", point(r.at_fmr_1e3)},
                      {"at_fmr_1e-4", point(r.at_fmr_1e4)},
                      {"rank1_probes", r.rank1_probes},
                      {"rank1_hits", r.rank1_hits}};
  std::string text = absl::StrFormat(
      "%d people, %d photos used (%d unusable, %d pass the quality gate)\n"
      "%lld genuine pairs, %lld impostor pairs\n"
      "genuine  scores: min %.3f  p5 %.3f  median %.3f\n"
      "impostor scores: median %.3f  p99 %.3f  max %.3f\n\n"
      "threshold    FMR        FNMR\n",
      r.people, r.photos, static_cast<int>(folder.unusable.size()), passed, r.genuine_pairs,
      r.impostor_pairs, r.genuine.front(), r.genuine[r.genuine.size() / 20],
      r.genuine[r.genuine.size() / 2], r.impostor[r.impostor.size() / 2],
      r.impostor[r.impostor.size() * 99 / 100], r.impostor.back());
  for (const auto& p : r.table) {
    StrAppend(&text, absl::StrFormat("  %.2f     %.2e   %.4f\n", p.threshold, p.fmr, p.fnmr));
  }
  StrAppend(&text,
            absl::StrFormat("\nFMR <= 1e-3 at threshold %.4f: FNMR %.4f (TAR %.1f%%)\n"
                            "FMR <= 1e-4 at threshold %.4f: FNMR %.4f (TAR %.1f%%)\n"
                            "rank-1 identification: %d of %d probes (%.1f%%)\n",
                            r.at_fmr_1e3.threshold, r.at_fmr_1e3.fnmr,
                            100 * (1 - r.at_fmr_1e3.fnmr), r.at_fmr_1e4.threshold,
                            r.at_fmr_1e4.fnmr, 100 * (1 - r.at_fmr_1e4.fnmr), r.rank1_hits,
                            r.rank1_probes, 100.0 * r.rank1_hits / std::max(1, r.rank1_probes)));
  // Holds against an FPIR (registry/candidate_policy.h): the model fitted
  // on this folder, and the operating points it gives by gallery size.
  const std::string set_name(capture->template_set().name);
  absl::StatusOr<registry::FaceScoreModel> fitted =
      registry::FitFaceScoreModel(set_name, r.genuine, r.impostor);
  if (fitted.ok()) {
    registry::CandidatePolicy policy;
    policy.face = *fitted;
    nlohmann::json points = nlohmann::json::array();
    StrAppend(&text,
              absl::StrFormat("\nscore model fitted here (%s): impostor tail from %.3f "
                              "(FMR 1e%.0f), %.1f decades per unit; genuine mean %.3f sd %.3f\n"
                              "gallery     FPIR   face threshold  FNIR face only  FNIR same "
                              "name+birth\n",
                              set_name, fitted->tail_start, fitted->tail_log10_fmr,
                              fitted->tail_slope, fitted->genuine_mean, fitted->genuine_sd));
    for (size_t n : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
      for (double fpir : {0.003, 0.01, 0.03}) {
        const registry::OperatingPointAtSize op = registry::OperatingPointFor(policy, n, fpir);
        points.push_back({{"gallery_size", n},
                          {"fpir", fpir},
                          {"face_threshold", op.face_threshold},
                          {"fnir_face_only", op.fnir_face_only},
                          {"fnir_same_details", op.fnir_same_details}});
        StrAppend(&text, absl::StrFormat("%9zu  %5.1f%%  %14.3f  %13.2f%%  %19.3f%%\n", n,
                                         100 * fpir, op.face_threshold, 100 * op.fnir_face_only,
                                         100 * op.fnir_same_details));
      }
    }
    j["score_model"] = {{"template_set", set_name},
                        {"impostor_mean", fitted->impostor_mean},
                        {"impostor_sd", fitted->impostor_sd},
                        {"tail_start", fitted->tail_start},
                        {"tail_log10_fmr", fitted->tail_log10_fmr},
                        {"tail_slope", fitted->tail_slope},
                        {"genuine_mean", fitted->genuine_mean},
                        {"genuine_sd", fitted->genuine_sd}};
    j["fpir_operating_points"] = points;
  } else {
    StrAppend(&text, "\nno score model: ", fitted.status().message(), "\n");
  }
  for (const auto& u : folder.unusable) StrAppend(&text, "unusable: ", u, "\n");
  Print(g, j, text);
  return absl::OkStatus();
}

// `puente face retemplate --to SET`: every enrolled template rebuilt with
// SET from the stored photos (registry/retemplate.h), with a progress bar on
// standard error.
absl::Status RunRetemplate(const Globals& g, const std::string& to, int batch) {
  Globals with_target = g;
  with_target.template_set = to;
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto capture, OpenFaceCapture(with_target));
  const auto started = std::chrono::steady_clock::now();
  const bool tty = isatty(STDERR_FILENO) != 0;
  registry::RetemplateOptions options;
  options.batch_size = batch;
  options.progress = [&](const registry::RetemplateProgress& p) {
    const long long handled = p.done + p.failed;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double rate = seconds > 0 ? handled / seconds : 0;
    const int width = 30;
    const int filled = p.to_do > 0 ? static_cast<int>(width * handled / p.to_do) : width;
    std::cerr << absl::StrFormat(
        "%sretemplate to %s [%s%s] %lld/%lld%s, %.1f/s", tty ? "\r" : "", p.target,
        std::string(std::min(filled, width), '#'),
        std::string(width - std::min(filled, width), '.'), handled, p.to_do,
        p.failed > 0 ? StrCat(" (", p.failed, " failed)") : std::string(), rate);
    if (!tty) std::cerr << "\n";
  };
  PUENTE_ASSIGN_OR_RETURN(registry::RetemplateProgress p,
                          registry::Retemplate(*reg, *capture, g.actor, options));
  std::cerr << "\n";
  nlohmann::json j = {{"target", p.target},
                      {"to_do", p.to_do},
                      {"done", p.done},
                      {"failed", p.failed},
                      {"already", p.already},
                      {"failures", p.failures},
                      {"regional_reset", p.regional_reset}};
  std::string text =
      absl::StrFormat("%lld template(s) moved to %s, %lld failed, %lld were already there\n",
                      p.done, p.target, p.failed, p.already);
  if (p.regional_reset > 0) {
    StrAppend(&text, absl::StrFormat("%lld reference people from the centre will get their new "
                                     "templates at the next `puente kit pull`\n",
                                     p.regional_reset));
  }
  for (const std::string& f : p.failures) StrAppend(&text, "  failed: ", f, "\n");
  Print(g, j, text);
  if (p.failed > 0) {
    return absl::DataLossError(StrCat(p.failed, " stored photo(s) could not be re-templated; ",
                                      "the server will not start until they are dealt with"));
  }
  return absl::OkStatus();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The same work with bare OpenCV calls and no checks: read, imdecode,
// downscale, pad, detect, alignCrop, embed.
class BareOpenCv {
 public:
  static absl::StatusOr<BareOpenCv> Create(const std::string& models_dir) {
    PUENTE_ASSIGN_OR_RETURN(std::string det_path, LocateModel("yunet_2022mar", models_dir));
    PUENTE_ASSIGN_OR_RETURN(std::string rec_path, LocateModel("fr_feature", models_dir));
    BareOpenCv b;
    b.det_ = cv::FaceDetectorYN::create(det_path, "", cv::Size(320, 320), 0.6f, 0.3f, 5000);
    b.align_ = cv::FaceRecognizerSF::create(rec_path, "");
    b.net_ = cv::dnn::readNetFromONNX(rec_path);
    return b;
  }
  // Milliseconds for one photo; < 0 if no face.
  double Run(const std::string& f) {
    auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(f, std::ios::binary);
    std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), {});
    cv::Mat img = cv::imdecode(bytes, cv::IMREAD_COLOR);
    const int side = std::max(img.cols, img.rows);
    const double scale = side > 1024 ? 1024.0 / side : 1.0;
    cv::Mat small = img;
    if (scale < 1.0) cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::Mat padded, faces, aligned;
    const int px = cvRound(small.cols * 0.15), py = cvRound(small.rows * 0.15);
    cv::copyMakeBorder(small, padded, py, py, px, px, cv::BORDER_CONSTANT);
    det_->setInputSize(padded.size());
    det_->detect(padded, faces);
    if (faces.rows == 0) return -1;
    cv::Mat row = faces.row(0).clone();
    for (int k = 0; k < 14; ++k) {
      const int pad = k % 2 == 0 ? px : py;
      row.at<float>(0, k) =
          float(((k == 2 || k == 3) ? row.at<float>(0, k) : row.at<float>(0, k) - pad) / scale);
    }
    align_->alignCrop(img, row, aligned);
    net_.setInput(cv::dnn::blobFromImage(aligned, 1.0 / 128, cv::Size(112, 112),
                                         cv::Scalar(127, 127, 127), true, false));
    cv::Mat feature = net_.forward();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  cv::Ptr<cv::FaceDetectorYN> det_;
  cv::Ptr<cv::FaceRecognizerSF> align_;
  cv::dnn::Net net_;
};

// Per-photo time of the full pipeline (read, decode with checks, detect,
// quality, align, embed) against the bare OpenCV calls it is made of.
absl::Status RunBench(const Globals& g, const std::string& dir, int repeat) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && (e.path().extension() == ".jpg" || e.path().extension() == ".png")) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return absl::NotFoundError(StrCat(dir, ": no photos"));
  PUENTE_ASSIGN_OR_RETURN(auto capture, NewCapture(g));
  nlohmann::json j = nlohmann::json::object();
  std::string text = StrCat(files.size(), " photos x ", repeat, " rounds, kernel medians in ms\n");
  PUENTE_ASSIGN_OR_RETURN(BareOpenCv bare_cv, BareOpenCv::Create(g.models_dir));
  for (int threads : {1, 2}) {
    cv::setNumThreads(threads);
    // Interleaved photo by photo, so that both see the same machine state.
    std::vector<double> ours, bare;
    for (int round = 0; round < repeat; ++round) {
      for (const auto& f : files) {
        auto t0 = std::chrono::steady_clock::now();
        auto c = capture->AnalyzeFile(f);
        auto t1 = std::chrono::steady_clock::now();
        const double b = bare_cv.Run(f);
        if (!c.ok() || b < 0) continue;
        ours.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        bare.push_back(b);
      }
    }
    const double ours_ms = Median(ours), bare_ms = Median(bare);
    j[StrCat("threads_", threads)] = {{"pipeline_median_ms", ours_ms},
                                      {"bare_opencv_median_ms", bare_ms},
                                      {"overhead", ours_ms / bare_ms - 1}};
    StrAppend(&text, absl::StrFormat("  %d thread(s): pipeline %.1f ms, bare OpenCV %.1f ms, "
                                     "overhead %+.1f%%\n",
                                     threads, ours_ms, bare_ms, 100 * (ours_ms / bare_ms - 1)));
  }
  Print(g, j, text);
  return absl::OkStatus();
}

}  // namespace

void AddFaceCommands(CLI::App& app, Globals& g, const Runner& run) {
  auto* face = app.add_subcommand("face", "Face photos: quality, comparison, calibration");
  face->require_subcommand(1);

  static std::string photo, a, b, dir, bench_dir;
  static float threshold = kDefaultMatchThreshold;
  static int repeat = 3;
  auto* check = face->add_subcommand("check", "Quality report for one photo");
  check->add_option("photo", photo)->required()->check(CLI::ExistingFile);
  check->callback([&] { run(RunCheck(g, photo)); });

  auto* compare = face->add_subcommand("compare", "1:1 comparison of two photos");
  compare->add_option("a", a)->required()->check(CLI::ExistingFile);
  compare->add_option("b", b)->required()->check(CLI::ExistingFile);
  compare->add_option("--threshold", threshold, "Decision threshold")->capture_default_str();
  compare->callback([&] { run(RunCompare(g, a, b, threshold)); });

  auto* calibrate =
      face->add_subcommand("calibrate", "FMR/FNMR and thresholds on DIR/person/*.jpg");
  calibrate->add_option("dir", dir)->required()->check(CLI::ExistingDirectory);
  calibrate->callback([&] { run(RunCalibrate(g, dir)); });

  static std::string retemplate_to = std::string(InfoOf(kDefaultTemplateSet).name);
  static int retemplate_batch = 50;
  auto* retemplate = face->add_subcommand(
      "retemplate", "Rebuild every enrolled template with another template set (resumable)");
  retemplate->add_option("--to", retemplate_to, "Target template set")->capture_default_str();
  retemplate->add_option("--batch", retemplate_batch, "Templates per transaction")
      ->capture_default_str();
  retemplate->callback([&] { run(RunRetemplate(g, retemplate_to, retemplate_batch)); });

  auto* bench = face->add_subcommand("bench", "Per-photo pipeline time vs bare OpenCV");
  bench->add_option("dir", bench_dir, "Photos (default ../shared/faces/dev)")
      ->check(CLI::ExistingDirectory);
  bench->add_option("--repeat", repeat, "Rounds over the photos")->capture_default_str();
  bench->callback(
      [&] { run(RunBench(g, bench_dir.empty() ? "../shared/faces/dev" : bench_dir, repeat)); });
}

}  // namespace puente::cli
