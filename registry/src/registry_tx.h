// Registry internals shared by registry.cc and enrollment.cc: stored-row
// helpers and Tx, the operations that run inside one open transaction.
// Private to registry/.
#ifndef PUENTE_REGISTRY_SRC_REGISTRY_TX_H_
#define PUENTE_REGISTRY_SRC_REGISTRY_TX_H_

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "puente/common/clock.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/audit.h"
#include "puente/registry/database.h"
#include "puente/registry/keys.h"
#include "puente/registry/model.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"

namespace puente::registry::internal {

// Panama keeps UTC-5 all year; registration years and decision dates follow
// the office's calendar, not UTC's.
inline absl::TimeZone OfficeZone() { return absl::FixedTimeZone(-5 * 3600); }

inline std::string Today(const Clock& clock) {
  return absl::FormatCivilTime(absl::ToCivilDay(clock.Now(), OfficeZone()));
}

inline absl::StatusOr<std::string> NewUuid() {
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes b, crypto::RandomBytes(16));
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string h = crypto::HexEncode(b);
  return puente::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                      h.substr(16, 4), "-", h.substr(20));
}

// Stored columns of one applicant (ciphertexts still sealed).
struct ApplicantRow {
  std::string id, reg_no_enc, case_number, relationship, given_names_enc, surname1_enc,
      surname2_enc, sex, dob_enc, dob_precision, nationality, place_of_birth_enc, languages,
      phone_enc, address_enc, office_code, officer, created_at, updated_at;
  int version = 0;
};

inline constexpr char kApplicantSelect[] =
    "SELECT a.id, a.reg_no_enc, c.case_number, a.relationship, a.given_names_enc, "
    "a.surname1_enc, a.surname2_enc, a.sex, a.date_of_birth_enc, a.dob_precision, "
    "a.nationality, a.place_of_birth_enc, a.languages, a.phone_enc, a.address_enc, "
    "a.office_code, a.officer, a.created_at, a.updated_at, a.version "
    "FROM applicants a JOIN cases c ON c.id = a.case_id ";

// Binds every column of ApplicantRow as into() targets, in kApplicantSelect order.
inline void BindApplicant(soci::statement& st, ApplicantRow& r) {
  for (std::string* s : {&r.id, &r.reg_no_enc, &r.case_number, &r.relationship,
                         &r.given_names_enc, &r.surname1_enc, &r.surname2_enc, &r.sex, &r.dob_enc,
                         &r.dob_precision, &r.nationality, &r.place_of_birth_enc, &r.languages,
                         &r.phone_enc, &r.address_enc, &r.office_code, &r.officer,
                         &r.created_at, &r.updated_at}) {
    st.exchange(soci::into(*s));
  }
  st.exchange(soci::into(r.version));
}

inline std::string Ctx(std::string_view column, std::string_view id) {
  return puente::StrCat("applicants.", column, "/", id);
}

inline absl::StatusOr<DateOfBirth> DecodeDob(const std::string& text, const std::string& precision) {
  auto p = ParseDatePrecision(precision);
  DateOfBirth d;
  if (!p) return absl::DataLossError("stored date precision is unknown");
  d.precision = *p;
  std::vector<std::string> parts = puente::StrSplit(text, '-');
  if (parts.empty() || (parts.size() != 1 && parts.size() != 3)) {
    return absl::DataLossError("stored date of birth is malformed");
  }
  d.year = std::stoi(parts[0]);
  if (parts.size() == 3) {
    d.month = std::stoi(parts[1]);
    d.day = std::stoi(parts[2]);
  }
  return d;
}

inline std::string DetailsJson(const nlohmann::json& j) { return j.dump(); }

