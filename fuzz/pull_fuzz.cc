// Pull messages between a field kit and the centre: the centre parses a
// kit's request before it knows whose it is, and the kit parses the centre's
// answer and the opened regional snapshot. Each parser must refuse anything
// malformed without crashing. The first byte picks the parser.
#include <cstdint>
#include <string_view>

#include "puente/registry/regional.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto r = puente::registry::ParsePullRequest(text);
      if (r.ok() && !r->body.contains("kit_id")) __builtin_trap();
      break;
    }
    case 1: {
      auto a = puente::registry::ParsePullAnswer(text);
      if (a.ok() && !a->body["centre_time"].is_number_integer()) __builtin_trap();
      break;
    }
    default: {
      auto d = puente::registry::ParseRegionalDelta(text);
      // Every withdrawn number and person came from the input.
      if (d.ok() && d->people.size() + d->removed.size() > text.size()) __builtin_trap();
      break;
    }
  }
  return 0;
}
