#include "storage/internal/case_store.h"

#include <algorithm>

#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "storage/internal/applicant_store.h"

namespace puente::registry::internal {

absl::StatusOr<Case> LoadCase(Tx& tx, const std::string& case_number) {
  Case c;
  std::string status;
  tx.sql() << "SELECT id, case_number, status, office_code, created_at FROM cases "
              "WHERE case_number = :n",
      soci::use(case_number), soci::into(c.id), soci::into(c.case_number), soci::into(status),
      soci::into(c.office_code), soci::into(c.created_at);
  if (!tx.sql().got_data()) {
    return absl::NotFoundError(puente::StrCat("case_number: ", case_number, " does not exist"));
  }
  auto st = ParseCaseStatus(status);
  if (!st) return absl::DataLossError("stored case status is unknown");
  c.status = *st;
  {
    std::string reg_enc, rel, applicant_id;
    soci::statement q =
        (tx.sql().prepare << "SELECT id, reg_no_enc, relationship FROM applicants "
                             "WHERE case_id = :c ORDER BY created_at, id",
         soci::use(c.id), soci::into(applicant_id), soci::into(reg_enc), soci::into(rel));
    q.execute();
    while (q.fetch()) {
      CaseMember m;
      PUENTE_ASSIGN_OR_RETURN(m.registration_number,
                              tx.keys().Open(reg_enc, Ctx("reg_no", applicant_id)));
      auto r = ParseRelationship(rel);
      if (!r) return absl::DataLossError("stored relationship is unknown");
      m.relationship = *r;
      c.members.push_back(std::move(m));
    }
    std::stable_partition(c.members.begin(), c.members.end(), [](const CaseMember& m) {
      return m.relationship == Relationship::kPrincipal;
    });
  }
  {
    std::string id, from, to, effective, at, by, reason_enc;
    soci::indicator from_ind;
    soci::statement q =
        (tx.sql().prepare << "SELECT id, from_status, to_status, effective, changed_at, "
                             "changed_by, reason_enc FROM case_status_history WHERE case_id = :c "
                             "ORDER BY seq",
         soci::use(c.id), soci::into(id), soci::into(from, from_ind), soci::into(to),
         soci::into(effective), soci::into(at), soci::into(by), soci::into(reason_enc));
    q.execute();
    while (q.fetch()) {
      StatusChange h;
      if (from_ind == soci::i_ok) h.from = ParseCaseStatus(from);
      auto t = ParseCaseStatus(to);
      if (!t) return absl::DataLossError("stored case status is unknown");
      h.to = *t;
      h.effective = effective;
      h.changed_at = at;
      h.changed_by = by;
      PUENTE_ASSIGN_OR_RETURN(
          h.reason, tx.keys().Open(reason_enc, puente::StrCat("case_status_history.reason/", id)));
      c.history.push_back(std::move(h));
    }
  }
  return c;
}

absl::Status InsertStatusChange(Tx& tx, const std::string& case_id, int seq,
                                std::optional<CaseStatus> from, CaseStatus to,
                                const std::string& effective, const std::string& reason) {
  PUENTE_ASSIGN_OR_RETURN(std::string id, NewUuid());
  PUENTE_ASSIGN_OR_RETURN(
      std::string reason_enc,
      tx.keys().Seal(reason, puente::StrCat("case_status_history.reason/", id)));
  const std::string from_s = from ? std::string(ToString(*from)) : "";
  soci::indicator from_ind = from ? soci::i_ok : soci::i_null;
  const std::string to_s(ToString(to));
  const std::string now = FormatTimestamp(tx.clock().Now());
  tx.sql() << "INSERT INTO case_status_history (id, case_id, seq, from_status, to_status, "
              "effective, changed_at, changed_by, reason_enc) "
              "VALUES (:i, :c, :s, :f, :t, :e, :a, :b, :r)",
      soci::use(id), soci::use(case_id), soci::use(seq), soci::use(from_s, from_ind),
      soci::use(to_s), soci::use(effective), soci::use(now), soci::use(tx.actor()),
      soci::use(reason_enc);
  return absl::OkStatus();
}

}  // namespace puente::registry::internal