// The personal fields an officer records and may change later; ids, case,
// documents and bookkeeping are set by the callers.
inline void CopyPersonalFields(const NewApplicant& from, Applicant& to) {
  to.given_names = from.given_names;
  to.surname1 = from.surname1;
  to.surname2 = from.surname2;
  to.sex = from.sex;
  to.date_of_birth = from.date_of_birth;
  to.nationality = from.nationality;
  to.place_of_birth = from.place_of_birth;
  to.languages = from.languages;
  to.phone = from.phone;
  to.address = from.address;
}


// Everything below runs inside an open transaction on `db`.
class Tx {
 public:
  Tx(Database& db, const KeyRing& keys, const Clock& clock, const std::string& actor)
      : db_(db), sql_(db.session()), keys_(keys), clock_(clock), actor_(actor) {}

  absl::Status Audit(std::string action, std::string entity, std::string entity_id,
                     const nlohmann::json& details = nlohmann::json::object()) {
    return AppendAuditEvent(db_, keys_, clock_,
                            {actor_, std::move(action), std::move(entity), std::move(entity_id),
                             DetailsJson(details)});
  }

  // Next value of a per-office, per-year counter.
  absl::StatusOr<long long> NextSequence(const std::string& key, int year) {
    sql_ << "INSERT INTO registration_sequences (office_code, year, next_value) "
            "VALUES (:o, :y, 1) ON CONFLICT (office_code, year) DO NOTHING",
        soci::use(key), soci::use(year);
    sql_ << "UPDATE registration_sequences SET next_value = next_value + 1 "
            "WHERE office_code = :o AND year = :y",
        soci::use(key), soci::use(year);
    long long v = 0;
    sql_ << "SELECT next_value - 1 FROM registration_sequences WHERE office_code = :o AND year = :y",
        soci::use(key), soci::use(year), soci::into(v);
    if (v > 999999) {
      return absl::ResourceExhaustedError(
          puente::StrCat("office ", key, " has used every number of ", year));
    }
    return v;
  }

  absl::StatusOr<bool> RegistrationNumberTaken(const std::string& bidx) {
    int n = 0;
    sql_ << "SELECT count(*) FROM applicants WHERE reg_no_bidx = :b", soci::use(bidx), soci::into(n);
    return n > 0;
  }

  absl::StatusOr<std::string> Seal(std::string_view value, std::string_view column,
                                   std::string_view id) {
    return keys_.Seal(value, Ctx(column, id));
  }

  // The encrypted forms of an applicant's personal-data columns.
  struct SealedPerson {
    std::string given, s1, s2, dob, pob, phone, address;
  };
  absl::StatusOr<SealedPerson> SealPerson(const Applicant& a) {
    SealedPerson p;
    const std::string& id = a.id;
    PUENTE_ASSIGN_OR_RETURN(p.given, Seal(a.given_names, "given_names", id));
    PUENTE_ASSIGN_OR_RETURN(p.s1, Seal(a.surname1, "surname1", id));
    PUENTE_ASSIGN_OR_RETURN(p.s2, Seal(a.surname2, "surname2", id));
    PUENTE_ASSIGN_OR_RETURN(p.dob, Seal(a.date_of_birth.ToString(), "date_of_birth", id));
    PUENTE_ASSIGN_OR_RETURN(p.pob, Seal(a.place_of_birth, "place_of_birth", id));
    PUENTE_ASSIGN_OR_RETURN(p.phone, Seal(a.phone, "phone", id));
    PUENTE_ASSIGN_OR_RETURN(p.address, Seal(a.address, "address", id));
    return p;
  }

