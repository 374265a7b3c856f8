#include "storage/internal/applicant_store.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/validation.h"

namespace puente::registry::internal {

void BindApplicant(soci::statement& st, ApplicantRow& r) {
  for (std::string* s :
       {&r.id, &r.reg_no_enc, &r.case_number, &r.relationship, &r.given_names_enc, &r.surname1_enc,
        &r.surname2_enc, &r.sex, &r.dob_enc, &r.dob_precision, &r.nationality,
        &r.place_of_birth_enc, &r.languages, &r.phone_enc, &r.address_enc, &r.office_code,
        &r.officer, &r.created_at, &r.updated_at}) {
    st.exchange(soci::into(*s));
  }
  st.exchange(soci::into(r.version));
}

std::string Ctx(std::string_view column, std::string_view id) {
  return puente::StrCat("applicants.", column, "/", id);
}

absl::StatusOr<DateOfBirth> DecodeDob(const std::string& text, const std::string& precision) {
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

void CopyPersonalFields(const NewApplicant& from, Applicant& to) {
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

absl::StatusOr<std::string> SealColumn(Tx& tx, std::string_view value, std::string_view column,
                                       std::string_view id) {
  return tx.keys().Seal(value, Ctx(column, id));
}

absl::StatusOr<bool> RegistrationNumberTaken(Tx& tx, const std::string& bidx) {
  int n = 0;
  tx.sql() << "SELECT count(*) FROM applicants WHERE reg_no_bidx = :b", soci::use(bidx),
      soci::into(n);
  return n > 0;
}

absl::StatusOr<SealedPerson> SealPerson(Tx& tx, const Applicant& a) {
  SealedPerson p;
  const std::string& id = a.id;
  PUENTE_ASSIGN_OR_RETURN(p.given, SealColumn(tx, a.given_names, "given_names", id));
  PUENTE_ASSIGN_OR_RETURN(p.s1, SealColumn(tx, a.surname1, "surname1", id));
  PUENTE_ASSIGN_OR_RETURN(p.s2, SealColumn(tx, a.surname2, "surname2", id));
  PUENTE_ASSIGN_OR_RETURN(p.dob, SealColumn(tx, a.date_of_birth.ToString(), "date_of_birth", id));
  PUENTE_ASSIGN_OR_RETURN(p.pob, SealColumn(tx, a.place_of_birth, "place_of_birth", id));
  PUENTE_ASSIGN_OR_RETURN(p.phone, SealColumn(tx, a.phone, "phone", id));
  PUENTE_ASSIGN_OR_RETURN(p.address, SealColumn(tx, a.address, "address", id));
  return p;
}

absl::Status InsertDocument(Tx& tx, const std::string& applicant_id, const IdentityDocument& d,
                            const std::string& now) {
  PUENTE_ASSIGN_OR_RETURN(std::string id, NewUuid());
  PUENTE_ASSIGN_OR_RETURN(
      std::string number_enc,
      tx.keys().Seal(d.number, puente::StrCat("identity_documents.number/", id)));
  PUENTE_ASSIGN_OR_RETURN(
      std::string bidx,
      tx.keys().BlindIndex("document", puente::StrCat(d.issuing_country, "/", d.number)));
  const std::string type(ToString(d.type));
  soci::indicator expiry_ind = d.expiry_date.empty() ? soci::i_null : soci::i_ok;
  tx.sql() << "INSERT INTO identity_documents (id, applicant_id, doc_type, issuing_country, "
              "number_enc, number_bidx, expiry_date, created_at) "
              "VALUES (:i, :a, :t, :c, :n, :b, :e, :at)",
      soci::use(id), soci::use(applicant_id), soci::use(type), soci::use(d.issuing_country),
      soci::use(number_enc), soci::use(bidx), soci::use(d.expiry_date, expiry_ind), soci::use(now);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<IdentityDocument>> LoadDocuments(Tx& tx,
                                                            const std::string& applicant_id) {
  std::map<std::string, std::vector<IdentityDocument>> by_applicant;
  PUENTE_RETURN_IF_ERROR(LoadDocumentsWhere(tx, "applicant_id = :a", &applicant_id, by_applicant));
  return std::move(by_applicant[applicant_id]);
}

absl::Status LoadDocumentsWhere(Tx& tx, const std::string& where, const std::string* key,
                                std::map<std::string, std::vector<IdentityDocument>>& out) {
  std::string applicant_id, id, type, country, number_enc, expiry;
  soci::indicator expiry_ind;
  soci::statement st(tx.sql());
  st.alloc();
  st.prepare(
      "SELECT applicant_id, id, doc_type, issuing_country, number_enc, expiry_date "
      "FROM identity_documents WHERE " +
      where + " ORDER BY created_at, id");
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
    PUENTE_ASSIGN_OR_RETURN(
        d.number, tx.keys().Open(number_enc, puente::StrCat("identity_documents.number/", id)));
    d.expiry_date = expiry_ind == soci::i_ok ? expiry : "";
    out[applicant_id].push_back(std::move(d));
  }
  return absl::OkStatus();
}

absl::StatusOr<Applicant> DecryptApplicant(Tx& tx, const ApplicantRow& r, bool with_documents) {
  Applicant a;
  a.id = r.id;
  const std::string& id = r.id;
  PUENTE_ASSIGN_OR_RETURN(a.registration_number, tx.keys().Open(r.reg_no_enc, Ctx("reg_no", id)));
  a.case_number = r.case_number;
  auto rel = ParseRelationship(r.relationship);
  auto sex = ParseSex(r.sex);
  if (!rel || !sex) return absl::DataLossError("stored applicant has unknown codes");
  a.relationship = *rel;
  a.sex = *sex;
  PUENTE_ASSIGN_OR_RETURN(a.given_names, tx.keys().Open(r.given_names_enc, Ctx("given_names", id)));
  PUENTE_ASSIGN_OR_RETURN(a.surname1, tx.keys().Open(r.surname1_enc, Ctx("surname1", id)));
  PUENTE_ASSIGN_OR_RETURN(a.surname2, tx.keys().Open(r.surname2_enc, Ctx("surname2", id)));
  PUENTE_ASSIGN_OR_RETURN(std::string dob, tx.keys().Open(r.dob_enc, Ctx("date_of_birth", id)));
  PUENTE_ASSIGN_OR_RETURN(a.date_of_birth, DecodeDob(dob, r.dob_precision));
  a.nationality = r.nationality;
  PUENTE_ASSIGN_OR_RETURN(a.place_of_birth,
                          tx.keys().Open(r.place_of_birth_enc, Ctx("place_of_birth", id)));
  if (!r.languages.empty()) a.languages = puente::StrSplit(r.languages, ',');
  PUENTE_ASSIGN_OR_RETURN(a.phone, tx.keys().Open(r.phone_enc, Ctx("phone", id)));
  PUENTE_ASSIGN_OR_RETURN(a.address, tx.keys().Open(r.address_enc, Ctx("address", id)));
  if (with_documents) {
    PUENTE_ASSIGN_OR_RETURN(a.documents, LoadDocuments(tx, id));
  }
  a.office_code = r.office_code;
  a.officer = r.officer;
  a.created_at = r.created_at;
  a.updated_at = r.updated_at;
  a.version = r.version;
  return a;
}

absl::StatusOr<Applicant> ReadApplicant(Tx& tx, const std::string& reg_no,
                                        std::string_view action) {
  PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", reg_no));
  ApplicantRow r;
  soci::statement st = (tx.sql().prepare << kApplicantSelect << "WHERE a.reg_no_bidx = :b");
  BindApplicant(st, r);
  st.exchange(soci::use(bidx));
  st.define_and_bind();
  if (!st.execute(true)) {
    return absl::NotFoundError(
        puente::StrCat("registration_number: ", reg_no, " is not registered"));
  }
  PUENTE_ASSIGN_OR_RETURN(Applicant a, DecryptApplicant(tx, r));
  PUENTE_RETURN_IF_ERROR(tx.Audit(std::string(action), "applicant", a.id));
  return a;
}

absl::StatusOr<Applicant> ReadApplicantById(Tx& tx, const std::string& id,
                                            std::string_view action) {
  ApplicantRow r;
  soci::statement st = (tx.sql().prepare << kApplicantSelect << "WHERE a.id = :i");
  BindApplicant(st, r);
  st.exchange(soci::use(id));
  st.define_and_bind();
  if (!st.execute(true)) return absl::NotFoundError("applicant not found");
  PUENTE_ASSIGN_OR_RETURN(Applicant a, DecryptApplicant(tx, r));
  PUENTE_RETURN_IF_ERROR(tx.Audit(std::string(action), "applicant", a.id));
  return a;
}

absl::StatusOr<std::vector<Applicant>> ReadApplicantsByIds(Tx& tx,
                                                           const std::vector<std::string>& ids,
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
    soci::statement st = (tx.sql().prepare << kApplicantSelect << "WHERE a.id IN (" << list << ")");
    BindApplicant(st, r);
    st.define_and_bind();
    st.execute();
    while (st.fetch()) rows.push_back(r);
  }
  std::map<std::string, std::vector<IdentityDocument>> docs;
  PUENTE_RETURN_IF_ERROR(
      LoadDocumentsWhere(tx, puente::StrCat("applicant_id IN (", list, ")"), nullptr, docs));
  nlohmann::json read = nlohmann::json::array();
  for (const ApplicantRow& r : rows) {
    PUENTE_ASSIGN_OR_RETURN(Applicant a, DecryptApplicant(tx, r, /*with_documents=*/false));
    a.documents = std::move(docs[a.id]);
    read.push_back(a.id);
    out.push_back(std::move(a));
  }
  PUENTE_RETURN_IF_ERROR(tx.Audit(std::string(action), entity, entity_id, {{"applicants", read}}));
  return out;
}

absl::Status InsertApplicant(Tx& tx, const Applicant& a, const std::string& case_id) {
  const std::string& id = a.id;
  PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", a.registration_number));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no_enc,
                          SealColumn(tx, a.registration_number, "reg_no", id));
  PUENTE_ASSIGN_OR_RETURN(SealedPerson p, SealPerson(tx, a));
  const std::string rel(ToString(a.relationship)), sex(ToString(a.sex)),
      precision(ToString(a.date_of_birth.precision)), langs = absl::StrJoin(a.languages, ",");
  tx.sql() << "INSERT INTO applicants (id, reg_no_bidx, reg_no_enc, case_id, relationship, "
              "given_names_enc, surname1_enc, surname2_enc, sex, date_of_birth_enc, dob_precision, "
              "nationality, place_of_birth_enc, languages, phone_enc, address_enc, office_code, "
              "officer, created_at, updated_at, version) VALUES (:id, :bidx, :rn, :case, :rel, "
              ":gn, :s1, :s2, :sex, :dob, :prec, :nat, :pob, :lang, :ph, :addr, :off, :ofr, :ca, "
              ":ua, 1)",
      soci::use(id), soci::use(bidx), soci::use(reg_no_enc), soci::use(case_id), soci::use(rel),
      soci::use(p.given), soci::use(p.s1), soci::use(p.s2), soci::use(sex), soci::use(p.dob),
      soci::use(precision), soci::use(a.nationality), soci::use(p.pob), soci::use(langs),
      soci::use(p.phone), soci::use(p.address), soci::use(a.office_code), soci::use(a.officer),
      soci::use(a.created_at), soci::use(a.updated_at);
  for (const IdentityDocument& d : a.documents) {
    PUENTE_RETURN_IF_ERROR(InsertDocument(tx, id, d, a.created_at));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> UpdatePerson(Tx& tx, const Applicant& a, int old_version) {
  PUENTE_ASSIGN_OR_RETURN(SealedPerson p, SealPerson(tx, a));
  const std::string sex(ToString(a.sex)), precision(ToString(a.date_of_birth.precision)),
      langs = absl::StrJoin(a.languages, ",");
  soci::statement st =
      (tx.sql().prepare << "UPDATE applicants SET given_names_enc = :gn, surname1_enc = :s1, "
                           "surname2_enc = :s2, sex = :sex, date_of_birth_enc = :dob, "
                           "dob_precision = :prec, nationality = :nat, place_of_birth_enc = "
                           ":pob, languages = :lang, phone_enc = :ph, address_enc = :addr, "
                           "updated_at = :ua, version = :v WHERE id = :id AND version = :old",
       soci::use(p.given), soci::use(p.s1), soci::use(p.s2), soci::use(sex), soci::use(p.dob),
       soci::use(precision), soci::use(a.nationality), soci::use(p.pob), soci::use(langs),
       soci::use(p.phone), soci::use(p.address), soci::use(a.updated_at), soci::use(a.version),
       soci::use(a.id), soci::use(old_version));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

}  // namespace puente::registry::internal
