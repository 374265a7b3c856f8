// The offline card verifier: QR text + root key + trust list + revocation
// list -> one verdict. No network, no database. Immutable after Create, so
// one verifier may serve many threads.
#ifndef PUENTE_CREDENTIALS_VERIFIER_H_
#define PUENTE_CREDENTIALS_VERIFIER_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/credentials/card.h"
#include "puente/credentials/credential.h"
#include "puente/credentials/lists.h"

namespace puente::credentials {

enum class Verdict {
  kValid,
  kInvalid,  // empty or undecodable, bad signature, wrong algorithm for a
             // trusted kid, issuer not allowed this card
  kExpired,
  kNotYetValid,
  kRevoked,
  kUnknownIssuer,  // kid not in the trust list (e.g. a retired key)
  kStaleLists,     // the card checks out, but the lists are too old to trust
};
// "VALID", "INVALID", "EXPIRED", "NOT YET VALID", "REVOKED",
// "UNKNOWN ISSUER", "STALE LISTS".
std::string_view VerdictName(Verdict verdict);

struct VerifierPolicy {
  // Lists older than this (from their issue date) are stale even before
  // their next-update date.
  int64_t max_list_age_seconds = 7 * 24 * 3600;
};

struct VerificationResult {
  Verdict verdict = Verdict::kInvalid;
  std::string reason;  // for INVALID and the other non-VALID verdicts
  // The disclosed claims: verified once the signature checked out, or (for
  // UNKNOWN ISSUER) decoded without any check, with signature_verified false.
  std::optional<Card> card;
  bool signature_verified = false;
  std::string issuer_name;    // from the trust list
  std::string kid;            // hex
  std::string sealed_status;  // "absent", "opened", "not for this institution", "no key"
  std::string compression;    // "zlib" or "brotli", once decompressed
};

class CardVerifier {
 public:
  // InvalidArgument when either list fails to verify against `root`.
  static absl::StatusOr<CardVerifier> Create(const crypto::VerifyingKey& root,
                                             std::string_view trust_list,
                                             std::string_view revocation_list,
                                             VerifierPolicy policy = {});

  // `now` in Unix seconds. With `institution`, the encrypted section is
  // opened when the card is addressed to it.
  //
  // The signature is checked with the trusted keys of the card's kid (any
  // byte string), or, for a card without a kid, with every trusted key of
  // its algorithm. A puente card is then held to its key's window (by its
  // iat), card types, validity limit and provisional rule and to the
  // revocation list; a plain Claim 169 credential only from a key trusted
  // for those (TrustedIssuer::plain_claim169), to the window by its iat,
  // and to its own exp and nbf; the revocation list (puente serials) does
  // not apply to it.
  //
  // A card whose kid is not trusted but that carries an issuer certificate
  // chain (COSE x5chain) is trusted when the chain verifies, as of the card's
  // iat, up to a certificate authority entry of the trust list, and then is
  // held to that entry's rules.
  VerificationResult Verify(std::string_view qr_text, int64_t now,
                            const InstitutionKey* institution = nullptr) const;

  const TrustList& trust_list() const { return trust_; }
  const RevocationList& revocation_list() const { return revocation_; }

 private:
  CardVerifier(TrustList trust, RevocationList revocation, VerifierPolicy policy);
  // A card not trusted by its kid (`unverified`: its text decoded without a
  // key), decoded with its certificate chain's leaf key when the chain
  // verifies up to a certificate authority of the trust list (its index into
  // *issuer_index). nullopt when it has no chain or no authority accepts it
  // (*problem says why).
  std::optional<absl::StatusOr<DecodedCredential>> DecodeByChain(
      std::string_view qr_text, const DecodedCredential& unverified, int64_t now,
      size_t* issuer_index, std::optional<crypto::VerifyingKey>* leaf, std::string* problem) const;

  TrustList trust_;
  RevocationList revocation_;
  VerifierPolicy policy_;
  std::vector<crypto::VerifyingKey> keys_;  // parallel to trust_.issuers
};

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_VERIFIER_H_
