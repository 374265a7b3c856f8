// JSON forms of applicants and cases, shared by the CLI, the HTTP API and
// the sync bundles.
#ifndef PUENTE_REGISTRY_APPLICANT_JSON_H_
#define PUENTE_REGISTRY_APPLICANT_JSON_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "puente/registry/model.h"

namespace puente::registry {

nlohmann::json ToJson(const Applicant& a);
nlohmann::json ToJson(const Case& c);

// The applicant object of the HTTP API and of sync bundles (docs/api.md),
// read from body[key]. InvalidArgument naming the field ("applicant.sex: ...").
absl::StatusOr<NewApplicant> NewApplicantFromJson(const nlohmann::json& body,
                                                  const std::string& key);
// The inverse: the request form of an applicant's data.
nlohmann::json ToRequestJson(const NewApplicant& a);
// A stored applicant's data in request form (to carry it to another
// installation): personal fields, documents, office, officer, relationship.
NewApplicant ToNewApplicant(const Applicant& a);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_APPLICANT_JSON_H_
