// Issued cards as stored (revocation).
// Internal to registry/: the capability libraries include it; nothing
// outside registry/ (but tests) may.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_CARD_STORE_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_CARD_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

// Revokes the active cards matching `where` (SQL over cards, one :k
// parameter bound to `key`), each with an audit event. Returns how many.
absl::StatusOr<int> RevokeActiveCards(Tx& tx, const std::string& where, const std::string& key,
                                      const std::string& reason);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_CARD_STORE_H_
