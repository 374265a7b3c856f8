// Private: splitting of migration scripts into statements.
#ifndef PUENTE_REGISTRY_SRC_SQL_SPLIT_H_
#define PUENTE_REGISTRY_SRC_SQL_SPLIT_H_

#include <string>
#include <string_view>
#include <vector>

namespace puente::registry::internal {

// Splits at ';' outside quotes, comments and dollar-quoted bodies; a SQLite
// CREATE TRIGGER runs to its END;. Comment-only pieces are dropped.
std::vector<std::string> SplitSqlStatements(std::string_view sql);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_SRC_SQL_SPLIT_H_
