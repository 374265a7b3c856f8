// Private: int8 dot-product kernels with run-time CPU dispatch.
#ifndef PUENTE_BIOMETRICS_SRC_DOT_KERNELS_H_
#define PUENTE_BIOMETRICS_SRC_DOT_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace puente::biometrics::internal {

// The probe in the forms the kernels want, built once per search.
struct PreparedProbe {
  const int8_t* q;       // signed values, dim_padded
  const uint8_t* abs_q;  // |q|, for the AVX2 sign trick
  const uint8_t* off_q;  // q + 128, for AVX-512 VNNI (u8 x s8)
};

// out[r] = sum_j probe[j] * rows[r * dim_padded + j] for r in [0, n).
// dim_padded is a multiple of 64; padding bytes are zero. `row_sums[r]` is
// the sum of row r's values (used by the VNNI kernel's offset trick).
using DotBatchFn = void (*)(const PreparedProbe& probe, const int8_t* rows, const int32_t* row_sums,
                            size_t n, size_t dim_padded, int32_t* out);

struct Kernel {
  std::string_view name;  // "avx512_vnni", "avx2", "scalar"
  DotBatchFn dot_batch;
};

// The best kernel this CPU supports; $PUENTE_SIMD (scalar, avx2, avx512_vnni)
// caps the choice, for testing each kernel on one machine.
const Kernel& BestKernel();
const Kernel& ScalarKernel();
// nullptr when the CPU lacks the instructions.
const Kernel* Avx2Kernel();
const Kernel* Avx512VnniKernel();

}  // namespace puente::biometrics::internal

#endif  // PUENTE_BIOMETRICS_SRC_DOT_KERNELS_H_
