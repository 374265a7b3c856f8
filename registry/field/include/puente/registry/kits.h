// Field kits (docs/field-kits.md): puente installations on SQLite that work
// for days without a network in border areas, then sync with the centre.
//
// At the centre, KitAuthority certifies a kit: it gets an office code of its
// own (901-999: registration numbers and card serials made offline never
// collide with the centre's or another kit's) and a signing key that the
// trust list names with narrow rights (provisional cards and birth
// attestations only, short validity). On the kit, the installed KitIdentity
// holds that key (sealed with the kit's field key), the root key the lists
// are checked with and the centre's bundle key that sync bundles are
// encrypted to. Jornadas are the registration days a kit works.
#ifndef PUENTE_REGISTRY_KITS_H_
#define PUENTE_REGISTRY_KITS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/keys.h"
#include "puente/credentials/lists.h"
#include "puente/registry/cards.h"
#include "puente/registry/registry.h"

namespace puente::registry {

struct KitRecord {
  std::string kit_id;       // "darien-01": a-z 0-9 - , 3..32
  std::string office_code;  // 901..999
  std::string kid;          // raw 8 bytes
  std::string public_key;   // raw Ed25519
  int64_t not_before = 0;   // the key may sign in [not_before, not_after]
  int64_t not_after = 0;
  int max_validity_days = 30;  // of what it signs
  std::string status;          // "active", "retired"
  // Offices whose people make up the kit's regional gallery snapshot
  // (docs/field-kits.md, "Pull"); empty: no snapshot.
  std::vector<std::string> region;
};

// The trust-list entry of a kit: provisional cards (asylum-seeker, refugee)
// and birth attestations, provisional only, at most max_validity_days.
credentials::TrustedIssuer TrustEntryOf(const KitRecord& kit);

class KitAuthority {
 public:
  explicit KitAuthority(Registry& registry) : registry_(registry) {}

  // Records the kit with the next free office code. AlreadyExists for a
  // known kit id or key; ResourceExhausted when 999 is taken.
  absl::StatusOr<KitRecord> Certify(const std::string& actor, const std::string& kit_id,
                                    const crypto::VerifyingKey& key, int valid_days,
                                    int max_validity_days);
  absl::StatusOr<KitRecord> Get(const std::string& kit_id);
  // Every kit, active or retired, by office code.
  absl::StatusOr<std::vector<KitRecord>> List();
  // A retired kit leaves the trust list; its bundles are refused.
  absl::Status Retire(const std::string& actor, const std::string& kit_id);
  // The offices (3-digit codes of the centre's offices, not kits') whose
  // people the kit receives in its regional snapshot when it pulls.
  absl::Status SetRegion(const std::string& actor, const std::string& kit_id,
                         const std::vector<std::string>& offices);

 private:
  Registry& registry_;
};

struct KitIdentity {
  std::string kit_id;
  std::string office_code;
  std::optional<credentials::SigningIdentity> key;
  int64_t not_after = 0;
  int max_validity_days = 30;
  std::string root_public_key;    // raw Ed25519: checks the trust and revocation lists
  std::string centre_bundle_key;  // raw X25519: sync bundles are sealed to it
  // The latest centre time the kit has seen (issued_at of the lists it
  // holds): a kit clock behind it is wrong. 0: the kit's clock at install.
  int64_t centre_time_seen = 0;
  // Where the last pull of the regional snapshot left off (the centre's
  // opaque cursor); empty: never pulled.
  std::string gallery_cursor;
};

// Installs this kit's identity (once: AlreadyExists after that).
absl::Status InstallKitIdentity(Registry& registry, const std::string& actor,
                                const KitIdentity& identity);
// This installation's kit identity; nullopt at the centre.
absl::StatusOr<std::optional<KitIdentity>> LoadKitIdentity(Registry& registry);
// The same without opening the signing key (`key` stays nullopt): cheap, for
// the callers that only need to know whether and which kit this is (the
// HTTP session, the sync page).
absl::StatusOr<std::optional<KitIdentity>> LoadKitPublicIdentity(Registry& registry);

// What the kit signs with: its key, issuer "PA-KIT-<kit id>", provisional,
// at most its max_validity_days, serials in its office's range. `kit` must
// hold its key (LoadKitIdentity).
CardAuthority KitCardAuthority(const KitIdentity& kit);

struct Jornada {
  std::string id;
  std::string kit_id;
  std::string location_code;  // e.g. "PA-5-DAR-01"
  std::string starts_on;      // YYYY-MM-DD
  std::string ends_on;
  std::vector<std::string> officers;
  std::string status;  // "open", "closed"
  std::string counts;  // JSON at close: births, attestations, enrollments
  std::string created_at;
  std::string closed_at;
};

// A jornada as the CLI's --json and the HTTP API show it: id, kit_id,
// location_code, starts_on, ends_on, officers, status, counts (an object
// once closed, else null), created_at, closed_at ("" while open).
nlohmann::json ToJson(const Jornada& j);

class Jornadas {
 public:
  explicit Jornadas(Registry& registry) : registry_(registry) {}
  absl::StatusOr<Jornada> Open(const std::string& actor, const std::string& kit_id,
                               const std::string& location_code, const std::string& starts_on,
                               const std::string& ends_on, std::vector<std::string> officers);
  // Counts what was registered during the jornada and closes it.
  absl::StatusOr<Jornada> Close(const std::string& actor, const std::string& id);
  absl::StatusOr<std::vector<Jornada>> List();

 private:
  Registry& registry_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_KITS_H_
