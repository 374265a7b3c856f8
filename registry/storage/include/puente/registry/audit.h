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

// What an auditor looks for: the events between two sequence numbers that
// match every filter given (an empty filter matches everything), in either
// order. Paging: newest first, the next page is the same query with
// `before_seq` = the last seq of this page; oldest first, `after_seq` = it.
struct AuditQuery {
  long long after_seq = 0;   // only seq > after_seq
  long long before_seq = 0;  // only seq < before_seq; 0: no upper bound
  // An action ("user.create"), or a family of actions ending in a dot
  // ("user." matches every "user.*"). 1-64 of a-z 0-9 _ . when given.
  std::string action;
  std::string actor;  // a user name (exact), or "login" for failed logins
  // Calendar days "YYYY-MM-DD", both inclusive, in Panama's time (UTC-5, the
  // registry's office days): from 00:00 of `from_day` to the end of `to_day`.
  std::string from_day, to_day;
  bool newest_first = false;
  int limit = 100;  // 1-1000
};
inline constexpr int kMaxAuditPage = 1000;

struct AuditPage {
  std::vector<StoredAuditEvent> events;
  bool more = false;  // another page follows in the query's order
};

// InvalidArgument naming the field ("limit: ...", "action: ...",
// "from: ...", "to: ...") for a query out of the rules above or with
// from_day after to_day; else the page. A read: takes no write lock.
absl::StatusOr<AuditPage> FindAuditEvents(Database& db, const AuditQuery& query);

// Walks the whole chain. Errors only for database failures; a broken chain
// is reported in AuditReport.
absl::StatusOr<AuditReport> VerifyAuditChain(Database& db, const KeyRing& keys);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_AUDIT_H_
