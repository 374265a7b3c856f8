// Does fr_liveness.onnx separate real captures from recaptures? Scores the
// dev photos as they are, and simulated recaptures of them: the photo shown
// on a screen or printed and photographed again (downscaled and re-enlarged,
// softened, lower contrast with a colour cast, moire-like line pattern,
// strong JPEG). Prints both score distributions and the best separation.
//   build/bench/liveness_probe [../shared/faces/dev] [models_dir]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/models.h"

using namespace puente::biometrics;

cv::Mat Recapture(const cv::Mat& img) {
  cv::Mat small, out;
  cv::resize(img, small, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  cv::resize(small, out, img.size(), 0, 0, cv::INTER_LINEAR);
  cv::GaussianBlur(out, out, cv::Size(0, 0), 1.2);
  out.convertTo(out, -1, 0.75, 40);
  out += cv::Scalar(12, 0, -8);
  for (int y = 0; y < out.rows; y += 3) out.row(y) *= 0.92;  // screen lines
  std::vector<uchar> buf;
  cv::imencode(".jpg", out, buf, {cv::IMWRITE_JPEG_QUALITY, 35});
  return cv::imdecode(buf, cv::IMREAD_COLOR);
}

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "../shared/faces/dev";
  CaptureOptions opt;
  opt.liveness = true;
  auto capture = FaceCapture::Create(argc > 2 ? argv[2] : ModelsDir(), opt);
  if (!capture.ok()) {
    std::fprintf(stderr, "%s\n", std::string(capture.status().message()).c_str());
    return 1;
  }
  std::vector<float> real, fake;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto img = ReadImageFile(e.path().string());
    if (!img.ok()) continue;
    auto a = (*capture)->Analyze(*img);
    auto b = (*capture)->Analyze(Recapture(*img));
    if (a.ok() && a->metrics.liveness >= 0) real.push_back(a->metrics.liveness);
    if (b.ok() && b->metrics.liveness >= 0) fake.push_back(b->metrics.liveness);
  }
  std::sort(real.begin(), real.end());
  std::sort(fake.begin(), fake.end());
  auto q = [](const std::vector<float>& v, double f) { return v[size_t(f * (v.size() - 1))]; };
  std::printf("real captures (%zu): p5 %.3f median %.3f p95 %.3f\n", real.size(), q(real, .05),
              q(real, .5), q(real, .95));
  std::printf("recaptures    (%zu): p5 %.3f median %.3f p95 %.3f\n", fake.size(), q(fake, .05),
              q(fake, .5), q(fake, .95));
  // Best balanced accuracy over thresholds, either direction.
  double best = 0, best_t = 0;
  for (float t = 0; t <= 1.0f; t += 0.005f) {
    const double r_hi =
        double(real.end() - std::lower_bound(real.begin(), real.end(), t)) / real.size();
    const double f_hi =
        double(fake.end() - std::lower_bound(fake.begin(), fake.end(), t)) / fake.size();
    const double acc = std::max(0.5 * (r_hi + 1 - f_hi), 0.5 * (1 - r_hi + f_hi));
    if (acc > best) {
      best = acc;
      best_t = t;
    }
  }
  std::printf("best balanced accuracy %.3f at threshold %.3f\n", best, best_t);
  return 0;
}
