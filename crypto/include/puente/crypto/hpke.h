// Public-key encryption to institutions: HPKE (RFC 9180) base mode with
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-GCM, single-shot.
//
// Debian 12's OpenSSL 3.0 has no HPKE API, so the RFC's key schedule is
// composed here from OpenSSL's X25519, HKDF (extract and expand) and AES-GCM;
// it is checked against the RFC's appendix A test vectors. Thread-safe.
#ifndef PUENTE_CRYPTO_HPKE_H_
#define PUENTE_CRYPTO_HPKE_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/secret_key.h"

namespace puente::crypto {

namespace internal {
struct PKey;
}  // namespace internal

enum class HpkeAead : uint16_t {
  kAes128Gcm = 0x0001,
  kAes256Gcm = 0x0002,  // the default for cards
};

// An X25519 private key of a recipient (an institution).
class HpkePrivateKey {
 public:
  static absl::StatusOr<HpkePrivateKey> Generate();
  // The 32-byte X25519 private key. InvalidArgument for a wrong length.
  static absl::StatusOr<HpkePrivateKey> FromRaw(std::string_view raw, InsecureSecretKeyAccess);
  // As SigningKey::FromEncryptedPem / ToEncryptedPem (scrypt-protected PKCS#8).
  static absl::StatusOr<HpkePrivateKey> FromEncryptedPem(std::string_view pem,
                                                         std::string_view passphrase);
  absl::StatusOr<std::string> ToEncryptedPem(std::string_view passphrase) const;
  // The unencrypted PKCS#8 PrivateKeyInfo (DER, RFC 8410), as WebCrypto's
  // importKey("pkcs8") and unwrapKey("pkcs8") read it: only to be wrapped
  // at once (credentials' web key file). InvalidArgument for DER that is not
  // an X25519 private key.
  absl::StatusOr<Bytes> ToPkcs8Der(InsecureSecretKeyAccess) const;
  static absl::StatusOr<HpkePrivateKey> FromPkcs8Der(std::string_view der, InsecureSecretKeyAccess);

  // The 32-byte X25519 public key.
  const Bytes& public_key() const { return public_key_; }

 private:
  HpkePrivateKey(std::shared_ptr<const internal::PKey> key, Bytes public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  friend struct HpkeInternals;

  std::shared_ptr<const internal::PKey> key_;
  Bytes public_key_;
};

struct HpkeSealed {
  Bytes enc;         // the encapsulated key: 32 bytes
  Bytes ciphertext;  // plaintext size + 16-byte tag
};

// Seals `plaintext` to the holder of `recipient_public_key` (32 bytes).
// InvalidArgument for a malformed public key.
absl::StatusOr<HpkeSealed> HpkeSeal(std::string_view recipient_public_key, std::string_view info,
                                    std::string_view aad, std::string_view plaintext,
                                    HpkeAead aead = HpkeAead::kAes256Gcm);

// InvalidArgument("decryption failed") for a wrong key, info, aad or any
// altered byte: one message, no oracle.
absl::StatusOr<Bytes> HpkeOpen(const HpkePrivateKey& recipient, std::string_view enc,
                               std::string_view info, std::string_view aad,
                               std::string_view ciphertext, HpkeAead aead = HpkeAead::kAes256Gcm);

namespace internal {
// HpkeSeal with a given ephemeral key instead of a fresh one: only for the
// RFC 9180 test vectors. Never use it to encrypt real data.
absl::StatusOr<HpkeSealed> HpkeSealWithEphemeralForTesting(
    std::string_view recipient_public_key, const HpkePrivateKey& ephemeral, std::string_view info,
    std::string_view aad, std::string_view plaintext, HpkeAead aead);
}  // namespace internal

// AES-GCM with a caller-chosen 12-byte nonce and a 16- or 32-byte key, the
// tag appended to the ciphertext (COSE_Encrypt0's layout). Open fails with
// InvalidArgument("decryption failed").
absl::StatusOr<Bytes> AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                                 std::string_view plaintext, InsecureSecretKeyAccess);
absl::StatusOr<Bytes> AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                                 std::string_view ciphertext, InsecureSecretKeyAccess);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_HPKE_H_
