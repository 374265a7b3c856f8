// Untrusted serialised face templates (cards, sync bundles).
#include <cstdint>
#include <string_view>

#include "puente/biometrics/face_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente::biometrics;
  auto t = FaceTemplate::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (t.ok()) {
    // Whatever parses must re-serialise to the same bytes and compare to itself.
    if (t->Serialize() != std::string_view(reinterpret_cast<const char*>(data), size))
      __builtin_trap();
    auto s = CosineSimilarity(*t, *t);
    if (!s.ok() || *s < 0.99f) __builtin_trap();
  }
  return 0;
}
