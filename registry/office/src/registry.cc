#include "puente/registry/registry.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/migrator.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/card_store.h"
#include "storage/internal/case_store.h"
#include "storage/internal/sequence_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using namespace internal;

Registry::Registry(std::unique_ptr<Database> db, KeyRing keys, const Clock& clock)
    : db_(std::move(db)), keys_(std::move(keys)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Open(const std::string& url,
                                                         const crypto::SecretKey& master_key,
                                                         const Clock& clock) {
  PUENTE_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(url));
  PUENTE_RETURN_IF_ERROR(CheckSchemaCurrent(*db));
  PUENTE_ASSIGN_OR_RETURN(KeyRing keys, KeyRing::Open(*db, master_key));
  return std::unique_ptr<Registry>(new Registry(std::move(db), std::move(keys), clock));
}

absl::StatusOr<Applicant> Registry::AddApplicant(const std::string& actor, NewApplicant in) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(in, ValidateNewApplicant(std::move(in), clock_.Now()));
  std::string wanted_reg_no;
  if (!in.registration_number.empty()) {
    PUENTE_ASSIGN_OR_RETURN(wanted_reg_no, ParseRegistrationNumber(in.registration_number));
  }
  Applicant a;
  absl::Status s = InTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    PUENTE_ASSIGN_OR_RETURN(a, InsertNewApplicant(tx, actor, in, wanted_reg_no));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return a;
}

absl::StatusOr<Applicant> Registry::InsertNewApplicant(Tx& tx, const std::string& actor,
                                                       const NewApplicant& in,
                                                       const std::string& wanted_reg_no) {
  Applicant a;
  const std::string now = FormatTimestamp(clock_.Now());
  const int year = static_cast<int>(absl::ToCivilYear(clock_.Now(), OfficeZone()).year());
  std::string case_id;
  if (in.case_number.empty()) {
    PUENTE_ASSIGN_OR_RETURN(case_id, NewUuid());
    if (!in.new_case_number.empty()) {
      int y = 0, n = 0;
      char office[4] = {0};
      if (in.new_case_number.size() != 16 ||
          std::sscanf(in.new_case_number.c_str(), "C%3[0-9]-%4d-%6d", office, &y, &n) != 3) {
        return absl::InvalidArgumentError(puente::StrCat("new_case_number: '", in.new_case_number,
                                                         "' is not C<office>-YYYY-NNNNNN"));
      }
      int taken = 0;
      tx.sql() << "SELECT count(*) FROM cases WHERE case_number = :n",
          soci::use(in.new_case_number), soci::into(taken);
      if (taken > 0) {
        return absl::AlreadyExistsError(
            puente::StrCat("case_number: ", in.new_case_number, " already exists"));
      }
      a.case_number = in.new_case_number;
    } else {
      PUENTE_ASSIGN_OR_RETURN(long long n, NextSequence(tx, "C" + in.office_code, year));
      a.case_number = absl::StrFormat("C%s-%04d-%06d", in.office_code, year, n);
    }
    tx.sql() << "INSERT INTO cases (id, case_number, status, office_code, created_at, "
                "created_by, updated_at) VALUES (:i, :n, 'registered', :o, :c, :b, :u)",
        soci::use(case_id), soci::use(a.case_number), soci::use(in.office_code), soci::use(now),
        soci::use(actor), soci::use(now);
    PUENTE_RETURN_IF_ERROR(InsertStatusChange(tx, case_id, 1, std::nullopt, CaseStatus::kRegistered,
                                              Today(clock_), "case opened at registration"));
    PUENTE_RETURN_IF_ERROR(tx.Audit("case.create", "case", case_id));
  } else {
    PUENTE_ASSIGN_OR_RETURN(Case c, LoadCase(tx, in.case_number));
    if (c.status == CaseStatus::kClosed) {
      return absl::FailedPreconditionError(
          puente::StrCat("case_number: ", c.case_number, " is closed; open a new case"));
    }
    if (c.members.size() >= kMaxCaseMembers) {
      return WithDetail(absl::InvalidArgumentError(puente::StrCat(
                            "case_number: case ", c.case_number, " already has ", c.members.size(),
                            " members, the limit is ", kMaxCaseMembers)),
                        kDetailField, "case_number");
    }
    case_id = c.id;
    a.case_number = c.case_number;
  }
  if (!wanted_reg_no.empty()) {
    PUENTE_ASSIGN_OR_RETURN(std::string bidx, keys_.BlindIndex("reg_no", wanted_reg_no));
    PUENTE_ASSIGN_OR_RETURN(bool taken, RegistrationNumberTaken(tx, bidx));
    if (taken) {
      return absl::AlreadyExistsError(
          puente::StrCat("registration_number: ", wanted_reg_no, " is already registered"));
    }
    a.registration_number = wanted_reg_no;
  } else {
    // Skip numbers already taken by imported records.
    for (;;) {
      PUENTE_ASSIGN_OR_RETURN(long long n, NextSequence(tx, in.office_code, year));
      a.registration_number = FormatRegistrationNumber(in.office_code, year, n);
      PUENTE_ASSIGN_OR_RETURN(std::string bidx, keys_.BlindIndex("reg_no", a.registration_number));
      PUENTE_ASSIGN_OR_RETURN(bool taken, RegistrationNumberTaken(tx, bidx));
      if (!taken) break;
    }
  }
  PUENTE_ASSIGN_OR_RETURN(a.id, NewUuid());
  a.relationship = in.relationship;
  CopyPersonalFields(in, a);
  a.documents = in.documents;
  a.office_code = in.office_code;
  a.officer = in.officer;
  a.created_at = now;
  a.updated_at = now;
  a.version = 1;
  PUENTE_RETURN_IF_ERROR(InsertApplicant(tx, a, case_id));
  PUENTE_RETURN_IF_ERROR(tx.Audit("applicant.create", "applicant", a.id, {{"case_id", case_id}}));
  return a;
}

