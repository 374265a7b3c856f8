#include "puente/registry/applicant_json.h"

#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/validation.h"

namespace puente::registry {

namespace {

using nlohmann::json;

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(puente::StrCat(field, ": ", what));
}

// A string member (empty when absent); InvalidArgument when not a string.
absl::StatusOr<std::string> Text(const json& obj, const std::string& key,
                                 const std::string& prefix) {
  if (!obj.contains(key) || obj[key].is_null()) return std::string();
  if (!obj[key].is_string()) return Bad(prefix + key, "must be a string");
  return obj[key].get<std::string>();
}

}  // namespace

absl::StatusOr<NewApplicant> NewApplicantFromJson(const json& body, const std::string& key) {
  if (!body.contains(key) || !body[key].is_object()) return Bad(key, "is required (an object)");
  const json& j = body[key];
  const std::string p = key + ".";
  NewApplicant a;
  PUENTE_ASSIGN_OR_RETURN(a.given_names, Text(j, "given_names", p));
  PUENTE_ASSIGN_OR_RETURN(a.surname1, Text(j, "surname1", p));
  PUENTE_ASSIGN_OR_RETURN(a.surname2, Text(j, "surname2", p));
  PUENTE_ASSIGN_OR_RETURN(std::string sex, Text(j, "sex", p));
  auto parsed_sex = ParseSex(sex);
  if (!parsed_sex) return Bad(p + "sex", "F, M or X");
  a.sex = *parsed_sex;
  PUENTE_ASSIGN_OR_RETURN(std::string dob, Text(j, "date_of_birth", p));
  PUENTE_ASSIGN_OR_RETURN(std::string precision, Text(j, "dob_precision", p));
  auto prec = ParseDatePrecision(precision.empty() ? "exact" : precision);
  if (!prec) return Bad(p + "dob_precision", "exact, year or estimated");
  PUENTE_ASSIGN_OR_RETURN(a.date_of_birth, ParseDateOfBirth(dob, *prec, absl::Now()));
  PUENTE_ASSIGN_OR_RETURN(a.nationality, Text(j, "nationality", p));
  PUENTE_ASSIGN_OR_RETURN(a.place_of_birth, Text(j, "place_of_birth", p));
  PUENTE_ASSIGN_OR_RETURN(a.phone, Text(j, "phone", p));
  PUENTE_ASSIGN_OR_RETURN(a.address, Text(j, "address", p));
  PUENTE_ASSIGN_OR_RETURN(a.office_code, Text(j, "office_code", p));
  PUENTE_ASSIGN_OR_RETURN(a.case_number, Text(j, "case_number", p));
  PUENTE_ASSIGN_OR_RETURN(std::string rel, Text(j, "relationship", p));
  auto relationship = ParseRelationship(rel.empty() ? "principal" : rel);
  if (!relationship) return Bad(p + "relationship", "not a known relationship");
  a.relationship = *relationship;
  if (j.contains("languages")) {
    if (!j["languages"].is_array()) return Bad(p + "languages", "must be an array of codes");
    PUENTE_RETURN_IF_ERROR(
        CheckCount(p + "languages", j["languages"].size(), kMaxLanguages, "languages"));
    for (const auto& l : j["languages"]) {
      if (!l.is_string()) return Bad(p + "languages", "must be an array of codes");
      a.languages.push_back(l.get<std::string>());
    }
  }
  if (j.contains("documents")) {
    if (!j["documents"].is_array()) return Bad(p + "documents", "must be an array");
    PUENTE_RETURN_IF_ERROR(
        CheckCount(p + "documents", j["documents"].size(), kMaxDocuments, "documents"));
    for (const auto& d : j["documents"]) {
      if (!d.is_object()) return Bad(p + "documents", "each must be an object");
      IdentityDocument doc;
      PUENTE_ASSIGN_OR_RETURN(std::string type, Text(d, "type", p + "documents[]."));
      auto t = ParseDocumentType(type);
      if (!t) return Bad(p + "documents[].type", "not a document type");
      doc.type = *t;
      PUENTE_ASSIGN_OR_RETURN(doc.issuing_country, Text(d, "country", p + "documents[]."));
      PUENTE_ASSIGN_OR_RETURN(doc.number, Text(d, "number", p + "documents[]."));
      PUENTE_ASSIGN_OR_RETURN(doc.expiry_date, Text(d, "expiry", p + "documents[]."));
      a.documents.push_back(std::move(doc));
    }
  }
  return a;
}

