// Users and sessions on SQLite and the real PostgreSQL, on a clock the test
// moves: a session is valid for its lifetime and refused from its expiry on;
// logout ends that session only; a user who is no longer active can neither
// log in nor use a session opened before. Every refusal says the same thing.
#include "puente/registry/users.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

constexpr char kRefused[] = "invalid or expired token";

class UserDirectoryTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    reg_ = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey(), clock_);
    ASSERT_NE(reg_, nullptr);
    users_ = std::make_unique<UserDirectory>(*reg_);
    ASSERT_TRUE(users_->AddUser("admin", "ana", Role::kOfficer, "password-of-ana").ok());
    ASSERT_TRUE(users_->AddUser("admin", "sara", Role::kSupervisor, "password-of-sara").ok());
  }

  std::string LoginOrDie(const std::string& name, absl::Duration ttl) {
    auto token = users_->Login(name, "password-of-" + name, ttl);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  // Refused as every bad token is: Unauthenticated, one message.
  void ExpectRefused(const std::string& token) {
    auto u = users_->Authenticate(token);
    ASSERT_FALSE(u.ok()) << "token accepted for " << u->name;
    EXPECT_EQ(u.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(std::string(u.status().message()), kRefused);
  }

  // Its own clock (not the shared TestClock()), so that moving it stays in this test.
  FixedClock clock_{puente::testing::TestClock().Now()};
  TestDatabase db_{GetParam()};
  std::unique_ptr<Registry> reg_;
  std::unique_ptr<UserDirectory> users_;
};

TEST_P(UserDirectoryTest, SessionIsValidForItsLifetimeAndRefusedFromItsExpiryOn) {
  const std::string token = LoginOrDie("ana", absl::Hours(1));
  auto u = users_->Authenticate(token);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->name, "ana");
  EXPECT_EQ(u->role, Role::kOfficer);
  // Timestamps are stored to the microsecond: the last one is still inside.
  clock_.Advance(absl::Hours(1) - absl::Microseconds(1));
  EXPECT_TRUE(users_->Authenticate(token).ok());
  clock_.Advance(absl::Microseconds(1));
  ExpectRefused(token);
  clock_.Advance(absl::Hours(24));
  ExpectRefused(token);
  // A new login gives a new session.
  EXPECT_TRUE(users_->Authenticate(LoginOrDie("ana", absl::Hours(1))).ok());
}

TEST_P(UserDirectoryTest, DefaultSessionLifetimeIsTwelveHours) {
  auto token = users_->Login("sara", "password-of-sara");
  ASSERT_TRUE(token.ok()) << token.status();
  clock_.Advance(absl::Hours(12) - absl::Seconds(1));
  auto u = users_->Authenticate(*token);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->role, Role::kSupervisor);
  clock_.Advance(absl::Seconds(1));
  ExpectRefused(*token);
}

TEST_P(UserDirectoryTest, LogoutEndsThatSessionOnly) {
  const std::string first = LoginOrDie("ana", absl::Hours(1));
  const std::string second = LoginOrDie("ana", absl::Hours(1));
  EXPECT_NE(first, second);
  ASSERT_TRUE(users_->Logout(first).ok());
  ExpectRefused(first);
  EXPECT_TRUE(users_->Authenticate(second).ok());
  // Logging out again, or with a token that never existed, changes nothing.
  EXPECT_TRUE(users_->Logout(first).ok());
  EXPECT_TRUE(users_->Logout("no-such-token").ok());
  EXPECT_TRUE(users_->Authenticate(second).ok());
}

TEST_P(UserDirectoryTest, UnknownAndMalformedTokensAreRefusedAlike) {
  ExpectRefused("");
  ExpectRefused("no-such-token");
  ExpectRefused(std::string(129, 'a'));
}

// UserDirectory has no call that deactivates a user (the `active` column is
// set to 1 at creation and never changed by the product); the test sets it
// directly, as an administrator with database access would.
TEST_P(UserDirectoryTest, InactiveUserCanNeitherLogInNorUseAnOpenSession) {
  const std::string token = LoginOrDie("ana", absl::Hours(1));
  ASSERT_TRUE(users_->Authenticate(token).ok());
  puente::registry::internal::Session(reg_->database())
      << "UPDATE users SET active = 0 WHERE name = 'ana'";
  ExpectRefused(token);
  auto login = users_->Login("ana", "password-of-ana");
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.status().code(), absl::StatusCode::kUnauthenticated);
  // The same answer as a wrong password: no oracle for who is inactive.
  auto wrong = users_->Login("sara", "not-her-password");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(std::string(login.status().message()), std::string(wrong.status().message()));
  EXPECT_EQ(std::string(login.status().message()), "wrong user name or password");
  // Other users are unaffected.
  EXPECT_TRUE(users_->Authenticate(LoginOrDie("sara", absl::Hours(1))).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, UserDirectoryTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