  absl::Status InsertDocument(const std::string& applicant_id, const IdentityDocument& d,
                              const std::string& now) {
    PUENTE_ASSIGN_OR_RETURN(std::string id, NewUuid());
    PUENTE_ASSIGN_OR_RETURN(std::string number_enc,
                            keys_.Seal(d.number, puente::StrCat("identity_documents.number/", id)));
    PUENTE_ASSIGN_OR_RETURN(std::string bidx,
                            keys_.BlindIndex("document", puente::StrCat(d.issuing_country, "/",
                                                                       d.number)));
    const std::string type(ToString(d.type));
    soci::indicator expiry_ind = d.expiry_date.empty() ? soci::i_null : soci::i_ok;
    sql_ << "INSERT INTO identity_documents (id, applicant_id, doc_type, issuing_country, "
            "number_enc, number_bidx, expiry_date, created_at) "
            "VALUES (:i, :a, :t, :c, :n, :b, :e, :at)",
        soci::use(id), soci::use(applicant_id), soci::use(type), soci::use(d.issuing_country),
        soci::use(number_enc), soci::use(bidx), soci::use(d.expiry_date, expiry_ind),
        soci::use(now);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<IdentityDocument>> LoadDocuments(const std::string& applicant_id) {
    std::map<std::string, std::vector<IdentityDocument>> by_applicant;
    PUENTE_RETURN_IF_ERROR(LoadDocumentsWhere("applicant_id = :a", &applicant_id, by_applicant));
    return std::move(by_applicant[applicant_id]);
  }

  // Documents of the applicants selected by `where` (bound to *key if given),
  // grouped by applicant id, each group in recording order.
  absl::Status LoadDocumentsWhere(const std::string& where, const std::string* key,
                                  std::map<std::string, std::vector<IdentityDocument>>& out) {
    std::string applicant_id, id, type, country, number_enc, expiry;
    soci::indicator expiry_ind;
    soci::statement st(sql_);
    st.alloc();
    st.prepare("SELECT applicant_id, id, doc_type, issuing_country, number_enc, expiry_date "
               "FROM identity_documents WHERE " + where + " ORDER BY created_at, id");
    for (std::string* s : {&applicant_id, &id, &type, &country, &number_enc}) {
      st.exchange(soci::into(*s));
    }
    st.exchange(soci::into(expiry, expiry_ind));
    if (key != nullptr) st.exchange(soci::use(*key));
    st.define_and_bind();
    st.execute();
    while (st.fetch()) {
      IdentityDocument d;
      auto t = ParseDocumentType(type);
      if (!t) return absl::DataLossError("stored document type is unknown");
      d.type = *t;
      d.issuing_country = country;
      PUENTE_ASSIGN_OR_RETURN(d.number,
                              keys_.Open(number_enc, puente::StrCat("identity_documents.number/", id)));
      d.expiry_date = expiry_ind == soci::i_ok ? expiry : "";
      out[applicant_id].push_back(std::move(d));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Applicant> Decrypt(const ApplicantRow& r, bool with_documents = true) {
    Applicant a;
    a.id = r.id;
    const std::string& id = r.id;
    PUENTE_ASSIGN_OR_RETURN(a.registration_number, keys_.Open(r.reg_no_enc, Ctx("reg_no", id)));
    a.case_number = r.case_number;
    auto rel = ParseRelationship(r.relationship);
    auto sex = ParseSex(r.sex);
    if (!rel || !sex) return absl::DataLossError("stored applicant has unknown codes");
    a.relationship = *rel;
    a.sex = *sex;
    PUENTE_ASSIGN_OR_RETURN(a.given_names, keys_.Open(r.given_names_enc, Ctx("given_names", id)));
    PUENTE_ASSIGN_OR_RETURN(a.surname1, keys_.Open(r.surname1_enc, Ctx("surname1", id)));
    PUENTE_ASSIGN_OR_RETURN(a.surname2, keys_.Open(r.surname2_enc, Ctx("surname2", id)));
    PUENTE_ASSIGN_OR_RETURN(std::string dob, keys_.Open(r.dob_enc, Ctx("date_of_birth", id)));
    PUENTE_ASSIGN_OR_RETURN(a.date_of_birth, DecodeDob(dob, r.dob_precision));
    a.nationality = r.nationality;
    PUENTE_ASSIGN_OR_RETURN(a.place_of_birth,
                            keys_.Open(r.place_of_birth_enc, Ctx("place_of_birth", id)));
    if (!r.languages.empty()) a.languages = puente::StrSplit(r.languages, ',');
    PUENTE_ASSIGN_OR_RETURN(a.phone, keys_.Open(r.phone_enc, Ctx("phone", id)));
    PUENTE_ASSIGN_OR_RETURN(a.address, keys_.Open(r.address_enc, Ctx("address", id)));
    if (with_documents) {
      PUENTE_ASSIGN_OR_RETURN(a.documents, LoadDocuments(id));
    }
    a.office_code = r.office_code;
    a.officer = r.officer;
    a.created_at = r.created_at;
    a.updated_at = r.updated_at;
    a.version = r.version;
    return a;
  }

  // The applicant with this canonical registration number, audited as read.
  absl::StatusOr<Applicant> ReadApplicant(const std::string& reg_no, std::string_view action) {
    PUENTE_ASSIGN_OR_RETURN(std::string bidx, keys_.BlindIndex("reg_no", reg_no));
    ApplicantRow r;
    soci::statement st = (sql_.prepare << kApplicantSelect << "WHERE a.reg_no_bidx = :b");
    BindApplicant(st, r);
    st.exchange(soci::use(bidx));
    st.define_and_bind();
    if (!st.execute(true)) {
      return absl::NotFoundError(puente::StrCat("registration_number: ", reg_no, " is not registered"));
    }
    PUENTE_ASSIGN_OR_RETURN(Applicant a, Decrypt(r));
    PUENTE_RETURN_IF_ERROR(Audit(std::string(action), "applicant", a.id));
    return a;
  }

  // The applicant with this internal id, audited as read.
  absl::StatusOr<Applicant> ReadApplicantById(const std::string& id, std::string_view action) {
    ApplicantRow r;
    soci::statement st = (sql_.prepare << kApplicantSelect << "WHERE a.id = :i");
    BindApplicant(st, r);
    st.exchange(soci::use(id));
    st.define_and_bind();
    if (!st.execute(true)) return absl::NotFoundError("applicant not found");
    PUENTE_ASSIGN_OR_RETURN(Applicant a, Decrypt(r));
    PUENTE_RETURN_IF_ERROR(Audit(std::string(action), "applicant", a.id));
    return a;
  }

  // The applicants with these internal ids (made by this application), in
  // two queries whatever their number, audited as one `action` event on
  // `entity`/`entity_id` that lists them. Ids not found are left out.
  absl::StatusOr<std::vector<Applicant>> ReadApplicantsByIds(const std::vector<std::string>& ids,
                                                             std::string_view action,
                                                             const std::string& entity,
                                                             const std::string& entity_id) {
    std::vector<Applicant> out;
    if (ids.empty()) return out;
    std::string list;  // inlined: every id is checked to be a UUID first
    for (const std::string& id : ids) {
      const bool uuid = id.size() == 36 && std::all_of(id.begin(), id.end(), [](char c) {
                          return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                        });
      if (!uuid) return absl::InternalError("applicant ids must be UUIDs");
      list += puente::StrCat(list.empty() ? "'" : ",'", id, "'");
    }
    std::vector<ApplicantRow> rows;
    {
      ApplicantRow r;
      soci::statement st = (sql_.prepare << kApplicantSelect << "WHERE a.id IN (" << list << ")");
      BindApplicant(st, r);
      st.define_and_bind();
      st.execute();
      while (st.fetch()) rows.push_back(r);
    }
    std::map<std::string, std::vector<IdentityDocument>> docs;
    PUENTE_RETURN_IF_ERROR(
        LoadDocumentsWhere(puente::StrCat("applicant_id IN (", list, ")"), nullptr, docs));
    nlohmann::json read = nlohmann::json::array();
    for (const ApplicantRow& r : rows) {
      PUENTE_ASSIGN_OR_RETURN(Applicant a, Decrypt(r, /*with_documents=*/false));
      a.documents = std::move(docs[a.id]);
      read.push_back(a.id);
      out.push_back(std::move(a));
    }
    PUENTE_RETURN_IF_ERROR(Audit(std::string(action), entity, entity_id, {{"applicants", read}}));
    return out;
  }

  // Revokes the active cards matching `where` (SQL over cards, one :k
  // parameter bound to `key`), each with an audit event. Returns how many.
  absl::StatusOr<int> RevokeActiveCards(const std::string& where, const std::string& key,
                                        const std::string& reason) {
    std::vector<long long> serials;
    long long serial = 0;
    soci::statement q = (sql_.prepare << "SELECT serial FROM cards WHERE status = 'active' AND "
                                      << where << " ORDER BY serial",
                         soci::use(key), soci::into(serial));
    q.execute();
    while (q.fetch()) serials.push_back(serial);
    const std::string now = FormatTimestamp(clock_.Now());
    for (long long s : serials) {
      sql_ << "UPDATE cards SET status = 'revoked', revoked_at = :t, revoke_reason = :r "
              "WHERE serial = :s",
          soci::use(now), soci::use(reason), soci::use(s);
      PUENTE_RETURN_IF_ERROR(
          Audit("card.revoke", "card", std::to_string(s), {{"reason", reason}}));
    }
    return static_cast<int>(serials.size());
  }

  const KeyRing& keys() const { return keys_; }
  const std::string& actor() const { return actor_; }

  // Writes every column of `a` (already validated) as a new row.
  absl::Status InsertApplicant(const Applicant& a, const std::string& case_id) {
    const std::string& id = a.id;
    PUENTE_ASSIGN_OR_RETURN(std::string bidx, keys_.BlindIndex("reg_no", a.registration_number));
    PUENTE_ASSIGN_OR_RETURN(std::string reg_no_enc, Seal(a.registration_number, "reg_no", id));
    PUENTE_ASSIGN_OR_RETURN(SealedPerson p, SealPerson(a));
    const std::string rel(ToString(a.relationship)), sex(ToString(a.sex)),
        precision(ToString(a.date_of_birth.precision)), langs = absl::StrJoin(a.languages, ",");
    sql_ << "INSERT INTO applicants (id, reg_no_bidx, reg_no_enc, case_id, relationship, "
            "given_names_enc, surname1_enc, surname2_enc, sex, date_of_birth_enc, dob_precision, "
            "nationality, place_of_birth_enc, languages, phone_enc, address_enc, office_code, "
            "officer, created_at, updated_at, version) VALUES (:id, :bidx, :rn, :case, :rel, "
            ":gn, :s1, :s2, :sex, :dob, :prec, :nat, :pob, :lang, :ph, :addr, :off, :ofr, :ca, "
            ":ua, 1)",
        soci::use(id), soci::use(bidx), soci::use(reg_no_enc), soci::use(case_id),
        soci::use(rel), soci::use(p.given), soci::use(p.s1), soci::use(p.s2), soci::use(sex),
        soci::use(p.dob), soci::use(precision), soci::use(a.nationality), soci::use(p.pob),
        soci::use(langs), soci::use(p.phone), soci::use(p.address), soci::use(a.office_code),
        soci::use(a.officer), soci::use(a.created_at), soci::use(a.updated_at);
    for (const IdentityDocument& d : a.documents) {
      PUENTE_RETURN_IF_ERROR(InsertDocument(id, d, a.created_at));
    }
    return absl::OkStatus();
  }

  // Rewrites the personal columns of `a` (version `a.version`) if the row is
  // still at `old_version`; false when it is not (a concurrent change).
  absl::StatusOr<bool> UpdatePerson(const Applicant& a, int old_version) {
    PUENTE_ASSIGN_OR_RETURN(SealedPerson p, SealPerson(a));
    const std::string sex(ToString(a.sex)), precision(ToString(a.date_of_birth.precision)),
        langs = absl::StrJoin(a.languages, ",");
    soci::statement st =
        (sql_.prepare << "UPDATE applicants SET given_names_enc = :gn, surname1_enc = :s1, "
                         "surname2_enc = :s2, sex = :sex, date_of_birth_enc = :dob, "
                         "dob_precision = :prec, nationality = :nat, place_of_birth_enc = "
                         ":pob, languages = :lang, phone_enc = :ph, address_enc = :addr, "
                         "updated_at = :ua, version = :v WHERE id = :id AND version = :old",
         soci::use(p.given), soci::use(p.s1), soci::use(p.s2), soci::use(sex), soci::use(p.dob),
         soci::use(precision), soci::use(a.nationality), soci::use(p.pob), soci::use(langs),
         soci::use(p.phone), soci::use(p.address), soci::use(a.updated_at),
         soci::use(a.version), soci::use(a.id), soci::use(old_version));
    st.execute(true);
    return st.get_affected_rows() == 1;
  }

  absl::StatusOr<Case> LoadCase(const std::string& case_number) {
    Case c;
    std::string status;
    sql_ << "SELECT id, case_number, status, office_code, created_at FROM cases "
            "WHERE case_number = :n",
        soci::use(case_number), soci::into(c.id), soci::into(c.case_number), soci::into(status),
        soci::into(c.office_code), soci::into(c.created_at);
    if (!sql_.got_data()) {
      return absl::NotFoundError(puente::StrCat("case_number: ", case_number, " does not exist"));
    }
    auto st = ParseCaseStatus(status);
    if (!st) return absl::DataLossError("stored case status is unknown");
    c.status = *st;
    {
      std::string reg_enc, rel, applicant_id;
      soci::statement q =
          (sql_.prepare << "SELECT id, reg_no_enc, relationship FROM applicants "
                           "WHERE case_id = :c ORDER BY created_at, id",
           soci::use(c.id), soci::into(applicant_id), soci::into(reg_enc), soci::into(rel));
      q.execute();
      while (q.fetch()) {
        CaseMember m;
        PUENTE_ASSIGN_OR_RETURN(m.registration_number,
                                keys_.Open(reg_enc, Ctx("reg_no", applicant_id)));
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
          (sql_.prepare << "SELECT id, from_status, to_status, effective, changed_at, "
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
            h.reason, keys_.Open(reason_enc, puente::StrCat("case_status_history.reason/", id)));
        c.history.push_back(std::move(h));
      }
    }
    return c;
  }

  absl::Status InsertStatusChange(const std::string& case_id, int seq,
                                  std::optional<CaseStatus> from, CaseStatus to,
                                  const std::string& effective, const std::string& reason) {
    PUENTE_ASSIGN_OR_RETURN(std::string id, NewUuid());
    PUENTE_ASSIGN_OR_RETURN(std::string reason_enc,
                            keys_.Seal(reason, puente::StrCat("case_status_history.reason/", id)));
    const std::string from_s = from ? std::string(ToString(*from)) : "";
    soci::indicator from_ind = from ? soci::i_ok : soci::i_null;
    const std::string to_s(ToString(to));
    const std::string now = FormatTimestamp(clock_.Now());
    sql_ << "INSERT INTO case_status_history (id, case_id, seq, from_status, to_status, "
            "effective, changed_at, changed_by, reason_enc) "
            "VALUES (:i, :c, :s, :f, :t, :e, :a, :b, :r)",
        soci::use(id), soci::use(case_id), soci::use(seq), soci::use(from_s, from_ind),
        soci::use(to_s), soci::use(effective), soci::use(now), soci::use(actor_),
        soci::use(reason_enc);
    return absl::OkStatus();
  }

  soci::session& sql() { return sql_; }

 private:
  Database& db_;
  soci::session& sql_;
  const KeyRing& keys_;
  const Clock& clock_;
  const std::string& actor_;
};

template <typename Fn>
inline absl::Status Run(Database& db, Fn&& fn) {
  return InTransaction(db, std::forward<Fn>(fn));
}

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_SRC_REGISTRY_TX_H_
