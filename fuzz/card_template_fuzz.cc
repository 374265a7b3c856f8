// Card face templates (from a card's sealed section) through the strict parser.
#include <cstdint>
#include <string_view>

#include "puente/biometrics/card_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente::biometrics;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto t = CardTemplate::Parse(bytes);
  if (t.ok() && t->Serialize() != bytes) __builtin_trap();  // parsing is one-to-one
  return 0;
}