json ToRequestJson(const NewApplicant& a) {
  json docs = json::array();
  for (const auto& d : a.documents) {
    docs.push_back({{"type", ToString(d.type)},
                    {"country", d.issuing_country},
                    {"number", d.number},
                    {"expiry", d.expiry_date}});
  }
  return {{"given_names", a.given_names},
          {"surname1", a.surname1},
          {"surname2", a.surname2},
          {"sex", ToString(a.sex)},
          {"date_of_birth", a.date_of_birth.ToString()},
          {"dob_precision", ToString(a.date_of_birth.precision)},
          {"nationality", a.nationality},
          {"place_of_birth", a.place_of_birth},
          {"phone", a.phone},
          {"address", a.address},
          {"office_code", a.office_code},
          {"case_number", a.case_number},
          {"relationship", ToString(a.relationship)},
          {"languages", a.languages},
          {"documents", docs}};
}

nlohmann::json ToJson(const Applicant& a) {
  nlohmann::json docs = nlohmann::json::array();
  for (const auto& d : a.documents) {
    nlohmann::json j = {
        {"type", ToString(d.type)}, {"issuing_country", d.issuing_country}, {"number", d.number}};
    if (!d.expiry_date.empty()) j["expiry_date"] = d.expiry_date;
    docs.push_back(j);
  }
  return {{"registration_number", a.registration_number},
          {"case_number", a.case_number},
          {"relationship", ToString(a.relationship)},
          {"given_names", a.given_names},
          {"surname1", a.surname1},
          {"surname2", a.surname2},
          {"sex", ToString(a.sex)},
          {"date_of_birth", a.date_of_birth.ToString()},
          {"date_of_birth_precision", ToString(a.date_of_birth.precision)},
          {"nationality", a.nationality},
          {"place_of_birth", a.place_of_birth},
          {"languages", a.languages},
          {"phone", a.phone},
          {"address", a.address},
          {"documents", docs},
          {"office", a.office_code},
          {"officer", a.officer},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at},
          {"version", a.version}};
}

nlohmann::json ToJson(const Case& c) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : c.members) {
    members.push_back({{"registration_number", m.registration_number},
                       {"relationship", ToString(m.relationship)}});
  }
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : c.history) {
    history.push_back(
        {{"from", h.from ? nlohmann::json(ToString(*h.from)) : nlohmann::json(nullptr)},
         {"to", ToString(h.to)},
         {"effective", h.effective},
         {"changed_at", h.changed_at},
         {"changed_by", h.changed_by},
         {"reason", h.reason}});
  }
  return {{"case_number", c.case_number}, {"status", ToString(c.status)}, {"office", c.office_code},
          {"created_at", c.created_at},   {"members", members},           {"history", history}};
}

NewApplicant ToNewApplicant(const Applicant& a) {
  NewApplicant in;
  in.given_names = a.given_names;
  in.surname1 = a.surname1;
  in.surname2 = a.surname2;
  in.sex = a.sex;
  in.date_of_birth = a.date_of_birth;
  in.nationality = a.nationality;
  in.place_of_birth = a.place_of_birth;
  in.languages = a.languages;
  in.phone = a.phone;
  in.address = a.address;
  in.documents = a.documents;
  in.office_code = a.office_code;
  in.officer = a.officer;
  in.relationship = a.relationship;
  return in;
}

}  // namespace puente::registry
