// The card office: issues, renews, replaces and revokes applicants' Claim 169
// cards (credentials/card.h) and publishes the signed revocation list.
//
// Policy (docs/enrollment.md):
// - A card is issued only to an applicant whose enrollment is cleared.
// - Asylum-seeker cards: while the case is registered, admitted, rejected
//   (appeal window) or under appeal. Refugee cards: only for a recognized
//   case; issuing one revokes the holder's active asylum-seeker cards.
// - Replacing a lost, stolen or damaged card revokes the old serial.
// - Renewal needs a live photo that matches the enrolled face (1:1).
// - A closed case (a final rejection included) revokes every active card of
//   its members (Registry::ChangeCaseStatus does it in the same transaction).
//
// Not thread-safe (it shares its Registry's connection).
#ifndef PUENTE_REGISTRY_CARDS_H_
#define PUENTE_REGISTRY_CARDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/card.h"
#include "puente/credentials/keys.h"
#include "puente/registry/enrollment.h"

namespace puente::registry {

// The keys of the issuing office.
struct CardAuthority {
  credentials::SigningIdentity issuer;
  std::string issuer_name = credentials::kDefaultIssuerUri;  // CWT iss, a URI
  // Institutions the sealed section (face template, case number) is
  // addressed to; none: no sealed section.
  std::vector<credentials::Recipient> recipients;
  int validity_days = 365;
  // A field kit's key: every card it signs is provisional (awaiting the
  // centre's deduplication), as the trust list requires of kit keys.
  bool provisional = false;
  // A field kit's office code (901-999): its serials are in the kit's range.
  std::string kit_office_code;
};

struct IssuedCard {
  uint64_t serial = 0;
  std::string registration_number;
  credentials::Card card;  // what was signed (sealed content included)
  std::string qr_text;
  std::string status;  // "active", "revoked"
  std::string revoke_reason;
  std::optional<uint64_t> replaces;
  std::string photo;          // the enrolled photo, for printing
  std::vector<int> face_box;  // x, y, w, h in the photo, for the portrait crop
};

// A card as a person's record lists it (no QR text, no photo).
struct CardSummary {
  uint64_t serial = 0;
  std::string type;    // "asylum-seeker", "refugee", "birth-attestation"
  std::string status;  // "active", "revoked"
  std::string issued_at, expires_at, revoked_at;
  std::string revoke_reason;
  std::optional<uint64_t> replaces;
};

class CardOffice {
 public:
  // `enrollment` and `authority` must outlive the office.
  CardOffice(Registry& registry, EnrollmentService& enrollment, const CardAuthority& authority)
      : registry_(registry), enrollment_(enrollment), authority_(authority) {}

  // FailedPrecondition when the enrollment is not cleared, the case status
  // does not allow this card type, or the holder already has an active card
  // of this type (replace or renew it instead).
  absl::StatusOr<IssuedCard> Issue(const std::string& actor, const std::string& registration_number,
                                   credentials::CardType type);
  // Revokes `serial` with `reason` ("lost", "stolen", "damaged") and issues
  // a new card of the same type.
  absl::StatusOr<IssuedCard> Replace(const std::string& actor, uint64_t serial,
                                     const std::string& reason);
  // A new validity period, once `live_photo` matches the enrolled face.
  absl::StatusOr<IssuedCard> Renew(const std::string& actor, uint64_t serial,
                                   std::string_view live_photo);
  // FailedPrecondition if already revoked.
  absl::Status Revoke(const std::string& actor, uint64_t serial, const std::string& reason);

  // The card with this serial (audited as read), QR text and photo included.
  absl::StatusOr<IssuedCard> Get(const std::string& actor, uint64_t serial);
  // The cards issued to `registration_number`, newest first (audited as a
  // read of the applicant); NotFound when nobody has that number.
  absl::StatusOr<std::vector<CardSummary>> ListFor(const std::string& actor,
                                                   const std::string& registration_number);
  // Every revoked serial, ascending: the content of the revocation list.
  absl::StatusOr<std::vector<uint64_t>> RevokedSerials();

 private:
  absl::StatusOr<IssuedCard> IssueInternal(const std::string& actor,
                                           const std::string& registration_number,
                                           credentials::CardType type,
                                           std::optional<uint64_t> replaces,
                                           const std::string& replace_reason);

  Registry& registry_;
  EnrollmentService& enrollment_;
  const CardAuthority& authority_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_CARDS_H_
