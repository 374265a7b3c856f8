// Untrusted QR text through the Base45 decoder.
#include <cstdint>
#include <string_view>

#include "puente/credentials/base45.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente::credentials;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bytes = Base45Decode(text);
  if (bytes.ok() && Base45Encode(*bytes) != text) __builtin_trap();  // decoding is one-to-one
  return 0;
}
