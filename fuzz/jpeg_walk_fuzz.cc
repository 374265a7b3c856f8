// The JPEG pre-parser (biometrics/src/jpeg.h: WalkJpeg) alone, before any
// decoding: the marker walk, the scan headers and entropy data, and the
// progression checks that refuse scan bombs. Fast, so it reaches deeper into
// the structure than image_capture_fuzz, which decodes.
//
// Checks what must hold whatever the input: no crash, and a layout that
// passes stays within the limits it was walked with.
#include <cstdint>
#include <string_view>

#include "puente/biometrics/image.h"
#include "src/jpeg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente::biometrics;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ImageLimits limits;
  limits.max_scans = 16;  // small limits: the fuzzer reaches them
  limits.max_scan_samples = 50'000'000;
  auto layout = internal::WalkJpeg(bytes, limits);
  if (!layout.ok()) return 0;
  if (layout->width <= 0 || layout->height <= 0) __builtin_trap();
  if (layout->components <= 0 || layout->components > 4) __builtin_trap();
  if (layout->scans <= 0 || layout->scans > limits.max_scans) __builtin_trap();
  if (layout->scan_samples > limits.max_scan_samples) __builtin_trap();
  if (layout->orientation < 1 || layout->orientation > 8) __builtin_trap();
  return 0;
}
