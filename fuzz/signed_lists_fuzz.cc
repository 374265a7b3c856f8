// Trust and revocation list parsing. The first byte chooses: raw bytes as a
// downloaded list file (shape, signature), or the rest signed as a COSE_Sign1
// payload by the root first, so the fuzzer reaches the payload parsers
// behind the signature check.
#include <cstdint>
#include <string>

#include "fuzz_keys.h"
#include "puente/credentials/lists.h"
#include "src/cbor.h"
#include "src/cose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente;
  static const credentials::SigningIdentity root = fuzz::FixedIdentity('r');
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto signed_bytes = credentials::internal::SignCoseSign1(bytes, root.key(), root.kid());
    if (!signed_bytes.ok()) return 0;
    bytes = *signed_bytes;
  }
  auto trust = credentials::VerifyTrustList(bytes, root.key().verifying_key());
  auto revoked = credentials::VerifyRevocationList(bytes, root.key().verifying_key());
  if (revoked.ok()) {
    // Serials come back strictly increasing.
    for (size_t i = 1; i < revoked->revoked.size(); ++i) {
      if (revoked->revoked[i] <= revoked->revoked[i - 1]) __builtin_trap();
    }
  }
  return 0;
}
