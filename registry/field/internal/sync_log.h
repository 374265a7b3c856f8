// The kit's sync log (migration 0011 kit_sync_log): the latest export, push
// and pull, one row each, written in the transaction of what they record.
// Private to registry/field.
#ifndef PUENTE_REGISTRY_FIELD_INTERNAL_SYNC_LOG_H_
#define PUENTE_REGISTRY_FIELD_INTERNAL_SYNC_LOG_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

// Replaces the row of `kind` ("export", "push" or "pull") with one at `at`
// (FormatTimestamp). `detail` holds counts and times only, never personal data.
absl::Status RecordSyncEvent(Tx& tx, const std::string& kind, const std::string& at,
                             const std::string& bundle_id, const nlohmann::json& detail);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_FIELD_INTERNAL_SYNC_LOG_H_
