#include "puente/registry/audit.h"

#include <soci/soci.h>

#include <algorithm>
#include <functional>

#include "absl/time/civil_time.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/validation.h"
#include "storage/internal/session.h"
#include "storage/internal/tx.h"

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
  AuditQuery q;
  q.after_seq = after_seq;
  q.limit = std::clamp(limit, 1, kMaxAuditPage);
  PUENTE_ASSIGN_OR_RETURN(AuditPage page, FindAuditEvents(db, q));
  return std::move(page.events);
}

absl::StatusOr<AuditPage> FindAuditEvents(Database& db, const AuditQuery& q) {
  if (q.limit < 1 || q.limit > kMaxAuditPage) {
    return absl::InvalidArgumentError(
        puente::StrCat("limit: ", q.limit, " is out of range, 1 to ", kMaxAuditPage));
  }
  if (q.after_seq < 0 || q.before_seq < 0) {
    return absl::InvalidArgumentError(q.after_seq < 0 ? "after: must not be negative"
                                                      : "before: must not be negative");
  }
  if (!q.action.empty() &&
      (q.action.size() > 64 ||
       q.action.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string::npos)) {
    return absl::InvalidArgumentError("action: 1-64 of a-z 0-9 _ . (a family ends with a dot)");
  }
  if (!q.actor.empty()) PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", q.actor));
  // Day bounds as stored timestamps (fixed width, so they compare as text).
  std::string from_at, to_at;
  absl::CivilDay from_day, to_day;
  if (!q.from_day.empty()) {
    PUENTE_RETURN_IF_ERROR(ValidateCalendarDate("from", q.from_day));
    absl::ParseCivilTime(q.from_day, &from_day);
    from_at = FormatTimestamp(absl::FromCivil(from_day, internal::OfficeZone()));
  }
  if (!q.to_day.empty()) {
    PUENTE_RETURN_IF_ERROR(ValidateCalendarDate("to", q.to_day));
    absl::ParseCivilTime(q.to_day, &to_day);
    to_at = FormatTimestamp(absl::FromCivil(to_day + 1, internal::OfficeZone()));
  }
  if (!from_at.empty() && !to_at.empty() && from_day > to_day) {
    return absl::InvalidArgumentError(
        puente::StrCat("from: ", q.from_day, " is after to: ", q.to_day));
  }

  // The filters given, each a clause with its value bound in order.
  std::string where = "seq > :after";
  std::vector<const std::string*> texts;  // bound after the seq bounds, in clause order
  if (q.before_seq > 0) where += " AND seq < :before";
  const bool family = !q.action.empty() && q.action.back() == '.';
  const std::string family_len = std::to_string(q.action.size());
  if (!q.action.empty()) {
    where += family ? puente::StrCat(" AND substr(action, 1, ", family_len, ") = :action")
                    : " AND action = :action";
    texts.push_back(&q.action);
  }
  if (!q.actor.empty()) {
    where += " AND actor = :actor";
    texts.push_back(&q.actor);
  }
  if (!from_at.empty()) {
    where += " AND at >= :from";
    texts.push_back(&from_at);
  }
  if (!to_at.empty()) {
    where += " AND at < :to";
    texts.push_back(&to_at);
  }
  // One row more than the page: whether another page follows.
  const std::string sql_text = puente::StrCat(
      "SELECT seq, at, actor, action, entity, entity_id, details FROM audit_events WHERE ", where,
      " ORDER BY seq ", q.newest_first ? "DESC" : "ASC", " LIMIT ", q.limit + 1);
  AuditPage page;
  absl::Status s = InReadTransaction(db, [&]() -> absl::Status {
    StoredAuditEvent e;
    soci::statement st = (internal::Session(db).prepare << sql_text);
    st.exchange(soci::use(q.after_seq));
    if (q.before_seq > 0) st.exchange(soci::use(q.before_seq));
    for (const std::string* t : texts) st.exchange(soci::use(*t));
    st.exchange(soci::into(e.seq));
    st.exchange(soci::into(e.at));
    st.exchange(soci::into(e.event.actor));
    st.exchange(soci::into(e.event.action));
    st.exchange(soci::into(e.event.entity));
    st.exchange(soci::into(e.event.entity_id));
    st.exchange(soci::into(e.event.details));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      if (static_cast<int>(page.events.size()) == q.limit) {
        page.more = true;
        break;
      }
      page.events.push_back(e);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return page;
}

}  // namespace puente::registry
