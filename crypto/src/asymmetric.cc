// Signatures (Ed25519, ES256), X25519 and HPKE over OpenSSL EVP. With
// crypto.cc, the only translation units that call OpenSSL.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "puente/crypto/aead.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/signature.h"

namespace puente::crypto {
namespace internal {
struct PKey {
  explicit PKey(EVP_PKEY* p) : pkey(p) {}
  ~PKey() { EVP_PKEY_free(pkey); }
  PKey(const PKey&) = delete;
  PKey& operator=(const PKey&) = delete;
  EVP_PKEY* pkey;
};
}  // namespace internal

namespace {

using internal::PKey;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

absl::Status OpenSslError(const char* what) {
  return absl::InternalError(std::string("crypto: ") + what + " failed");
}
absl::Status InvalidSignature() { return absl::InvalidArgumentError("invalid signature"); }
absl::Status DecryptionFailed() { return absl::InvalidArgumentError("decryption failed"); }

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

std::shared_ptr<const PKey> Wrap(EVP_PKEY* p) { return std::make_shared<const PKey>(p); }

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up
// again on every signature (a fifth of an ES256 signing's time).
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

constexpr size_t kEs256PointSize = 65;
constexpr size_t kEs256ScalarSize = 32;
constexpr size_t kRawKeySize = 32;

absl::StatusOr<Bytes> RawPublicKey(EVP_PKEY* pkey, SignatureAlgorithm alg) {
  if (alg == SignatureAlgorithm::kEd25519) {
    Bytes raw(kRawKeySize, '\0');
    size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey, U(raw), &len) != 1 || len != kRawKeySize) {
      return OpenSslError("EVP_PKEY_get_raw_public_key");
    }
    return raw;
  }
  Bytes raw(kEs256PointSize, '\0');
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, U(raw), raw.size(),
                                      &len) != 1 ||
      len != kEs256PointSize) {
    return OpenSslError("EVP_PKEY_get_octet_string_param(pub)");
  }
  return raw;
}

absl::StatusOr<SignatureAlgorithm> AlgorithmOf(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return SignatureAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[32] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) == 1 &&
        (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)) {
      return SignatureAlgorithm::kEs256;
    }
  }
  return absl::InvalidArgumentError("key is neither Ed25519 nor ECDSA P-256");
}

// scrypt-protected PKCS#8 PEM of any private key.
absl::StatusOr<std::string> EncryptedPem(EVP_PKEY* pkey, std::string_view passphrase) {
  if (passphrase.size() < 8) {
    return absl::InvalidArgumentError("passphrase must be at least 8 characters");
  }
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>> p8(
      EVP_PKEY2PKCS8(pkey));
  if (!p8) return OpenSslError("EVP_PKEY2PKCS8");
  // N=2^14, r=8: 16 MiB per guess, within OpenSSL's default scrypt memory cap.
  X509_ALGOR* alg = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nullptr, 0, nullptr, 1 << 14, 8, 1);
  if (alg == nullptr) return OpenSslError("PKCS5_pbe2_set_scrypt");
  std::unique_ptr<X509_SIG, Deleter<X509_SIG, X509_SIG_free>> sealed(
      PKCS8_set0_pbe(passphrase.data(), static_cast<int>(passphrase.size()), p8.get(), alg));
  if (!sealed) {
    X509_ALGOR_free(alg);
    return OpenSslError("PKCS8_set0_pbe");
  }
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8(bio.get(), sealed.get()) != 1) {
    return OpenSslError("PEM_write_bio_PKCS8");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<EVP_PKEY*> ReadEncryptedPem(std::string_view pem, std::string_view passphrase) {
  if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") == std::string_view::npos) {
    return absl::InvalidArgumentError("not an encrypted private key (PKCS#8 PEM)");
  }
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  std::string pass(passphrase);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass.data());
  OPENSSL_cleanse(pass.data(), pass.size());
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("wrong passphrase or not an encrypted private key");
  }
  return pkey;
}

}  // namespace

// --- signatures -------------------------------------------------------------

std::string_view SignatureAlgorithmName(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kEd25519 ? "Ed25519" : "ES256";
}

