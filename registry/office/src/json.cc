#include "puente/registry/json.h"

namespace puente::registry {

nlohmann::json ToJson(const Enrollment& e) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : e.candidates) {
    nlohmann::json j{
        {"id", c.id},
        {"registration_number", c.registration_number},
        {"face_score", c.face_score ? nlohmann::json(*c.face_score) : nlohmann::json(nullptr)},
        {"demographic_score", c.demographic_score},
        {"fused_score", c.fused_score ? nlohmann::json(*c.fused_score) : nlohmann::json(nullptr)},
        {"tier", ToString(c.tier)},
        {"reasons", c.reasons},
        {"decision", c.decision ? nlohmann::json(ToString(*c.decision)) : nlohmann::json(nullptr)}};
    if (c.decision) {
      j["decided_by"] = c.decided_by;
      j["decided_at"] = c.decided_at;
    }
    candidates.push_back(std::move(j));
  }
  return {{"id", e.id},
          {"status", ToString(e.status)},
          {"applicant", ToJson(e.applicant)},
          {"candidates", candidates},
          {"created_at", e.created_at},
          {"created_by", e.created_by}};
}

}  // namespace puente::registry
