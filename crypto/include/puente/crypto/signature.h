// Digital signatures through OpenSSL EVP: Ed25519 (default) and ECDSA P-256
// with SHA-256 (ES256), in the forms COSE uses.
//
// A SigningKey signs; its VerifyingKey checks. Keys come only from validating
// factories; raw private bytes need an InsecureSecretKeyAccess token. Both
// types are immutable and safe to share between threads.
#ifndef PUENTE_CRYPTO_SIGNATURE_H_
#define PUENTE_CRYPTO_SIGNATURE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "puente/crypto/secret_key.h"

namespace puente::crypto {

enum class SignatureAlgorithm {
  kEd25519,  // COSE "EdDSA" (-8); 64-byte signatures
  kEs256,    // COSE "ES256" (-7); 64-byte r||s signatures
};

// "Ed25519" or "ES256".
std::string_view SignatureAlgorithmName(SignatureAlgorithm alg);
// Accepts "Ed25519"/"EdDSA" and "ES256" (case-sensitive). InvalidArgument otherwise.
absl::StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name);

namespace internal {
struct PKey;  // wraps EVP_PKEY; defined in crypto/src
}  // namespace internal

class VerifyingKey {
 public:
  // Ed25519: the 32-byte public key. ES256: the 65-byte uncompressed SEC1
  // point (0x04 || x || y). InvalidArgument for a wrong length or a point not
  // on the curve.
  static absl::StatusOr<VerifyingKey> FromRaw(SignatureAlgorithm alg, std::string_view raw);
  // A PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----") of an Ed25519
  // or P-256 key, as other issuers publish them. InvalidArgument otherwise.
  static absl::StatusOr<VerifyingKey> FromPublicPem(std::string_view pem);

  SignatureAlgorithm algorithm() const { return alg_; }
  // The raw public key, in the form FromRaw accepts.
  const Bytes& raw() const { return raw_; }

  // OK if `signature` is a valid signature of `data`, else
  // InvalidArgument("invalid signature"): one message for every failure.
  absl::Status Verify(std::string_view data, std::string_view signature) const;

 private:
  VerifyingKey(SignatureAlgorithm alg, Bytes raw, std::shared_ptr<const internal::PKey> key)
      : alg_(alg), raw_(std::move(raw)), key_(std::move(key)) {}
  friend class SigningKey;

  SignatureAlgorithm alg_;
  Bytes raw_;
  std::shared_ptr<const internal::PKey> key_;
};

class SigningKey {
 public:
  // A fresh key pair from the OpenSSL CSPRNG.
  static absl::StatusOr<SigningKey> Generate(SignatureAlgorithm alg);
  // Ed25519: the 32-byte seed. ES256: the 32-byte private scalar. For test
  // vectors and key import. InvalidArgument for a malformed key.
  static absl::StatusOr<SigningKey> FromRawPrivate(SignatureAlgorithm alg, std::string_view raw,
                                                   InsecureSecretKeyAccess);
  // Reads a PEM "ENCRYPTED PRIVATE KEY" (PKCS#8) written by ToEncryptedPem.
  // InvalidArgument("wrong passphrase or not an encrypted private key") for a
  // wrong passphrase or a damaged file; InvalidArgument for a key of another
  // type than Ed25519 or P-256.
  static absl::StatusOr<SigningKey> FromEncryptedPem(std::string_view pem,
                                                     std::string_view passphrase);

  // PKCS#8 encrypted with AES-256-CBC under a key derived from `passphrase`
  // by scrypt (N=2^15, r=8, p=1): memory-hard against guessing.
  // InvalidArgument if the passphrase is shorter than 8 bytes.
  absl::StatusOr<std::string> ToEncryptedPem(std::string_view passphrase) const;

  SignatureAlgorithm algorithm() const { return public_key_.algorithm(); }
  const VerifyingKey& verifying_key() const { return public_key_; }

  // A 64-byte signature (Ed25519, or ES256 as r||s). Internal error only if
  // OpenSSL fails.
  absl::StatusOr<Bytes> Sign(std::string_view data) const;

 private:
  SigningKey(std::shared_ptr<const internal::PKey> key, VerifyingKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  static absl::StatusOr<SigningKey> FromPKey(std::shared_ptr<const internal::PKey> key);

  std::shared_ptr<const internal::PKey> key_;
  VerifyingKey public_key_;
};

// X.509 certificate chains, as COSE's x5chain header (RFC 9360) carries them.
//
// The DER of a PEM ("-----BEGIN CERTIFICATE-----") or DER certificate.
// InvalidArgument when it is neither.
absl::StatusOr<Bytes> CertificateDer(std::string_view pem_or_der);
// The public key of a certificate (Ed25519 or P-256). InvalidArgument
// otherwise.
absl::StatusOr<VerifyingKey> CertificateKey(std::string_view der);
// Verifies `chain_der` (leaf first, then intermediates, DER) up to the trust
// anchor `anchor_der` at Unix time `at` with OpenSSL's path validation
// (signatures, validity periods, CA basic constraints and key usage), and
// returns the leaf's public key. InvalidArgument("certificate chain: ...")
// naming OpenSSL's reason otherwise.
absl::StatusOr<VerifyingKey> VerifyCertificateChain(const std::vector<std::string>& chain_der,
                                                    std::string_view anchor_der, int64_t at);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_SIGNATURE_H_