absl::StatusOr<Applicant> Registry::GetApplicant(const std::string& actor,
                                                 const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  Applicant a;
  absl::Status s = InReadTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    PUENTE_ASSIGN_OR_RETURN(a, ReadApplicant(tx, reg_no, "applicant.read"));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return a;
}

absl::StatusOr<std::vector<Applicant>> Registry::ListApplicants(const std::string& actor, int limit,
                                                                int offset) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (limit < 1 || limit > 1000) return absl::InvalidArgumentError("limit: must be 1 to 1000");
  if (offset < 0) return absl::InvalidArgumentError("offset: must not be negative");
  std::vector<Applicant> out;
  absl::Status s = InReadTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    std::vector<ApplicantRow> rows;
    {
      ApplicantRow r;
      soci::statement st = (tx.sql().prepare << kApplicantSelect
                                             << "ORDER BY a.created_at, a.id LIMIT :l OFFSET :o");
      BindApplicant(st, r);
      st.exchange(soci::use(limit));
      st.exchange(soci::use(offset));
      st.define_and_bind();
      st.execute();
      while (st.fetch()) rows.push_back(r);
    }
    // The page's documents in one query (ids come from the rows: UUIDs).
    std::string list;
    for (const ApplicantRow& r : rows) list += puente::StrCat(list.empty() ? "'" : ",'", r.id, "'");
    std::map<std::string, std::vector<IdentityDocument>> docs;
    if (!rows.empty()) {
      PUENTE_RETURN_IF_ERROR(
          LoadDocumentsWhere(tx, puente::StrCat("applicant_id IN (", list, ")"), nullptr, docs));
    }
    for (const ApplicantRow& r : rows) {
      PUENTE_ASSIGN_OR_RETURN(Applicant a, DecryptApplicant(tx, r, /*with_documents=*/false));
      a.documents = std::move(docs[a.id]);
      PUENTE_RETURN_IF_ERROR(tx.Audit("applicant.read", "applicant", a.id, {{"via", "list"}}));
      out.push_back(std::move(a));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Applicant> Registry::UpdateApplicant(const std::string& actor,
                                                    const std::string& registration_number,
                                                    const ApplicantUpdate& u) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  Applicant result;
  absl::Status s = InTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant cur, ReadApplicant(tx, reg_no, "applicant.read_for_update"));
    if (u.expected_version && *u.expected_version != cur.version) {
      return absl::AbortedError(puente::StrCat(
          "applicant ", reg_no, " was changed by someone else (version ", cur.version,
          ", you edited version ", *u.expected_version, "); reload and retry"));
    }
    // Apply the changes to a copy and validate it as a whole with the same
    // rules as a new applicant.
    NewApplicant next;
    next.given_names = u.given_names.value_or(cur.given_names);
    next.surname1 = u.surname1.value_or(cur.surname1);
    next.surname2 = u.surname2.value_or(cur.surname2);
    next.sex = u.sex.value_or(cur.sex);
    next.date_of_birth = u.date_of_birth.value_or(cur.date_of_birth);
    next.nationality = u.nationality.value_or(cur.nationality);
    next.place_of_birth = u.place_of_birth.value_or(cur.place_of_birth);
    next.languages = u.languages.value_or(cur.languages);
    next.phone = u.phone.value_or(cur.phone);
    next.address = u.address.value_or(cur.address);
    next.documents = u.add_documents;
    next.office_code = cur.office_code;
    next.officer = cur.officer;
    PUENTE_ASSIGN_OR_RETURN(next, ValidateNewApplicant(std::move(next), clock_.Now()));
    PUENTE_RETURN_IF_ERROR(CheckCount("documents", cur.documents.size() + next.documents.size(),
                                      kMaxDocuments, "documents with those added"));

    std::vector<std::string> changed;
    auto check = [&changed](const char* name, bool differs) {
      if (differs) changed.push_back(name);
    };
    check("given_names", next.given_names != cur.given_names);
    check("surname1", next.surname1 != cur.surname1);
    check("surname2", next.surname2 != cur.surname2);
    check("sex", next.sex != cur.sex);
    check("date_of_birth", !(next.date_of_birth == cur.date_of_birth));
    check("nationality", next.nationality != cur.nationality);
    check("place_of_birth", next.place_of_birth != cur.place_of_birth);
    check("languages", next.languages != cur.languages);
    check("phone", next.phone != cur.phone);
    check("address", next.address != cur.address);
    check("documents", !next.documents.empty());
    if (changed.empty()) {
      return absl::InvalidArgumentError("update: nothing to change");
    }
    Applicant a = cur;
    CopyPersonalFields(next, a);
    a.updated_at = FormatTimestamp(clock_.Now());
    a.version = cur.version + 1;
    const std::string& id = a.id;
    PUENTE_ASSIGN_OR_RETURN(bool updated, UpdatePerson(tx, a, cur.version));
    if (!updated) {
      return absl::AbortedError(
          puente::StrCat("applicant ", reg_no, " was changed concurrently; reload and retry"));
    }
    for (const IdentityDocument& d : next.documents) {
      PUENTE_RETURN_IF_ERROR(InsertDocument(tx, id, d, a.updated_at));
      a.documents.push_back(d);
    }
    result = a;
    return tx.Audit("applicant.update", "applicant", id, {{"fields", changed}});
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<Case> Registry::GetCase(const std::string& actor, const std::string& case_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  Case c;
  absl::Status s = InReadTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    PUENTE_ASSIGN_OR_RETURN(c, LoadCase(tx, case_number));
    return tx.Audit("case.read", "case", c.id);
  });
  if (!s.ok()) return s;
  return c;
}

