// Score distributions of the template sets on the labelled scale face set
// (../shared/faces/scale: mated identities + one-photo distractors) and the
// dev set, for calibrating the hold policy (issue 14, docs/biometrics.md).
//
// Every photo with a detected face is used, whatever its quality (as
// LoadLabelledFolder does); the quality verdict is kept and reported as a
// subset. Two capture passes make every set: fr_feature/1, and the fused set
// whose first 512 dimensions are fr_feature/2 and last 256 reid_0095, each a
// unit vector times 1/sqrt(2). So the fused score of a pair is the mean of
// its fr_feature/2 and reid_0095 scores, which is how it is computed here.
//
// Vectors are cached per capture set in VAR/<set>-<key>.bin, the key being
// the SHA-256 of the set's name, its models' checksums and the capture
// options; entries are keyed by photo path and appended as they are made, so
// an interrupted first run resumes and a second run takes seconds.
//
// Impostor pairs: all pairs of photos of different people (about 1e8 on the
// scale set), counted in 1e-4-wide histograms. Genuine pairs: all pairs of
// photos of one mated identity, kept exactly.
//
//   build/bench/face_score_study --models var/models --scale ../shared/faces/scale
//     --dev ../shared/faces/dev [--threads 2] [--json FILE] [--timing 200]
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "puente/biometrics/card_template.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/face_template.h"
#include "puente/biometrics/models.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "scale_set.h"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using puente::biometrics::CaptureOptions;
using puente::biometrics::CardTemplate;
using puente::biometrics::FaceCapture;
using puente::biometrics::FaceTemplate;
using puente::biometrics::InfoOf;
using puente::biometrics::kCardTemplateBits;
using puente::biometrics::KnownModels;
using puente::biometrics::TemplateSet;

namespace {

// ---- photos ----------------------------------------------------------------

enum class Part { kMated, kDistractor, kDev };

struct Photo {
  std::string path;      // absolute; the cache key
  std::string identity;  // person label
  Part part;
  bool studio = false;   // CFD
  bool flagged = false;  // noisy_identity or suspect_label in MANIFEST.tsv
  int number = 0;        // n of mated/<identity>/<n>.jpg (dev: order in the folder)
};

bool ReadScale(const fs::path& dir, std::vector<Photo>& out) {
  std::vector<puente::bench::ScalePhoto> rows;
  if (!puente::bench::ReadScaleManifest(dir, rows)) return false;
  for (auto& r : rows) {
    out.push_back({std::move(r.path), std::move(r.identity),
                   r.mated ? Part::kMated : Part::kDistractor, r.studio, r.flagged, r.number});
  }
  return true;
}

bool ReadDev(const fs::path& dir, std::vector<Photo>& out) {
  std::error_code ec;
  std::vector<fs::path> people;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) people.push_back(e.path());
  }
  if (ec || people.empty()) {
    std::fprintf(stderr, "%s: no person folders\n", dir.c_str());
    return false;
  }
  std::sort(people.begin(), people.end());
  for (const auto& person : people) {
    std::vector<fs::path> photos;
    for (const auto& e : fs::directory_iterator(person)) {
      std::string ext = e.path().extension().string();
      for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") photos.push_back(e.path());
    }
    std::sort(photos.begin(), photos.end());
    int n = 0;
    for (const auto& ph : photos) {
      out.push_back({ph.string(), person.filename().string(), Part::kDev, false, false, ++n});
    }
  }
  return true;
}

// ---- capture and cache -----------------------------------------------------

struct Embedding {
  bool face = false;
  bool passed = false;
  float ms = 0;  // capture time when it was made (2 workers; see --timing for 1 thread)
  std::vector<float> v;
};

constexpr char kCacheMagic[8] = {'P', 'F', 'S', 'C', 'A', 'C', 'H', '1'};

std::string CacheKey(TemplateSet set, const CaptureOptions& o) {
  std::string material(InfoOf(set).name);
  std::vector<std::string_view> ids = {"yunet_2022mar", "fr_feature"};
  if (set == TemplateSet::kFused) ids.push_back("reid_0095");
  for (const auto& m : KnownModels()) {
    if (std::find(ids.begin(), ids.end(), m.id) != ids.end()) {
      material += "|" + std::string(m.id) + "=" + std::string(m.sha256);
    }
  }
  material +=
      "|side=" + std::to_string(o.max_detection_side) + "|pad=" + std::to_string(o.border_pad);
  const std::string d = puente::crypto::Sha256(material);
  return puente::crypto::HexEncode(d).substr(0, 16);
}

// Append-only file of (path, face, passed, ms, dim, floats) records.
class Cache {
 public:
  Cache(const fs::path& file) : file_(file) {}

