// Untrusted key material an administrator imports (`puente keys import`) and
// public key files (`puente lists trust`, puente-verify's pinned root): PEM
// SubjectPublicKeyInfo, JWK and raw hex through ImportVerifyingKey, and the
// public key file parser. The first byte picks the algorithm hint.
#include <cstdint>
#include <string>

#include "puente/credentials/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace puente;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::optional<crypto::SignatureAlgorithm> alg;
  if (data[0] % 3 == 1) alg = crypto::SignatureAlgorithm::kEd25519;
  if (data[0] % 3 == 2) alg = crypto::SignatureAlgorithm::kEs256;
  auto key = credentials::ImportVerifyingKey(text, alg);
  if (key.ok()) {
    // What was imported is a usable key of the algorithm asked for.
    if (alg && key->algorithm() != *alg) __builtin_trap();
    if (!crypto::VerifyingKey::FromRaw(key->algorithm(), key->raw()).ok()) __builtin_trap();
  }
  auto file = credentials::ParsePublicKeyFile(text);
  if (file.ok()) {
    // A file that parses survives its own round trip.
    auto again = credentials::ParsePublicKeyFile(credentials::PublicKeyFileJson(*file));
    if (!again.ok() || again->kid != file->kid || again->not_before != file->not_before) {
      __builtin_trap();
    }
  }
  return 0;
}
