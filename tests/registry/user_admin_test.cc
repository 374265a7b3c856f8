// What the admins' and auditors' screens read and change, on SQLite and the
// real PostgreSQL: the list of accounts (state, lock, no password material),
// role changes (sessions end, audited, never the last active admin, also
// when two admins demote each other at once), and the audit log paged and
// filtered (newest first, by action or family, actor, Panama days).
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/time/civil_time.h"
#include "puente/common/strings.h"
#include "puente/registry/audit.h"
#include "puente/registry/users.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

class UserAdminTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    reg_ = puente::testing::OpenMigratedRegistry(db_, key_, clock_);
    ASSERT_NE(reg_, nullptr);
    users_ = std::make_unique<UserDirectory>(*reg_);
    ASSERT_TRUE(users_->AddUser("setup", "root", Role::kAdmin, "password-of-root").ok());
    ASSERT_TRUE(users_->AddUser("root", "ana", Role::kOfficer, "password-of-ana").ok());
    ASSERT_TRUE(users_->AddUser("root", "olga", Role::kAuditor, "password-of-olga").ok());
  }

  const UserAccount* Find(const std::vector<UserAccount>& all, const std::string& name) {
    for (const UserAccount& u : all) {
      if (u.name == name) return &u;
    }
    return nullptr;
  }

  // Appends one event by `actor` at `at` (the clock is put back after).
  void Append(const std::string& actor, const std::string& action, absl::Time at) {
    const absl::Time was = clock_.Now();
    clock_.Set(at);
    ASSERT_TRUE(InTransaction(reg_->database(), [&] {
                  return AppendAuditEvent(reg_->database(), reg_->keys(), clock_,
                                          {actor, action, "test", "x", "{}"});
                }).ok());
    clock_.Set(was);
  }

  FixedClock clock_{Utc(2026, 12, 1, 15, 0)};
  crypto::SecretKey key_ = puente::testing::NewMasterKey();
  TestDatabase db_{GetParam()};
  std::unique_ptr<Registry> reg_;
  std::unique_ptr<UserDirectory> users_;
};

TEST_P(UserAdminTest, ListsEveryAccountWithItsStateAndLockByName) {
  ASSERT_TRUE(users_->SetActive("root", "olga", false).ok());
  for (int n = 1; n <= kAccountLockAfter; ++n) {
    ASSERT_FALSE(users_->Login("ana", "not-the-password").ok());
    clock_.Advance(absl::Seconds(16));
  }
  clock_.Advance(-absl::Seconds(16));
  auto all = users_->ListUsers();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "ana");  // by name
  EXPECT_EQ((*all)[1].name, "olga");
  EXPECT_EQ((*all)[2].name, "root");
  const UserAccount* ana = Find(*all, "ana");
  EXPECT_EQ(ana->role, Role::kOfficer);
  EXPECT_TRUE(ana->active);
  EXPECT_TRUE(ana->locked);
  EXPECT_EQ(ana->failed_logins, kAccountLockAfter);
  EXPECT_EQ(ana->locked_until, FormatTimestamp(clock_.Now() + kLockout));
  EXPECT_EQ(ana->created_by, "root");
  EXPECT_EQ(ana->created_at, FormatTimestamp(Utc(2026, 12, 1, 15, 0)));
  const UserAccount* olga = Find(*all, "olga");
  EXPECT_FALSE(olga->active);
  EXPECT_FALSE(olga->locked);
  EXPECT_EQ(olga->locked_until, "");
  EXPECT_EQ(olga->failed_logins, 0);
  EXPECT_EQ(Find(*all, "root")->role, Role::kAdmin);

  // The lock ends by itself (then the count is stale too), or an admin ends it.
  clock_.Advance(kLockout + kFailureWindow);
  all = users_->ListUsers();
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(Find(*all, "ana")->locked);
  EXPECT_EQ(Find(*all, "ana")->failed_logins, 0);
  clock_.Advance(-(kLockout + kFailureWindow));
  ASSERT_TRUE(users_->Unlock("root", "ana").ok());
  all = users_->ListUsers();
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(Find(*all, "ana")->locked);
}

