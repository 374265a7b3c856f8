// JSON forms of registry values, shared by the CLI and the HTTP API:
// applicants and cases (applicant_json.h) and enrollments.
#ifndef PUENTE_REGISTRY_JSON_H_
#define PUENTE_REGISTRY_JSON_H_

#include <nlohmann/json.hpp>

#include "puente/registry/applicant_json.h"
#include "puente/registry/enrollment.h"

namespace puente::registry {

// An enrollment with its duplicate candidates (scores, reasons, decisions).
nlohmann::json ToJson(const Enrollment& e);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_JSON_H_
