// Users and sessions on SQLite and the real PostgreSQL, on a clock the test
// moves: a session is valid for its lifetime and refused from its expiry on;
// logout ends that session only; a user who is no longer active can neither
// log in nor use a session opened before. Every refusal says the same thing.
#include "puente/registry/users.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "puente/registry/audit.h"
#include "puente/registry/password_policy.h"
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

// Issue 15 item 2: failures back off from the 5th and lock the account at
// the 10th for 15 minutes, and while locked even the right password is
// refused (before: 200 wrong passwords, then the right one worked).
TEST_P(UserDirectoryTest, FailedLoginsBackOffThenLockTheAccount) {
  for (int n = 1; n <= kAccountLockAfter; ++n) {
    SCOPED_TRACE(n);
    auto wrong = users_->Login("ana", "not-the-password", "203.0.113.9");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
    if (n < kAccountBackoffAfter) {
      // No wait yet: the right password works at once ... (it would reset
      // the count, so it is tried only once the lock is there)
      continue;
    }
    // ... from the 5th failure on the next attempt must wait, whatever it is.
    auto right = users_->Login("ana", "password-of-ana", "203.0.113.9");
    ASSERT_FALSE(right.ok()) << "logged in " << n << " failures in";
    EXPECT_EQ(right.status().code(), absl::StatusCode::kResourceExhausted);
    const int wait = n >= kAccountLockAfter ? 900 : 1 << (n - kAccountBackoffAfter);
    EXPECT_EQ(std::string(right.status().message()),
              "too many failed logins: try again in " + std::to_string(wait) + " s");
    if (n < kAccountLockAfter) clock_.Advance(absl::Seconds(wait));
  }
  // Locked for 15 minutes: still refused a second before, and a refused
  // attempt does not extend the lock.
  clock_.Advance(kLockout - absl::Seconds(1));
  EXPECT_EQ(users_->Login("ana", "password-of-ana").status().code(),
            absl::StatusCode::kResourceExhausted);
  // Other accounts are not affected (another address).
  EXPECT_TRUE(users_->Login("sara", "password-of-sara", "203.0.113.10").ok());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(users_->Login("ana", "password-of-ana", "203.0.113.9").ok());
  // A success clears the count: four more failures do not lock.
  for (int n = 1; n < kAccountBackoffAfter; ++n) {
    EXPECT_FALSE(users_->Login("ana", "not-the-password").ok());
  }
  EXPECT_TRUE(users_->Login("ana", "password-of-ana").ok());
}

