#include "puente/registry/audit.h"

#include <soci/soci.h>

#include <algorithm>
#include <functional>

#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "storage/internal/session.h"

namespace puente::registry {
namespace {

struct EventRow {
  long long seq = 0;
  std::string at, actor, action, entity, entity_id, details, prev_mac, mac;
};

// Length-prefixed fields: no two different events serialise the same way.
std::string Canonical(const EventRow& e) {
  std::string out;
  for (const std::string* f :
       {&e.prev_mac, &e.at, &e.actor, &e.action, &e.entity, &e.entity_id, &e.details}) {
    puente::StrAppend(&out, f->size(), ":", *f, ";");
  }
  return puente::StrCat("puente/audit/v1;", e.seq, ";", out);
}

absl::StatusOr<std::string> Mac(const KeyRing& keys, const EventRow& e) {
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes tag, keys.audit_mac().Compute(Canonical(e)));
  return crypto::HexEncode(tag);
}

}  // namespace

absl::Status AppendAuditEvent(Database& db, const KeyRing& keys, const Clock& clock,
                              const AuditEvent& event) {
  // The event of a read is written after the read, without holding the
  // write lock through it (InReadTransaction).
  if (internal::DeferWriteUntilAfterRead(
          db, [&db, &keys, &clock, event] { return AppendAuditEvent(db, keys, clock, event); })) {
    return absl::OkStatus();
  }
  try {
    soci::session& sql = internal::Session(db);
    // Taking the head row's write lock first serialises concurrent appenders.
    sql << "UPDATE audit_head SET seq = seq + 1 WHERE id = 1";
    EventRow e;
    sql << "SELECT seq, mac FROM audit_head WHERE id = 1", soci::into(e.seq),
        soci::into(e.prev_mac);
    if (!sql.got_data()) return absl::InternalError("audit: head row missing");
    e.at = FormatTimestamp(clock.Now());
    e.actor = event.actor;
    e.action = event.action;
    e.entity = event.entity;
    e.entity_id = event.entity_id;
    e.details = event.details.empty() ? "{}" : event.details;
    PUENTE_ASSIGN_OR_RETURN(e.mac, Mac(keys, e));
    sql << "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, details, "
           "prev_mac, mac) VALUES (:s, :at, :ac, :an, :en, :ei, :d, :p, :m)",
        soci::use(e.seq), soci::use(e.at), soci::use(e.actor), soci::use(e.action),
        soci::use(e.entity), soci::use(e.entity_id), soci::use(e.details), soci::use(e.prev_mac),
        soci::use(e.mac);
    sql << "UPDATE audit_head SET mac = :m WHERE id = 1", soci::use(e.mac);
    return absl::OkStatus();
  } catch (const soci::soci_error& err) {
    return internal::FromSociError(err, "writing audit event");
  }
}

absl::StatusOr<AuditReport> VerifyAuditChain(Database& db, const KeyRing& keys) {
  AuditReport report;
  auto fail = [&report](long long seq, std::string problem) {
    report.intact = false;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
    return report;
  };
  try {
    soci::session& sql = internal::Session(db);
    EventRow e;
    soci::statement st =
        (sql.prepare << "SELECT seq, at, actor, action, entity, entity_id, details, prev_mac, mac "
                        "FROM audit_events ORDER BY seq",
         soci::into(e.seq), soci::into(e.at), soci::into(e.actor), soci::into(e.action),
         soci::into(e.entity), soci::into(e.entity_id), soci::into(e.details),
         soci::into(e.prev_mac), soci::into(e.mac));
    st.execute();
    long long expected = 1;
    std::string prev_mac;
    while (st.fetch()) {
      if (e.seq != expected) {
        return fail(expected, e.seq > expected
                                  ? puente::StrCat("event ", expected, " is missing (deleted)")
                                  : puente::StrCat("event ", e.seq, " is out of order"));
      }
      if (e.prev_mac != prev_mac) {
        return fail(e.seq, puente::StrCat("event ", e.seq,
                                          " does not follow the event before it (an event was "
                                          "deleted or inserted)"));
      }
      PUENTE_ASSIGN_OR_RETURN(std::string mac, Mac(keys, e));
      if (!crypto::ConstantTimeEquals(mac, e.mac)) {
        return fail(e.seq, puente::StrCat("event ", e.seq, " was altered or inserted"));
      }
      prev_mac = e.mac;
      ++report.events_checked;
      ++expected;
    }
    long long head_seq = 0;
    std::string head_mac;
    sql << "SELECT seq, mac FROM audit_head WHERE id = 1", soci::into(head_seq),
        soci::into(head_mac);
    if (!sql.got_data()) return fail(expected, "the audit head record is missing");
    if (head_seq != expected - 1 || head_mac != prev_mac) {
      if (head_seq > expected - 1) {
        return fail(expected, puente::StrCat("events ", expected, " to ", head_seq,
                                             " are missing (the end of the log was deleted)"));
      }
      return fail(expected - 1, "the audit head does not match the last event");
    }
    report.intact = true;
    return report;
  } catch (const soci::soci_error& err) {
    return internal::FromSociError(err, "reading audit log");
  }
}

absl::StatusOr<std::vector<StoredAuditEvent>> ListAuditEvents(Database& db, long long after_seq,
                                                              int limit) {
  limit = std::clamp(limit, 1, 1000);
  std::vector<StoredAuditEvent> out;
  absl::Status s = InReadTransaction(db, [&]() -> absl::Status {
    StoredAuditEvent e;
    soci::statement st =
        (internal::Session(db).prepare
             << "SELECT seq, at, actor, action, entity, entity_id, details "
                "FROM audit_events WHERE seq > :a ORDER BY seq",
         soci::use(after_seq), soci::into(e.seq), soci::into(e.at), soci::into(e.event.actor),
         soci::into(e.event.action), soci::into(e.event.entity), soci::into(e.event.entity_id),
         soci::into(e.event.details));
    st.execute();
    while (static_cast<int>(out.size()) < limit && st.fetch()) out.push_back(e);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace puente::registry
