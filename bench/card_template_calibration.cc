// Calibrates the card template (sign bits) against live float templates on a
// labelled folder: genuine/impostor score distributions, FMR/FNMR table and
// the threshold at FMR <= 1e-3, next to the full float template's figures.
//   build/bench/card_template_calibration var/models ../shared/faces/dev
#include <algorithm>
#include <cstdio>

#include "puente/biometrics/calibration.h"
#include "puente/biometrics/card_template.h"
#include "puente/biometrics/face_capture.h"

using namespace puente::biometrics;

namespace {
void Report(const char* name, std::vector<float> genuine, std::vector<float> impostor) {
  std::sort(genuine.begin(), genuine.end());
  std::sort(impostor.begin(), impostor.end());
  std::printf("%s: %zu genuine, %zu impostor pairs\n", name, genuine.size(), impostor.size());
  for (float t = 0.20f; t <= 0.601f; t += 0.02f) {
    const double fmr =
        double(impostor.end() - std::lower_bound(impostor.begin(), impostor.end(), t)) /
        impostor.size();
    const double fnmr =
        double(std::lower_bound(genuine.begin(), genuine.end(), t) - genuine.begin()) /
        genuine.size();
    std::printf("  threshold %.2f  FMR %.5f  FNMR %.4f  TAR %.4f\n", t, fmr, fnmr, 1 - fnmr);
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODELS_DIR LABELLED_DIR\n", argv[0]);
    return 2;
  }
  auto capture = FaceCapture::Create(argv[1]);
  if (!capture.ok()) {
    std::fprintf(stderr, "%s\n", std::string(capture.status().message()).c_str());
    return 1;
  }
  auto folder = LoadLabelledFolder(**capture, argv[2]);
  if (!folder.ok()) return 1;
  const auto& f = folder->faces;
  std::vector<float> g_card, i_card, g_full, i_full;
  for (size_t a = 0; a < f.size(); ++a) {
    const CardTemplate card = CardTemplate::FromTemplate(f[a].face_template);
    for (size_t b = 0; b < f.size(); ++b) {
      if (a == b) continue;
      const float s = *card.Similarity(f[b].face_template);
      (f[a].person == f[b].person ? g_card : i_card).push_back(s);
      if (b > a) {
        const float full = *CosineSimilarity(f[a].face_template, f[b].face_template);
        (f[a].person == f[b].person ? g_full : i_full).push_back(full);
      }
    }
  }
  std::printf("%zu photos\n", f.size());
  std::printf("card template: %zu bytes\n",
              CardTemplate::FromTemplate(f[0].face_template).Serialize().size());
  Report("card (sign bits) vs live", g_card, i_card);
  Report("full float template", g_full, i_full);
}
