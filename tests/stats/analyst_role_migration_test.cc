// Migration 0012 (the analyst role), SQLite and PostgreSQL: the users table
// takes the new role and still refuses unknown ones, and running the step over
// a registry with accounts and open sessions keeps every row and every token
// (SQLite rebuilds the table, which sessions refer to).
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "puente/common/error_detail.h"
#include "puente/migrations/migrations.h"
#include "puente/registry/users.h"
#include "registry/storage/internal/session.h"
#include "registry/storage/src/sql_split.h"
#include "test_support.h"

namespace puente::registry {
namespace {

class AnalystRoleMigrationTest : public ::testing::TestWithParam<Dialect> {
 protected:
  puente::testing::TestDatabase db_{GetParam()};
  crypto::SecretKey key_ = puente::testing::NewMasterKey();
};

TEST_P(AnalystRoleMigrationTest, TheStepKeepsAccountsAndSessionsAndTakesTheNewRole) {
  PUENTE_REQUIRE_DB(db_);
  auto reg = puente::testing::OpenMigratedRegistry(db_, key_);
  ASSERT_NE(reg, nullptr);
  UserDirectory users(*reg);
  ASSERT_TRUE(users.AddUser("setup", "ana", Role::kOfficer, "password-of-ana").ok());
  auto token = users.Login("ana", "password-of-ana");
  ASSERT_TRUE(token.ok()) << token.status();

  // Step 0012 again, over accounts and a session.
  const std::string dialect = GetParam() == Dialect::kSqlite ? "sqlite" : "postgresql";
  std::string sql;
  for (const auto& m : migrations::All()) {
    if (m.dialect == dialect && m.version == 12) sql = std::string(m.sql);
  }
  ASSERT_NE(sql.find("analyst"), std::string::npos);
  const absl::Status rerun = InTransaction(reg->database(), [&]() -> absl::Status {
    for (const std::string& st : internal::SplitSqlStatements(sql)) {
      internal::Session(reg->database()) << st;
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(rerun.ok()) << rerun << " " << DetailOf(rerun, kDetailInternal).value_or("");

  auto who = users.Authenticate(*token);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->name, "ana");
  EXPECT_EQ(who->role, Role::kOfficer);
  EXPECT_EQ(puente::testing::CountRows(db_, "users"), 1);
  EXPECT_EQ(puente::testing::CountRows(db_, "sessions"), 1);
  if (GetParam() == Dialect::kSqlite) {
    int broken = 0;
    internal::Session(reg->database()) << "SELECT count(*) FROM pragma_foreign_key_check",
        soci::into(broken);
    EXPECT_EQ(broken, 0);
  }

  auto analyst = users.AddUser("setup", "ines", Role::kAnalyst, "password-of-ines");
  ASSERT_TRUE(analyst.ok()) << analyst.status();
  auto ines = users.Login("ines", "password-of-ines");
  ASSERT_TRUE(ines.ok());
  EXPECT_EQ(users.Authenticate(*ines)->role, Role::kAnalyst);
  EXPECT_EQ(ToString(Role::kAnalyst), "analyst");
  EXPECT_EQ(ParseRole("analyst"), Role::kAnalyst);
  // The CHECK still refuses a role nobody defined.
  EXPECT_ANY_THROW(internal::Session(reg->database())
                   << "INSERT INTO users (name, role, password_hash, active, created_at, "
                      "created_by) VALUES ('x', 'superuser', 'h', 1, 't', 't')");
}

INSTANTIATE_TEST_SUITE_P(Dialects, AnalystRoleMigrationTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
