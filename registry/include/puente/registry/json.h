// JSON forms of registry values, shared by the CLI and the HTTP API.
#ifndef PUENTE_REGISTRY_JSON_H_
#define PUENTE_REGISTRY_JSON_H_

#include <nlohmann/json.hpp>

#include "puente/registry/model.h"

namespace puente::registry {

nlohmann::json ToJson(const Applicant& a);
nlohmann::json ToJson(const Case& c);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_JSON_H_
