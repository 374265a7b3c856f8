// 1:N gallery benchmark: puente's exact int8 gallery against FAISS
// IndexFlatIP (Debian's libfaiss, benchmark only) and the memory-bandwidth
// limit, in one run, on random unit vectors.
//
//   build/bench/gallery_bench [--n 1000000] [--dim 512] [--queries 30]
//                             [--pairs-n 100000] [--pairs-threshold T] [--no-pairs]
// Prints one line per figure and a JSON summary at the end.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "puente/biometrics/gallery.h"

#ifdef PUENTE_HAVE_FAISS
#include <faiss/IndexFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;
using puente::biometrics::FaceGallery;
using puente::biometrics::GalleryOptions;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<float> RandomUnit(size_t n, int dim, unsigned seed) {
  std::vector<float> v(n * dim);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 1000003ull + t);
      std::normal_distribution<float> g;
      for (size_t i = t; i < n; i += threads) {
        float* row = v.data() + i * dim;
        double norm = 0;
        for (int d = 0; d < dim; ++d) {
          row[d] = g(rng);
          norm += double(row[d]) * row[d];
        }
        const float inv = float(1 / std::sqrt(norm));
        for (int d = 0; d < dim; ++d) row[d] *= inv;
      }
    });
  }
  for (auto& t : pool) t.join();
  return v;
}

// Sustained read bandwidth with all cores: GB/s over a 1 GiB buffer.
double ReadBandwidthGBs() {
  const size_t bytes = size_t(1) << 30;
  std::vector<uint64_t> buf(bytes / 8, 1);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    std::vector<uint64_t> sums(threads);
    auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const size_t per = buf.size() / threads;
        const uint64_t* p = buf.data() + t * per;
        uint64_t a = 0, b = 0, c = 0, d = 0;
        for (size_t i = 0; i + 4 <= per; i += 4) {
          a += p[i];
          b += p[i + 1];
          c += p[i + 2];
          d += p[i + 3];
        }
        sums[t] = a + b + c + d;
      });
    }
    for (auto& t : pool) t.join();
    const double s = Ms(t0, Clock::now()) / 1000;
    best = std::max(best, bytes / s / 1e9);
    if (sums[0] == 42) std::puts("");
  }
  return best;
}

struct Args {
  size_t n = 1'000'000;
  int dim = 512;
  int queries = 30;
  size_t pairs_n = 100'000;
  float pairs_threshold = 0;  // default 5.7 / sqrt(dim): a handful of random pairs
  bool pairs = true;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (k == "--n")
      a.n = std::stoull(next());
    else if (k == "--dim")
      a.dim = std::stoi(next());
    else if (k == "--queries")
      a.queries = std::stoi(next());
    else if (k == "--pairs-n")
      a.pairs_n = std::stoull(next());
    else if (k == "--pairs-threshold")
      a.pairs_threshold = std::stof(next());
    else if (k == "--no-pairs")
      a.pairs = false;
  }
  if (a.pairs_threshold == 0) a.pairs_threshold = 5.7f / std::sqrt(float(a.dim));
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  const int dim = args.dim, k = 10;
  std::printf("gallery bench: n=%zu dim=%d queries=%d k=%d kernel=%s cores=%u\n", args.n, dim,
              args.queries, k, std::string(FaceGallery::KernelName()).c_str(),
              std::thread::hardware_concurrency());
  const double bw = ReadBandwidthGBs();
  std::printf("read bandwidth (all cores): %.1f GB/s\n", bw);

  auto t0 = Clock::now();
  const std::vector<float> data = RandomUnit(args.n, dim, 1);
  const std::vector<float> queries = RandomUnit(args.queries, dim, 2);
  std::vector<std::string> ids(args.n);
  for (size_t i = 0; i < args.n; ++i) ids[i] = std::to_string(i);
  std::printf("generated in %.1f s\n", Ms(t0, Clock::now()) / 1000);

  std::string json = "{";
  auto add = [&json](const std::string& key, double v) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\": %.6g", json.size() > 1 ? ", " : "", key.c_str(), v);
    json += buf;
  };
  add("n", double(args.n));
  add("dim", dim);
  add("bandwidth_gbs", bw);

  // Exact float reference for recall: FAISS FlatIP when available, else a
  // brute-force scan here.
  std::vector<std::vector<int64_t>> truth(args.queries);
#ifdef PUENTE_HAVE_FAISS
  faiss::IndexFlatIP flat(dim);
  flat.add(args.n, data.data());
  std::vector<double> faiss_ms;
  for (int q = 0; q < args.queries; ++q) {
    std::vector<float> dist(k);
    std::vector<faiss::Index::idx_t> lab(k);
    auto a = Clock::now();
    flat.search(1, queries.data() + size_t(q) * dim, k, dist.data(), lab.data());
    faiss_ms.push_back(Ms(a, Clock::now()));
    truth[q].assign(lab.begin(), lab.end());
  }
  const double faiss_median = Median(faiss_ms);
  std::printf("FAISS IndexFlatIP single-probe top-%d: median %.2f ms (omp threads %d)\n", k,
              faiss_median, omp_get_max_threads());
  add("faiss_flatip_ms", faiss_median);