  void Load() {
    std::ifstream in(file_, std::ios::binary);
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, kCacheMagic, 8) != 0) return;
    std::streamoff good = 8;
    while (true) {
      uint32_t len;
      if (!in.read(reinterpret_cast<char*>(&len), 4) || len > 4096) break;
      std::string path(len, '\0');
      uint8_t face, passed;
      float ms;
      uint16_t dim;
      if (!in.read(path.data(), len) || !in.read(reinterpret_cast<char*>(&face), 1) ||
          !in.read(reinterpret_cast<char*>(&passed), 1) ||
          !in.read(reinterpret_cast<char*>(&ms), 4) || !in.read(reinterpret_cast<char*>(&dim), 2)) {
        break;
      }
      Embedding e{face != 0, passed != 0, ms, std::vector<float>(dim)};
      if (dim && !in.read(reinterpret_cast<char*>(e.v.data()), 4 * dim)) break;  // torn tail
      entries_[path] = std::move(e);
      good = in.tellg();
    }
    in.close();
    // Drop a record torn by an interrupted run, so appends stay readable.
    std::error_code ec;
    if (static_cast<std::streamoff>(fs::file_size(file_, ec)) > good) {
      fs::resize_file(file_, good, ec);
    }
  }

  const Embedding* Find(const std::string& path) const {
    auto it = entries_.find(path);
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Thread-safe.
  void Add(const std::string& path, Embedding e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!out_.is_open()) {
      const bool fresh = !fs::exists(file_) || entries_.empty();
      out_.open(file_,
                fresh ? std::ios::binary | std::ios::trunc : std::ios::binary | std::ios::app);
      if (fresh) out_.write(kCacheMagic, 8);
    }
    const uint32_t len = static_cast<uint32_t>(path.size());
    const uint8_t face = e.face, passed = e.passed;
    const uint16_t dim = static_cast<uint16_t>(e.v.size());
    out_.write(reinterpret_cast<const char*>(&len), 4);
    out_.write(path.data(), len);
    out_.write(reinterpret_cast<const char*>(&face), 1);
    out_.write(reinterpret_cast<const char*>(&passed), 1);
    out_.write(reinterpret_cast<const char*>(&e.ms), 4);
    out_.write(reinterpret_cast<const char*>(&dim), 2);
    out_.write(reinterpret_cast<const char*>(e.v.data()), 4 * dim);
    if (++unflushed_ >= 64) {
      out_.flush();
      unflushed_ = 0;
    }
    entries_[path] = std::move(e);
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    if (out_.is_open()) out_.close();
  }

 private:
  fs::path file_;
  std::unordered_map<std::string, Embedding> entries_;
  std::mutex mu_;
  std::ofstream out_;
  int unflushed_ = 0;
};

Embedding Run(FaceCapture& capture, const std::string& path) {
  Embedding e;
  const auto t0 = std::chrono::steady_clock::now();
  auto c = capture.AnalyzeFile(path);
  e.ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (c.ok() && c->face_template) {
    e.face = true;
    e.passed = c->passed;
    e.v = c->face_template->ToFloat();
  }
  return e;
}

// Fills both caches for every photo (missing entries only), `threads` workers
// each with its own FaceCapture per set, OpenCV single-threaded.
bool Embed(const std::string& models, const std::vector<Photo>& photos,
           const std::vector<TemplateSet>& sets, std::vector<Cache*>& caches, int threads) {
  std::vector<std::vector<size_t>> todo(sets.size());
  size_t total = 0;
  for (size_t s = 0; s < sets.size(); ++s) {
    for (size_t i = 0; i < photos.size(); ++i) {
      if (!caches[s]->Find(photos[i].path)) todo[s].push_back(i);
    }
    total += todo[s].size();
  }
  if (total == 0) return true;
  std::fprintf(stderr, "embedding %zu photo x set captures with %d threads\n", total, threads);
  cv::setNumThreads(1);
  std::atomic<bool> failed{false};
  std::atomic<size_t> done{0};
  const auto start = std::chrono::steady_clock::now();
  for (size_t s = 0; s < sets.size(); ++s) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, s] {
        CaptureOptions o;
        o.templates = sets[s];
        auto capture = FaceCapture::Create(models, o);
        if (!capture.ok()) {
          std::fprintf(stderr, "%s\n", std::string(capture.status().message()).c_str());
          failed = true;
          return;
        }
        for (size_t k; (k = next++) < todo[s].size() && !failed;) {
          const Photo& p = photos[todo[s][k]];
          caches[s]->Add(p.path, Run(**capture, p.path));
          const size_t d = ++done;
          if (d % 500 == 0) {
            const double sec =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "  %zu / %zu (%.0f s, %.1f ms each)\n", d, total, sec,
                         1000 * sec / d);
          }
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  for (Cache* c : caches) c->Close();
  return !failed;
}

// Median capture time per set over `n` photos, one thread, one OpenCV thread.
json Timing(const std::string& models, const std::vector<Photo>& photos,
            const std::vector<TemplateSet>& sets, int n) {
  json out = json::object();
  if (n <= 0) return out;
  cv::setNumThreads(1);
  for (TemplateSet set : sets) {
    CaptureOptions o;
    o.templates = set;
    auto capture = FaceCapture::Create(models, o);
    if (!capture.ok()) continue;
    std::vector<float> ms;
    const size_t step = std::max<size_t>(1, photos.size() / n);
    for (size_t i = 0; i < photos.size() && ms.size() < size_t(n); i += step) {
      ms.push_back(Run(**capture, photos[i].path).ms);
    }
    std::sort(ms.begin(), ms.end());
    out[std::string(InfoOf(set).name)] = {{"photos", ms.size()},
                                          {"median_ms", ms[ms.size() / 2]},
                                          {"p90_ms", ms[ms.size() * 9 / 10]}};
  }
  return out;
}

// ---- dot products ----------------------------------------------------------

