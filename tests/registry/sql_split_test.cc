#include "registry/storage/src/sql_split.h"

#include <gtest/gtest.h>

#include "puente/migrations/migrations.h"

namespace puente::registry::internal {
namespace {

TEST(SplitSqlTest, SplitsOnSemicolonsOutsideQuotesAndComments) {
  auto s = SplitSqlStatements(
      "-- header; not a statement\n"
      "CREATE TABLE a (x TEXT DEFAULT 'semi;colon');\n"
      "/* block; comment */ INSERT INTO a VALUES ('it''s; fine');\n"
      "-- trailing comment only\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NE(s[0].find("'semi;colon'"), std::string::npos);
  EXPECT_NE(s[1].find("'it''s; fine'"), std::string::npos);
}

TEST(SplitSqlTest, KeepsTriggerBodiesAndDollarQuotesWhole) {
  auto s = SplitSqlStatements(
      "CREATE TRIGGER t BEFORE UPDATE ON a\nBEGIN\n  SELECT RAISE(ABORT, 'no');\nEND;\n"
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RAISE EXCEPTION "
      "'x';\nEND;\n$$;\nSELECT 1;");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].substr(s[0].size() - 3), "END");
  EXPECT_NE(s[1].find("RAISE EXCEPTION"), std::string::npos);
  EXPECT_EQ(s[2], "SELECT 1");
}

TEST(SplitSqlTest, EveryEmbeddedMigrationSplitsIntoStatements) {
  for (const auto& m : migrations::All()) {
    auto s = SplitSqlStatements(m.sql);
    // At least one statement per CREATE TABLE / CREATE INDEX in the file.
    size_t creates = 0;
    for (size_t at = m.sql.find("\nCREATE "); at != std::string::npos;
         at = m.sql.find("\nCREATE ", at + 1)) {
      ++creates;
    }
    EXPECT_GE(s.size(), std::max<size_t>(creates, 1)) << m.dialect << " " << m.version;
    for (const auto& stmt : s) EXPECT_FALSE(stmt.empty());
  }
}

TEST(MigrationsTest, BothDialectsHaveTheSameSteps) {
  std::vector<std::pair<int, std::string>> sqlite, pg;
  for (const auto& m : migrations::All()) {
    (m.dialect == "sqlite" ? sqlite : pg).emplace_back(m.version, std::string(m.name));
  }
  EXPECT_FALSE(sqlite.empty());
  EXPECT_EQ(sqlite, pg);
  for (size_t i = 0; i < sqlite.size(); ++i) EXPECT_EQ(sqlite[i].first, static_cast<int>(i) + 1);
}

}  // namespace
}  // namespace puente::registry::internal
