#include "puente/registry/migrator.h"

#include <soci/soci.h>

#include <cctype>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "puente/common/clock.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/common/text.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/migrations/migrations.h"
#include "src/sql_split.h"
#include "storage/internal/session.h"

namespace puente::registry {
namespace internal {

std::vector<std::string> SplitSqlStatements(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  bool has_code = false;
  auto flush = [&] {
    if (has_code) out.push_back(std::string(puente::StripAsciiWhitespace(cur)));
    cur.clear();
    has_code = false;
  };
  auto is_trigger = [](std::string_view stmt) {
    std::string upper = AsciiUpper(stmt);
    // Drop leading comment lines.
    size_t i = 0;
    while (i < upper.size()) {
      while (i < upper.size() && std::isspace(static_cast<unsigned char>(upper[i]))) ++i;
      if (upper.compare(i, 2, "--") == 0) {
        i = upper.find('\n', i);
        if (i == std::string::npos) return false;
      } else {
        break;
      }
    }
    return upper.compare(i, 14, "CREATE TRIGGER") == 0;
  };
  auto ends_with_end = [](std::string_view stmt) {
    std::string_view s = puente::StripAsciiWhitespace(stmt);
    return s.size() >= 3 && AsciiUpper(s.substr(s.size() - 3)) == "END" &&
           (s.size() == 3 || !std::isalnum(static_cast<unsigned char>(s[s.size() - 4])));
  };
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      cur.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 2;
      cur.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      const size_t stop = j < sql.size() ? j + 1 : sql.size();
      cur.append(sql.substr(i, stop - i));
      has_code = true;
      i = stop;
      continue;
    }
    if (c == '$') {
      size_t j = i + 1;
      while (j < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
        ++j;
      }
      if (j < sql.size() && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const size_t end = sql.find(tag, j + 1);
        const size_t stop = end == std::string_view::npos ? sql.size() : end + tag.size();
        cur.append(sql.substr(i, stop - i));
        has_code = true;
        i = stop;
        continue;
      }
    }
    if (c == ';') {
      if (is_trigger(cur) && !ends_with_end(cur)) {
        cur.push_back(c);
        ++i;
        continue;
      }
      flush();
      ++i;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) has_code = true;
    cur.push_back(c);
    ++i;
  }
  flush();
  return out;
}

}  // namespace internal

namespace {

std::string_view DialectName(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgresql"; }

std::vector<migrations::Migration> Steps(Dialect d) {
  std::vector<migrations::Migration> out;
  for (const auto& m : migrations::All()) {
    if (m.dialect == DialectName(d)) out.push_back(m);
  }
  return out;
}

std::string Checksum(std::string_view sql) { return crypto::HexEncode(crypto::Sha256(sql)); }

bool TableExists(Database& db, const std::string& table) {
  int n = 0;
  if (db.dialect() == Dialect::kSqlite) {
    internal::Session(db)
        << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t",
        soci::use(table), soci::into(n);
  } else {
    internal::Session(db) << "SELECT count(*) FROM information_schema.tables "
                             "WHERE table_schema = current_schema() AND table_name = :t",
        soci::use(table), soci::into(n);
  }
  return n > 0;
}

struct AppliedRow {
  AppliedMigration info;
  std::string checksum;
};

std::vector<AppliedRow> ReadApplied(Database& db) {
  std::vector<AppliedRow> out;
  int version = 0;
  std::string name, checksum, applied_at;
  soci::statement st =
      (internal::Session(db).prepare << "SELECT version, name, checksum, applied_at "
                                        "FROM schema_migrations ORDER BY version",
       soci::into(version), soci::into(name), soci::into(checksum), soci::into(applied_at));
  st.execute();
  while (st.fetch()) out.push_back({{version, name, applied_at}, checksum});
  return out;
}

absl::StatusOr<SchemaStatus> StatusUnlocked(Database& db) {
  const auto steps = Steps(db.dialect());
  SchemaStatus status;
  status.latest_version = steps.empty() ? 0 : steps.back().version;
  if (!TableExists(db, "schema_migrations")) {
    for (const auto& m : steps)
      status.pending.push_back(absl::StrFormat("%04d_%s", m.version, m.name));
    return status;
  }
  std::map<int, const migrations::Migration*> known;
  for (const auto& m : steps) known[m.version] = &m;
  for (const AppliedRow& row : ReadApplied(db)) {
    status.applied.push_back(row.info);
    status.current_version = std::max(status.current_version, row.info.version);
    auto it = known.find(row.info.version);
    if (it == known.end()) continue;  // newer than this build; reported below
    if (Checksum(it->second->sql) != row.checksum) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "migration %04d_%s applied to this database differs from this build's copy "
          "(edited after release?)",
          row.info.version, row.info.name));
    }
  }
  if (status.current_version > status.latest_version) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "database schema is version %d, newer than this build of puente (version %d): "
        "refusing to touch it; upgrade puente",
        status.current_version, status.latest_version));
  }
  for (const auto& m : steps) {
    if (m.version > status.current_version) {
      status.pending.push_back(absl::StrFormat("%04d_%s", m.version, m.name));
    }
  }
  return status;
}

}  // namespace

absl::StatusOr<SchemaStatus> GetSchemaStatus(Database& db) {
  try {
    return StatusUnlocked(db);
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "reading schema status");
  }
}

absl::StatusOr<int> Migrate(Database& db) {
  try {
    internal::Session(db) << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "creating schema_migrations");
  }
  PUENTE_ASSIGN_OR_RETURN(SchemaStatus before, GetSchemaStatus(db));
  int applied = 0;
  for (const auto& m : Steps(db.dialect())) {
    if (m.version <= before.current_version) continue;
    const auto statements = internal::SplitSqlStatements(m.sql);
    bool skipped = false;
    absl::Status s = InTransaction(db, [&]() -> absl::Status {
      if (db.dialect() == Dialect::kPostgresql) {
        internal::Session(db) << "SELECT pg_advisory_xact_lock(7283640)";  // 'puente' migrations
      }
      int already = 0;
      internal::Session(db) << "SELECT count(*) FROM schema_migrations WHERE version = :v",
          soci::use(m.version), soci::into(already);
      if (already > 0) {  // another migrator got there first
        skipped = true;
        return absl::OkStatus();
      }
      for (const std::string& stmt : statements) internal::Session(db) << stmt;
      const std::string name(m.name);
      const std::string checksum = Checksum(m.sql);
      const std::string now = FormatTimestamp(Clock::Real().Now());
      internal::Session(db)
          << "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
             "VALUES (:v, :n, :c, :a)",
          soci::use(m.version), soci::use(name), soci::use(checksum), soci::use(now);
      return absl::OkStatus();
    });
    if (!s.ok()) {
      // For the operator running the migration: what the database said.
      const std::string why = DetailOf(s, kDetailInternal).value_or(std::string(s.message()));
      return Rewrap(s, absl::StrFormat("migration %04d_%s failed, nothing of it was applied: %s",
                                       m.version, m.name, why));
    }
    if (!skipped) ++applied;
  }
  return applied;
}

absl::Status CheckSchemaCurrent(Database& db) {
  PUENTE_ASSIGN_OR_RETURN(SchemaStatus s, GetSchemaStatus(db));
  if (s.current_version == 0) {
    return absl::FailedPreconditionError(
        "database has no puente schema: run `puente init` (or `puente db migrate`)");
  }
  if (!s.pending.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "database schema is version %d, this build needs %d: run `puente db migrate`",
        s.current_version, s.latest_version));
  }
  return absl::OkStatus();
}

}  // namespace puente::registry