TEST_P(UserDirectoryTest, AnAdminUnlocksAnAccount) {
  for (int n = 1; n <= kAccountLockAfter; ++n) {
    ASSERT_FALSE(users_->Login("ana", "not-the-password").ok());
    clock_.Advance(absl::Seconds(16));
  }
  ASSERT_EQ(users_->Login("ana", "password-of-ana").status().code(),
            absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(users_->Unlock("admin", "ana").ok());
  EXPECT_TRUE(users_->Login("ana", "password-of-ana").ok());
}

// Unknown names are counted and locked like existing ones: the answer never
// tells whether an account exists.
TEST_P(UserDirectoryTest, UnknownNamesAreThrottledAlike) {
  for (int n = 1; n <= kAccountLockAfter; ++n) {
    auto r = users_->Login("nobody", "some-password");
    ASSERT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << n;
    clock_.Advance(absl::Seconds(16));
  }
  clock_.Advance(-absl::Seconds(16));
  auto locked = users_->Login("nobody", "some-password");
  EXPECT_EQ(locked.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(std::string(locked.status().message()), "too many failed logins: try again in 900 s");
}

// One address trying many names is locked at 40 failures (each name alone
// stays under its own limit); other addresses are not; an admin unlocks it.
TEST_P(UserDirectoryTest, FailuresFromOneAddressLockThatAddress) {
  const std::string attacker = "198.51.100.7";
  for (int n = 1; n <= kAddressLockAfter; ++n) {
    auto r = users_->Login("guess" + std::to_string(n), "some-password", attacker);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << n;
    if (n >= kAddressBackoffAfter && n < kAddressLockAfter) {
      clock_.Advance(std::min(absl::Seconds(int64_t{1} << (n - kAddressBackoffAfter)), kLockout));
    }
  }
  auto from_attacker = users_->Login("ana", "password-of-ana", attacker);
  EXPECT_EQ(from_attacker.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(users_->Login("ana", "password-of-ana", "198.51.100.8").ok());
  ASSERT_TRUE(users_->UnlockAddress("admin", attacker).ok());
  EXPECT_TRUE(users_->Login("ana", "password-of-ana", attacker).ok());
}

// Failed logins are audited: the attempted name only when it is an account,
// never the password, the address only as a keyed hash.
TEST_P(UserDirectoryTest, FailedLoginsAreAuditedWithoutThePassword) {
  ASSERT_FALSE(users_->Login("ana", "Secret-Guess-ONE", "192.0.2.44").ok());
  ASSERT_FALSE(users_->Login("mallory.x", "Secret-Guess-TWO", "192.0.2.44").ok());
  auto events = ListAuditEvents(reg_->database(), 0, 1000);
  ASSERT_TRUE(events.ok()) << events.status();
  std::vector<StoredAuditEvent> failed;
  for (const auto& e : *events) {
    if (e.event.action == "session.login_failed") failed.push_back(e);
    for (const std::string& field : {e.event.actor, e.event.entity_id, e.event.details}) {
      EXPECT_EQ(field.find("Secret-Guess"), std::string::npos) << field;
      EXPECT_EQ(field.find("mallory"), std::string::npos) << field;
      EXPECT_EQ(field.find("192.0.2.44"), std::string::npos) << field;
    }
  }
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].event.entity_id, "ana");
  EXPECT_EQ(nlohmann::json::parse(failed[0].event.details)["reason"], "wrong_password");
  EXPECT_EQ(failed[1].event.entity_id, "");
  EXPECT_EQ(nlohmann::json::parse(failed[1].event.details)["reason"], "unknown_user");
  EXPECT_EQ(nlohmann::json::parse(failed[1].event.details)["address"],
            nlohmann::json::parse(failed[0].event.details)["address"]);
  EXPECT_TRUE(reg_->VerifyAudit()->intact);
}

// Issue 15 item 9: disable and enable, reset, change, revoke, purge.
TEST_P(UserDirectoryTest, DisablingEndsSessionsAndEnablingAllowsLoginAgain) {
  const std::string token = LoginOrDie("ana", absl::Hours(1));
  ASSERT_TRUE(users_->SetActive("admin", "ana", false).ok());
  ExpectRefused(token);
  EXPECT_EQ(users_->Login("ana", "password-of-ana").status().code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(users_->SetActive("admin", "ana", true).ok());
  ExpectRefused(token);  // the old session stays ended
  EXPECT_TRUE(users_->Authenticate(LoginOrDie("ana", absl::Hours(1))).ok());
  EXPECT_EQ(users_->SetActive("admin", "nobody", false).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(users_->SetActive("ana", "ana", false).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(UserDirectoryTest, AdminResetEndsEverySessionOfTheUser) {
  const std::string first = LoginOrDie("ana", absl::Hours(1));
  const std::string sara = LoginOrDie("sara", absl::Hours(1));
  EXPECT_EQ(users_->ResetPassword("admin", "ana", "aaaaaaaaaa").code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(users_->ResetPassword("admin", "ana", "new-secret-of-ana").ok());
  ExpectRefused(first);
  EXPECT_TRUE(users_->Authenticate(sara).ok());
  EXPECT_FALSE(users_->Login("ana", "password-of-ana").ok());
  EXPECT_TRUE(users_->Login("ana", "new-secret-of-ana").ok());
  EXPECT_EQ(users_->ResetPassword("admin", "nobody", "new-secret-of-ana").code(),
            absl::StatusCode::kNotFound);
}

TEST_P(UserDirectoryTest, ChangingYourPasswordKeepsThisSessionAndEndsTheOthers) {
  const std::string here = LoginOrDie("ana", absl::Hours(1));
  const std::string elsewhere = LoginOrDie("ana", absl::Hours(1));
  auto wrong = users_->ChangeOwnPassword(here, "not-the-password", "new-secret-of-ana");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(std::string(wrong.message()), "current_password: wrong password");
  auto weak = users_->ChangeOwnPassword(here, "password-of-ana", "Password2024");
  EXPECT_EQ(weak.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(weak.message()).rfind("new_password: ", 0), 0u) << weak.message();
  ASSERT_TRUE(users_->ChangeOwnPassword(here, "password-of-ana", "new-secret-of-ana").ok());
  EXPECT_TRUE(users_->Authenticate(here).ok());
  ExpectRefused(elsewhere);
  EXPECT_TRUE(users_->Login("ana", "new-secret-of-ana").ok());
  EXPECT_EQ(users_->ChangeOwnPassword("no-such-token", "x", "new-secret-of-ana").code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(UserDirectoryTest, RevokingSessionsEndsThemAll) {
  const std::string a = LoginOrDie("ana", absl::Hours(1));
  const std::string b = LoginOrDie("ana", absl::Hours(1));
  const std::string sara = LoginOrDie("sara", absl::Hours(1));
  auto ended = users_->RevokeSessions("admin", "ana");
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(*ended, 2);
  ExpectRefused(a);
  ExpectRefused(b);
  EXPECT_TRUE(users_->Authenticate(sara).ok());
  EXPECT_EQ(users_->RevokeSessions("admin", "nobody").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(UserDirectoryTest, ExpiredSessionsArePurgedOnScheduleAndAtLogin) {
  auto sessions = [&] {
    int n = -1;
    internal::Session(reg_->database()) << "SELECT count(*) FROM sessions", soci::into(n);
    return n;
  };
  LoginOrDie("ana", absl::Minutes(10));
  LoginOrDie("ana", absl::Hours(2));
  const std::string lasting = LoginOrDie("sara", absl::Hours(2));
  ASSERT_EQ(sessions(), 3);
  clock_.Advance(absl::Hours(1));
  auto purged = users_->PurgeExpiredSessions("admin");
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(sessions(), 2);
  clock_.Advance(absl::Hours(2));
  LoginOrDie("ana", absl::Hours(1));  // a login purges the two expired ones
  EXPECT_EQ(sessions(), 1);
  ExpectRefused(lasting);
}

// Issue 15 item 3: checking a token is a read and takes no write lock; before,
// every transaction began IMMEDIATE and a token check waited for any writer
// (then failed with "database is locked").
TEST_P(UserDirectoryTest, TokenChecksAndAuditReadsDoNotWaitForAWriter) {
  const std::string token = LoginOrDie("ana", absl::Hours(1));
  auto writer = db_.Connect();
  ASSERT_NE(writer, nullptr);
  if (GetParam() == Dialect::kSqlite) {
    internal::Session(*writer) << "PRAGMA busy_timeout = 0";
    internal::Session(*writer) << "BEGIN IMMEDIATE";
    internal::Session(*writer) << "UPDATE users SET created_by = created_by WHERE name = 'sara'";
    // Fail at once rather than after the 10 s busy timeout.
    internal::Session(reg_->database()) << "PRAGMA busy_timeout = 0";
  } else {
    // PostgreSQL: a writer holding the tables against other writers.
    internal::Session(*writer) << "BEGIN";
    internal::Session(*writer) << "LOCK TABLE users, sessions, audit_events IN EXCLUSIVE MODE";
    internal::Session(reg_->database()) << "SET statement_timeout = '5s'";
  }
  auto u = users_->Authenticate(token);
  EXPECT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(users_->CountUsers().ok());
  EXPECT_TRUE(ListAuditEvents(reg_->database(), 0, 10).ok());
  internal::Session(*writer) << "ROLLBACK";
}

INSTANTIATE_TEST_SUITE_P(Backends, UserDirectoryTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

// Issue 15 item 9: the password rule (docs/security.md, "Passwords"), with
// Debian's cracklib dictionary.
TEST(PasswordPolicyTest, RefusesCommonAndNameBasedPasswords) {
  struct Case {
    const char* password;
    const char* why;  // the message after "password: "
  };
  const Case refused[] = {
      {"short", "at least 10 characters"},
      {"aaaaaaaaaa", "needs at least 5 different characters"},
      {"ababababababab", "needs at least 5 different characters"},
      {"3141592653", "must not be only digits"},
      {"1234567890", "must not be only digits"},
      {"qwertyuiop", "must not be a run of the keyboard or alphabet"},
      {"abcdefghijk", "must not be a run of the keyboard or alphabet"},
      {"password123", "is a common word or password (cracklib dictionary)"},
      {"Password2024!", "is a common word or password (cracklib dictionary)"},
      {"P@ssw0rd2024", "is a common word or password (cracklib dictionary)"},
      {"iloveyou12345", "is a common word or password (cracklib dictionary)"},
      {"welcomewelcome", "is a common word or password (cracklib dictionary)"},
      {"administrator", "is a common word or password (cracklib dictionary)"},
      {"Mariela.2024", "must not be the user's name"},
      {"alei-ram-99", "must not be the user's name"},
      {"marielamariela", "must not be the user's name"},
  };
  for (const Case& c : refused) {
    SCOPED_TRACE(c.password);
    absl::Status s = CheckNewPassword("password", "mariela", c.password);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()), std::string("password: ") + c.why);
  }
  for (const char* ok : {"password-of-ana", "correct horse battery staple", "Vq7!rT2#pLm9",
                         "mariela-likes-green-tea"}) {
    EXPECT_TRUE(CheckNewPassword("password", "mariela", ok).ok()) << ok;
  }
  // The message never repeats the password.
  EXPECT_EQ(std::string(CheckNewPassword("new_password", "x", "password123").message())
                .find("password123"),
            std::string::npos);
}

TEST(PasswordPolicyTest, AMissingDictionaryRefusesEveryPassword) {
  // The dictionary is read once per process: this checks the path rule only.
  ::setenv("PUENTE_PASSWORD_DICTIONARY", "/nonexistent/words", 1);
  EXPECT_EQ(PasswordDictionaryPath(), "/nonexistent/words");
  ::unsetenv("PUENTE_PASSWORD_DICTIONARY");
  EXPECT_EQ(PasswordDictionaryPath(), "/usr/share/dict/cracklib-small");
}

}  // namespace
}  // namespace puente::registry
