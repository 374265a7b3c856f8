// Decoding and issuing Claim 169 QR credentials (Claim 169 1.2.2):
//   Claim 169 map -> CWT claims -> COSE_Sign1 (optionally inside COSE_Encrypt0)
//   -> zlib (or, read only, Brotli) -> Base45 text (no prefix) -> QR.
//
// Decoding treats its input as hostile: every stage has a size limit (the
// inflated size is capped before zlib runs to completion), CBOR is decoded
// strictly, and every failure names its stage. Thread-safe (no state).
#ifndef PUENTE_CREDENTIALS_CREDENTIAL_H_
#define PUENTE_CREDENTIALS_CREDENTIAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/claim169.h"
#include "puente/crypto/signature.h"

namespace puente::credentials {

// Stages a decode can fail at. Status messages start with the stage's name
// and a colon, e.g. "Decompress: inflated payload exceeds 65536 bytes", for
// people; the stage's name is also carried as the typed detail kDetailStage
// (puente/common/error_detail.h), for code.
enum class DecodeStage {
  kBase45Decode,
  kDecompress,
  kCoseParse,
  kCwtParse,
  kClaim169NotFound,
  kClaim169Invalid,
  kDecrypt,
  kSignature,
};
std::string_view DecodeStageName(DecodeStage stage);
// The stage `status` carries (its kDetailStage detail), if any. Never reads
// the message.
std::optional<DecodeStage> DecodeStageOf(const absl::Status& status);

// kDetailReason of the kSignature error for a kid the key lookup does not
// know (the verifier's UNKNOWN ISSUER verdict).
inline constexpr std::string_view kReasonUnknownKid = "unknown_kid";
// kDetailReason of the kSignature error for a trusted kid whose key has
// another algorithm than the credential declares: a forgery attempt, not an
// unknown issuer.
inline constexpr std::string_view kReasonWrongAlgorithm = "wrong_algorithm";

struct DecodeLimits {
  size_t max_text_chars = 8192;       // a QR holds at most 4296 alphanumerics
  size_t max_inflated_bytes = 65536;  // zip bombs stop here
};

// COSE algorithm identifiers (RFC 9053).
inline constexpr int64_t kCoseEdDsa = -8;
inline constexpr int64_t kCoseEs256 = -7;
inline constexpr int64_t kCoseA128Gcm = 1;
inline constexpr int64_t kCoseA256Gcm = 3;

enum class VerificationStatus { kVerified, kSkipped, kFailed };
std::string_view VerificationStatusName(VerificationStatus status);  // "verified"...

// The verifying keys that may have signed a credential declaring `kid` (raw
// bytes; empty when the credential carries none) and COSE algorithm `alg`.
// A verifier returns the keys trusted under that kid, whatever their
// algorithm, or, for a credential without a kid, its trusted keys of that
// algorithm. Empty when it knows no such key. Called at most once per decode.
using KeyLookup =
    std::function<std::vector<const crypto::VerifyingKey*>(std::string_view kid, int64_t alg)>;

struct DecodeOptions {
  DecodeLimits limits;
  // Verify the COSE_Sign1 signature with the keys this returns (the first
  // that verifies wins). Without a lookup the signature is not checked
  // (status kSkipped). With one, no key at all fails with kSignature
  // "unknown key id" (reason kReasonUnknownKid), keys of other algorithms only
  // with kSignature "algorithm ... " (reason kReasonWrongAlgorithm), and a
  // signature none of them verifies with kSignature "invalid signature".
  KeyLookup key_lookup;
  // AES-GCM key (16 or 32 bytes) for COSE_Encrypt0-wrapped credentials.
  std::optional<std::string> decryption_key;
  // Reference time (Unix seconds) for the expired / not-yet-valid warnings.
  std::optional<int64_t> now;
};

struct DecodedCredential {
  Claim169 claim169;
  CwtMeta meta;
  VerificationStatus verification = VerificationStatus::kSkipped;
  int64_t algorithm = 0;  // COSE alg of the signature
  std::string kid;        // raw bytes, empty if absent
  // The key (one the lookup returned) that verified the signature.
  const crypto::VerifyingKey* verified_by = nullptr;
  std::string compression;  // "zlib" or "brotli"
  // The issuer's certificate chain (COSE header 33, x5chain), DER, leaf
  // first; empty when the credential carries none. Not checked here: the
  // verifier checks it against the trust list's certificate authorities.
  std::vector<std::string> x5chain;
  bool was_encrypted = false;
  std::vector<std::string> warnings;  // "expired", "not yet valid"
  // The full CWT claims map (CBOR) for claims outside Claim 169 and the
  // standard ones, e.g. puente's card claims.
  std::string cwt_claims_cbor;
};

absl::StatusOr<DecodedCredential> DecodeCredential(std::string_view qr_text,
                                                   const DecodeOptions& options = {});

// Encodes CWT claims (a CBOR map) as signed QR text: COSE_Sign1 with the
// algorithm and kid in the protected header, tag 18, zlib (level 9), Base45.
absl::StatusOr<std::string> EncodeSignedCredential(std::string_view cwt_claims_cbor,
                                                   const crypto::SigningKey& key,
                                                   std::string_view kid,
                                                   const std::vector<std::string>& x5chain = {});

// The CWT claims map for `meta` and `claim` (and nothing else), CBOR-encoded.
std::string EncodeCwtClaims(const CwtMeta& meta, const Claim169& claim);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_CREDENTIAL_H_
