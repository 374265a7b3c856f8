#include "puente/biometrics/gallery.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "src/dot_kernels.h"

namespace puente::biometrics {
namespace {

std::vector<float> RandomUnitVectors(size_t n, int dim, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * dim);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) {
      v[i * dim + d] = g(rng);
      norm += double(v[i * dim + d]) * v[i * dim + d];
    }
    for (int d = 0; d < dim; ++d) v[i * dim + d] = float(v[i * dim + d] / std::sqrt(norm));
  }
  return v;
}

std::vector<std::string> Ids(size_t n, const std::string& prefix = "s") {
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(prefix + std::to_string(i));
  return ids;
}

// Exact float top-k over the given (id, vector) rows.
std::vector<std::string> BruteForce(const std::vector<std::string>& ids,
                                    const std::vector<float>& rows, int dim,
                                    std::span<const float> probe, int k) {
  std::vector<std::pair<double, std::string>> scores;
  for (size_t i = 0; i < ids.size(); ++i) {
    double s = 0;
    for (int d = 0; d < dim; ++d) s += double(probe[d]) * rows[i * dim + d];
    scores.emplace_back(s, ids[i]);
  }
  std::sort(scores.begin(), scores.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (int i = 0; i < k && i < int(scores.size()); ++i) out.push_back(scores[i].second);
  return out;
}

std::vector<std::string> IdsOf(const std::vector<Match>& m) {
  std::vector<std::string> out;
  for (const auto& x : m) out.push_back(x.subject_id);
  return out;
}

class GalleryExactnessTest : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(GalleryExactnessTest, TopTenEqualsBruteForceFloat) {
  const auto [dim, parallel] = GetParam();
  const size_t n = 60000;
  const auto rows = RandomUnitVectors(n, dim, 7);
  const auto ids = Ids(n);
  GalleryOptions opt;
  opt.parallel_threshold = parallel ? 1000 : 1u << 30;
  FaceGallery gallery("m", 1, dim, opt);
  ASSERT_TRUE(gallery.AddBatch(ids, rows).ok());
  const auto probes = RandomUnitVectors(20, dim, 99);
  for (int p = 0; p < 20; ++p) {
    std::span<const float> probe(probes.data() + p * dim, dim);
    const auto got = gallery.SearchVector(probe, 10);
    EXPECT_EQ(IdsOf(got), BruteForce(ids, rows, dim, probe, 10)) << "probe " << p;
    for (size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i - 1].score, got[i].score);
  }
}

INSTANTIATE_TEST_SUITE_P(Dims, GalleryExactnessTest,
                         ::testing::Combine(::testing::Values(128, 512), ::testing::Bool()));

TEST(GalleryTest, Int8OnlyModeIsExactAgainstStoredInt8Templates) {
  const int dim = 512;
  const size_t n = 5000;
  const auto rows = RandomUnitVectors(n, dim, 3);
  GalleryOptions opt;
  opt.keep_float = false;
  FaceGallery gallery("m", 1, dim, opt);
  gallery.Reserve(n);  // as the enrollment service does before loading
  EXPECT_EQ(gallery.size(), 0u);
  std::vector<float> stored;  // the dequantised int8 templates, renormalised
  for (size_t i = 0; i < n; ++i) {
    auto t = FaceTemplate::FromFeature("m", 1, std::span<const float>(rows.data() + i * dim, dim));
    const FaceTemplate q = t->ToInt8();
    ASSERT_TRUE(gallery.Upsert("s" + std::to_string(i), q).ok());
    auto f = q.ToFloat();
    double norm = 0;
    for (float x : f) norm += double(x) * x;
    for (float x : f) stored.push_back(float(x / std::sqrt(norm)));
  }
  EXPECT_EQ(gallery.BytesPerTemplate(), 512u + 16u);
  const auto probes = RandomUnitVectors(10, dim, 5);
  for (int p = 0; p < 10; ++p) {
    std::span<const float> probe(probes.data() + p * dim, dim);
    EXPECT_EQ(IdsOf(gallery.SearchVector(probe, 10)), BruteForce(Ids(n), stored, dim, probe, 10));
  }
}

TEST(GalleryTest, RemoveAndReplaceKeepSearchExact) {
  const int dim = 128;
  const size_t n = 3000;
  auto rows = RandomUnitVectors(n, dim, 11);
  auto ids = Ids(n);
  FaceGallery gallery("m", 1, dim);
  ASSERT_TRUE(gallery.AddBatch(ids, rows).ok());
  const auto fresh = RandomUnitVectors(n, dim, 12);
  std::vector<std::string> live_ids;
  std::vector<float> live_rows;
  for (size_t i = 0; i < n; ++i) {
    if (i % 3 == 0) {
      ASSERT_TRUE(gallery.Remove(ids[i]));
      continue;
    }
    std::span<const float> v(rows.data() + i * dim, dim);
    if (i % 3 == 1) {  // replace
      v = std::span<const float>(fresh.data() + i * dim, dim);
      ASSERT_TRUE(gallery.Upsert(ids[i], *FaceTemplate::FromFeature("m", 1, v)).ok());
    }
    live_ids.push_back(ids[i]);
    live_rows.insert(live_rows.end(), v.begin(), v.end());
  }
  EXPECT_FALSE(gallery.Remove(ids[0]));
  EXPECT_EQ(gallery.size(), live_ids.size());
  const auto probes = RandomUnitVectors(10, dim, 13);
  for (int p = 0; p < 10; ++p) {
    std::span<const float> probe(probes.data() + p * dim, dim);
    EXPECT_EQ(IdsOf(gallery.SearchVector(probe, 10)),
              BruteForce(live_ids, live_rows, dim, probe, 10));
  }
  // A replaced subject is found by its new vector, not its old one.
  const size_t i = 4;  // i % 3 == 1
  auto hit = gallery.SearchVector(std::span<const float>(fresh.data() + i * dim, dim), 1);
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0].subject_id, ids[i]);
  EXPECT_NEAR(hit[0].score, 1.0, 1e-5);
}