#else
  for (int q = 0; q < args.queries; ++q) {
    std::vector<std::pair<float, int64_t>> s(args.n);
    for (size_t i = 0; i < args.n; ++i) {
      double acc = 0;
      for (int d = 0; d < dim; ++d) acc += double(queries[size_t(q) * dim + d]) * data[i * dim + d];
      s[i] = {float(acc), int64_t(i)};
    }
    std::partial_sort(s.begin(), s.begin() + k, s.end(), std::greater<>());
    for (int i = 0; i < k; ++i) truth[q].push_back(s[i].second);
  }
  std::printf("FAISS not built in: recall against a brute-force float scan\n");
#endif

  for (bool keep_float : {true, false}) {
    GalleryOptions opt;
    opt.keep_float = keep_float;
    FaceGallery gallery("bench", 1, dim, opt);
    auto a = Clock::now();
    if (!gallery.AddBatch(ids, data).ok()) return 1;
    const double load_s = Ms(a, Clock::now()) / 1000;
    std::vector<double> ms;
    size_t hits = 0;
    for (int rep = 0; rep < 2; ++rep) {
      for (int q = 0; q < args.queries; ++q) {
        auto b = Clock::now();
        auto top =
            gallery.SearchVector(std::span<const float>(queries.data() + size_t(q) * dim, dim), k);
        ms.push_back(Ms(b, Clock::now()));
        if (rep == 0) {
          for (const auto& m : top) {
            hits += std::count(truth[q].begin(), truth[q].end(), std::stoll(m.subject_id));
          }
        }
      }
    }
    const double med = Median(ms);
    const double scanned = double(args.n) * ((dim + 63) / 64 * 64 + 16);
    const double limit_ms = scanned / (bw * 1e9) * 1000;
    const double recall = double(hits) / (double(args.queries) * k);
    const std::string mode = keep_float ? "int8+float" : "int8-only";
    std::printf(
        "puente %s: load %.1f s, %zu B/template, single-probe top-%d median %.2f ms, "
        "bandwidth limit %.2f ms (%.2fx), recall@%d vs float %.4f\n",
        mode.c_str(), load_s, gallery.BytesPerTemplate(), k, med, limit_ms, med / limit_ms, k,
        recall);
    const std::string p = keep_float ? "float_" : "int8_";
    add(p + "bytes_per_template", double(gallery.BytesPerTemplate()));
    add(p + "search_ms", med);
    add(p + "bandwidth_limit_ms", limit_ms);
    add(p + "recall_at_10", recall);
#ifdef PUENTE_HAVE_FAISS
    std::printf("  speed-up over FAISS FlatIP: %.1fx\n", faiss_median / med);
    add(p + "speedup_vs_faiss", faiss_median / med);
#endif
  }

  if (args.pairs) {
    const size_t m = std::min(args.pairs_n, args.n);
    FaceGallery gallery("bench", 1, dim);
    if (!gallery
             .AddBatch(std::span<const std::string>(ids.data(), m),
                       std::span<const float>(data.data(), m * dim))
             .ok()) {
      return 1;
    }
    auto a = Clock::now();
    const auto pairs = gallery.PairsAbove(args.pairs_threshold);
    const double ours_s = Ms(a, Clock::now()) / 1000;
    std::printf("all-vs-all on %zu (threshold %.2f): puente %.1f s, %zu pairs\n", m,
                args.pairs_threshold, ours_s, pairs.size());
    add("pairs_n", double(m));
    add("pairs_s", ours_s);
#ifdef PUENTE_HAVE_FAISS
    // FAISS's fastest exact all-vs-all: batched k-NN search (BLAS sgemm)
    // with k large enough to hold every pair above the threshold here.
    faiss::IndexFlatIP sub(dim);
    sub.add(m, data.data());
    const int kk = 16;
    std::vector<float> dist(m * kk);
    std::vector<faiss::Index::idx_t> lab(m * kk);
    a = Clock::now();
    sub.search(m, data.data(), kk, dist.data(), lab.data());
    const double faiss_s = Ms(a, Clock::now()) / 1000;
    size_t faiss_pairs = 0;
    for (size_t i = 0; i < m; ++i) {
      for (int j = 0; j < kk; ++j) {
        const auto other = lab[i * kk + j];
        if (other > int64_t(i) && dist[i * kk + j] >= args.pairs_threshold) ++faiss_pairs;
      }
    }
    std::printf(
        "all-vs-all on %zu: FAISS batched search (k=%d) %.1f s, %zu pairs; speed-up %.1fx\n", m, kk,
        faiss_s, faiss_pairs, faiss_s / ours_s);
    add("faiss_pairs_s", faiss_s);
    add("pairs_speedup_vs_faiss", faiss_s / ours_s);
#endif
  }
  std::printf("%s}\n", json.c_str());
  return 0;
}