// out[a * ld + b] = x_a . y_b for nx rows of x and ny rows of y (dimension d,
// a multiple of 8).
__attribute__((target("avx2,fma"))) float Hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) void DotsAvx2(const float* x, size_t nx, const float* y,
                                                  size_t ny, int d, float* out, size_t ld) {
  size_t a = 0;
  for (; a + 2 <= nx; a += 2) {
    const float* x0 = x + a * d;
    const float* x1 = x0 + d;
    size_t b = 0;
    for (; b + 4 <= ny; b += 4) {
      const float* y0 = y + b * d;
      __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;
      __m256 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      for (int k = 0; k < d; k += 8) {
        const __m256 u0 = _mm256_loadu_ps(x0 + k), u1 = _mm256_loadu_ps(x1 + k);
        __m256 w = _mm256_loadu_ps(y0 + k);
        c00 = _mm256_fmadd_ps(u0, w, c00);
        c10 = _mm256_fmadd_ps(u1, w, c10);
        w = _mm256_loadu_ps(y0 + d + k);
        c01 = _mm256_fmadd_ps(u0, w, c01);
        c11 = _mm256_fmadd_ps(u1, w, c11);
        w = _mm256_loadu_ps(y0 + 2 * d + k);
        c02 = _mm256_fmadd_ps(u0, w, c02);
        c12 = _mm256_fmadd_ps(u1, w, c12);
        w = _mm256_loadu_ps(y0 + 3 * d + k);
        c03 = _mm256_fmadd_ps(u0, w, c03);
        c13 = _mm256_fmadd_ps(u1, w, c13);
      }
      float* o0 = out + a * ld + b;
      float* o1 = o0 + ld;
      o0[0] = Hsum(c00), o0[1] = Hsum(c01), o0[2] = Hsum(c02), o0[3] = Hsum(c03);
      o1[0] = Hsum(c10), o1[1] = Hsum(c11), o1[2] = Hsum(c12), o1[3] = Hsum(c13);
    }
    for (; b < ny; ++b) {
      __m256 c0 = _mm256_setzero_ps(), c1 = c0;
      for (int k = 0; k < d; k += 8) {
        const __m256 w = _mm256_loadu_ps(y + b * d + k);
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(x0 + k), w, c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(x1 + k), w, c1);
      }
      out[a * ld + b] = Hsum(c0);
      out[(a + 1) * ld + b] = Hsum(c1);
    }
  }
  for (; a < nx; ++a) {
    for (size_t b = 0; b < ny; ++b) {
      __m256 c = _mm256_setzero_ps();
      for (int k = 0; k < d; k += 8) {
        c = _mm256_fmadd_ps(_mm256_loadu_ps(x + a * d + k), _mm256_loadu_ps(y + b * d + k), c);
      }
      out[a * ld + b] = Hsum(c);
    }
  }
}

void DotsScalar(const float* x, size_t nx, const float* y, size_t ny, int d, float* out,
                size_t ld) {
  for (size_t a = 0; a < nx; ++a) {
    for (size_t b = 0; b < ny; ++b) {
      float acc[8] = {};
      for (int k = 0; k < d; k += 8) {
        for (int l = 0; l < 8; ++l) acc[l] += x[a * d + k + l] * y[b * d + k + l];
      }
      float s = 0;
      for (float v : acc) s += v;
      out[a * ld + b] = s;
    }
  }
}

void Dots(const float* x, size_t nx, const float* y, size_t ny, int d, float* out, size_t ld) {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  (avx2 ? DotsAvx2 : DotsScalar)(x, nx, y, ny, d, out, ld);
}

// ---- the study -------------------------------------------------------------

// Score sets: three computed, fused = mean of fr_feature/2 and reid_0095.
constexpr int kSets = 4;
const char* const kSetNames[kSets] = {"fr_feature/1", "fr_feature/2", "reid_0095",
                                      "fr_feature+reid_0095/1 (fused)"};
const char* const kSetKeys[kSets] = {"fr_feature/1", "fr_feature/2", "reid_0095", "fused"};

// Subsets: a pair belongs to a subset when both its photos do.
constexpr int kSubsets = 5;
const char* const kSubsetNames[kSubsets] = {"all", "unflagged", "quality_passed", "distractors",
                                            "studio"};
const char* const kSubsetHelp[kSubsets] = {
    "every photo with a face", "without photos flagged noisy_identity or suspect_label",
    "only photos that pass the quality gate", "distractors only (impostor pairs only)",
    "studio photos: CFD people only (mated cfd-* and distractors cfd-*)"};

constexpr int kBins = 20000;  // 1e-4 wide over [-1, 1)
constexpr double kBinWidth = 2.0 / kBins;
inline int BinOf(float s) {
  const int b = static_cast<int>((s + 1.0f) * (kBins / 2));
  return b < 0 ? 0 : (b >= kBins ? kBins - 1 : b);
}
inline int EdgeOf(double t) { return static_cast<int>(std::lround((t + 1.0) * (kBins / 2))); }
inline double ThresholdOfEdge(int k) { return k * kBinWidth - 1.0; }

struct Face {
  int photo;  // index into photos
  int person;
  uint8_t mask;  // subset bits
  bool mated;
};

struct Distribution {
  std::vector<uint64_t> hist = std::vector<uint64_t>(kBins);
  uint64_t impostors = 0;
  double sum = 0, sq = 0;
  std::vector<float> genuine;
};

// Impostor pairs scoring at least this in any set are listed: where the
// tail model breaks, they show whether label noise is the cause.
constexpr float kListImpostorsAbove = 0.70f;

struct ListedPair {
  size_t i, j;  // face indices
  float score[kSets];
};

struct PairStats {
  Distribution d[kSets][kSubsets];
  std::vector<ListedPair> high_impostors;
};

// Vectors of the faces, one contiguous matrix per computed set.
struct Matrices {
  std::vector<float> m[3];
  int dim[3] = {512, 512, 256};
};

