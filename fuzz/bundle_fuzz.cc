// Sync bundles from field kits: the manifest is read before anything is
// verified (it names the kit and the chunks), and birth records are parsed
// from bundles. Both parsers must refuse anything malformed without crashing.
#include <cstdint>
#include <string_view>

#include "puente/registry/births.h"
#include "puente/registry/sync.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = puente::registry::ParseBundleManifest(text);
  if (m.ok()) {
    size_t sum = 0;
    for (const auto& c : m->chunks) sum += c.size;
    if (sum != m->total_size || m->chunks.empty()) __builtin_trap();
    // What was signed parses again to the same manifest (without signature).
    if (m->signed_text.empty()) __builtin_trap();
  }
  auto b = puente::registry::BirthRecordFromJson(text);
  if (b.ok() && puente::registry::BirthRecordFromJson(puente::registry::BirthRecordToJson(*b))
                        .status()
                        .ok() == false) {
    __builtin_trap();  // what was read can be written and read back
  }
  return 0;
}