TEST_P(UserAdminTest, ARoleChangeEndsTheSessionsAndIsAudited) {
  auto token = users_->Login("ana", "password-of-ana");
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(users_->ChangeRole("root", "ana", Role::kSupervisor).ok());
  EXPECT_EQ(users_->Authenticate(*token).status().code(), absl::StatusCode::kUnauthenticated);
  auto again = users_->Login("ana", "password-of-ana");
  ASSERT_TRUE(again.ok());
  auto u = users_->Authenticate(*again);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->role, Role::kSupervisor);

  AuditQuery q;
  q.action = "user.role_change";
  auto page = FindAuditEvents(reg_->database(), q);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].event.actor, "root");
  EXPECT_EQ(page->events[0].event.entity_id, "ana");
  const auto details = nlohmann::json::parse(page->events[0].event.details);
  EXPECT_EQ(details["from"], "officer");
  EXPECT_EQ(details["to"], "supervisor");
  EXPECT_EQ(details["sessions_ended"], 1);

  // The same role again, an unknown user, a bad name: refused, nothing audited.
  auto same = users_->ChangeRole("root", "ana", Role::kSupervisor);
  EXPECT_EQ(same.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(same.message()), "role: ana is already supervisor");
  EXPECT_EQ(users_->ChangeRole("root", "nobody", Role::kOfficer).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(users_->ChangeRole("root", "Not A Name", Role::kOfficer).code(),
            absl::StatusCode::kInvalidArgument);
  page = FindAuditEvents(reg_->database(), q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 1u);
  EXPECT_TRUE(reg_->VerifyAudit()->intact);
}

TEST_P(UserAdminTest, TheLastActiveAdminKeepsTheRoleAndStaysEnabled) {
  auto refused = users_->ChangeRole("root", "root", Role::kOfficer);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(refused.message()),
            "role: root is the last active admin; make another user admin first");
  EXPECT_EQ(users_->SetActive("olga", "root", false).code(), absl::StatusCode::kFailedPrecondition);
  // A second admin, disabled, does not count.
  ASSERT_TRUE(users_->ChangeRole("root", "ana", Role::kAdmin).ok());
  ASSERT_TRUE(users_->SetActive("root", "ana", false).ok());
  EXPECT_EQ(users_->ChangeRole("root", "root", Role::kOfficer).code(),
            absl::StatusCode::kFailedPrecondition);
  // Enabled, it does: root may step down (and its own sessions end).
  ASSERT_TRUE(users_->SetActive("root", "ana", true).ok());
  EXPECT_TRUE(users_->ChangeRole("root", "root", Role::kOfficer).ok());
  EXPECT_EQ(users_->ChangeRole("ana", "ana", Role::kAuditor).code(),
            absl::StatusCode::kFailedPrecondition);
  auto all = users_->ListUsers();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Find(*all, "ana")->role, Role::kAdmin);
  EXPECT_EQ(Find(*all, "root")->role, Role::kOfficer);
}

// Two admins on two connections demote each other at the same moment: one
// change wins, one admin is left.
TEST_P(UserAdminTest, TwoAdminsDemotingEachOtherAtOnceLeaveOne) {
  ASSERT_TRUE(users_->ChangeRole("root", "ana", Role::kAdmin).ok());
  auto other = puente::testing::OpenMigratedRegistry(db_, key_, clock_);
  ASSERT_NE(other, nullptr);
  UserDirectory other_users(*other);
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    std::atomic<int> ready{0};
    absl::Status a, b;
    std::thread ta([&] {
      ++ready;
      while (ready < 2) {
      }
      a = users_->ChangeRole("root", "ana", Role::kOfficer);
    });
    std::thread tb([&] {
      ++ready;
      while (ready < 2) {
      }
      b = other_users.ChangeRole("ana", "root", Role::kOfficer);
    });
    ta.join();
    tb.join();
    EXPECT_NE(a.ok(), b.ok()) << a << " / " << b;
    auto all = users_->ListUsers();
    ASSERT_TRUE(all.ok());
    int admins = 0;
    for (const UserAccount& u : *all) admins += u.role == Role::kAdmin ? 1 : 0;
    ASSERT_EQ(admins, 1);
    // Both admins again for the next round.
    const std::string left = a.ok() ? "root" : "ana", demoted = a.ok() ? "ana" : "root";
    ASSERT_TRUE(users_->ChangeRole(left, demoted, Role::kAdmin).ok());
  }
}