absl::StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name) {
  if (name == "Ed25519" || name == "EdDSA") return SignatureAlgorithm::kEd25519;
  if (name == "ES256") return SignatureAlgorithm::kEs256;
  return absl::InvalidArgumentError(std::string("unknown signature algorithm \"") +
                                    std::string(name) + "\" (expected Ed25519 or ES256)");
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromRaw(SignatureAlgorithm alg, std::string_view raw) {
  EVP_PKEY* pkey = nullptr;
  if (alg == SignatureAlgorithm::kEd25519) {
    if (raw.size() != kRawKeySize) {
      return absl::InvalidArgumentError("Ed25519 public key must be 32 bytes, got " +
                                        std::to_string(raw.size()));
    }
    pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, U(raw), raw.size());
    if (pkey == nullptr) return absl::InvalidArgumentError("malformed Ed25519 public key");
  } else {
    if (raw.size() != kEs256PointSize || raw[0] != 0x04) {
      return absl::InvalidArgumentError(
          "ES256 public key must be a 65-byte uncompressed P-256 point");
    }
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                           OSSL_PARAM_construct_octet_string(
                               OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(raw.data()), raw.size()),
                           OSSL_PARAM_construct_end()};
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      return absl::InvalidArgumentError("malformed ES256 public key");
    }
    PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      EVP_PKEY_free(pkey);
      return absl::InvalidArgumentError("ES256 public key is not a point on P-256");
    }
  }
  return VerifyingKey(alg, Bytes(raw), Wrap(pkey));
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromPublicPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  const std::shared_ptr<const PKey> owned = Wrap(pkey);
  auto alg = AlgorithmOf(pkey);
  if (!alg.ok()) return alg.status();
  if (*alg == SignatureAlgorithm::kEs256) {
    // A compressed point in the file still comes out as the 65-byte form.
    char form[] = "uncompressed";
    if (EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form) !=
        1) {
      return OpenSslError("EVP_PKEY_set_utf8_string_param(point format)");
    }
  }
  auto raw = RawPublicKey(pkey, *alg);
  if (!raw.ok()) return raw.status();
  return FromRaw(*alg, *raw);
}

absl::Status VerifyingKey::Verify(std::string_view data, std::string_view signature) const {
  std::string der;
  std::string_view to_check = signature;
  if (alg_ == SignatureAlgorithm::kEs256) {
    if (signature.size() != 2 * kEs256ScalarSize) return InvalidSignature();
    EcdsaSig sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(U(signature), kEs256ScalarSize, nullptr);
    BIGNUM* s = BN_bin2bn(U(signature) + kEs256ScalarSize, kEs256ScalarSize, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return OpenSslError("ECDSA_SIG_set0");
    }
    const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) return InvalidSignature();
    der.resize(static_cast<size_t>(len));
    unsigned char* p = U(der);
    i2d_ECDSA_SIG(sig.get(), &p);
    to_check = der;
  } else if (signature.size() != 64) {
    return InvalidSignature();
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  const EVP_MD* md = alg_ == SignatureAlgorithm::kEs256 ? Sha256Md() : nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_->pkey) != 1) {
    return OpenSslError("EVP_DigestVerifyInit");
  }
  if (EVP_DigestVerify(ctx.get(), U(to_check), to_check.size(), U(data), data.size()) != 1) {
    return InvalidSignature();
  }
  return absl::OkStatus();
}

absl::StatusOr<SigningKey> SigningKey::FromPKey(std::shared_ptr<const PKey> key) {
  auto alg = AlgorithmOf(key->pkey);
  if (!alg.ok()) return alg.status();
  auto raw = RawPublicKey(key->pkey, *alg);
  if (!raw.ok()) return raw.status();
  auto pub = VerifyingKey::FromRaw(*alg, *raw);
  if (!pub.ok()) return pub.status();
  return SigningKey(std::move(key), std::move(*pub));
}

absl::StatusOr<SigningKey> SigningKey::Generate(SignatureAlgorithm alg) {
  EVP_PKEY* pkey = alg == SignatureAlgorithm::kEd25519
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (pkey == nullptr) return OpenSslError("EVP_PKEY_Q_keygen");
  return FromPKey(Wrap(pkey));
}

absl::StatusOr<SigningKey> SigningKey::FromRawPrivate(SignatureAlgorithm alg, std::string_view raw,
                                                      InsecureSecretKeyAccess) {
  if (alg != SignatureAlgorithm::kEd25519) {
    return absl::UnimplementedError("raw private keys are supported for Ed25519 only");
  }
  if (raw.size() != kRawKeySize) {
    return absl::InvalidArgumentError("Ed25519 private key must be 32 bytes");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, U(raw), raw.size());
  if (pkey == nullptr) return absl::InvalidArgumentError("malformed Ed25519 private key");
  return FromPKey(Wrap(pkey));
}

