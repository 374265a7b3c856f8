#include "puente/registry/audit.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

// Tampering as an attacker with write access to the database would: the
// append-only triggers are dropped first.
class AuditChainTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (!db_.ready()) GTEST_SKIP();
    reg_ = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey());
    ASSERT_NE(reg_, nullptr);
    for (int i = 0; i < 3; ++i) {
      auto a = reg_->AddApplicant("ana.officer", puente::testing::SampleApplicant());
      ASSERT_TRUE(a.ok()) << a.status();
    }
    auto r = reg_->VerifyAudit();
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->intact) << r->problem;
    events_ = r->events_checked;
    ASSERT_EQ(events_, 6);  // case.create + applicant.create, three times
  }
  soci::session& sql() { return puente::registry::internal::Session(reg_->database()); }
  void DropGuards() {
    if (GetParam() == Dialect::kSqlite) {
      sql() << "DROP TRIGGER audit_events_no_update";
      sql() << "DROP TRIGGER audit_events_no_delete";
    } else {
      sql() << "DROP TRIGGER audit_events_no_change ON audit_events";
    }
  }
  AuditReport Verify() {
    auto r = reg_->VerifyAudit();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AuditReport{};
  }

  TestDatabase db_{GetParam()};
  std::unique_ptr<Registry> reg_;
  long long events_ = 0;
};

TEST_P(AuditChainTest, TriggersRefuseUpdateAndDelete) {
  EXPECT_THROW(sql() << "UPDATE audit_events SET actor = 'x' WHERE seq = 1", soci::soci_error);
  EXPECT_THROW(sql() << "DELETE FROM audit_events WHERE seq = 1", soci::soci_error);
  EXPECT_TRUE(Verify().intact);
}

TEST_P(AuditChainTest, DetectsAlteredEvent) {
  DropGuards();
  sql() << "UPDATE audit_events SET actor = 'someone.else' WHERE seq = 3";
  const AuditReport r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.problem.find("altered"), std::string::npos);
}

TEST_P(AuditChainTest, DetectsInsertedEvent) {
  DropGuards();
  // Make room at 3 and forge an event there that links to event 2.
  sql() << "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 3";
  sql() << "UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000";
  std::string prev;
  sql() << "SELECT mac FROM audit_events WHERE seq = 2", soci::into(prev);
  sql() << "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, details, "
           "prev_mac, mac) VALUES (3, '2026-11-22T15:00:00.000000Z', 'intruder', "
           "'applicant.read', 'applicant', 'x', '{}', :p, 'forged')",
      soci::use(prev);
  const AuditReport r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_P(AuditChainTest, DetectsDeletedEventInTheMiddle) {
  DropGuards();
  sql() << "DELETE FROM audit_events WHERE seq = 4";
  const AuditReport r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_NE(r.problem.find("missing"), std::string::npos);
}

TEST_P(AuditChainTest, DetectsDeletedTail) {
  DropGuards();
  sql() << "DELETE FROM audit_events WHERE seq = :s", soci::use(events_);
  const AuditReport r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, events_);
  EXPECT_NE(r.problem.find("end of the log was deleted"), std::string::npos);
}

TEST_P(AuditChainTest, DetectsRecomputedHashWithoutTheKey) {
  // An attacker who recomputes a plain SHA-256 chain still fails: links are
  // HMACs under a key that only the master key unwraps.
  DropGuards();
  sql() << "UPDATE audit_events SET mac = '" + std::string(64, 'a') + "' WHERE seq = 6";
  sql() << "UPDATE audit_head SET mac = '" + std::string(64, 'a') + "' WHERE id = 1";
  const AuditReport r = Verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditChainTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry

namespace puente::registry {
namespace {

TEST(AuditReportTest, FailsClosedByDefault) {
  // Only a complete check of the chain may say it is intact.
  EXPECT_FALSE(AuditReport{}.intact);
}

}  // namespace
}  // namespace puente::registry