void Accumulate(const std::vector<Face>& faces, const Matrices& mx, int threads, PairStats& out) {
  const size_t n = faces.size();
  constexpr size_t kBi = 16, kBj = 512;
  std::vector<PairStats> local(threads);
  std::vector<std::thread> workers;
  std::atomic<size_t> next_block{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PairStats& st = local[t];
      std::vector<float> buf[3];
      for (auto& b : buf) b.resize(kBi * kBj);
      for (size_t i0; (i0 = kBi * next_block++) < n;) {
        const size_t nx = std::min(kBi, n - i0);
        for (size_t j0 = i0; j0 < n; j0 += kBj) {
          const size_t ny = std::min(kBj, n - j0);
          for (int s = 0; s < 3; ++s) {
            const int d = mx.dim[s];
            Dots(mx.m[s].data() + i0 * d, nx, mx.m[s].data() + j0 * d, ny, d, buf[s].data(), kBj);
          }
          for (size_t a = 0; a < nx; ++a) {
            const Face& fi = faces[i0 + a];
            for (size_t b = (j0 > i0 + a ? 0 : i0 + a + 1 - j0); b < ny; ++b) {
              const Face& fj = faces[j0 + b];
              const size_t o = a * kBj + b;
              float sc[kSets] = {buf[0][o], buf[1][o], buf[2][o], 0};
              sc[3] = 0.5f * (sc[1] + sc[2]);
              const uint8_t m = fi.mask & fj.mask;
              if (fi.person == fj.person) {
                for (int s = 0; s < kSets; ++s) {
                  for (int u = 0; u < kSubsets; ++u) {
                    if (m & (1u << u)) st.d[s][u].genuine.push_back(sc[s]);
                  }
                }
                continue;
              }
              if (*std::max_element(sc, sc + kSets) >= kListImpostorsAbove) {
                st.high_impostors.push_back({i0 + a, j0 + b, {sc[0], sc[1], sc[2], sc[3]}});
              }
              for (int s = 0; s < kSets; ++s) {
                const int bin = BinOf(sc[s]);
                const double v = sc[s];
                for (int u = 0; u < kSubsets; ++u) {
                  if (!(m & (1u << u))) continue;
                  Distribution& d = st.d[s][u];
                  ++d.hist[bin];
                  ++d.impostors;
                  d.sum += v;
                  d.sq += v * v;
                }
              }
            }
          }
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  for (const PairStats& st : local) {
    out.high_impostors.insert(out.high_impostors.end(), st.high_impostors.begin(),
                              st.high_impostors.end());
    for (int s = 0; s < kSets; ++s) {
      for (int u = 0; u < kSubsets; ++u) {
        Distribution& d = out.d[s][u];
        const Distribution& l = st.d[s][u];
        for (int b = 0; b < kBins; ++b) d.hist[b] += l.hist[b];
        d.impostors += l.impostors;
        d.sum += l.sum;
        d.sq += l.sq;
        d.genuine.insert(d.genuine.end(), l.genuine.begin(), l.genuine.end());
      }
    }
  }
  for (auto& row : out.d) {
    for (auto& d : row) std::sort(d.genuine.begin(), d.genuine.end());
  }
}

// Impostor pairs at or above each bin edge.
std::vector<uint64_t> Tail(const Distribution& d) {
  std::vector<uint64_t> tail(kBins + 1, 0);
  for (int b = kBins - 1; b >= 0; --b) tail[b] = tail[b + 1] + d.hist[b];
  return tail;
}

double Tar(const Distribution& d, double t) {
  if (d.genuine.empty()) return NAN;
  const auto below = std::lower_bound(d.genuine.begin(), d.genuine.end(), float(t));
  return double(d.genuine.end() - below) / d.genuine.size();
}

double Quantile(const std::vector<float>& v, double q) {
  if (v.empty()) return NAN;
  const double pos = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json Summarise(const Distribution& d, bool print) {
  json r;
  const auto tail = Tail(d);
  const double n = double(d.impostors);
  r["impostor_pairs"] = d.impostors;
  r["genuine_pairs"] = d.genuine.size();
  const double mean = n ? d.sum / n : NAN;
  const double sd = n ? std::sqrt(std::max(0.0, d.sq / n - mean * mean)) : NAN;
  r["impostor_mean"] = Num(mean);
  r["impostor_sd"] = Num(sd);
  double gm = 0, gs = 0;
  for (float g : d.genuine) gm += g;
  gm = d.genuine.empty() ? NAN : gm / d.genuine.size();
  for (float g : d.genuine) gs += (g - gm) * (g - gm);
  gs = d.genuine.size() > 1 ? std::sqrt(gs / (d.genuine.size() - 1)) : NAN;
  r["genuine_mean"] = Num(gm);
  r["genuine_sd"] = Num(gs);
  r["genuine_quantiles"] = {{"p01", Num(Quantile(d.genuine, 0.01))},
                            {"p05", Num(Quantile(d.genuine, 0.05))},
                            {"p10", Num(Quantile(d.genuine, 0.10))},
                            {"p50", Num(Quantile(d.genuine, 0.50))}};
  if (print) {
    std::printf("    pairs: %zu genuine, %llu impostor\n", d.genuine.size(),
                static_cast<unsigned long long>(d.impostors));
    std::printf(
        "    impostor mean %.4f sd %.4f; genuine mean %.4f sd %.4f; genuine p1 %.3f "
        "p5 %.3f p10 %.3f p50 %.3f\n",
        mean, sd, gm, gs, Quantile(d.genuine, 0.01), Quantile(d.genuine, 0.05),
        Quantile(d.genuine, 0.10), Quantile(d.genuine, 0.50));
  }
  if (!n) return r;

  // Operating points: the lowest bin edge whose FMR is at most the target.
  json ops = json::array();
  for (double target : {1e-3, 1e-4, 1e-5, 1e-6}) {
    json op{{"fmr_target", target}};
    const bool measurable = target * n >= 1;
    if (!measurable) {
      op["measurable"] = false;
      op["note"] = "fewer than 1/target impostor pairs";
    } else {
      int k = 0;
      while (k<kBins&& double(tail[k])> target * n) ++k;
      const double t = ThresholdOfEdge(k);
      op["measurable"] = true;
      op["threshold"] = t;
      op["fmr"] = tail[k] / n;
      op["impostors_at_or_above"] = tail[k];
      op["tar"] = Num(Tar(d, t));
      if (print) {
        std::printf("    FMR %.0e: threshold %.4f (FMR %.2e, %llu pairs)  TAR %s\n", target, t,
                    tail[k] / n, static_cast<unsigned long long>(tail[k]),
                    d.genuine.empty() ? "-" : std::to_string(Tar(d, t)).substr(0, 6).c_str());
      }
    }
    if (!measurable && print) std::printf("    FMR %.0e: not measurable\n", target);
    ops.push_back(op);
  }
  r["at_fmr"] = ops;

  // The FMR/TAR grid, plus 0.33 (the figure).
  json grid = json::array();
  std::vector<double> ts;
  for (int i = 20; i <= 70; i += 2) ts.push_back(i / 100.0);
  ts.push_back(0.33);
  std::sort(ts.begin(), ts.end());
  for (double t : ts) {
    const int k = EdgeOf(t);
    grid.push_back({{"threshold", t},
                    {"fmr", tail[k] / n},
                    {"impostors_at_or_above", tail[k]},
                    {"tar", Num(Tar(d, t))}});
  }
  r["grid"] = grid;

  // Tail model: log10 FMR(s) = -3 - slope (s - s0), s0 at FMR 1e-3, fitted
  // on a 0.005 grid of measured points with 1e-6 <= FMR <= 1e-3.
  int k0 = 0;
  while (k0<kBins&& double(tail[k0])> 1e-3 * n) ++k0;
  const double s0 = ThresholdOfEdge(k0);
  double sxx = 0, sxy = 0;
  int points = 0;
  std::vector<std::pair<double, double>> pts;
  for (int k = k0; k < kBins; k += 50) {
    const double f = tail[k] / n;
    if (f < 1e-6 || tail[k] == 0) break;
    const double x = ThresholdOfEdge(k) - s0, y = std::log10(f) + 3;
    sxx += x * x;
    sxy += x * y;
    pts.push_back({x, y});
    ++points;
  }
  if (points >= 2 && sxx > 0) {
    const double slope = -sxy / sxx;
    double rss = 0;
    for (auto [x, y] : pts) rss += (y + slope * x) * (y + slope * x);
    json fit{{"s0", s0},
             {"L0", -3},
             {"slope", slope},
             {"points", points},
             {"fit_range", {s0, s0 + pts.back().first}},
             {"rms_log10_residual", std::sqrt(rss / points)}};
    // Model against measured from s0 on the 0.02 grid to the last threshold
    // with an impostor pair (and the next, where it predicts under one pair).
    json check = json::array();
    if (print) {
      std::printf(
          "    tail fit: s0 %.4f slope %.2f per unit cosine (%d points, rms %.3f in "
          "log10)\n      threshold  measured FMR (pairs)  model FMR  model/measured\n",
          s0, slope, points, std::sqrt(rss / points));
    }
    const double start = std::ceil(s0 * 50 - 1e-9) / 50;
    for (double t = start; t < 1.0; t += 0.02) {
      const int k = EdgeOf(t);
      const double model = std::pow(10.0, -3 - slope * (t - s0));
      const double measured = tail[k] / n;
      check.push_back({{"threshold", t},
                       {"measured_fmr", measured},
                       {"impostors_at_or_above", tail[k]},
                       {"model_fmr", model},
                       {"model_over_measured", Num(measured > 0 ? model / measured : NAN)}});
      if (print) {
        std::printf("      %.2f     %.3e (%llu)        %.3e   %s\n", t, measured,
                    static_cast<unsigned long long>(tail[k]), model,
                    measured > 0 ? std::to_string(model / measured).substr(0, 5).c_str() : "-");
      }
      if (tail[k] == 0) break;
    }
    fit["model_vs_measured"] = check;
    r["tail_fit"] = fit;
  }
  return r;
}

// Rank-1: the gallery is photo 1 (the lowest numbered with a face) of each
// identity plus every distractor of the subset; probes are the identities'
// other photos.
json Rank1(const std::vector<Face>& faces, const std::vector<Photo>& photos, const Matrices& mx,
           uint8_t subset_bit) {
  std::map<int, size_t> first;  // person -> face index of its gallery photo
  std::vector<size_t> gallery, probes;
  for (size_t i = 0; i < faces.size(); ++i) {
    const Face& f = faces[i];
    if (!(f.mask & subset_bit) || !f.mated) continue;
    auto it = first.find(f.person);
    if (it == first.end() || photos[f.photo].number < photos[faces[it->second].photo].number) {
      first[f.person] = i;
    }
  }
  for (size_t i = 0; i < faces.size(); ++i) {
    const Face& f = faces[i];
    if (!(f.mask & subset_bit)) continue;
    if (!f.mated || first[f.person] == i) {
      gallery.push_back(i);
    } else {
      probes.push_back(i);
    }
  }
  json r{{"gallery", gallery.size()}, {"probes", probes.size()}};
  if (probes.empty()) return r;
  // Gather rows.
  std::vector<float> g[3], p[3];
  for (int s = 0; s < 3; ++s) {
    const int d = mx.dim[s];
    for (size_t i : gallery) g[s].insert(g[s].end(), &mx.m[s][i * d], &mx.m[s][i * d] + d);
    for (size_t i : probes) p[s].insert(p[s].end(), &mx.m[s][i * d], &mx.m[s][i * d] + d);
  }
  int hits[kSets] = {};
  std::vector<float> row[3];
  for (auto& rw : row) rw.resize(gallery.size());
  for (size_t q = 0; q < probes.size(); ++q) {
    for (int s = 0; s < 3; ++s) {
      Dots(&p[s][q * mx.dim[s]], 1, g[s].data(), gallery.size(), mx.dim[s], row[s].data(),
           gallery.size());
    }
    for (int s = 0; s < kSets; ++s) {
      size_t best = 0;
      float best_score = -2;
      for (size_t k = 0; k < gallery.size(); ++k) {
        const float sc = s < 3 ? row[s][k] : 0.5f * (row[1][k] + row[2][k]);
        if (sc > best_score) best_score = sc, best = k;
      }
      if (faces[gallery[best]].person == faces[probes[q]].person) ++hits[s];
    }
  }
  json per = json::object();
  for (int s = 0; s < kSets; ++s) {
    per[kSetKeys[s]] = {{"hits", hits[s]}, {"rate", double(hits[s]) / probes.size()}};
  }
  r["rank1"] = per;
  return r;
}

// ---- card templates --------------------------------------------------------
//
// A card template against a live capture scores cos(pi * hamming / 512) over
// the two templates' 512 card bits (CardTemplate::Similarity), so each photo's
// bits are made once by CardTemplate itself and pairs are counted by Hamming
// distance: sign bits for the 512-d sets, projected bits (PFC v2) for fused.

constexpr int kCardSets = 3;
const char* const kCardSetKeys[kCardSets] = {"fr_feature/1", "fr_feature/2", "fused"};
constexpr int kWords = kCardTemplateBits / 64;

struct CardDistribution {
  std::vector<uint64_t> hist = std::vector<uint64_t>(kCardTemplateBits + 1);  // by hamming
  uint64_t impostors = 0;
  std::vector<uint64_t> genuine = std::vector<uint64_t>(kCardTemplateBits + 1);
  uint64_t genuine_pairs = 0;
};

// The card bits of `v` as made for a card of (model id, version).
std::array<uint64_t, kWords> CardBits(const std::string& model_id, int version,
                                      const std::vector<float>& v) {
  std::array<uint64_t, kWords> w{};
  auto t = FaceTemplate::FromFeature(model_id, version, v);
  if (!t.ok()) return w;
  const std::string bytes = CardTemplate::FromTemplate(*t).Serialize();
  std::memcpy(w.data(), bytes.data() + bytes.size() - 8 * kWords, 8 * kWords);
  return w;
}

__attribute__((target("popcnt"))) int Hamming(const uint64_t* a, const uint64_t* b) {
  int h = 0;
  for (int i = 0; i < kWords; ++i) h += __builtin_popcountll(a[i] ^ b[i]);
  return h;
}

double CardScore(int hamming) {
  return std::cos(3.14159265358979323846 * hamming / kCardTemplateBits);
}

json SummariseCard(const CardDistribution& d, const char* label) {
  json r{{"impostor_pairs", d.impostors}, {"genuine_pairs", d.genuine_pairs}};
  // Accepted: hamming <= H, i.e. score >= cos(pi H / 512).
  std::vector<uint64_t> imp_cum(kCardTemplateBits + 1), gen_cum(kCardTemplateBits + 1);
  uint64_t a = 0, g = 0;
  for (int h = 0; h <= kCardTemplateBits; ++h) {
    imp_cum[h] = a += d.hist[h];
    gen_cum[h] = g += d.genuine[h];
  }
  const double n = double(d.impostors), ng = double(d.genuine_pairs);
  std::printf("    card %s: %llu genuine, %llu impostor pairs\n", label,
              static_cast<unsigned long long>(d.genuine_pairs),
              static_cast<unsigned long long>(d.impostors));
  json ops = json::array();
  for (double target : {1e-3, 1e-4, 1e-5}) {
    if (target * n < 1) {
      ops.push_back({{"fmr_target", target}, {"measurable", false}});
      continue;
    }
    int H = -1;
    while (H + 1 <= kCardTemplateBits && double(imp_cum[H + 1]) <= target * n) ++H;
    const double t = H >= 0 ? CardScore(H) : 1.0;
    const double fmr = H >= 0 ? imp_cum[H] / n : 0;
    const double tar = H >= 0 && ng ? gen_cum[H] / ng : 0;
    ops.push_back({{"fmr_target", target},
                   {"measurable", true},
                   {"threshold", t},
                   {"max_hamming", H},
                   {"fmr", fmr},
                   {"impostors_at_or_above", H >= 0 ? imp_cum[H] : 0},
                   {"tar", ng ? json(tar) : json(nullptr)}});
    std::printf("      FMR %.0e: threshold %.4f (hamming <= %d, FMR %.2e)  TAR %s\n", target, t, H,
                fmr, ng ? std::to_string(tar).substr(0, 6).c_str() : "-");
  }
  r["at_fmr"] = ops;
  json grid = json::array();
  for (int i = 30; i <= 60; i += 2) {
    const double t = i / 100.0;
    int H = -1;
    while (H + 1 <= kCardTemplateBits && CardScore(H + 1) >= t) ++H;
    grid.push_back({{"threshold", t},
                    {"fmr", H >= 0 && n ? imp_cum[H] / n : 0},
                    {"tar", ng ? json(H >= 0 ? gen_cum[H] / ng : 0) : json(nullptr)}});
  }
  r["grid"] = grid;
  return r;
}

json Cards(const std::vector<Face>& faces, const std::vector<Photo>& photos, const Cache& v1,
           const Cache& fused, const Matrices& mx, int threads, const std::vector<int>& subsets) {
  const size_t n = faces.size();
  std::vector<uint64_t> bits[kCardSets];
  for (auto& b : bits) b.resize(n * kWords);
  for (size_t i = 0; i < n; ++i) {
    const std::string& path = photos[faces[i].photo].path;
    const std::vector<float> v2(&mx.m[1][i * 512], &mx.m[1][i * 512] + 512);
    const std::array<uint64_t, kWords> w[kCardSets] = {
        CardBits("fr_feature", 1, v1.Find(path)->v), CardBits("fr_feature", 2, v2),
        CardBits("fr_feature+reid_0095", 1, fused.Find(path)->v)};
    for (int s = 0; s < kCardSets; ++s) std::memcpy(&bits[s][i * kWords], w[s].data(), 8 * kWords);
  }
  std::vector<std::array<std::array<CardDistribution, kSubsets>, kCardSets>> local(threads);
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto& st = local[t];
      for (size_t i; (i = next++) < n;) {
        for (size_t j = i + 1; j < n; ++j) {
          const uint8_t m = faces[i].mask & faces[j].mask;
          const bool genuine = faces[i].person == faces[j].person;
          for (int s = 0; s < kCardSets; ++s) {
            const int h = Hamming(&bits[s][i * kWords], &bits[s][j * kWords]);
            for (int u = 0; u < kSubsets; ++u) {
              if (!(m & (1u << u))) continue;
              CardDistribution& d = st[s][u];
              if (genuine) {
                ++d.genuine[h];
                ++d.genuine_pairs;
              } else {
                ++d.hist[h];
                ++d.impostors;
              }
            }
          }
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  json out = json::object();
  for (int s = 0; s < kCardSets; ++s) {
    json per = json::object();
    for (int u : subsets) {
      CardDistribution d;
      for (const auto& st : local) {
        for (int h = 0; h <= kCardTemplateBits; ++h) {
          d.hist[h] += st[s][u].hist[h];
          d.genuine[h] += st[s][u].genuine[h];
        }
        d.impostors += st[s][u].impostors;
        d.genuine_pairs += st[s][u].genuine_pairs;
      }
      const std::string label = std::string(kCardSetKeys[s]) + ", " + kSubsetNames[u];
      per[kSubsetNames[u]] = SummariseCard(d, label.c_str());
    }
    out[kCardSetKeys[s]] = per;
  }
  return out;
}

json Study(const char* name, const std::vector<Photo>& photos, const std::vector<size_t>& members,
           Cache& v1, Cache& fused, int threads, const std::vector<int>& subsets) {
  std::vector<Face> faces;
  Matrices mx;
  std::map<std::string, int> person_ids;
  int no_face = 0, passed = 0, mismatch = 0;
  for (size_t i : members) {
    const Photo& p = photos[i];
    const auto* a = v1.Find(p.path);
    const auto* b = fused.Find(p.path);
    if (!a || !b || !a->face || !b->face) {
      ++no_face;
      continue;
    }
    if (a->passed != b->passed) ++mismatch;
    Face f;
    f.photo = static_cast<int>(i);
    f.person = person_ids.emplace(p.identity, int(person_ids.size())).first->second;
    f.mated = p.part != Part::kDistractor;
    f.mask = 1u << 0;
    if (!p.flagged) f.mask |= 1u << 1;
    if (b->passed) f.mask |= 1u << 2, ++passed;
    if (p.part == Part::kDistractor) f.mask |= 1u << 3;
    if (p.studio) f.mask |= 1u << 4;
    faces.push_back(f);
    mx.m[0].insert(mx.m[0].end(), a->v.begin(), a->v.end());
    // Parts of the fused vector, back to unit length.
    for (int part = 0; part < 2; ++part) {
      std::vector<float> v(b->v.begin() + (part ? 512 : 0), b->v.begin() + (part ? 768 : 512));
      double ss = 0;
      for (float x : v) ss += double(x) * x;
      const float inv = static_cast<float>(1 / std::sqrt(ss));
      for (float& x : v) x *= inv;
      mx.m[1 + part].insert(mx.m[1 + part].end(), v.begin(), v.end());
    }
  }
  std::printf(
      "\n== %s: %zu photos, %zu with a face (%d without), %d pass the quality gate, "
      "%zu people\n",
      name, members.size(), faces.size(), no_face, passed, person_ids.size());
  if (mismatch)
    std::printf("   (%d photos differ in quality verdict between the passes)\n", mismatch);

  // Check the mean-of-parts identity against the 768-d fused vectors on a few pairs.
  double max_err = 0;
  for (size_t i = 0; i + 1 < faces.size() && i < 2000; i += 7) {
    const auto& x = fused.Find(photos[faces[i].photo].path)->v;
    const auto& y = fused.Find(photos[faces[i + 1].photo].path)->v;
    double direct = 0, a = 0, b = 0;
    for (int k = 0; k < 768; ++k) direct += double(x[k]) * y[k];
    for (int k = 0; k < 512; ++k) a += double(mx.m[1][i * 512 + k]) * mx.m[1][(i + 1) * 512 + k];
    for (int k = 0; k < 256; ++k) b += double(mx.m[2][i * 256 + k]) * mx.m[2][(i + 1) * 256 + k];
    max_err = std::max(max_err, std::abs(direct - 0.5 * (a + b)));
  }
  std::printf("   fused score = mean of fr_feature/2 and reid_0095 scores: max |difference| %.1e\n",
              max_err);

  const auto t0 = std::chrono::steady_clock::now();
  PairStats st;
  Accumulate(faces, mx, threads, st);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("   all pairs scored in %.1f s (%d threads)\n", sec, threads);

  json out{{"photos", members.size()},    {"with_face", faces.size()},
           {"without_face", no_face},     {"quality_passed", passed},
           {"people", person_ids.size()}, {"fused_mean_identity_max_error", max_err}};
  json sets = json::object();
  for (int s = 0; s < kSets; ++s) {
    json per = json::object();
    for (int u : subsets) {
      std::printf("\n-- %s, %s: %s\n", name, kSetNames[s], kSubsetHelp[u]);
      per[kSubsetNames[u]] = Summarise(st.d[s][u], true);
    }
    sets[kSetKeys[s]] = per;
  }
  out["sets"] = sets;

  // The highest-scoring impostor pairs, best fused score first.
  auto& high = st.high_impostors;
  std::sort(high.begin(), high.end(),
            [](const ListedPair& x, const ListedPair& y) { return x.score[3] > y.score[3]; });
  std::printf(
      "\n   impostor pairs scoring >= %.2f in some set (%zu); fr_feature/1, /2, reid, fused:\n",
      kListImpostorsAbove, high.size());
  json listed = json::array();
  for (const ListedPair& lp : high) {
    const Photo& a = photos[faces[lp.i].photo];
    const Photo& b = photos[faces[lp.j].photo];
    const std::string pa =
        fs::path(a.path).lexically_relative(fs::path(a.path).parent_path().parent_path()).string();
    const std::string pb =
        fs::path(b.path).lexically_relative(fs::path(b.path).parent_path().parent_path()).string();
    std::printf("     %.3f %.3f %.3f %.3f  %s  %s\n", lp.score[0], lp.score[1], lp.score[2],
                lp.score[3], pa.c_str(), pb.c_str());
    json scores = json::object();
    for (int s = 0; s < kSets; ++s) scores[kSetKeys[s]] = lp.score[s];
    listed.push_back({{"a", a.path}, {"b", b.path}, {"scores", scores}});
  }
  out["high_impostor_pairs"] = listed;

  json r1 = json::object();
  for (int u : subsets) {
    if (u == 3) continue;  // distractors have no probes
    r1[kSubsetNames[u]] = Rank1(faces, photos, mx, uint8_t(1u << u));
    const json& r = r1[kSubsetNames[u]];
    if (!r.contains("rank1")) continue;
    std::printf("\n   rank-1, %s (gallery %d, probes %d):", kSubsetNames[u], int(r["gallery"]),
                int(r["probes"]));
    for (int s = 0; s < kSets; ++s) {
      std::printf("  %s %.4f", kSetKeys[s], double(r["rank1"][kSetKeys[s]]["rate"]));
    }
    std::printf("\n");
  }
  out["rank1"] = r1;
  std::printf("\n   card templates against live captures (the 1:1 card check):\n");
  out["card"] = Cards(faces, photos, v1, fused, mx, threads, subsets);
  return out;
}

std::string Arg(int argc, char** argv, const char* name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::printf(
          "usage: %s [--models DIR] [--scale DIR] [--dev DIR] [--cache DIR] "
          "[--threads N] [--timing N] [--json FILE]\n",
          argv[0]);
      return 0;
    }
  }
  const std::string models = Arg(argc, argv, "--models", puente::biometrics::ModelsDir());
  const std::string scale_dir = Arg(argc, argv, "--scale", "../shared/faces/scale");
  const std::string dev_dir = Arg(argc, argv, "--dev", "../shared/faces/dev");
  const fs::path cache_dir = Arg(argc, argv, "--cache", "var/cache/face_scores");
  const int threads = std::max(1, std::atoi(Arg(argc, argv, "--threads", "2").c_str()));
  const int timing = std::atoi(Arg(argc, argv, "--timing", "200").c_str());
  const std::string json_file = Arg(argc, argv, "--json", "");

  std::vector<Photo> photos;
  if (!ReadScale(scale_dir, photos)) return 1;
  const size_t n_scale = photos.size();
  if (!ReadDev(dev_dir, photos)) return 1;
  for (Photo& p : photos) p.path = fs::absolute(p.path).lexically_normal().string();

  // The fused set first: it is the default, and makes three of the four sets.
  const std::vector<TemplateSet> capture_sets = {TemplateSet::kFused, TemplateSet::kFrFeatureV1};
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  std::vector<std::unique_ptr<Cache>> caches;
  std::vector<Cache*> cache_ptrs;
  json cache_files = json::array();
  for (TemplateSet set : capture_sets) {
    CaptureOptions o;
    std::string tag(InfoOf(set).name);
    for (char& c : tag) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    const fs::path file = cache_dir / (tag + "-" + CacheKey(set, o) + ".bin");
    caches.push_back(std::make_unique<Cache>(file));
    caches.back()->Load();
    cache_ptrs.push_back(caches.back().get());
    cache_files.push_back(file.string());
  }
  const auto t0 = std::chrono::steady_clock::now();
  if (!Embed(models, photos, capture_sets, cache_ptrs, threads)) return 1;
  std::printf("vectors ready in %.1f s (caches: %s, %s)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              cache_files[0].get<std::string>().c_str(), cache_files[1].get<std::string>().c_str());

  // Capture cost as recorded when the vectors were made (2 workers).
  json cost = json::object();
  for (size_t s = 0; s < capture_sets.size(); ++s) {
    std::vector<float> ms;
    for (const Photo& p : photos) {
      const auto* e = cache_ptrs[s]->Find(p.path);
      if (e) ms.push_back(e->ms);
    }
    std::sort(ms.begin(), ms.end());
    cost[std::string(InfoOf(capture_sets[s]).name)] = {{"photos", ms.size()},
                                                       {"median_ms", ms[ms.size() / 2]}};
  }
  json timed = Timing(models, photos, capture_sets, timing);
  std::printf("per-photo capture (decode, detect, quality, align, embed), median:\n");
  for (auto& [set, v] : cost.items()) {
    std::printf("  %-24s %.1f ms while the vectors were made (%d workers)", set.c_str(),
                double(v["median_ms"]), threads);
    if (timed.contains(set)) {
      std::printf("; %.1f ms (p90 %.1f) on %d photos, one thread", double(timed[set]["median_ms"]),
                  double(timed[set]["p90_ms"]), int(timed[set]["photos"]));
    }
    std::printf("\n");
  }

  std::vector<size_t> scale(n_scale), dev(photos.size() - n_scale);
  for (size_t i = 0; i < n_scale; ++i) scale[i] = i;
  for (size_t i = n_scale; i < photos.size(); ++i) dev[i - n_scale] = i;
  json out{{"command",
            [&] {
              std::string c;
              for (int i = 0; i < argc; ++i) c += (i ? " " : "") + std::string(argv[i]);
              return c;
            }()},
           {"cache_files", cache_files},
           {"capture_cost_while_embedding", cost},
           {"capture_cost_one_thread", timed}};
  out["scale"] =
      Study("scale set", photos, scale, *caches[1], *caches[0], threads, {0, 1, 2, 3, 4});
  out["dev"] = Study("dev set", photos, dev, *caches[1], *caches[0], threads, {0, 2});
  if (!json_file.empty()) {
    std::ofstream f(json_file);
    f << out.dump(1) << "\n";
    std::printf("\nwrote %s\n", json_file.c_str());
  }
  return 0;
}
