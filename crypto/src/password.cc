#include "puente/crypto/password.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente::crypto {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kHashSize = 32;

absl::StatusOr<Bytes> Scrypt(std::string_view password, std::string_view salt,
                             const ScryptParams& p) {
  std::unique_ptr<EVP_KDF, void (*)(EVP_KDF*)> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr),
                                                   &EVP_KDF_free);
  if (!kdf) return absl::InternalError("crypto: scrypt unavailable");
  std::unique_ptr<EVP_KDF_CTX, void (*)(EVP_KDF_CTX*)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                           &EVP_KDF_CTX_free);
  uint64_t n = uint64_t{1} << p.log2_n;
  uint32_t r = static_cast<uint32_t>(p.r), par = static_cast<uint32_t>(p.p);
  uint64_t maxmem = 1ull << 30;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  Bytes out(kHashSize, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(),
                             params) != 1) {
    return absl::InternalError("crypto: scrypt failed");
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password, ScryptParams p) {
  if (password.size() < 10) {
    return absl::InvalidArgumentError("password: at least 10 characters");
  }
  auto salt = RandomBytes(kSaltSize);
  if (!salt.ok()) return salt.status();
  auto hash = Scrypt(password, *salt, p);
  if (!hash.ok()) return hash.status();
  return puente::StrCat("scrypt$", p.log2_n, "$", p.r, "$", p.p, "$", Base64Encode(*salt), "$",
                        Base64Encode(*hash));
}

absl::StatusOr<SecretKey> DeriveKeyPbkdf2Sha256(std::string_view passphrase, std::string_view salt,
                                                int iterations) {
  if (iterations < kMinPbkdf2Iterations || iterations > kMaxPbkdf2Iterations) {
    return absl::InvalidArgumentError(puente::StrCat(
        "PBKDF2 iterations must be ", kMinPbkdf2Iterations, " to ", kMaxPbkdf2Iterations));
  }
  if (salt.size() < kSaltSize) return absl::InvalidArgumentError("PBKDF2 salt: at least 16 bytes");
  std::string out(SecretKey::kSize, '\0');
  if (PKCS5_PBKDF2_HMAC(passphrase.data(), static_cast<int>(passphrase.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return absl::InternalError("crypto: PBKDF2 failed");
  }
  auto key = SecretKey::FromBytes(out, InsecureSecretKeyAccess::Get());
  OPENSSL_cleanse(out.data(), out.size());
  return key;
}

bool VerifyPassword(std::string_view password, std::string_view stored) {
  const std::vector<std::string> parts = StrSplit(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  ScryptParams p;
  if (!absl::SimpleAtoi(parts[1], &p.log2_n) || !absl::SimpleAtoi(parts[2], &p.r) ||
      !absl::SimpleAtoi(parts[3], &p.p) || p.log2_n < 10 || p.log2_n > 22 || p.r < 1 || p.r > 32 ||
      p.p < 1 || p.p > 16) {
    return false;
  }
  auto salt = Base64Decode(parts[4]);
  auto expected = Base64Decode(parts[5]);
  if (!salt.ok() || !expected.ok()) return false;
  auto hash = Scrypt(password, *salt, p);
  return hash.ok() && ConstantTimeEquals(*hash, *expected);
}

}  // namespace puente::crypto
