#include "puente/registry/model.h"

#include <array>
#include <cstdio>
#include <utility>

namespace puente::registry {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}
template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "?";
}

constexpr std::array<std::pair<Sex, std::string_view>, 3> kSex{
    {{Sex::kFemale, "F"}, {Sex::kMale, "M"}, {Sex::kUnspecified, "X"}}};
constexpr std::array<std::pair<DatePrecision, std::string_view>, 3> kPrecision{
    {{DatePrecision::kExact, "exact"},
     {DatePrecision::kYearOnly, "year"},
     {DatePrecision::kEstimated, "estimated"}}};
constexpr std::array<std::pair<DocumentType, std::string_view>, 5> kDocType{
    {{DocumentType::kPassport, "passport"},
     {DocumentType::kNationalId, "national_id"},
     {DocumentType::kBirthCertificate, "birth_certificate"},
     {DocumentType::kTravelDocument, "travel_document"},
     {DocumentType::kOther, "other"}}};
constexpr std::array<std::pair<Relationship, std::string_view>, 9> kRelationship{
    {{Relationship::kPrincipal, "principal"},
     {Relationship::kSpouse, "spouse"},
     {Relationship::kChild, "child"},
     {Relationship::kParent, "parent"},
     {Relationship::kSibling, "sibling"},
     {Relationship::kGrandchild, "grandchild"},
     {Relationship::kGrandparent, "grandparent"},
     {Relationship::kOtherRelative, "other_relative"},
     {Relationship::kUnrelated, "unrelated"}}};
constexpr std::array<std::pair<CaseStatus, std::string_view>, 6> kStatus{
    {{CaseStatus::kRegistered, "registered"},
     {CaseStatus::kAdmitted, "admitted"},
     {CaseStatus::kRecognized, "recognized"},
     {CaseStatus::kRejected, "rejected"},
     {CaseStatus::kAppeal, "appeal"},
     {CaseStatus::kClosed, "closed"}}};

}  // namespace

std::string DateOfBirth::ToString() const {
  char buf[16];
  if (precision == DatePrecision::kYearOnly) {
    std::snprintf(buf, sizeof buf, "%04d", year);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  }
  return buf;
}

bool IsAllowedTransition(CaseStatus from, CaseStatus to) {
  using S = CaseStatus;
  switch (from) {
    case S::kRegistered:
      return to == S::kAdmitted || to == S::kClosed;
    case S::kAdmitted:
      return to == S::kRecognized || to == S::kRejected || to == S::kClosed;
    case S::kRejected:
      return to == S::kAppeal || to == S::kClosed;
    case S::kAppeal:
      return to == S::kRecognized || to == S::kRejected || to == S::kClosed;
    case S::kRecognized:
      return to == S::kClosed;
    case S::kClosed:
      return false;
  }
  return false;
}

std::string_view ToString(Sex v) { return Name(kSex, v); }
std::string_view ToString(DatePrecision v) { return Name(kPrecision, v); }
std::string_view ToString(DocumentType v) { return Name(kDocType, v); }
std::string_view ToString(Relationship v) { return Name(kRelationship, v); }
std::string_view ToString(CaseStatus v) { return Name(kStatus, v); }
std::optional<Sex> ParseSex(std::string_view s) { return Lookup(kSex, s); }
std::optional<DatePrecision> ParseDatePrecision(std::string_view s) {
  return Lookup(kPrecision, s);
}
std::optional<DocumentType> ParseDocumentType(std::string_view s) { return Lookup(kDocType, s); }
std::optional<Relationship> ParseRelationship(std::string_view s) {
  return Lookup(kRelationship, s);
}
std::optional<CaseStatus> ParseCaseStatus(std::string_view s) { return Lookup(kStatus, s); }

}  // namespace puente::registry