TEST_P(UserAdminTest, EventsPageNewestFirstAndOldestFirst) {
  for (int i = 0; i < 7; ++i) Append("pager", "test.step", Utc(2026, 12, 1, 16, i));
  AuditQuery q;
  q.actor = "pager";
  q.newest_first = true;
  q.limit = 3;
  std::vector<long long> seen;
  std::vector<bool> more;
  for (;;) {
    auto page = FindAuditEvents(reg_->database(), q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& e : page->events) seen.push_back(e.seq);
    more.push_back(page->more);
    if (!page->more) break;
    q.before_seq = page->events.back().seq;
  }
  EXPECT_EQ(more, (std::vector<bool>{true, true, false}));
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i - 1], seen[i]);

  AuditQuery forward;
  forward.actor = "pager";
  forward.limit = 4;
  auto first = FindAuditEvents(reg_->database(), forward);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->events.size(), 4u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->events[0].seq, seen.back());
  forward.after_seq = first->events.back().seq;
  auto second = FindAuditEvents(reg_->database(), forward);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->events.size(), 3u);
  EXPECT_FALSE(second->more);
  EXPECT_EQ(second->events.back().seq, seen.front());
}

TEST_P(UserAdminTest, EventsAreFilteredByActionFamilyActorAndPanamaDays) {
  // 04:30 UTC on 2 December is 23:30 on 1 December in Panama (UTC-5).
  Append("bea", "case.status_change", Utc(2026, 12, 2, 4, 30));
  Append("bea", "case.read", Utc(2026, 12, 2, 5, 0));  // 00:00 on the 2nd in Panama
  Append("carl", "case.read", Utc(2026, 12, 3, 12, 0));
  Append("carl", "cases.other", Utc(2026, 12, 4, 4, 59));  // 23:59 on the 3rd
  auto actions = [&](AuditQuery q) {
    std::vector<std::string> out;
    auto page = FindAuditEvents(reg_->database(), q);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const auto& e : page->events) {
      out.push_back(puente::StrCat(e.event.actor, " ", e.event.action));
    }
    return out;
  };
  using V = std::vector<std::string>;
  AuditQuery q;
  q.action = "case.read";
  EXPECT_EQ(actions(q), (V{"bea case.read", "carl case.read"}));
  q.action = "case.";  // the family, not "cases."
  EXPECT_EQ(actions(q), (V{"bea case.status_change", "bea case.read", "carl case.read"}));
  q.actor = "carl";
  EXPECT_EQ(actions(q), (V{"carl case.read"}));
  AuditQuery days;
  days.from_day = "2026-12-02";
  days.to_day = "2026-12-03";
  EXPECT_EQ(actions(days), (V{"bea case.read", "carl case.read", "carl cases.other"}));
  days.from_day = "2026-12-01";
  days.to_day = "2026-12-01";
  days.actor = "bea";
  EXPECT_EQ(actions(days), (V{"bea case.status_change"}));
  days.to_day = "";
  days.from_day = "2026-12-03";
  days.actor = "";
  EXPECT_EQ(actions(days), (V{"carl case.read", "carl cases.other"}));
}

TEST_P(UserAdminTest, ABadQueryIsRefusedNamingTheParameter) {
  struct Case {
    AuditQuery q;
    const char* message;
  };
  auto with = [](auto set) {
    AuditQuery q;
    set(q);
    return q;
  };
  const Case cases[] = {
      {with([](AuditQuery& q) { q.limit = 0; }), "limit: 0 is out of range, 1 to 1000"},
      {with([](AuditQuery& q) { q.limit = 1001; }), "limit: 1001 is out of range, 1 to 1000"},
      {with([](AuditQuery& q) { q.after_seq = -1; }), "after: must not be negative"},
      {with([](AuditQuery& q) { q.action = "user'; --"; }),
       "action: 1-64 of a-z 0-9 _ . (a family ends with a dot)"},
      {with([](AuditQuery& q) { q.actor = "Ana Ruiz"; }), "actor: "},
      {with([](AuditQuery& q) { q.from_day = "2026-02-30"; }), "from: "},
      {with([](AuditQuery& q) { q.to_day = "yesterday"; }), "to: "},
      {with([](AuditQuery& q) {
         q.from_day = "2026-12-05";
         q.to_day = "2026-12-01";
       }),
       "from: 2026-12-05 is after to: 2026-12-01"},
  };
  for (const Case& c : cases) {
    auto page = FindAuditEvents(reg_->database(), c.q);
    ASSERT_FALSE(page.ok()) << c.message;
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(page.status().message()).rfind(c.message, 0), 0u)
        << page.status().message();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, UserAdminTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
