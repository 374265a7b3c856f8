// Puente's identity cards as Claim 169 credentials.
//
// What any Claim 169 reader sees: the CWT (iss, a URI as Claim 169 1.2.2
// asks, e.g. kDefaultIssuerUri; iat, nbf, exp, cti = the card serial, minimal
// big-endian bytes) and claim 169 with what is printed on the card (registration
// number as id, names, date of birth, sex, nationality, legal status, the
// guardian on a birth attestation). Puente adds two private-use CWT claims,
// which other readers keep as unknown claims:
//   -70001 card:   {1: card type, 2: [[entitlement code, expiry], ...], 3: provisional}
//                  (well-known entitlement codes as small integers, others as text)
//   -70002 sealed: the encrypted section, for authorized institutions only:
//                  {1: [[institution kid, HPKE enc, wrapped content key], ...],
//                   3: AES-256-GCM ciphertext under the content key}
//                  or, for a single institution, {1: [[kid, HPKE enc]], 3: the
//                  HPKE ciphertext of the content itself (48 bytes less)}
// The sealed content key is wrapped to each institution with HPKE (RFC 9180,
// X25519/HKDF-SHA256/AES-256-GCM). The content key is random per card and
// used once, so the content nonce is fixed (zero). The plaintext is
//   {1: face template, 2: case number, 3: {detail name: text}}.
// Everything, the sealed section included, is under the issuer's signature.
#ifndef PUENTE_CREDENTIALS_CARD_H_
#define PUENTE_CREDENTIALS_CARD_H_

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/claim169.h"
#include "puente/credentials/keys.h"
#include "puente/credentials/qr.h"

namespace puente::credentials {

// The CWT issuer of puente's cards unless configured otherwise. Cards issued
// before Claim 169 1.2.2 carry "PA-ONPAR" and still verify: iss is shown,
// never matched.
inline constexpr char kDefaultIssuerUri[] = "https://onpar.gob.pa";
// OK when `iss` is a URI (RFC 3986: a scheme, ":" and more), as issuers
// configure it; InvalidArgument naming the rule otherwise.
absl::Status CheckIssuerUri(std::string_view iss);

// What a verified credential is: a puente card (card claim -70001, with type,
// entitlements and maybe a sealed section), or a plain Claim 169 credential
// from another issuer (identity claims only).
enum class CardProfile { kPuente, kClaim169 };
std::string_view CardProfileName(CardProfile profile);  // "puente", "claim169"

// expires_at of a plain Claim 169 credential without exp.
inline constexpr int64_t kNoExpiry = INT64_MAX;

enum class CardType {
  kAsylumSeeker = 1,
  kRefugee = 2,
  kBirthAttestation = 3,
};
std::string_view CardTypeName(CardType type);  // "asylum-seeker", "refugee", "birth-attestation"
absl::StatusOr<CardType> ParseCardType(std::string_view name);

// A right the card attests, with its own expiry, e.g.
// {"asylum-application-active", ...}: what the driving-licence office asks.
struct Entitlement {
  std::string code;
  int64_t expires_at = 0;
  bool operator==(const Entitlement&) const = default;
};

struct SealedSection {
  std::string face_template;  // compact template bytes (opaque here)
  std::string case_number;
  std::map<std::string, std::string> details;
  bool operator==(const SealedSection&) const = default;
};

struct Card {
  CardProfile profile = CardProfile::kPuente;
  CardType type = CardType::kAsylumSeeker;  // puente cards only
  uint64_t serial = 0;    // from cti; 0 for a plain credential whose cti is absent or long
  std::string cwt_id;     // the raw cti, set on decode (may be empty for plain credentials)
  std::string issuer;     // CWT iss, e.g. kDefaultIssuerUri
  int64_t issued_at = 0;  // plain credentials: 0 when iat is absent
  int64_t not_before = 0;
  int64_t expires_at = 0;  // plain credentials: kNoExpiry when exp is absent
  Claim169 holder;
  std::vector<Entitlement> entitlements;
  bool provisional = false;
  // On issue: the content to seal (ignored without recipients). On verify:
  // present only when an institution key opened it.
  std::optional<SealedSection> sealed;
  bool has_sealed_section = false;  // set on decode
};

struct Recipient {
  std::string kid;         // InstitutionKeyIdOf(public_key)
  std::string public_key;  // X25519, 32 bytes
};

// The QR budget of a printed card: the largest QR version, at the error
// correction the card prints with, whose modules still print at 4 pixels
// (0.34 mm) in the card's 33 mm QR area at 300 dpi, the size phone cameras
// read reliably from a printed card (docs/credentials.md, "QR budget");
// version 19 would print at 3 pixels (0.25 mm). Base45 text is in the
// alphanumeric mode, of which version 18 at M holds 816 characters
// (ISO/IEC 18004, table 7).
inline constexpr int kMaxCardQrVersion = 18;
inline constexpr QrErrorCorrection kCardQrErrorCorrection = QrErrorCorrection::kM;
inline constexpr size_t kMaxCardQrChars = 816;

// The QR text of `card`, signed by `issuer`. InvalidArgument for a card
// without a registration number or name, or with expires_at <= issued_at,
// and for one whose QR would need a version above kMaxCardQrVersion: the
// message names the version needed and what to drop (sealed-section
// recipients, entitlements, sealed details), and the status carries
// kDetailReason "card.qr_over_budget". So the number of sealed-section
// recipients is bounded by the budget: one for a card with a face template
// (two fit only with a short name).
absl::StatusOr<std::string> IssueCard(const Card& card, const SigningIdentity& issuer,
                                      const std::vector<Recipient>& recipients = {});

namespace internal {
// The card of decoded CWT claims (CBOR): a puente card when the card claim
// is present, else a plain Claim 169 credential. InvalidArgument
// ("CwtParse: ...") when puente's claims are malformed or a puente card
// lacks iss, iat, exp or its serial.
absl::StatusOr<Card> CardFromClaims(std::string_view cwt_claims_cbor, const Claim169& holder,
                                    const CwtMeta& meta, const InstitutionKey* institution);
}  // namespace internal

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_CARD_H_
