// Untrusted photo bytes through decoding and the full capture pipeline.
#include <cstdint>
#include <memory>
#include <string_view>

#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/image.h"
#include "puente/biometrics/models.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente::biometrics;
  static std::unique_ptr<FaceCapture> capture = [] {
    auto c = FaceCapture::Create(ModelsDir(PUENTE_DEFAULT_MODELS_DIR));
    return c.ok() ? std::move(*c) : nullptr;  // decoding is fuzzed even without models
  }();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ImageLimits limits;
  limits.max_pixels = 4'000'000;  // keep each run fast
  auto img = DecodeImage(bytes, limits);
  if (img.ok() && capture) {
    auto c = capture->Analyze(*img);
    (void)c;
  }
  return 0;
}
