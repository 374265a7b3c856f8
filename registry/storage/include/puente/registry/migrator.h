// Schema migrations: applies migrations/<dialect>/NNNN_*.sql in order.
//
// The schema_migrations table records each applied step with the sha256 of
// its SQL. Each step runs in its own transaction (on PostgreSQL under an
// advisory lock, so two migrators cannot interleave). Re-running is a no-op.
// A database whose version is newer than this build is refused, and so is one
// whose applied SQL differs from the embedded copy.
#ifndef PUENTE_REGISTRY_MIGRATOR_H_
#define PUENTE_REGISTRY_MIGRATOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/database.h"

namespace puente::registry {

struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string applied_at;
};

struct SchemaStatus {
  int current_version = 0;  // 0: empty database
  int latest_version = 0;   // the newest this build knows
  std::vector<AppliedMigration> applied;
  std::vector<std::string> pending;  // "0002_name"
};

// FailedPrecondition if the database is newer than this build or an applied
// step's checksum differs; Unavailable/Internal for database errors.
absl::StatusOr<SchemaStatus> GetSchemaStatus(Database& db);

// Applies the pending steps; returns how many were applied (0 when current).
absl::StatusOr<int> Migrate(Database& db);

// OK if the schema is exactly current; FailedPrecondition naming the command
// to run otherwise. Called by the registry on open.
absl::Status CheckSchemaCurrent(Database& db);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_MIGRATOR_H_
