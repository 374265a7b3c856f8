// HMAC-SHA-256 and SHA-256 through OpenSSL EVP. Thread-safe.
#ifndef PUENTE_CRYPTO_MAC_H_
#define PUENTE_CRYPTO_MAC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/secret_key.h"

namespace puente::crypto {

class Hmac {
 public:
  static constexpr size_t kTagSize = 32;
  explicit Hmac(SecretKey key) : key_(std::move(key)) {}
  // 32-byte tag. Internal error only if OpenSSL fails.
  absl::StatusOr<Bytes> Compute(std::string_view data) const;
  // Constant-time comparison of Compute(data) with `tag`.
  bool Verify(std::string_view data, std::string_view tag) const;

 private:
  SecretKey key_;
};

// 32-byte SHA-256 digest.
Bytes Sha256(std::string_view data);
// Lower-case hex SHA-256 of a file's content, streamed. NotFound if the file
// cannot be opened.
absl::StatusOr<std::string> Sha256FileHex(const std::string& path);

// HKDF-SHA-256 (RFC 5869) deriving `length` bytes.
absl::StatusOr<Bytes> HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                 size_t length);

// Cryptographically secure random bytes. Internal error if the RNG fails.
absl::StatusOr<Bytes> RandomBytes(size_t n);

// Constant-time equality for secrets and tags.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_MAC_H_