absl::StatusOr<Case> Registry::ChangeCaseStatus(const std::string& actor,
                                                const std::string& case_number, CaseStatus to,
                                                const std::string& reason,
                                                const std::string& effective) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string why,
                          ValidateFreeText("reason", reason, kMaxReasonLength, true));
  const std::string when = effective.empty() ? Today(clock_) : effective;
  PUENTE_RETURN_IF_ERROR(ValidateCalendarDate("effective", when));
  if (when > Today(clock_)) {
    return absl::InvalidArgumentError(puente::StrCat("effective: ", when, " is in the future"));
  }
  Case c;
  absl::Status s = InTransaction(*db_, [&]() -> absl::Status {
    Tx tx(*db_, keys_, clock_, actor);
    PUENTE_ASSIGN_OR_RETURN(c, LoadCase(tx, case_number));
    if (!IsAllowedTransition(c.status, to)) {
      return absl::FailedPreconditionError(puente::StrCat("status: case ", c.case_number,
                                                          " cannot go from ", ToString(c.status),
                                                          " to ", ToString(to)));
    }
    const std::string now = FormatTimestamp(clock_.Now());
    const std::string to_s(ToString(to)), from_s(ToString(c.status));
    soci::statement st = (tx.sql().prepare << "UPDATE cases SET status = :t, updated_at = :u "
                                              "WHERE id = :i AND status = :f",
                          soci::use(to_s), soci::use(now), soci::use(c.id), soci::use(from_s));
    st.execute(true);
    if (st.get_affected_rows() != 1) {
      return absl::AbortedError("status: the case changed concurrently; reload and retry");
    }
    PUENTE_RETURN_IF_ERROR(InsertStatusChange(tx, c.id, static_cast<int>(c.history.size()) + 1,
                                              c.status, to, when, why));
    PUENTE_RETURN_IF_ERROR(tx.Audit("case.status", "case", c.id, {{"from", from_s}, {"to", to_s}}));
    // Card policy (docs/enrollment.md): a closed case, including a final
    // rejection, revokes every active card of its members.
    if (to == CaseStatus::kClosed) {
      PUENTE_RETURN_IF_ERROR(
          RevokeActiveCards(tx, "applicant_id IN (SELECT id FROM applicants WHERE case_id = :k)",
                            c.id, puente::StrCat("case closed (from ", from_s, ")")));
    }
    PUENTE_ASSIGN_OR_RETURN(c, LoadCase(tx, case_number));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return c;
}

absl::StatusOr<AuditReport> Registry::VerifyAudit() { return VerifyAuditChain(*db_, keys_); }

}  // namespace puente::registry
