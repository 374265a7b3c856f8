// Authenticated encryption: AES-256-GCM through OpenSSL EVP.
//
// Sealed format: nonce (12 random bytes) || ciphertext || tag (16 bytes).
// The associated data binds a ciphertext to its context (table, column,
// record id), so a ciphertext copied elsewhere fails to open. Thread-safe.
#ifndef PUENTE_CRYPTO_AEAD_H_
#define PUENTE_CRYPTO_AEAD_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/secret_key.h"

namespace puente::crypto {

class Aead {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNonceSize + kTagSize;

  explicit Aead(SecretKey key) : key_(std::move(key)) {}

  // Internal error only if OpenSSL fails.
  absl::StatusOr<Bytes> Seal(std::string_view plaintext, std::string_view aad) const;
  // InvalidArgument("decryption failed") for any wrong key, wrong aad,
  // truncated or altered input: one message, no oracle.
  absl::StatusOr<Bytes> Open(std::string_view sealed, std::string_view aad) const;

 private:
  SecretKey key_;
};

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_AEAD_H_
