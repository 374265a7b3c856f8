// The only translation unit that calls OpenSSL's cryptographic functions.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdio>
#include <memory>

#include "absl/status/status.h"
#include "puente/crypto/aead.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/crypto/secret_key.h"

namespace puente::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

absl::Status OpenSslError(const char* what) {
  return absl::InternalError(std::string("crypto: ") + what + " failed");
}

}  // namespace

void Wipe(Bytes& bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

SecretKey::~SecretKey() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

absl::StatusOr<SecretKey> SecretKey::Generate() {
  auto bytes = RandomBytes(kSize);
  if (!bytes.ok()) return bytes.status();
  return SecretKey(std::move(*bytes));
}

absl::StatusOr<SecretKey> SecretKey::FromBytes(std::string_view bytes, InsecureSecretKeyAccess) {
  if (bytes.size() != kSize) {
    return absl::InvalidArgumentError("secret key must be " + std::to_string(kSize) +
                                      " bytes, got " + std::to_string(bytes.size()));
  }
  return SecretKey(std::string(bytes));
}

absl::StatusOr<Bytes> RandomBytes(size_t n) {
  Bytes out(n, '\0');
  if (n > 0 && RAND_bytes(U(out), static_cast<int>(n)) != 1) {
    return OpenSslError("RAND_bytes");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<Bytes> Aead::Seal(std::string_view plaintext, std::string_view aad) const {
  auto nonce = RandomBytes(kNonceSize);
  if (!nonce.ok()) return nonce.status();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  const auto key = key_.bytes(InsecureSecretKeyAccess::Get());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(*nonce)) != 1) {
    return OpenSslError("EVP_EncryptInit_ex");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("EVP_EncryptUpdate(aad)");
  }
  Bytes out = *nonce;
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  auto* ct = reinterpret_cast<unsigned char*>(out.data()) + kNonceSize;
  if (EVP_EncryptUpdate(ctx.get(), ct, &len, U(plaintext), static_cast<int>(plaintext.size())) !=
      1) {
    return OpenSslError("EVP_EncryptUpdate");
  }
  int fin = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ct + len, &fin) != 1) {
    return OpenSslError("EVP_EncryptFinal_ex");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, ct + plaintext.size()) != 1) {
    return OpenSslError("EVP_CTRL_GCM_GET_TAG");
  }
  return out;
}

absl::StatusOr<Bytes> Aead::Open(std::string_view sealed, std::string_view aad) const {
  const absl::Status failed = absl::InvalidArgumentError("decryption failed");
  if (sealed.size() < kOverhead) return failed;
  const std::string_view nonce = sealed.substr(0, kNonceSize);
  const std::string_view ct = sealed.substr(kNonceSize, sealed.size() - kOverhead);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  const auto key = key_.bytes(InsecureSecretKeyAccess::Get());
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1) {
    return OpenSslError("EVP_DecryptInit_ex");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return failed;
  }
  Bytes out(ct.size(), '\0');
  if (EVP_DecryptUpdate(ctx.get(), U(out), &len, U(ct), static_cast<int>(ct.size())) != 1) {
    return failed;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, U(tag)) != 1) {
    return failed;
  }
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), U(out) + len, &fin) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return failed;
  }
  return out;
}

absl::StatusOr<Bytes> Hmac::Compute(std::string_view data) const {
  Bytes out(kTagSize, '\0');
  size_t out_len = 0;
  const auto key = key_.bytes(InsecureSecretKeyAccess::Get());
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(), U(data),
                data.size(), U(out), out.size(), &out_len) == nullptr ||
      out_len != kTagSize) {
    return OpenSslError("HMAC-SHA-256");
  }
  return out;
}

bool Hmac::Verify(std::string_view data, std::string_view tag) const {
  auto expected = Compute(data);
  return expected.ok() && ConstantTimeEquals(*expected, tag);
}

Bytes Sha256(std::string_view data) {
  Bytes out(32, '\0');
  unsigned int len = 0;
  // EVP_Digest with a built-in algorithm only fails on allocation failure.
  if (EVP_Digest(data.data(), data.size(), U(out), &len, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

absl::StatusOr<std::string> Sha256FileHex(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return absl::NotFoundError(path + ": cannot open file");
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return OpenSslError("EVP_DigestInit_ex");
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    if (EVP_DigestUpdate(ctx.get(), buf, n) != 1) return OpenSslError("EVP_DigestUpdate");
  }
  if (std::ferror(f.get())) return absl::DataLossError(path + ": read error");
  Bytes md(32, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), U(md), &len) != 1) return OpenSslError("EVP_DigestFinal_ex");
  return HexEncode(md);
}

absl::StatusOr<Bytes> HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                 size_t length) {
  std::unique_ptr<EVP_KDF, void (*)(EVP_KDF*)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                   &EVP_KDF_free);
  if (!kdf) return OpenSslError("EVP_KDF_fetch(HKDF)");
  std::unique_ptr<EVP_KDF_CTX, void (*)(EVP_KDF_CTX*)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                           &EVP_KDF_CTX_free);
  if (!ctx) return OpenSslError("EVP_KDF_CTX_new");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
                         OSSL_PARAM_construct_end()};
  Bytes out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), U(out), out.size(), params) != 1) {
    return OpenSslError("HKDF-SHA-256");
  }
  return out;
}

}  // namespace puente::crypto