absl::StatusOr<SigningKey> SigningKey::FromEncryptedPem(std::string_view pem,
                                                        std::string_view passphrase) {
  auto pkey = ReadEncryptedPem(pem, passphrase);
  if (!pkey.ok()) return pkey.status();
  return FromPKey(Wrap(*pkey));
}

absl::StatusOr<std::string> SigningKey::ToEncryptedPem(std::string_view passphrase) const {
  return EncryptedPem(key_->pkey, passphrase);
}

absl::StatusOr<Bytes> SigningKey::Sign(std::string_view data) const {
  const bool ec = algorithm() == SignatureAlgorithm::kEs256;
  Bytes sig;
  if (!ec) {
    MdCtx ctx(EVP_MD_CTX_new());
    size_t len = 64;
    sig.resize(len);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey) != 1 ||
        EVP_DigestSign(ctx.get(), U(sig), &len, U(data), data.size()) != 1 || len != 64) {
      return OpenSslError("Ed25519 sign");
    }
    return sig;
  }
  // ES256: hash, then sign the digest (cheaper than EVP_DigestSign's
  // per-call digest context in OpenSSL 3.0).
  unsigned char digest[32];
  unsigned int digest_len = 0;
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_->pkey, nullptr));
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key_->pkey));
  sig.resize(len);
  if (EVP_Digest(data.data(), data.size(), digest, &digest_len, Sha256Md(), nullptr) != 1 || !ctx ||
      EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), U(sig), &len, digest, digest_len) != 1) {
    return OpenSslError("ES256 sign");
  }
  sig.resize(len);
  // DER -> r||s, each left-padded to 32 bytes (RFC 9053 section 2.1).
  const unsigned char* p = U(sig);
  EcdsaSig parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!parsed) return OpenSslError("d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(parsed.get(), &r, &s);
  Bytes out(2 * kEs256ScalarSize, '\0');
  if (BN_bn2binpad(r, U(out), kEs256ScalarSize) != kEs256ScalarSize ||
      BN_bn2binpad(s, U(out) + kEs256ScalarSize, kEs256ScalarSize) != kEs256ScalarSize) {
    return OpenSslError("BN_bn2binpad");
  }
  return out;
}

// --- AES-GCM with explicit nonce -------------------------------------------

namespace {

const EVP_CIPHER* GcmFor(size_t key_size) {
  if (key_size == 16) return EVP_aes_128_gcm();
  if (key_size == 32) return EVP_aes_256_gcm();
  return nullptr;
}

}  // namespace

absl::StatusOr<Bytes> AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                                 std::string_view plaintext, InsecureSecretKeyAccess) {
  const EVP_CIPHER* cipher = GcmFor(key.size());
  if (cipher == nullptr) return absl::InvalidArgumentError("AES-GCM key must be 16 or 32 bytes");
  if (nonce.size() != Aead::kNonceSize) {
    return absl::InvalidArgumentError("AES-GCM nonce must be 12 bytes");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, U(key), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-GCM init");
  }
  Bytes out(plaintext.size() + Aead::kTagSize, '\0');
  int fin = 0;
  if (EVP_EncryptUpdate(ctx.get(), U(out), &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U(out) + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, Aead::kTagSize,
                          U(out) + plaintext.size()) != 1) {
    return OpenSslError("AES-GCM seal");
  }
  return out;
}

absl::StatusOr<Bytes> AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                                 std::string_view ciphertext, InsecureSecretKeyAccess) {
  const EVP_CIPHER* cipher = GcmFor(key.size());
  if (cipher == nullptr || nonce.size() != Aead::kNonceSize || ciphertext.size() < Aead::kTagSize) {
    return DecryptionFailed();
  }
  const std::string_view body = ciphertext.substr(0, ciphertext.size() - Aead::kTagSize);
  std::string tag(ciphertext.substr(body.size()));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, U(key), U(nonce)) != 1) {
    return OpenSslError("AES-GCM init");
  }
  Bytes out(body.size(), '\0');
  int fin = 0;
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U(out), &len, U(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, Aead::kTagSize, U(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U(out) + len, &fin) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return DecryptionFailed();
  }
  return out;
}

