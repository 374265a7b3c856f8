// Cases, their members and their status history as stored.
// Internal to registry/: the capability libraries include it; nothing
// outside registry/ (but tests) may.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_CASE_STORE_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_CASE_STORE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "puente/registry/model.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

absl::StatusOr<Case> LoadCase(Tx& tx, const std::string& case_number);

absl::Status InsertStatusChange(Tx& tx, const std::string& case_id, int seq,
                                std::optional<CaseStatus> from, CaseStatus to,
                                const std::string& effective, const std::string& reason);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_CASE_STORE_H_
