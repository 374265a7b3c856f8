// The versioned SQL migrations, embedded into the binary at build time from
// migrations/<dialect>/NNNN_name.sql so that a deployed `puente` needs no
// files beside it. The runner lives in registry/ (puente/registry/migrator.h).
#ifndef PUENTE_MIGRATIONS_MIGRATIONS_H_
#define PUENTE_MIGRATIONS_MIGRATIONS_H_

#include <span>
#include <string_view>

namespace puente::migrations {

struct Migration {
  std::string_view dialect;  // "sqlite" or "postgresql"
  int version;               // 1, 2, ... without gaps, per dialect
  std::string_view name;     // e.g. "initial"
  std::string_view sql;      // statements separated by ';'
};

// All migrations of all dialects, ordered by dialect then version.
std::span<const Migration> All();

}  // namespace puente::migrations

#endif  // PUENTE_MIGRATIONS_MIGRATIONS_H_
