// SOCI behind the registry's storage layer. Internal to registry/ (and the
// tests, which inspect rows): public headers never expose SOCI types.
#ifndef PUENTE_REGISTRY_STORAGE_INTERNAL_SESSION_H_
#define PUENTE_REGISTRY_STORAGE_INTERNAL_SESSION_H_

#include <soci/soci.h>

#include <string_view>

#include "absl/status/status.h"
#include "puente/registry/database.h"

namespace puente::registry::internal {

// soci::session& Session(Database& db) is declared in database.h (a friend).

// Maps a SOCI error to a status: constraint violations to AlreadyExists or
// FailedPrecondition, connection problems to Unavailable, the rest Internal.
// `context` names the operation ("adding applicant").
absl::Status FromSociError(const soci::soci_error& e, std::string_view context);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_SESSION_H_
