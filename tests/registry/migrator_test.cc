#include "puente/registry/migrator.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

class MigratorTest : public ::testing::TestWithParam<Dialect> {
 protected:
  TestDatabase db_{GetParam()};
};

TEST_P(MigratorTest, FreshDatabaseMigratesToLatest) {
  PUENTE_REQUIRE_DB(db_);
  auto conn = db_.Connect();
  auto before = GetSchemaStatus(*conn);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->current_version, 0);
  EXPECT_FALSE(before->pending.empty());
  EXPECT_FALSE(CheckSchemaCurrent(*conn).ok());

  auto applied = Migrate(*conn);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, before->latest_version);
  auto after = GetSchemaStatus(*conn);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->current_version, after->latest_version);
  EXPECT_TRUE(after->pending.empty());
  EXPECT_TRUE(CheckSchemaCurrent(*conn).ok());
}

TEST_P(MigratorTest, RerunIsANoOp) {
  PUENTE_REQUIRE_DB(db_);
  auto conn = db_.Connect();
  ASSERT_TRUE(Migrate(*conn).ok());
  auto again = Migrate(*conn);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  int rows = 0;
  puente::registry::internal::Session(*conn) << "SELECT count(*) FROM schema_migrations",
      soci::into(rows);
  EXPECT_EQ(rows, GetSchemaStatus(*conn)->latest_version);
}

TEST_P(MigratorTest, RefusesDatabaseNewerThanThisBuild) {
  PUENTE_REQUIRE_DB(db_);
  auto conn = db_.Connect();
  ASSERT_TRUE(Migrate(*conn).ok());
  puente::registry::internal::Session(*conn)
      << "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
         "VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00Z')";
  auto m = Migrate(*conn);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(m.status().message()).find("newer than this build"), std::string::npos);
  auto reg = Registry::Open(db_.url(), puente::testing::NewMasterKey());
  EXPECT_EQ(reg.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(MigratorTest, RefusesEditedMigration) {
  PUENTE_REQUIRE_DB(db_);
  auto conn = db_.Connect();
  ASSERT_TRUE(Migrate(*conn).ok());
  puente::registry::internal::Session(*conn)
      << "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1";
  auto s = GetSchemaStatus(*conn);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.status().message()).find("differs from this build"), std::string::npos);
}

TEST_P(MigratorTest, FailedStepLeavesNothingBehind) {
  PUENTE_REQUIRE_DB(db_);
  auto conn = db_.Connect();
  // A table that the first migration wants to create makes the step fail
  // half-way; none of its other tables may survive.
  puente::registry::internal::Session(*conn) << "CREATE TABLE audit_events (x INTEGER)";
  auto m = Migrate(*conn);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(std::string(m.status().message()).find("nothing of it was applied"), std::string::npos);
  auto status = GetSchemaStatus(*conn);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->current_version, 0);
  int n = -1;
  if (GetParam() == Dialect::kSqlite) {
    puente::registry::internal::Session(*conn)
        << "SELECT count(*) FROM sqlite_master WHERE name = 'applicants'",
        soci::into(n);
  } else {
    puente::registry::internal::Session(*conn)
        << "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
           "current_schema() AND table_name = 'applicants'",
        soci::into(n);
  }
  EXPECT_EQ(n, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigratorTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
