// The registration domain model, in the words of refugee-office and
// migration-service officers.
//
// An Applicant always belongs to exactly one Case: a principal applicant
// opens the case, dependants join it with their relationship to the
// principal. Face enrollments, duplicate candidates and cards (later work)
// attach to Applicant::id without reshaping these types.
//
// These are plain values; validation lives in validation.h, persistence in
// registry.h. Strings are UTF-8.
#ifndef PUENTE_REGISTRY_MODEL_H_
#define PUENTE_REGISTRY_MODEL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace puente::registry {

enum class Sex { kFemale, kMale, kUnspecified };  // stored F, M, X

// How much of a date of birth is known. Many applicants carry no documents:
// officers record an estimated date, or only the year.
enum class DatePrecision { kExact, kYearOnly, kEstimated };

struct DateOfBirth {
  int year = 0;
  int month = 0;  // 0 when precision is kYearOnly
  int day = 0;    // 0 when precision is kYearOnly
  DatePrecision precision = DatePrecision::kExact;

  // "1990-04-01", or "1990" for kYearOnly.
  std::string ToString() const;
  bool operator==(const DateOfBirth&) const = default;
};

enum class DocumentType { kPassport, kNationalId, kBirthCertificate, kTravelDocument, kOther };

struct IdentityDocument {
  DocumentType type = DocumentType::kPassport;
  std::string issuing_country;  // ISO 3166-1 alpha-3
  std::string number;           // normalised: upper case, no spaces or hyphens
  std::string expiry_date;      // "YYYY-MM-DD" or empty
  bool operator==(const IdentityDocument&) const = default;
};

// Relationship of an applicant to the principal applicant of their case.
enum class Relationship {
  kPrincipal,
  kSpouse,
  kChild,
  kParent,
  kSibling,
  kGrandchild,
  kGrandparent,
  kOtherRelative,
  kUnrelated
};

// Asylum case lifecycle. Allowed transitions (anything else is refused):
//   registered -> admitted | closed
//   admitted   -> recognized | rejected | closed
//   rejected   -> appeal | closed
//   appeal     -> recognized | rejected | closed
//   recognized -> closed
//   closed     -> (final)
enum class CaseStatus { kRegistered, kAdmitted, kRecognized, kRejected, kAppeal, kClosed };

bool IsAllowedTransition(CaseStatus from, CaseStatus to);

// The data an officer records for a new applicant.
struct NewApplicant {
  std::string given_names;
  std::string surname1;  // may be empty (mononymous applicants)
  std::string surname2;  // empty unless surname1 is set
  Sex sex = Sex::kUnspecified;
  DateOfBirth date_of_birth;
  std::string nationality;  // ISO 3166-1 alpha-3; XXA stateless; XXX undetermined
  std::string place_of_birth;
  std::vector<std::string> languages;  // ISO 639 codes, e.g. "spa", "es", "hat"
  std::string phone;                   // E.164 after normalisation, e.g. "+50761234567"
  std::string address;                 // address in Panama
  std::vector<IdentityDocument> documents;
  std::string office_code;  // 3-digit registration office code, e.g. "101"
  std::string officer;      // the registering officer's user name
  // Join an existing case as a dependant (case_number set, relationship not
  // principal) or open a new case (case_number empty, relationship principal).
  std::string case_number;
  Relationship relationship = Relationship::kPrincipal;
  // Opening a new case under a number given elsewhere (a field kit's case,
  // imported by sync): "C<office>-YYYY-NNNNNN"; empty: the registry numbers it.
  std::string new_case_number;
  // Normally assigned by the registry; set only when importing records that
  // already carry a registration number (it must pass its check digit).
  std::string registration_number;
};

// A stored applicant, decrypted for an authorised reader.
struct Applicant {
  std::string id;  // internal UUID, stable, never printed on cards
  std::string registration_number;
  std::string case_number;
  Relationship relationship = Relationship::kPrincipal;
  std::string given_names;
  std::string surname1;
  std::string surname2;
  Sex sex = Sex::kUnspecified;
  DateOfBirth date_of_birth;
  std::string nationality;
  std::string place_of_birth;
  std::vector<std::string> languages;
  std::string phone;
  std::string address;
  std::vector<IdentityDocument> documents;
  std::string office_code;
  std::string officer;
  std::string created_at;
  std::string updated_at;
  int version = 1;
};

// A partial update: only the fields that are set change.
struct ApplicantUpdate {
  std::optional<std::string> given_names;
  std::optional<std::string> surname1;
  std::optional<std::string> surname2;
  std::optional<Sex> sex;
  std::optional<DateOfBirth> date_of_birth;
  std::optional<std::string> nationality;
  std::optional<std::string> place_of_birth;
  std::optional<std::vector<std::string>> languages;
  std::optional<std::string> phone;
  std::optional<std::string> address;
  std::vector<IdentityDocument> add_documents;
  // If set, the update is refused (Aborted) unless the stored version matches:
  // protects an officer's edit from overwriting someone else's.
  std::optional<int> expected_version;
};

struct CaseMember {
  std::string registration_number;
  Relationship relationship = Relationship::kPrincipal;
};

struct StatusChange {
  std::optional<CaseStatus> from;  // empty for the opening entry
  CaseStatus to = CaseStatus::kRegistered;
  std::string effective;   // date the decision takes effect, "YYYY-MM-DD"
  std::string changed_at;  // when it was recorded
  std::string changed_by;
  std::string reason;
};

struct Case {
  std::string id;
  std::string case_number;
  CaseStatus status = CaseStatus::kRegistered;
  std::string office_code;
  std::string created_at;
  std::vector<CaseMember> members;    // principal first
  std::vector<StatusChange> history;  // oldest first
};

// Stable text forms used in the database, the CLI and JSON.
std::string_view ToString(Sex v);
std::string_view ToString(DatePrecision v);
std::string_view ToString(DocumentType v);
std::string_view ToString(Relationship v);
std::string_view ToString(CaseStatus v);
std::optional<Sex> ParseSex(std::string_view s);
std::optional<DatePrecision> ParseDatePrecision(std::string_view s);
std::optional<DocumentType> ParseDocumentType(std::string_view s);
std::optional<Relationship> ParseRelationship(std::string_view s);
std::optional<CaseStatus> ParseCaseStatus(std::string_view s);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_MODEL_H_
