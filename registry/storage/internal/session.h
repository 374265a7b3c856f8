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

// Maps a SOCI error to a status: a full disk, a locked database and
// connection problems to Unavailable (kDetailReason "disk_full",
// "database_busy", "database_unreachable"), constraint violations to
// AlreadyExists or FailedPrecondition, the rest Internal. The message is
// written for an API's caller; the backend's own text (with `context`, which
// names the operation: "adding applicant") is the kDetailInternal payload,
// for the log (database.h, InTransaction).
absl::Status FromSociError(const soci::soci_error& e, std::string_view context);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_STORAGE_INTERNAL_SESSION_H_
