// The in-memory face gallery for 1:N deduplication.
//
// Holds one template per subject id (add, replace, remove), for one model.
// Search returns the exact top-k by cosine similarity: an int8 SIMD scan
// gives every row a score interval that is guaranteed to contain its true
// score (the quantisation error of probe and row is bounded per row), and
// every row whose interval could still reach the top k is re-ranked exactly
// in float. With keep_float the ranking is exact against the original float
// templates; without it (int8 only, ~0.5 KiB per 512-d template) it is exact
// against the stored int8 templates.
//
// Thread-safe: searches run concurrently with each other; Upsert and Remove
// wait for running searches and block new ones while they write.
#ifndef PUENTE_BIOMETRICS_GALLERY_H_
#define PUENTE_BIOMETRICS_GALLERY_H_

#include <cstdint>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "puente/biometrics/face_template.h"

namespace puente::biometrics {

namespace internal {
// 64-byte aligned storage: every 512-bit load of a row stays in one cache line.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};
}  // namespace internal

struct GalleryOptions {
  bool keep_float = true;             // keep float vectors for re-ranking (exact vs float)
  int threads = 0;                    // search threads; 0 = all cores
  size_t parallel_threshold = 32768;  // galleries smaller than this scan on one thread
};

struct Match {
  std::string subject_id;
  float score = 0;
  bool operator==(const Match&) const = default;
};

struct MatchPair {
  std::string a, b;  // a < b by insertion order
  float score = 0;
};

class FaceGallery {
 public:
  FaceGallery(std::string model_id, int model_version, int dimension, GalleryOptions options = {});

  // Adds or replaces the template of `subject_id`. FailedPrecondition if the
  // template is from another model/version/dimension.
  absl::Status Upsert(const std::string& subject_id, const FaceTemplate& t);
  // Adds raw unit vectors (benchmarks, bulk loads); ids must be new.
  absl::Status AddBatch(std::span<const std::string> ids, std::span<const float> unit_vectors);
  // False if the id was not there.
  bool Remove(const std::string& subject_id);
  // Makes room for `n` subjects in all, so that a bulk load does not copy the
  // gallery while it grows.
  void Reserve(size_t n);

  size_t size() const;
  int dimension() const { return static_cast<int>(dim_); }
  const std::string& model_id() const { return model_id_; }
  int model_version() const { return model_version_; }
  // Bytes held for templates, ids excluded.
  size_t TemplateBytes() const;
  size_t BytesPerTemplate() const;

  // Top `k` subjects by cosine similarity, best first.
  absl::StatusOr<std::vector<Match>> Search(const FaceTemplate& probe, int k) const;
  // The exact score of each listed subject that is in the gallery (others
  // are left out), in the order given.
  absl::StatusOr<std::vector<Match>> ScoresOf(const FaceTemplate& probe,
                                              std::span<const std::string> subject_ids) const;
  // Same as Search for a unit vector of this gallery's dimension.
  std::vector<Match> SearchVector(std::span<const float> unit_probe, int k) const;

  // Every pair of subjects whose similarity is at least `threshold`, highest
  // first; exact like Search.
  std::vector<MatchPair> PairsAbove(float threshold) const;

  // For callers that search and then add what the search did not find (an
  // enrollment's deduplication): holding this from the search until the
  // Upsert, two such callers on one gallery cannot miss each other. Searches
  // and other writers do not take it.
  std::mutex& search_then_add_mutex() const { return search_then_add_mu_; }

  // The int8 kernel in use: "avx512_vnni", "avx2" or "scalar".
  static std::string_view KernelName();

 private:
  struct Row;
  void AppendUnlocked(const std::string& id, std::span<const float> unit, const FaceTemplate* t)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteRowUnlocked(size_t slot, std::span<const float> unit, const FaceTemplate* t)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  float ExactScore(size_t slot, std::span<const float> probe) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::shared_lock<std::shared_mutex> ReadLock() const;
  std::unique_lock<std::shared_mutex> WriteLock() const;

  std::string model_id_;
  int model_version_;
  size_t dim_, dim_padded_;
  GalleryOptions options_;
  // The members above are set by the constructor and never change.
  //
  // Writers hold turnstile_ while they wait for mu_, and readers pass through
  // turnstile_ before taking mu_ shared: a stream of searches cannot starve
  // an Upsert (glibc's rwlock prefers readers). turnstile_ and
  // search_then_add_mu_ guard no data. The annotations document the locking
  // rule; gcc ignores them, and clang checks them only with mutex types that
  // are annotated as capabilities (libstdc++'s are not).
  mutable std::mutex turnstile_;
  mutable std::mutex search_then_add_mu_;
  mutable std::shared_mutex mu_;
  std::vector<int8_t, internal::CacheLineAllocator<int8_t>> codes_
      ABSL_GUARDED_BY(mu_);                             // n x dim_padded
  std::vector<int32_t> row_sums_ ABSL_GUARDED_BY(mu_);  // sum of each row's codes
  // scale (divided by the norm in int8-only mode)
  std::vector<float> mult_ ABSL_GUARDED_BY(mu_);
  std::vector<float> err_ ABSL_GUARDED_BY(mu_);     // |row - dequantised row| (0 in int8-only mode)
  std::vector<float> qnorm_ ABSL_GUARDED_BY(mu_);   // |dequantised row| (1 in int8-only mode)
  std::vector<float> floats_ ABSL_GUARDED_BY(mu_);  // n x dim, keep_float only
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, uint32_t> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_GALLERY_H_
