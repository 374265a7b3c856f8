// Password hashing with scrypt (memory-hard) through OpenSSL's EVP_KDF.
// Debian 12's OpenSSL 3.0 has no Argon2 (it arrived in 3.2). And PBKDF2, for
// files a browser must open: WebCrypto has PBKDF2 but no scrypt.
//
// Stored form: "scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>", 16-byte salt,
// 32-byte hash. Thread-safe.
#ifndef PUENTE_CRYPTO_PASSWORD_H_
#define PUENTE_CRYPTO_PASSWORD_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/secret_key.h"

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

// PBKDF2-HMAC-SHA256 (RFC 8018) bounds: OWASP's 2023 figure is the least,
// the most keeps a hostile file from making a phone work for hours.
inline constexpr int kMinPbkdf2Iterations = 600'000;
inline constexpr int kMaxPbkdf2Iterations = 10'000'000;

// A 32-byte key from `passphrase` by PBKDF2-HMAC-SHA256 (OpenSSL's
// PKCS5_PBKDF2_HMAC), as WebCrypto's deriveKey({name: "PBKDF2", hash:
// "SHA-256"}) makes it. Not for stored password hashes (HashPassword is).
// InvalidArgument for iterations outside [kMinPbkdf2Iterations,
// kMaxPbkdf2Iterations] or a salt shorter than 16 bytes.
absl::StatusOr<SecretKey> DeriveKeyPbkdf2Sha256(std::string_view passphrase, std::string_view salt,
                                                int iterations);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_PASSWORD_H_
