// The kit's sync status (sync.h) and its log (sync_log.h).
#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "field/internal/sync_log.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/kits.h"
#include "puente/registry/sync.h"
#include "puente/registry/validation.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using internal::Tx;
using nlohmann::json;

namespace internal {

absl::Status RecordSyncEvent(Tx& tx, const std::string& kind, const std::string& at,
                             const std::string& bundle_id, const json& detail) {
  const std::string text = detail.dump();
  tx.sql() << "DELETE FROM kit_sync_log WHERE kind = :k", soci::use(kind);
  tx.sql() << "INSERT INTO kit_sync_log (kind, at, bundle_id, detail) VALUES (:k, :a, :b, :d)",
      soci::use(kind), soci::use(at), soci::use(bundle_id), soci::use(text);
  return absl::OkStatus();
}

}  // namespace internal

namespace {

int64_t Unix(const std::string& ts) {
  auto t = ParseTimestamp(ts);
  return t.ok() ? absl::ToUnixSeconds(*t) : 0;
}

std::string Rfc3339(int64_t unix_seconds) {
  return FormatTimestamp(absl::FromUnixSeconds(unix_seconds));
}

std::optional<ListAge> ListAgeOf(const json& pull_detail, const char* name, int64_t now) {
  if (!pull_detail.contains(name) || !pull_detail[name].is_object()) return std::nullopt;
  const json& l = pull_detail[name];
  ListAge age;
  age.sequence = l.value("sequence", uint64_t{0});
  age.issued_at = l.value("issued_at", int64_t{0});
  age.next_update = l.value("next_update", int64_t{0});
  age.entries = l.value("entries", 0);
  age.stale = now > age.next_update;
  return age;
}

json EventJson(const std::optional<SyncEvent>& e) {
  if (!e) return nullptr;
  return {{"at", Rfc3339(e->at)}, {"bundle_id", e->bundle_id}, {"detail", e->detail}};
}

json ListJson(const std::optional<ListAge>& l) {
  if (!l) return nullptr;
  return {{"sequence", l->sequence},
          {"issued_at", Rfc3339(l->issued_at)},
          {"next_update", Rfc3339(l->next_update)},
          {"entries", l->entries},
          {"stale", l->stale}};
}

}  // namespace

absl::StatusOr<SyncStatus> KitSyncStatus(Registry& kit) {
  PUENTE_ASSIGN_OR_RETURN(std::optional<KitIdentity> id, LoadKitPublicIdentity(kit));
  if (!id) return absl::FailedPreconditionError("this server does not run on a field kit");
  SyncStatus out;
  out.kit_id = id->kit_id;
  out.office_code = id->office_code;
  out.now = absl::ToUnixSeconds(kit.clock().Now());
  absl::Status s = InReadTransaction(kit.database(), [&]() -> absl::Status {
    soci::session& sql = internal::Session(kit.database());
    std::string kind, at, bundle, detail;
    soci::statement st = (sql.prepare << "SELECT kind, at, bundle_id, detail FROM kit_sync_log",
                          soci::into(kind), soci::into(at), soci::into(bundle), soci::into(detail));
    st.execute();
    while (st.fetch()) {
      SyncEvent e{Unix(at), bundle, json::parse(detail, nullptr, false)};
      if (e.detail.is_discarded()) e.detail = json::object();
      if (kind == "export") out.last_export = e;
      if (kind == "push") out.last_push = e;
      if (kind == "pull") out.last_pull = e;
    }
    // Since the last export began: its own start time, so what was recorded
    // while it ran counts as waiting (it may or may not be in the bundle).
    std::string from = "0000";  // before anything
    if (out.last_export) {
      from = out.last_export->detail.value("started_at", Rfc3339(out.last_export->at));
    }
    sql << "SELECT count(*) FROM enrollments WHERE created_at > :t AND applicant_id NOT IN "
           "(SELECT applicant_id FROM regional_refs)",
        soci::use(from), soci::into(out.waiting_enrollments);
    sql << "SELECT count(*) FROM births WHERE created_at > :t", soci::use(from),
        soci::into(out.waiting_births);
    sql << "SELECT count(*) FROM jornadas WHERE created_at > :t OR closed_at > :u", soci::use(from),
        soci::use(from), soci::into(out.waiting_jornadas);
    sql << "SELECT count(*) FROM cards WHERE provisional = 1 AND issued_at > :t", soci::use(from),
        soci::into(out.waiting_cards);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (out.last_pull) {
    out.trust_list = ListAgeOf(out.last_pull->detail, "trust_list", out.now);
    out.revocation_list = ListAgeOf(out.last_pull->detail, "revocation_list", out.now);
  }
  return out;
}

json ToJson(const SyncStatus& s) {
  return {
      {"kit_id", s.kit_id},
      {"office_code", s.office_code},
      {"now", Rfc3339(s.now)},
      {"waiting",
       {{"enrollments", s.waiting_enrollments},
        {"births", s.waiting_births},
        {"jornadas", s.waiting_jornadas},
        {"provisional_cards", s.waiting_cards},
        {"total",
         s.waiting_enrollments + s.waiting_births + s.waiting_jornadas + s.waiting_cards}}},
      {"last_export", EventJson(s.last_export)},
      {"last_push", EventJson(s.last_push)},
      {"last_pull", EventJson(s.last_pull)},
      {"lists", {{"trust", ListJson(s.trust_list)}, {"revocation", ListJson(s.revocation_list)}}}};
}

absl::Status RecordPush(Registry& kit, const std::string& actor, const std::string& bundle_id,
                        const json& centre_answer) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::optional<KitIdentity> id, LoadKitPublicIdentity(kit));
  if (!id) return absl::FailedPreconditionError("this installation is not a field kit");
  // Only the counts and the outcome: the centre's report names people held
  // for adjudication by registration number, which the kit's log needs not.
  json detail = json::object();
  for (const char* k : {"complete", "already_imported", "enrolled_cleared", "held_for_adjudication",
                        "already_present", "refused", "births", "jornadas", "provisional_cards",
                        "chunks_total", "chunks_sent_now"}) {
    if (centre_answer.contains(k)) detail[k] = centre_answer[k];
  }
  detail["missing_chunks"] = centre_answer.value("missing", json::array()).size();
  return InTransaction(kit.database(), [&]() -> absl::Status {
    Tx tx(kit.database(), kit.keys(), kit.clock(), actor);
    PUENTE_RETURN_IF_ERROR(internal::RecordSyncEvent(tx, "push", FormatTimestamp(kit.clock().Now()),
                                                     bundle_id, detail));
    return tx.Audit("kit.push", "bundle", bundle_id, detail);
  });
}

}  // namespace puente::registry
