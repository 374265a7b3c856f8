// Password hashing with scrypt (memory-hard) through OpenSSL's EVP_KDF.
// Debian 12's OpenSSL 3.0 has no Argon2 (it arrived in 3.2).
//
// Stored form: "scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>", 16-byte salt,
// 32-byte hash. Thread-safe.
#ifndef PUENTE_CRYPTO_PASSWORD_H_
#define PUENTE_CRYPTO_PASSWORD_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::crypto {

struct ScryptParams {
  int log2_n = 15;  // N = 32768, r = 8: 32 MiB and ~0.1 s per hash
  int r = 8;
  int p = 1;
};

// InvalidArgument for a password shorter than 10 characters.
absl::StatusOr<std::string> HashPassword(std::string_view password, ScryptParams params = {});

// True when `password` matches `stored` (constant-time comparison); false for
// a wrong password or a malformed stored value.
bool VerifyPassword(std::string_view password, std::string_view stored);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_PASSWORD_H_