// --- HPKE (RFC 9180), base mode ----------------------------------------------

struct HpkeInternals {
  static EVP_PKEY* Key(const HpkePrivateKey& k) { return k.key_->pkey; }
  static HpkePrivateKey Make(std::shared_ptr<const PKey> key, Bytes pub) {
    return HpkePrivateKey(std::move(key), std::move(pub));
  }
};

namespace {

constexpr uint16_t kKemX25519 = 0x0020;
constexpr uint16_t kKdfHkdfSha256 = 0x0001;
constexpr char kHpkeVersion[] = "HPKE-v1";

std::string I2Osp2(uint16_t v) {
  return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}

absl::StatusOr<Bytes> Hkdf(const char* mode, std::string_view key, std::string_view salt,
                           std::string_view info, size_t length) {
  std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>> kdf(
      EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslError("EVP_KDF_fetch(HKDF)");
  std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>> ctx(
      EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslError("EVP_KDF_CTX_new");
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>(mode), 0);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(key.data()),
                                                  key.size());
  if (std::strcmp(mode, "EXTRACT_ONLY") == 0) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<char*>(salt.data()), salt.size());
  } else {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    const_cast<char*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  Bytes out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), U(out), out.size(), params) != 1) {
    return OpenSslError("HKDF");
  }
  return out;
}

// LabeledExtract / LabeledExpand of RFC 9180 section 4.
absl::StatusOr<Bytes> LabeledExtract(std::string_view suite_id, std::string_view salt,
                                     std::string_view label, std::string_view ikm) {
  const std::string labeled =
      std::string(kHpkeVersion) + std::string(suite_id) + std::string(label) + std::string(ikm);
  return Hkdf("EXTRACT_ONLY", labeled, salt, "", 32);
}

absl::StatusOr<Bytes> LabeledExpand(std::string_view suite_id, std::string_view prk,
                                    std::string_view label, std::string_view info, size_t length) {
  const std::string labeled = I2Osp2(static_cast<uint16_t>(length)) + kHpkeVersion +
                              std::string(suite_id) + std::string(label) + std::string(info);
  return Hkdf("EXPAND_ONLY", prk, "", labeled, length);
}

absl::StatusOr<Bytes> X25519(EVP_PKEY* own, std::string_view peer_public) {
  if (peer_public.size() != kRawKeySize) return DecryptionFailed();
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>> peer(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, U(peer_public), peer_public.size()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  size_t len = kRawKeySize;
  Bytes dh(kRawKeySize, '\0');
  // OpenSSL refuses an all-zero result (a small-order peer key), as RFC 9180 asks.
  if (!peer || !ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), U(dh), &len) != 1 || len != kRawKeySize) {
    return DecryptionFailed();
  }
  return dh;
}

// ExtractAndExpand of DHKEM: the KEM's shared secret.
absl::StatusOr<Bytes> KemSharedSecret(std::string_view dh, std::string_view enc,
                                      std::string_view recipient_public) {
  const std::string kem_suite = "KEM" + I2Osp2(kKemX25519);
  auto prk = LabeledExtract(kem_suite, "", "eae_prk", dh);
  if (!prk.ok()) return prk.status();
  return LabeledExpand(kem_suite, *prk, "shared_secret",
                       std::string(enc) + std::string(recipient_public), 32);
}

struct KeyAndNonce {
  Bytes key;
  Bytes nonce;
};

absl::StatusOr<KeyAndNonce> KeySchedule(std::string_view shared_secret, std::string_view info,
                                        HpkeAead aead) {
  const std::string suite =
      "HPKE" + I2Osp2(kKemX25519) + I2Osp2(kKdfHkdfSha256) + I2Osp2(static_cast<uint16_t>(aead));
  auto psk_id_hash = LabeledExtract(suite, "", "psk_id_hash", "");
  auto info_hash = LabeledExtract(suite, "", "info_hash", info);
  if (!psk_id_hash.ok()) return psk_id_hash.status();
  if (!info_hash.ok()) return info_hash.status();
  const std::string context = std::string(1, '\0') + *psk_id_hash + *info_hash;  // mode_base
  auto secret = LabeledExtract(suite, shared_secret, "secret", "");
  if (!secret.ok()) return secret.status();
  const size_t nk = aead == HpkeAead::kAes128Gcm ? 16 : 32;
  auto key = LabeledExpand(suite, *secret, "key", context, nk);
  auto nonce = LabeledExpand(suite, *secret, "base_nonce", context, Aead::kNonceSize);
  if (!key.ok()) return key.status();
  if (!nonce.ok()) return nonce.status();
  return KeyAndNonce{std::move(*key), std::move(*nonce)};
}

