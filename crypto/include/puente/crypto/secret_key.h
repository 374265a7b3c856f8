// Symmetric secret keys that do not leak by accident.
//
// A SecretKey holds 32 random bytes (AES-256 / HMAC-SHA-256 strength). Its
// bytes can only be read or set with an InsecureSecretKeyAccess token, so every
// place that handles raw key material is greppable (the idea of tink's
// SecretKeyAccessToken). The bytes are wiped when the key is destroyed.
// SecretKey is copyable and immutable, hence safe to share between threads.
#ifndef PUENTE_CRYPTO_SECRET_KEY_H_
#define PUENTE_CRYPTO_SECRET_KEY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::crypto {

// Raw bytes. A std::string so that it interoperates with SOCI and JSON, but
// its content is binary.
using Bytes = std::string;

class InsecureSecretKeyAccess {
 public:
  // The only way to obtain a token. Calls are reviewed: they mark the code
  // that touches raw key material (key files, wrapping).
  static InsecureSecretKeyAccess Get() { return InsecureSecretKeyAccess(); }

 private:
  InsecureSecretKeyAccess() = default;
};

// Overwrites `bytes` with zeros in a way the compiler keeps
// (OPENSSL_cleanse), for key material held briefly in a Bytes.
void Wipe(Bytes& bytes);

class SecretKey {
 public:
  static constexpr size_t kSize = 32;

  // A fresh key from the OpenSSL CSPRNG. Internal error if the RNG fails.
  static absl::StatusOr<SecretKey> Generate();
  // InvalidArgument unless `bytes` is exactly kSize bytes long.
  static absl::StatusOr<SecretKey> FromBytes(std::string_view bytes, InsecureSecretKeyAccess);

  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  SecretKey(SecretKey&&) = default;
  SecretKey& operator=(SecretKey&&) = default;
  ~SecretKey();

  std::string_view bytes(InsecureSecretKeyAccess) const { return bytes_; }

 private:
  explicit SecretKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_SECRET_KEY_H_
