#include "puente/registry/json.h"

namespace puente::registry {

nlohmann::json ToJson(const Applicant& a) {
  nlohmann::json docs = nlohmann::json::array();
  for (const auto& d : a.documents) {
    nlohmann::json j = {{"type", ToString(d.type)},
                        {"issuing_country", d.issuing_country},
                        {"number", d.number}};
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
    history.push_back({{"from", h.from ? nlohmann::json(ToString(*h.from))
                                       : nlohmann::json(nullptr)},
                       {"to", ToString(h.to)},
                       {"effective", h.effective},
                       {"changed_at", h.changed_at},
                       {"changed_by", h.changed_by},
                       {"reason", h.reason}});
  }
  return {{"case_number", c.case_number},
          {"status", ToString(c.status)},
          {"office", c.office_code},
          {"created_at", c.created_at},
          {"members", members},
          {"history", history}};
}

}  // namespace puente::registry