absl::StatusOr<HpkeSealed> SealWith(std::string_view recipient_public,
                                    const HpkePrivateKey& ephemeral, std::string_view info,
                                    std::string_view aad, std::string_view plaintext,
                                    HpkeAead aead) {
  if (recipient_public.size() != kRawKeySize) {
    return absl::InvalidArgumentError("recipient public key must be 32 bytes (X25519)");
  }
  auto dh = X25519(HpkeInternals::Key(ephemeral), recipient_public);
  if (!dh.ok()) return absl::InvalidArgumentError("recipient public key is not usable");
  const Bytes& enc = ephemeral.public_key();
  auto shared = KemSharedSecret(*dh, enc, recipient_public);
  if (!shared.ok()) return shared.status();
  auto schedule = KeySchedule(*shared, info, aead);
  if (!schedule.ok()) return schedule.status();
  auto ct =
      AesGcmSeal(schedule->key, schedule->nonce, aad, plaintext, InsecureSecretKeyAccess::Get());
  if (!ct.ok()) return ct.status();
  return HpkeSealed{enc, std::move(*ct)};
}

absl::StatusOr<HpkePrivateKey> FromX25519PKey(EVP_PKEY* pkey) {
  auto key = Wrap(pkey);
  if (!EVP_PKEY_is_a(pkey, "X25519")) {
    return absl::InvalidArgumentError("key is not an X25519 key");
  }
  Bytes pub(kRawKeySize, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, U(pub), &len) != 1 || len != kRawKeySize) {
    return OpenSslError("EVP_PKEY_get_raw_public_key(X25519)");
  }
  return HpkeInternals::Make(std::move(key), std::move(pub));
}

}  // namespace

absl::StatusOr<HpkePrivateKey> HpkePrivateKey::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  if (pkey == nullptr) return OpenSslError("EVP_PKEY_Q_keygen(X25519)");
  return FromX25519PKey(pkey);
}

absl::StatusOr<HpkePrivateKey> HpkePrivateKey::FromRaw(std::string_view raw,
                                                       InsecureSecretKeyAccess) {
  if (raw.size() != kRawKeySize) {
    return absl::InvalidArgumentError("X25519 private key must be 32 bytes");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, U(raw), raw.size());
  if (pkey == nullptr) return absl::InvalidArgumentError("malformed X25519 private key");
  return FromX25519PKey(pkey);
}

absl::StatusOr<HpkePrivateKey> HpkePrivateKey::FromEncryptedPem(std::string_view pem,
                                                                std::string_view passphrase) {
  auto pkey = ReadEncryptedPem(pem, passphrase);
  if (!pkey.ok()) return pkey.status();
  return FromX25519PKey(*pkey);
}

absl::StatusOr<std::string> HpkePrivateKey::ToEncryptedPem(std::string_view passphrase) const {
  return EncryptedPem(key_->pkey, passphrase);
}

