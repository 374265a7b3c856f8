// The transaction context shared by the registry's stores and capabilities.
// Internal to registry/: the capability libraries include it; nothing
// outside registry/ (but tests) may.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_TX_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_TX_H_

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "puente/common/clock.h"
#include "puente/registry/audit.h"
#include "puente/registry/database.h"
#include "puente/registry/keys.h"
#include "storage/internal/session.h"

namespace puente::registry::internal {

// Panama keeps UTC-5 all year; registration years and decision dates follow
// the office's calendar, not UTC's.
inline absl::TimeZone OfficeZone() { return absl::FixedTimeZone(-5 * 3600); }

inline std::string Today(const Clock& clock) {
  return absl::FormatCivilTime(absl::ToCivilDay(clock.Now(), OfficeZone()));
}

// A random (version 4) UUID, the id of every new row.
absl::StatusOr<std::string> NewUuid();

inline std::string DetailsJson(const nlohmann::json& j) { return j.dump(); }

// The context of one open transaction on `db`: the session, the data keys,
// the clock and the acting user, and the audit log. It owns nothing and does
// not begin or commit (InTransaction does); the stores (applicant_store.h,
// case_store.h, card_store.h, sequence_store.h) and the capabilities run
// their statements through it.
class Tx {
 public:
  Tx(Database& db, const KeyRing& keys, const Clock& clock, const std::string& actor);

  // Appends an audit event by this actor (hash-chained, see audit.h).
  absl::Status Audit(std::string action, std::string entity, std::string entity_id,
                     const nlohmann::json& details = nlohmann::json::object());

  soci::session& sql() { return sql_; }
  const KeyRing& keys() const { return keys_; }
  const Clock& clock() const { return clock_; }
  const std::string& actor() const { return actor_; }

 private:
  Database& db_;
  soci::session& sql_;
  const KeyRing& keys_;
  const Clock& clock_;
  // A copy: callers pass temporaries ("kit:" + id), which a reference
  // would outlive.
  const std::string actor_;
};

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_TX_H_
