// The two dialects' migrations describe one schema: after every step has run,
// SQLite and PostgreSQL hold the same tables, each with the same columns, and
// each column has the same coarse type (integer, real, text, blob) and the
// same nullability. A step written for one dialect only, or a column added,
// renamed or retyped on one side, fails here with the difference named.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "puente/registry/migrator.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

struct Column {
  std::string type;  // coarse class: "integer", "real", "text", "blob", or other(<declared>)
  bool not_null = false;
  bool operator==(const Column&) const = default;
};
// table -> column -> shape
using Schema = std::map<std::string, std::map<std::string, Column>>;

// SQLite's own rules for a declared type's affinity (sqlite.org/datatype3.html,
// "Determination of column affinity"), in its order of precedence.
std::string SqliteTypeClass(const std::string& declared) {
  const std::string t = absl::AsciiStrToUpper(declared);
  if (absl::StrContains(t, "INT")) return "integer";
  if (absl::StrContains(t, "CHAR") || absl::StrContains(t, "CLOB") ||
      absl::StrContains(t, "TEXT")) {
    return "text";
  }
  if (t.empty() || absl::StrContains(t, "BLOB")) return "blob";
  if (absl::StrContains(t, "REAL") || absl::StrContains(t, "FLOA") ||
      absl::StrContains(t, "DOUB")) {
    return "real";
  }
  return "other(" + declared + ")";  // NUMERIC affinity: no PostgreSQL type maps to it
}

// information_schema.columns.data_type of PostgreSQL.
std::string PostgresTypeClass(const std::string& data_type) {
  static const std::map<std::string, std::string> kClasses{
      {"smallint", "integer"}, {"integer", "integer"},        {"bigint", "integer"},
      {"real", "real"},        {"double precision", "real"},  {"text", "text"},
      {"character", "text"},   {"character varying", "text"}, {"bytea", "blob"}};
  auto it = kClasses.find(data_type);
  return it == kClasses.end() ? "other(" + data_type + ")" : it->second;
}

Schema ReadSqliteSchema(Database& db) {
  Schema out;
  std::string table, column, type;
  int not_null = 0, pk = 0;
  soci::statement st = (puente::registry::internal::Session(db).prepare
                            << "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk "
                               "FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                               "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                        soci::into(table), soci::into(column), soci::into(type),
                        soci::into(not_null), soci::into(pk));
  st.execute();
  while (st.fetch()) {
    // A primary key is NOT NULL in PostgreSQL; SQLite only enforces it for
    // INTEGER PRIMARY KEY, but the schema means the same in both.
    out[table][column] = {SqliteTypeClass(type), not_null != 0 || pk > 0};
  }
  return out;
}

Schema ReadPostgresSchema(Database& db) {
  Schema out;
  std::string table, column, type, nullable;
  soci::statement st =
      (puente::registry::internal::Session(db).prepare
           << "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable "
              "FROM information_schema.columns c JOIN information_schema.tables t "
              "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
              "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
       soci::into(table), soci::into(column), soci::into(type), soci::into(nullable));
  st.execute();
  while (st.fetch()) out[table][column] = {PostgresTypeClass(type), nullable == "NO"};
  return out;
}

std::string Describe(const Column& c) { return c.type + (c.not_null ? " NOT NULL" : " NULL"); }

// One line per difference, empty when the schemas agree.
std::vector<std::string> Differences(const Schema& sqlite, const Schema& postgres) {
  std::vector<std::string> out;
  for (const auto& [table, columns] : sqlite) {
    auto other = postgres.find(table);
    if (other == postgres.end()) {
      out.push_back("table " + table + " only in sqlite");
      continue;
    }
    for (const auto& [name, column] : columns) {
      auto it = other->second.find(name);
      if (it == other->second.end()) {
        out.push_back(table + "." + name + " only in sqlite");
      } else if (!(it->second == column)) {
        out.push_back(table + "." + name + ": sqlite " + Describe(column) + ", postgresql " +
                      Describe(it->second));
      }
    }
    for (const auto& [name, column] : other->second) {
      if (!columns.contains(name)) out.push_back(table + "." + name + " only in postgresql");
    }
  }
  for (const auto& [table, columns] : postgres) {
    if (!sqlite.contains(table)) out.push_back("table " + table + " only in postgresql");
  }
  return out;
}

Schema MigratedSchema(TestDatabase& db) {
  auto conn = db.Connect();
  if (conn == nullptr) return {};
  auto applied = Migrate(*conn);
  EXPECT_TRUE(applied.ok()) << applied.status();
  return db.dialect() == Dialect::kSqlite ? ReadSqliteSchema(*conn) : ReadPostgresSchema(*conn);
}

TEST(SchemaParityTest, BothDialectsHaveTheSameTablesAndColumnsAfterEveryMigration) {
  TestDatabase sqlite_db(Dialect::kSqlite), postgres_db(Dialect::kPostgresql);
  PUENTE_REQUIRE_DB(postgres_db);
  const Schema sqlite = MigratedSchema(sqlite_db);
  const Schema postgres = MigratedSchema(postgres_db);
  // Both sides were really read (an empty pair would agree trivially).
  for (const Schema* s : {&sqlite, &postgres}) {
    EXPECT_TRUE(s->contains("schema_migrations"));
    EXPECT_TRUE(s->contains("applicants"));
    EXPECT_GE(s->size(), 10u);
  }
  const std::vector<std::string> diff = Differences(sqlite, postgres);
  EXPECT_TRUE(diff.empty()) << "the dialects' schemas differ:\n  " << absl::StrJoin(diff, "\n  ");
  // Every column's type is one both dialects can be compared on.
  for (const Schema* s : {&sqlite, &postgres}) {
    for (const auto& [table, columns] : *s) {
      for (const auto& [name, column] : columns) {
        EXPECT_FALSE(absl::StartsWith(column.type, "other("))
            << table << "." << name << " has type " << column.type
            << ": map it in schema_parity_test.cc";
      }
    }
  }
}

}  // namespace
}  // namespace puente::registry