absl::StatusOr<Bytes> HpkePrivateKey::ToPkcs8Der(InsecureSecretKeyAccess) const {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>> p8(
      EVP_PKEY2PKCS8(key_->pkey));
  if (!p8) return OpenSslError("EVP_PKEY2PKCS8");
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
  if (len <= 0) return OpenSslError("i2d_PKCS8_PRIV_KEY_INFO");
  Bytes out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

absl::StatusOr<HpkePrivateKey> HpkePrivateKey::FromPkcs8Der(std::string_view der,
                                                            InsecureSecretKeyAccess) {
  const unsigned char* p = U(der);
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>> p8(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!p8 || p != U(der) + der.size()) {
    return absl::InvalidArgumentError("not a PKCS#8 private key");
  }
  EVP_PKEY* pkey = EVP_PKCS82PKEY(p8.get());
  if (pkey == nullptr) return absl::InvalidArgumentError("not a PKCS#8 private key");
  return FromX25519PKey(pkey);
}

absl::StatusOr<HpkeSealed> HpkeSeal(std::string_view recipient_public_key, std::string_view info,
                                    std::string_view aad, std::string_view plaintext,
                                    HpkeAead aead) {
  auto ephemeral = HpkePrivateKey::Generate();
  if (!ephemeral.ok()) return ephemeral.status();
  return SealWith(recipient_public_key, *ephemeral, info, aad, plaintext, aead);
}

absl::StatusOr<Bytes> HpkeOpen(const HpkePrivateKey& recipient, std::string_view enc,
                               std::string_view info, std::string_view aad,
                               std::string_view ciphertext, HpkeAead aead) {
  auto dh = X25519(HpkeInternals::Key(recipient), enc);
  if (!dh.ok()) return DecryptionFailed();
  auto shared = KemSharedSecret(*dh, enc, recipient.public_key());
  if (!shared.ok()) return shared.status();
  auto schedule = KeySchedule(*shared, info, aead);
  if (!schedule.ok()) return schedule.status();
  return AesGcmOpen(schedule->key, schedule->nonce, aad, ciphertext,
                    InsecureSecretKeyAccess::Get());
}

namespace internal {
absl::StatusOr<HpkeSealed> HpkeSealWithEphemeralForTesting(
    std::string_view recipient_public_key, const HpkePrivateKey& ephemeral, std::string_view info,
    std::string_view aad, std::string_view plaintext, HpkeAead aead) {
  return SealWith(recipient_public_key, ephemeral, info, aad, plaintext, aead);
}
}  // namespace internal

namespace {

using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }  // does not free the elements
};

X509Ptr ParseDer(std::string_view der) {
  const unsigned char* p = U(der);
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert != nullptr && p != U(der) + der.size()) {  // trailing bytes
    X509_free(cert);
    return nullptr;
  }
  return X509Ptr(cert);
}

absl::StatusOr<VerifyingKey> KeyOfCertificate(X509* cert) {
  EVP_PKEY* pkey = X509_get0_pubkey(cert);  // owned by the certificate
  if (pkey == nullptr) return absl::InvalidArgumentError("certificate: no public key");
  auto alg = AlgorithmOf(pkey);
  if (!alg.ok())
    return absl::InvalidArgumentError("certificate: " + std::string(alg.status().message()));
  auto raw = RawPublicKey(pkey, *alg);
  if (!raw.ok()) return raw.status();
  return VerifyingKey::FromRaw(*alg, *raw);
}

}  // namespace

absl::StatusOr<Bytes> CertificateDer(std::string_view pem_or_der) {
  if (pem_or_der.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    Bio bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
    if (!bio) return OpenSslError("BIO_new_mem_buf");
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return absl::InvalidArgumentError("certificate: malformed PEM");
    unsigned char* out = nullptr;
    const int len = i2d_X509(cert.get(), &out);
    if (len <= 0) return OpenSslError("i2d_X509");
    Bytes der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
    return der;
  }
  if (!ParseDer(pem_or_der)) {
    return absl::InvalidArgumentError("certificate: neither PEM nor DER");
  }
  return Bytes(pem_or_der);
}

absl::StatusOr<VerifyingKey> CertificateKey(std::string_view der) {
  X509Ptr cert = ParseDer(der);
  if (!cert) return absl::InvalidArgumentError("certificate: malformed DER");
  return KeyOfCertificate(cert.get());
}

absl::StatusOr<VerifyingKey> VerifyCertificateChain(const std::vector<std::string>& chain_der,
                                                    std::string_view anchor_der, int64_t at) {
  auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError("certificate chain: " + what);
  };
  if (chain_der.empty()) return bad("empty");
  X509Ptr anchor = ParseDer(anchor_der);
  if (!anchor) return bad("the trust anchor is not a certificate");
  std::vector<X509Ptr> certs;
  for (const std::string& der : chain_der) {
    certs.push_back(ParseDer(der));
    if (!certs.back()) return bad("certificate " + std::to_string(certs.size()) + " is malformed");
  }
  std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<STACK_OF(X509), X509StackFree> untrusted(sk_X509_new_null());
  std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>> ctx(
      X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx || X509_STORE_add_cert(store.get(), anchor.get()) != 1) {
    return OpenSslError("X509_STORE");
  }
  for (size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted.get(), certs[i].get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted.get()) != 1) {
    return OpenSslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (X509_verify_cert(ctx.get()) != 1) {
    return bad(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  return KeyOfCertificate(certs[0].get());
}

}  // namespace puente::crypto