TEST(GalleryTest, RefusesTemplatesOfAnotherModel) {
  FaceGallery gallery("fr_feature", 1, 8);
  auto v = RandomUnitVectors(1, 8, 1);
  EXPECT_EQ(gallery.Upsert("a", *FaceTemplate::FromFeature("sface_2021dec", 1, v)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(gallery.Search(*FaceTemplate::FromFeature("fr_feature", 2, v), 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(GalleryTest, ConcurrentSearchesAndWritesStayConsistent) {
  const int dim = 128;
  const size_t n = 40000;
  auto rows = RandomUnitVectors(n, dim, 21);
  GalleryOptions opt;
  opt.parallel_threshold = 10000;
  FaceGallery gallery("m", 1, dim, opt);
  ASSERT_TRUE(gallery.AddBatch(Ids(n), rows).ok());
  const auto extra = RandomUnitVectors(500, dim, 22);
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0}, wrong{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 3; ++t) {
    searchers.emplace_back([&, t] {
      while (!stop) {
        // Probe with a stored vector: it must come back first with score 1.
        const size_t i = (searches.fetch_add(1) * 7919 + t) % 1000;
        auto r = gallery.SearchVector(std::span<const float>(rows.data() + i * dim, dim), 3);
        if (r.empty() || r[0].subject_id != "s" + std::to_string(i) || r[0].score < 0.9999f)
          ++wrong;
      }
    });
  }
  for (int i = 0; i < 500; ++i) {  // writer: add, replace and remove others
    auto t = FaceTemplate::FromFeature("m", 1, std::span<const float>(extra.data() + i * dim, dim));
    ASSERT_TRUE(gallery.Upsert("x" + std::to_string(i), *t).ok());
    if (i % 2 == 0) gallery.Remove("x" + std::to_string(i));
  }
  stop = true;
  for (auto& s : searchers) s.join();
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(gallery.size(), n + 250);
}

TEST(GalleryTest, PairsAboveMatchesBruteForce) {
  const int dim = 64;
  const size_t n = 1500;
  auto rows = RandomUnitVectors(n, dim, 31);
  // Plant near-duplicates: rows 2k+1 close to rows 2k for k < 20.
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0, 0.05f);
  for (size_t k = 0; k < 20; ++k) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) {
      rows[(2 * k + 1) * dim + d] = rows[2 * k * dim + d] + g(rng);
      norm += double(rows[(2 * k + 1) * dim + d]) * rows[(2 * k + 1) * dim + d];
    }
    for (int d = 0; d < dim; ++d) rows[(2 * k + 1) * dim + d] /= float(std::sqrt(norm));
  }
  FaceGallery gallery("m", 1, dim);
  ASSERT_TRUE(gallery.AddBatch(Ids(n), rows).ok());
  const float threshold = 0.45f;
  size_t expected = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      double s = 0;
      for (int d = 0; d < dim; ++d) s += double(rows[i * dim + d]) * rows[j * dim + d];
      if (s >= threshold) ++expected;
    }
  }
  const auto pairs = gallery.PairsAbove(threshold);
  EXPECT_GE(expected, 20u);
  EXPECT_EQ(pairs.size(), expected);
  for (const auto& p : pairs) EXPECT_GE(p.score, threshold);
}

TEST(DotKernelTest, EveryAvailableKernelAgreesWithScalar) {
  const size_t dim = 512, n = 37;
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> u(-127, 127);
  std::vector<int8_t> rows(n * dim), probe(dim);
  std::vector<int32_t> sums(n, 0);
  for (size_t i = 0; i < n * dim; ++i) {
    rows[i] = static_cast<int8_t>(u(rng));
    sums[i / dim] += rows[i];
  }
  for (auto& p : probe) p = static_cast<int8_t>(u(rng));
  // Extremes: all +127 / -127 must not saturate.
  std::fill(rows.begin(), rows.begin() + dim, 127);
  sums[0] = 127 * int(dim);
  std::vector<uint8_t> abs_q(dim), off_q(dim);
  for (size_t i = 0; i < dim; ++i) {
    abs_q[i] = uint8_t(std::abs(probe[i]));
    off_q[i] = uint8_t(probe[i] + 128);
  }
  const internal::PreparedProbe p{probe.data(), abs_q.data(), off_q.data()};
  std::vector<int32_t> want(n), got(n);
  internal::ScalarKernel().dot_batch(p, rows.data(), sums.data(), n, dim, want.data());
  int tested = 0;
  for (const internal::Kernel* k : {internal::Avx2Kernel(), internal::Avx512VnniKernel()}) {
    if (k == nullptr) continue;
    ++tested;
    k->dot_batch(p, rows.data(), sums.data(), n, dim, got.data());
    EXPECT_EQ(got, want) << k->name;
  }
  RecordProperty("simd_kernels_tested", tested);
  EXPECT_FALSE(FaceGallery::KernelName().empty());
}

}  // namespace
}  // namespace puente::biometrics
