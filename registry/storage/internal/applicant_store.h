// Applicants and their identity documents as stored: sealed columns, blind indexes.
// Internal to registry/: the capability libraries include it; nothing
// outside registry/ (but tests) may.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_APPLICANT_STORE_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_APPLICANT_STORE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/model.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

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
void BindApplicant(soci::statement& st, ApplicantRow& r);

// The AEAD context of applicant column `column` of row `id` ("applicants.COLUMN/ID").
std::string Ctx(std::string_view column, std::string_view id);

// A stored date of birth ("YYYY" or "YYYY-MM-DD") with its precision; DataLoss if malformed.
absl::StatusOr<DateOfBirth> DecodeDob(const std::string& text, const std::string& precision);

// The personal fields an officer records and may change later; ids, case,
// documents and bookkeeping are set by the callers.
void CopyPersonalFields(const NewApplicant& from, Applicant& to);

// The encrypted forms of an applicant's personal-data columns.
struct SealedPerson {
  std::string given, s1, s2, dob, pob, phone, address;
};

// `value` sealed for column `column` of applicant `id` (the AEAD context
// binds both, so a ciphertext cannot be moved to another cell).
absl::StatusOr<std::string> SealColumn(Tx& tx, std::string_view value, std::string_view column,
                                       std::string_view id);

// Whether a registration number (by its blind index) is already used.
absl::StatusOr<bool> RegistrationNumberTaken(Tx& tx, const std::string& bidx);

absl::StatusOr<SealedPerson> SealPerson(Tx& tx, const Applicant& a);

// Stores one identity document of `applicant_id` (number sealed, blind-indexed).
absl::Status InsertDocument(Tx& tx, const std::string& applicant_id, const IdentityDocument& d,
                            const std::string& now);

// The documents of one applicant, in recording order.
absl::StatusOr<std::vector<IdentityDocument>> LoadDocuments(Tx& tx,
                                                            const std::string& applicant_id);

// Documents of the applicants selected by `where` (bound to *key if given),
// grouped by applicant id, each group in recording order.
absl::Status LoadDocumentsWhere(Tx& tx, const std::string& where, const std::string* key,
                                std::map<std::string, std::vector<IdentityDocument>>& out);

// The applicant of a stored row, opened (and its documents read unless told not to).
absl::StatusOr<Applicant> DecryptApplicant(Tx& tx, const ApplicantRow& r,
                                           bool with_documents = true);

// The applicant with this canonical registration number, audited as read.
absl::StatusOr<Applicant> ReadApplicant(Tx& tx, const std::string& reg_no, std::string_view action);

// The applicant with this internal id, audited as read.
absl::StatusOr<Applicant> ReadApplicantById(Tx& tx, const std::string& id, std::string_view action);

// The applicants with these internal ids (made by this application), in
// two queries whatever their number, audited as one `action` event on
// `entity`/`entity_id` that lists them. Ids not found are left out.
absl::StatusOr<std::vector<Applicant>> ReadApplicantsByIds(Tx& tx,
                                                           const std::vector<std::string>& ids,
                                                           std::string_view action,
                                                           const std::string& entity,
                                                           const std::string& entity_id);

// Writes every column of `a` (already validated) as a new row.
absl::Status InsertApplicant(Tx& tx, const Applicant& a, const std::string& case_id);

// Rewrites the personal columns of `a` (version `a.version`) if the row is
// still at `old_version`; false when it is not (a concurrent change).
absl::StatusOr<bool> UpdatePerson(Tx& tx, const Applicant& a, int old_version);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_APPLICANT_STORE_H_
