// Presentation of registry values for the CLI: JSON objects, readable text,
// and the mapping from status codes to process exit codes.
#ifndef PUENTE_APPS_PUENTE_OUTPUT_H_
#define PUENTE_APPS_PUENTE_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "puente/registry/audit.h"
#include "puente/registry/migrator.h"
#include "puente/registry/model.h"

namespace puente::cli {

// Exit codes (documented in docs/cli.md):
//   0 ok, 1 internal error, 2 usage, 3 invalid input, 4 not found,
//   5 conflict (exists, illegal transition, concurrent edit, schema),
//   6 integrity failure (audit chain broken, undecryptable data),
//   7 database or key unavailable / permission problem.
int ExitCode(const absl::Status& s);

nlohmann::json ToJson(const registry::Applicant& a);
nlohmann::json ToJson(const registry::Case& c);
nlohmann::json ToJson(const registry::AuditReport& r);
nlohmann::json ToJson(const registry::SchemaStatus& s);
nlohmann::json ErrorJson(const absl::Status& s);

std::string ToText(const registry::Applicant& a);
std::string ToTextLine(const registry::Applicant& a);
std::string ToText(const registry::Case& c);

}  // namespace puente::cli

#endif  // PUENTE_APPS_PUENTE_OUTPUT_H_
