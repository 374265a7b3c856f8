// int8 dot products. Each SIMD kernel is compiled for its own instruction set
// with a target attribute, so the library stays portable (no -march flags)
// and picks the best one at run time.
#include "src/dot_kernels.h"

// GCC 12 warns inside its own headers: _mm512_reduce_add_epi32 uses
// _mm256_undefined_si256, whose self-initialisation trips
// -Wmaybe-uninitialized. The value is never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdlib>
#include <string>

namespace puente::biometrics::internal {
namespace {

// Rows are streamed once; prefetching this many rows ahead keeps a core at
// its sequential read bandwidth (measured: 20 -> 31 GB/s for the VNNI kernel
// on one core, docs/biometrics.md). Prefetches never fault, so running past
// the end of the array is harmless.
constexpr size_t kPrefetchRows = 16;

void DotBatchScalar(const PreparedProbe& p, const int8_t* rows, const int32_t*, size_t n,
                    size_t dim, int32_t* out) {
  for (size_t r = 0; r < n; ++r) {
    const int8_t* row = rows + r * dim;
    int32_t acc = 0;
    for (size_t j = 0; j < dim; ++j) acc += int32_t(p.q[j]) * int32_t(row[j]);
    out[r] = acc;
  }
}

__attribute__((target("avx2"))) inline int32_t HSum256(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// |p| * sign(g, p) with maddubs: products fit int16 because values are in
// [-127, 127] (2 * 127 * 127 < 32768).
__attribute__((target("avx2"))) void DotBatchAvx2(const PreparedProbe& p, const int8_t* rows,
                                                  const int32_t*, size_t n, size_t dim,
                                                  int32_t* out) {
  const __m256i ones = _mm256_set1_epi16(1);
  size_t r = 0;
  for (; r + 2 <= n; r += 2) {
    const int8_t* r0 = rows + r * dim;
    const int8_t* r1 = r0 + dim;
    for (size_t l = 0; l < 2 * dim; l += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(r0 + kPrefetchRows * dim + l), _MM_HINT_T0);
    }
    __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
    for (size_t j = 0; j < dim; j += 32) {
      const __m256i pq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.q + j));
      const __m256i pa = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.abs_q + j));
      const __m256i g0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r0 + j));
      const __m256i g1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r1 + j));
      a0 = _mm256_add_epi32(
          a0, _mm256_madd_epi16(_mm256_maddubs_epi16(pa, _mm256_sign_epi8(g0, pq)), ones));
      a1 = _mm256_add_epi32(
          a1, _mm256_madd_epi16(_mm256_maddubs_epi16(pa, _mm256_sign_epi8(g1, pq)), ones));
    }
    out[r] = HSum256(a0);
    out[r + 1] = HSum256(a1);
  }
  for (; r < n; ++r) {
    const int8_t* r0 = rows + r * dim;
    __m256i a0 = _mm256_setzero_si256();
    for (size_t j = 0; j < dim; j += 32) {
      const __m256i pq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.q + j));
      const __m256i pa = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.abs_q + j));
      const __m256i g0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r0 + j));
      a0 = _mm256_add_epi32(
          a0, _mm256_madd_epi16(_mm256_maddubs_epi16(pa, _mm256_sign_epi8(g0, pq)), ones));
    }
    out[r] = HSum256(a0);
  }
}

// dpbusd multiplies u8 by s8 without saturation: sum (p + 128) * g, then
// subtract 128 * sum(g).
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void DotBatchAvx512Vnni(
    const PreparedProbe& p, const int8_t* rows, const int32_t* row_sums, size_t n, size_t dim,
    int32_t* out) {
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const int8_t* base = rows + r * dim;
    for (size_t l = 0; l < 4 * dim; l += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(base + kPrefetchRows * dim + l), _MM_HINT_T0);
    }
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), a2 = _mm512_setzero_si512(),
            a3 = _mm512_setzero_si512();
    for (size_t j = 0; j < dim; j += 64) {
      const __m512i pu = _mm512_loadu_si512(p.off_q + j);
      a0 = _mm512_dpbusd_epi32(a0, pu, _mm512_loadu_si512(base + j));
      a1 = _mm512_dpbusd_epi32(a1, pu, _mm512_loadu_si512(base + dim + j));
      a2 = _mm512_dpbusd_epi32(a2, pu, _mm512_loadu_si512(base + 2 * dim + j));
      a3 = _mm512_dpbusd_epi32(a3, pu, _mm512_loadu_si512(base + 3 * dim + j));
    }
    // Reduce the four accumulators together: per 128-bit lane, unpack and
    // add to [a0, a1, a2, a3] partial sums, then add the four lanes.
    const __m512i x01 =
        _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
    const __m512i x23 =
        _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
    const __m512i y =
        _mm512_add_epi32(_mm512_unpacklo_epi64(x01, x23), _mm512_unpackhi_epi64(x01, x23));
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(y), _mm512_extracti64x4_epi64(y, 1));
    __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    const __m128i offset =
        _mm_slli_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row_sums + r)), 7);
    sums = _mm_sub_epi32(sums, offset);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + r), sums);
  }
  for (; r < n; ++r) {
    const int8_t* row = rows + r * dim;
    __m512i a0 = _mm512_setzero_si512();
    for (size_t j = 0; j < dim; j += 64) {
      a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(p.off_q + j), _mm512_loadu_si512(row + j));
    }
    out[r] = _mm512_reduce_add_epi32(a0) - 128 * row_sums[r];
  }
}

const Kernel kScalar{"scalar", &DotBatchScalar};
const Kernel kAvx2{"avx2", &DotBatchAvx2};
const Kernel kAvx512Vnni{"avx512_vnni", &DotBatchAvx512Vnni};

bool HasAvx2() { return __builtin_cpu_supports("avx2"); }
bool HasAvx512Vnni() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni");
}

}  // namespace

const Kernel& ScalarKernel() { return kScalar; }
const Kernel* Avx2Kernel() { return HasAvx2() ? &kAvx2 : nullptr; }
const Kernel* Avx512VnniKernel() { return HasAvx512Vnni() ? &kAvx512Vnni : nullptr; }

const Kernel& BestKernel() {
  static const Kernel* best = [] {
    const char* cap = std::getenv("PUENTE_SIMD");
    const std::string limit = cap != nullptr ? cap : "";
    if (limit == "scalar") return &kScalar;
    if (limit != "avx2" && HasAvx512Vnni()) return &kAvx512Vnni;
    if (HasAvx2()) return &kAvx2;
    return &kScalar;
  }();
  return *best;
}

}  // namespace puente::biometrics::internal
