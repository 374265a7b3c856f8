// The audit log: an append-only, hash-chained record of every create, read
// and update of personal data.
//
// Event n stores mac_n = HMAC-SHA-256(audit key, mac_{n-1} || fields of n),
// so the chain cannot be recomputed by someone with only database access:
// altering, inserting or deleting an event breaks it at that event. The
// audit_head row records the last sequence number and mac, so cutting off
// the tail is detected too. Triggers refuse UPDATE and DELETE on the table.
// Events never hold personal data: only ids, actions and field names.
#ifndef PUENTE_REGISTRY_AUDIT_H_
#define PUENTE_REGISTRY_AUDIT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/common/clock.h"
#include "puente/registry/database.h"
#include "puente/registry/keys.h"

namespace puente::registry {

struct AuditEvent {
  std::string actor;      // user name
  std::string action;     // e.g. "applicant.create", "applicant.read"
  std::string entity;     // e.g. "applicant", "case"
  std::string entity_id;  // internal id
  std::string details;    // JSON object without personal data
};

// Fails closed: a default report is not intact; only a complete check of
// the chain and its head sets `intact`.
struct AuditReport {
  bool intact = false;
  long long events_checked = 0;
  long long first_bad_seq = 0;  // 0 when intact
  std::string problem;          // e.g. "event 17 was altered or inserted"
};

// Appends `event` within the caller's open transaction, so the event exists
// exactly when the change it records does.
absl::Status AppendAuditEvent(Database& db, const KeyRing& keys, const Clock& clock,
                              const AuditEvent& event);

struct StoredAuditEvent {
  long long seq = 0;
  std::string at;
  AuditEvent event;
};
// Events with seq > `after_seq`, oldest first, at most `limit` (<= 1000).
absl::StatusOr<std::vector<StoredAuditEvent>> ListAuditEvents(Database& db, long long after_seq,
                                                              int limit);

// Walks the whole chain. Errors only for database failures; a broken chain
// is reported in AuditReport.
absl::StatusOr<AuditReport> VerifyAuditChain(Database& db, const KeyRing& keys);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_AUDIT_H_
