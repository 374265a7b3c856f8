#include "puente/biometrics/calibration.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "absl/status/status.h"
#include "puente/common/strings.h"

namespace puente::biometrics {
namespace {

namespace fs = std::filesystem;

bool IsPhoto(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

float Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc += double(a[i]) * b[i];
  return static_cast<float>(acc);
}

// Smallest threshold (on the impostor score grid) with FMR <= target.
OperatingPoint AtFmr(const CalibrationReport& r, double target) {
  const auto& imp = r.impostor;
  const size_t n = imp.size();
  // Allowed impostor scores at or above the threshold:
  const size_t allowed = static_cast<size_t>(std::floor(target * double(n)));
  float threshold;
  if (allowed >= n) {
    threshold = imp.front();
  } else {
    // Above the (n - allowed)-th smallest impostor score.
    threshold = std::nextafter(imp[n - allowed - 1], 2.0f);
  }
  return EvaluateAt(r, threshold);
}

}  // namespace

absl::StatusOr<LabelledFolder> LoadLabelledFolder(FaceCapture& capture, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::NotFoundError(StrCat(dir, ": not a directory"));
  std::vector<fs::path> people;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) people.push_back(e.path());
  }
  std::sort(people.begin(), people.end());
  LabelledFolder out;
  for (const fs::path& person : people) {
    std::vector<fs::path> photos;
    for (const auto& e : fs::directory_iterator(person, ec)) {
      if (e.is_regular_file() && IsPhoto(e.path())) photos.push_back(e.path());
    }
    std::sort(photos.begin(), photos.end());
    for (const fs::path& photo : photos) {
      auto c = capture.AnalyzeFile(photo.string());
      if (!c.ok()) {
        out.unusable.push_back(StrCat(photo.string(), ": ", c.status().message()));
        continue;
      }
      if (!c->face_template) {
        out.unusable.push_back(StrCat(photo.string(), ": no face"));
        continue;
      }
      out.faces.push_back(
          {person.filename().string(), photo.string(), *c->face_template, c->passed});
    }
  }
  return out;
}

OperatingPoint EvaluateAt(const CalibrationReport& r, float threshold) {
  OperatingPoint p;
  p.threshold = threshold;
  const auto imp_above =
      r.impostor.end() - std::lower_bound(r.impostor.begin(), r.impostor.end(), threshold);
  const auto gen_below =
      std::lower_bound(r.genuine.begin(), r.genuine.end(), threshold) - r.genuine.begin();
  p.fmr = r.impostor.empty() ? 0 : double(imp_above) / r.impostor.size();
  p.fnmr = r.genuine.empty() ? 0 : double(gen_below) / r.genuine.size();
  return p;
}

absl::StatusOr<CalibrationReport> Calibrate(const std::vector<LabelledTemplate>& faces) {
  CalibrationReport r;
  std::map<std::string, std::vector<size_t>> by_person;
  std::vector<std::vector<float>> v;
  for (size_t i = 0; i < faces.size(); ++i) {
    by_person[faces[i].person].push_back(i);
    v.push_back(faces[i].face_template.ToFloat());
  }
  r.people = static_cast<int>(by_person.size());
  r.photos = static_cast<int>(faces.size());
  if (r.people < 2) return absl::InvalidArgumentError("calibration needs at least 2 people");
  for (size_t i = 0; i < faces.size(); ++i) {
    for (size_t j = i + 1; j < faces.size(); ++j) {
      const float s = Dot(v[i], v[j]);
      (faces[i].person == faces[j].person ? r.genuine : r.impostor).push_back(s);
    }
  }
  if (r.genuine.empty()) {
    return absl::InvalidArgumentError("calibration needs people with two or more photos");
  }
  std::sort(r.genuine.begin(), r.genuine.end());
  std::sort(r.impostor.begin(), r.impostor.end());
  r.genuine_pairs = static_cast<long long>(r.genuine.size());
  r.impostor_pairs = static_cast<long long>(r.impostor.size());
  for (int t = 20; t <= 60; t += 5) r.table.push_back(EvaluateAt(r, t / 100.0f));
  r.at_fmr_1e3 = AtFmr(r, 1e-3);
  r.at_fmr_1e4 = AtFmr(r, 1e-4);

  // Rank-1: the first photo of each person forms the gallery.
  std::vector<size_t> gallery;
  for (const auto& [person, idx] : by_person) gallery.push_back(idx[0]);
  for (const auto& [person, idx] : by_person) {
    for (size_t k = 1; k < idx.size(); ++k) {
      size_t best = gallery[0];
      float best_score = -2;
      for (size_t g : gallery) {
        const float s = Dot(v[idx[k]], v[g]);
        if (s > best_score) {
          best_score = s;
          best = g;
        }
      }
      ++r.rank1_probes;
      if (faces[best].person == person) ++r.rank1_hits;
    }
  }
  return r;
}

}  // namespace puente::biometrics
