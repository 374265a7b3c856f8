// Per-office, per-year number sequences (registration numbers, card serials).
// Internal to registry/: the capability libraries include it; nothing
// outside registry/ (but tests) may.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_SEQUENCE_STORE_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_SEQUENCE_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

// Next value of a per-office, per-year counter.
absl::StatusOr<long long> NextSequence(Tx& tx, const std::string& key, int year);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_SEQUENCE_STORE_H_
