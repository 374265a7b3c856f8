// The two signed lists a verifier downloads: the trust list (which issuer
// keys may sign which cards, when) and the revocation list (which card
// serials are revoked). Both are COSE_Sign1 over a CBOR map, signed by the
// root key, dated, with a next-update date after which a verifier reports
// STALE LISTS.
//
// The revocation list stays small at national scale: card serials are
// registry-wide integers, so the list is the sorted serials as varint gaps
// (LEB128) in one byte string: 100,000 revoked cards among 1,000,000 take
// about 100 KB, and 10,000 among 1,000,000 about 20 KB (docs/credentials.md).
#ifndef PUENTE_CREDENTIALS_LISTS_H_
#define PUENTE_CREDENTIALS_LISTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/card.h"
#include "puente/credentials/keys.h"

namespace puente::credentials {

// One issuer key the root vouches for. Its signing window is a property of
// the key, fixed when it was certified (the public key file's window), and
// stays the same across re-signed lists: a card is checked against the window
// of the key that signed it, not against the day the list was signed.
struct TrustedIssuer {
  // The kid the issuer puts in its cards: 1 to 64 raw bytes (puente's own
  // keys use KeyIdOf(key); a foreign issuer's is whatever it declares).
  // Cards without a kid are tried against every key of their algorithm.
  std::string kid;
  crypto::SignatureAlgorithm alg = crypto::SignatureAlgorithm::kEd25519;
  std::string public_key;  // raw
  std::string name;        // e.g. "ONPAR Panamá 2026-A" or "kit darien-03"
  int64_t not_before = 0;  // the key may sign cards issued in [not_before, not_after]
  int64_t not_after = 0;
  std::vector<CardType> card_types;
  int64_t max_validity_seconds = 0;  // 0: no limit; field kits get a short one
  bool provisional_only = false;     // field kits sign provisional cards only
  // May sign plain Claim 169 credentials (no puente card claim): a foreign
  // issuer's identity cards. Such an issuer signs puente cards only when
  // `card_types` also lists them.
  bool plain_claim169 = false;
  // Set: this entry is a certificate authority (X.509 DER, its key is
  // `public_key`) that anchors issuers' certificate chains (COSE x5chain):
  // a card whose chain verifies up to it is held to this entry's window,
  // card types and rules. Such an entry never signs cards itself.
  std::string ca_certificate;
};

// The trust-list entry of an issuer key file: its kid, key, certified
// window and profile. A puente issuer key may sign `card_types`; a foreign
// one (plain_claim169) plain Claim 169 credentials only. InvalidArgument for
// a file that is not an issuer key or has no certified window.
absl::StatusOr<TrustedIssuer> TrustedIssuerOf(const PublicKeyFile& file,
                                              std::vector<CardType> card_types);

struct TrustList {
  uint64_t sequence = 0;
  int64_t issued_at = 0;
  int64_t next_update = 0;
  std::vector<TrustedIssuer> issuers;
};

struct RevocationList {
  uint64_t sequence = 0;
  int64_t issued_at = 0;
  int64_t next_update = 0;
  std::vector<uint64_t> revoked;  // card serials; any order on input
};

// Signed bytes (binary COSE_Sign1). InvalidArgument for a list whose dates
// are out of order or (trust list) with a malformed key, a kid not of 1 to 64
// bytes or an empty signing window.
absl::StatusOr<std::string> SignTrustList(const TrustList& list, const SigningIdentity& root);
absl::StatusOr<std::string> SignRevocationList(const RevocationList& list,
                                               const SigningIdentity& root);

// Strict parsing of untrusted bytes, signature first: InvalidArgument
// ("trust list: invalid signature", "trust list: ...") for anything else
// than a well-formed list signed by `root`. Revoked serials come back sorted.
absl::StatusOr<TrustList> VerifyTrustList(std::string_view bytes, const crypto::VerifyingKey& root);
absl::StatusOr<RevocationList> VerifyRevocationList(std::string_view bytes,
                                                    const crypto::VerifyingKey& root);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_LISTS_H_
