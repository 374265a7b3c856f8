// Keys of the credential system and their files.
//
// - The root key (held by the central registry) signs trust and revocation
//   lists.
// - Issuer keys sign cards. Several may be trusted at once (rotation): the
//   trust list says which kid may sign which card types and when.
// - Institution keys (X25519) open cards' encrypted sections.
//
// A key id (kid) is the first 8 bytes of SHA-256 over the algorithm name and
// the public key, so it follows from the key and cannot be chosen. Private
// keys are stored as scrypt-protected PKCS#8 PEM; public keys as a small JSON
// document {"kind", "alg", "kid", "public_key"} (hex).
#ifndef PUENTE_CREDENTIALS_KEYS_H_
#define PUENTE_CREDENTIALS_KEYS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/hpke.h"
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

// Public key files.
enum class KeyKind { kRoot, kIssuer, kInstitution };
struct PublicKeyFile {
  KeyKind kind = KeyKind::kIssuer;
  std::string alg;         // "Ed25519", "ES256" or "X25519"
  std::string kid;         // raw bytes
  std::string public_key;  // raw bytes
};
std::string PublicKeyFileJson(const PublicKeyFile& file);
// InvalidArgument naming the field for malformed JSON, an unknown kind or
// algorithm, a key of the wrong size, or a kid that does not match the key.
absl::StatusOr<PublicKeyFile> ParsePublicKeyFile(std::string_view json);
PublicKeyFile PublicFileOf(const SigningIdentity& id, KeyKind kind);
PublicKeyFile PublicFileOf(const InstitutionKey& key);
// The verifying key in a root or issuer file.
absl::StatusOr<crypto::VerifyingKey> VerifyingKeyOf(const PublicKeyFile& file);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_KEYS_H_
