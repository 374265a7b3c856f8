// Birth registration (docs/field-kits.md): a child born in a border area is
// registered on the spot, at a field kit or at an office, and the family
// leaves with a birth-registration attestation: a Claim 169 QR credential
// naming the child and the guardian, which any verifier checks offline,
// before the civil registry opens the birth record.
//
// - Parents are linked to enrolled applicants by registration number (typed,
//   or read from their card's QR by the caller), optionally confirmed by a
//   1:1 face check against the enrolled face; or recorded from their own
//   documents when they are not enrolled.
// - The child gets a registration number of the registering office (a kit's
//   own office code on a kit, so numbers made offline never collide).
// - Everything about the child and the parents is stored as one sealed
//   record; the number is stored encrypted with a blind index.
// - The civil-registry export is a signed batch, sealed to the registry's
//   public key (`ExportBirthBatch` below; the format is in docs/field-kits.md).
//
// Not thread-safe (it shares its Registry's connection).
#ifndef PUENTE_REGISTRY_BIRTHS_H_
#define PUENTE_REGISTRY_BIRTHS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/card_serial.h"
#include "puente/registry/cards.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/model.h"
#include "puente/registry/registry.h"

namespace puente::registry {

enum class ParentRole { kMother, kFather, kGuardian };
std::string_view ToString(ParentRole r);
std::optional<ParentRole> ParseParentRole(std::string_view s);

struct BirthParent {
  ParentRole role = ParentRole::kMother;
  // An enrolled applicant: their registration number. How they were
  // identified: "registration_number" (typed), "card" (QR scanned and
  // verified by the caller) or "face" (set `live_photo`: a 1:1 check against
  // the enrolled face, refused on mismatch).
  std::string registration_number;
  std::string identified_by;
  std::string live_photo;  // bytes, not stored; only for "face"
  // Not enrolled: recorded from their documents (full name required).
  std::string full_name;
  std::string nationality;  // ISO 3166-1 alpha-3
  std::optional<IdentityDocument> document;
};

struct NewBirth {
  std::string given_names;
  std::string surname1;
  std::string surname2;
  Sex sex = Sex::kFemale;
  std::string born_on;               // "YYYY-MM-DD", not in the future
  std::string born_at;               // "HH:MM" local time, optional
  std::string place_code;            // location code of the place of birth (e.g. "PA-5-DAR-01")
  std::string place;                 // free text: community, river, road
  std::string facility;              // health facility, or the attendant (midwife, relative)
  std::vector<BirthParent> parents;  // at least one; at most one of each role but guardian
  std::string office_code;           // registering office (a kit's own code on a kit)
  std::string jornada_id;            // registration day, optional
};

struct Birth {
  std::string id;
  std::string birth_number;  // registration number of the child
  NewBirth record;           // photos cleared; enrolled parents' names filled in
  std::string created_at;
  std::string created_by;
  std::optional<uint64_t> attestation_serial;
  std::string attestation_qr;  // the attestation's QR text, if any
};

// Births in registration order; each is audited as read. (A free function:
// listing needs no face models, unlike BirthRegistry.)
absl::StatusOr<std::vector<Birth>> ListBirths(Registry& registry, const std::string& actor,
                                              int limit, int offset);

// The stored and exported form of a birth record (JSON text).
std::string BirthRecordToJson(const NewBirth& record);
absl::StatusOr<NewBirth> BirthRecordFromJson(std::string_view json_text);

struct BirthAttestation {
  uint64_t serial = 0;
  credentials::Card card;
  std::string qr_text;
};

// A birth as a client sends it (the HTTP API): the members of NewBirth by
// name (given_names, surname1, surname2, sex F/M/X, born_on, born_at,
// place_code, place, facility, office_code, jornada_id) and parents
// [{role: mother|father|guardian, registration_number, or full_name,
// nationality, document {type, country, number}}]. Strict about JSON types
// only: InvalidArgument naming the field ("parents[0].role: ..."); the
// values are checked by BirthRegistry::Register, every problem at once.
absl::StatusOr<NewBirth> NewBirthFromRequestJson(const nlohmann::json& body);

// The attestation `birth` holds, decoded from its stored QR text (to print
// it again). FailedPrecondition when it has none.
absl::StatusOr<BirthAttestation> StoredAttestation(const Birth& birth);

// The civil registry's batch of births (docs/field-kits.md, "Civil-registry
// export"): every birth registered here since `since` (YYYY-MM-DD, empty: all)
// with what the registry needs to open a birth record, as JSON sealed with
// HPKE to the civil registry's X25519 key and signed by `signer`. The text of
// the batch file; its births are audited as read and the export as one event.
absl::StatusOr<std::string> ExportBirthBatch(Registry& registry, const std::string& actor,
                                             const credentials::SigningIdentity& signer,
                                             const std::string& issuer_name,
                                             std::string_view recipient_public_key,
                                             const std::string& since = "");
// The civil registry's side: checks the signature with `signer`, opens the
// content with `recipient`. InvalidArgument ("birth batch: ...") otherwise.
absl::StatusOr<nlohmann::json> OpenBirthBatch(std::string_view batch,
                                              const crypto::VerifyingKey& signer,
                                              const credentials::InstitutionKey& recipient);

class BirthRegistry {
 public:
  // `enrollment` is used for the parents' 1:1 face checks.
  BirthRegistry(Registry& registry, EnrollmentService& enrollment)
      : registry_(registry), enrollment_(enrollment) {}

  // Validates and stores the birth with its number, in one transaction with
  // its audit event. InvalidArgument naming the field for bad input, NotFound
  // for a parent's unknown registration number, PermissionDenied when a
  // parent's live face does not match the enrolled one. Nothing is stored on
  // error.
  absl::StatusOr<Birth> Register(const std::string& actor, NewBirth in);

  // Signs the attestation with `authority`'s key (a kit's or the office's)
  // and records its serial. FailedPrecondition if the birth already has one.
  absl::StatusOr<BirthAttestation> Attest(const std::string& actor, const std::string& birth_number,
                                          const CardAuthority& authority);

  absl::StatusOr<Birth> Get(const std::string& actor, const std::string& birth_number);

  // Stores a birth registered elsewhere (a field kit), keeping its id,
  // number and attestation. False if it is already here (nothing changes).
  absl::StatusOr<bool> ImportBirth(const std::string& actor, const Birth& birth);

 private:
  Registry& registry_;
  EnrollmentService& enrollment_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_BIRTHS_H_
