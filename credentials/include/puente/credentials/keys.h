// Keys of the credential system and their files.
//
// - The root key (held by the central registry) signs trust and revocation
//   lists.
// - Issuer keys sign cards. Several may be trusted at once (rotation): the
//   trust list says which kid may sign which card types and when.
// - Institution keys (X25519) open cards' encrypted sections.
//
// Puente's own key ids (kid) are the first 8 bytes of SHA-256 over the
// algorithm name and the public key, so they follow from the key and cannot
// be chosen. A foreign issuer's key, imported, keeps the kid that issuer
// declares (1 to 64 bytes). Private keys are stored as scrypt-protected
// PKCS#8 PEM; public keys as a small JSON document {"kind", "alg", "kid",
// "public_key"} (hex), which for an issuer also holds its certified signing
// window: fixed when the key is made or imported, it is what every trust list
// says of the key, however often the list is re-signed.
#ifndef PUENTE_CREDENTIALS_KEYS_H_
#define PUENTE_CREDENTIALS_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/password.h"
#include "puente/crypto/signature.h"

namespace puente::credentials {

// 8 raw bytes.
std::string KeyIdOf(const crypto::VerifyingKey& key);
std::string InstitutionKeyIdOf(std::string_view x25519_public_key);

// A signing key (root or issuer) with its kid.
class SigningIdentity {
 public:
  static absl::StatusOr<SigningIdentity> Generate(crypto::SignatureAlgorithm alg);
  // InvalidArgument for a wrong passphrase or a damaged file.
  static absl::StatusOr<SigningIdentity> FromPem(std::string_view pem, std::string_view passphrase);
  explicit SigningIdentity(crypto::SigningKey key)
      : key_(std::move(key)), kid_(KeyIdOf(key_.verifying_key())) {}

  const crypto::SigningKey& key() const { return key_; }
  const std::string& kid() const { return kid_; }
  absl::StatusOr<std::string> ToPem(std::string_view passphrase) const {
    return key_.ToEncryptedPem(passphrase);
  }

 private:
  crypto::SigningKey key_;
  std::string kid_;
};

// An institution's decryption key with its kid.
class InstitutionKey {
 public:
  static absl::StatusOr<InstitutionKey> Generate();
  static absl::StatusOr<InstitutionKey> FromPem(std::string_view pem, std::string_view passphrase);
  explicit InstitutionKey(crypto::HpkePrivateKey key)
      : key_(std::move(key)), kid_(InstitutionKeyIdOf(key_.public_key())) {}

  const crypto::HpkePrivateKey& key() const { return key_; }
  const std::string& kid() const { return kid_; }
  absl::StatusOr<std::string> ToPem(std::string_view passphrase) const {
    return key_.ToEncryptedPem(passphrase);
  }

 private:
  crypto::HpkePrivateKey key_;
  std::string kid_;
};

// An institution key as a file the phone verifier (web/src/verify/core/
// institution.ts) can import, since WebCrypto has no scrypt to open the PEM:
//   {"format": "puente-institution-key-web-v1", "kid", "public_key",
//    "kdf": "PBKDF2-HMAC-SHA256", "iterations", "salt", "cipher":
//    "AES-256-GCM", "nonce", "wrapped_key"}                    (bytes as hex)
// wrapped_key is the key's PKCS#8 (DER) under AES-256-GCM with the key
// PBKDF2-HMAC-SHA256(passphrase, salt, iterations) derives, a fresh 16-byte
// salt and 12-byte nonce, and the associated data
// "puente-institution-key-web-v1/" + the raw public key: changing the public
// key (or its kid, which must follow from it) fails as a wrong passphrase
// does. InvalidArgument for a passphrase under 10 characters or iterations
// out of crypto's PBKDF2 bounds.
inline constexpr char kInstitutionWebKeyFormat[] = "puente-institution-key-web-v1";
absl::StatusOr<std::string> InstitutionKeyWebFile(const InstitutionKey& key,
                                                  std::string_view passphrase,
                                                  int iterations = crypto::kMinPbkdf2Iterations);
// The key in such a file. InvalidArgument naming the field for a malformed
// file; InvalidArgument("wrong passphrase or damaged key file") for a wrong
// passphrase or any altered byte of the salt, nonce, wrapped key, public key
// or kid: one message, no oracle.
absl::StatusOr<InstitutionKey> InstitutionKeyFromWebFile(std::string_view json,
                                                         std::string_view passphrase);

// Public key files.
enum class KeyKind { kRoot, kIssuer, kInstitution };
struct PublicKeyFile {
  KeyKind kind = KeyKind::kIssuer;
  std::string alg;         // "Ed25519", "ES256" or "X25519"
  std::string kid;         // raw bytes
  std::string public_key;  // raw bytes
  // Issuer keys: the kid is the one the issuer declares, not KeyIdOf(key).
  bool declared_kid = false;
  // Issuer keys: the certified signing window (Unix seconds), if set. Cards
  // issued (iat) outside it do not verify.
  std::optional<int64_t> not_before, not_after;
  // Issuer keys: a foreign issuer of plain Claim 169 credentials.
  bool plain_claim169 = false;
  // Issuer keys: a certificate authority's X.509 certificate (DER) whose key
  // this is; it anchors issuers' x5chain instead of signing cards.
  std::string ca_certificate;
  std::string name;  // display name, may be empty
};
std::string PublicKeyFileJson(const PublicKeyFile& file);
// InvalidArgument naming the field for malformed JSON, an unknown kind or
// algorithm, a key of the wrong size, a kid that does not match the key (or,
// declared, is not 1 to 64 bytes), or an empty signing window.
absl::StatusOr<PublicKeyFile> ParsePublicKeyFile(std::string_view json);

// A foreign issuer's public key, as it publishes it: a PEM
// SubjectPublicKeyInfo, a JWK (OKP/Ed25519 or EC/P-256, private members
// refused) or raw hex (then `alg` is required). When both the text and `alg`
// name an algorithm they must agree. InvalidArgument naming what is wrong.
absl::StatusOr<crypto::VerifyingKey> ImportVerifyingKey(
    std::string_view text, std::optional<crypto::SignatureAlgorithm> alg);
PublicKeyFile PublicFileOf(const SigningIdentity& id, KeyKind kind);
PublicKeyFile PublicFileOf(const InstitutionKey& key);
// The fingerprint a verifier pins a root key by: SHA-256 of the raw public
// key, hex (64 characters), e.g. `xxd -r -p <<< KEY | sha256sum`.
std::string KeyFingerprint(const PublicKeyFile& file);
// The verifying key in a root or issuer file.
absl::StatusOr<crypto::VerifyingKey> VerifyingKeyOf(const PublicKeyFile& file);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_KEYS_H_
