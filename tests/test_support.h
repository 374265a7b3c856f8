// Shared fixtures: a fresh database per test on SQLite or PostgreSQL, a
// migrated registry with an enrollment service over the real face models, and
// a row counter for tests that check what was (or was not) stored.
#ifndef PUENTE_TESTS_TEST_SUPPORT_H_
#define PUENTE_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "puente/biometrics/face_capture.h"
#include "puente/common/clock.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/secret_key.h"
#include "puente/registry/database.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/model.h"
#include "puente/registry/registry.h"

namespace puente::registry {
// Readable parameter values in test output.
inline void PrintTo(Dialect d, std::ostream* os) {
  *os << (d == Dialect::kSqlite ? "sqlite" : "postgresql");
}
}  // namespace puente::registry

namespace puente::testing {

// Prints as "sqlite" / "postgresql" in test names.
std::string DialectName(const ::testing::TestParamInfo<registry::Dialect>& info);

// A fresh, empty database: a file in a temporary directory (SQLite) or a new
// schema in the test server (PostgreSQL), removed at destruction.
class TestDatabase {
 public:
  // Skips (or fails, with PUENTE_REQUIRE_PG=1) when PostgreSQL is requested
  // but $PUENTE_TEST_PG_URL is not set; check ready() after construction.
  explicit TestDatabase(registry::Dialect dialect);
  ~TestDatabase();
  bool ready() const { return ready_; }
  const std::string& url() const { return url_; }
  registry::Dialect dialect() const { return dialect_; }
  // SQLite only: the database file path.
  const std::string& sqlite_path() const { return sqlite_path_; }
  // Every stored value of every table as one string, for plaintext scans.
  // SQLite: the raw bytes of the database file and its WAL.
  // PostgreSQL: every column of every table in the schema, cast to text.
  std::string DumpAllStoredBytes();
  // A separate raw connection, as an attacker with database access has.
  std::unique_ptr<registry::Database> Connect();

 private:
  registry::Dialect dialect_;
  bool ready_ = false;
  std::string url_, dir_, sqlite_path_, schema_, admin_url_;
};

// A fixed clock at 2026-11-22 15:00 UTC.
FixedClock& TestClock();
crypto::SecretKey NewMasterKey();

// The trust-list entry of `issuer` certified for [not_before, not_after],
// allowed every card type: what a server's --issuer-public gives it.
credentials::TrustedIssuer CertifiedIssuer(const credentials::SigningIdentity& issuer,
                                           int64_t not_before = 0,
                                           int64_t not_after = int64_t{4102444800});  // 2100

// A valid applicant; tweak fields per test.
registry::NewApplicant SampleApplicant();

// Opens a migrated registry on `db`, running on `clock` (which must outlive
// it), or fails the test.
std::unique_ptr<registry::Registry> OpenMigratedRegistry(const TestDatabase& db,
                                                         const crypto::SecretKey& key,
                                                         const Clock& clock = TestClock());

// `SELECT count(*) FROM <from>`, where `from` is a table name, optionally with
// an alias and a WHERE clause: "births", "audit_events WHERE action = 'x'".
// Over `db`'s own connection (it sees that connection's open transaction), or
// over a new connection to the test database (it sees committed rows only).
// -1 if the query returns no row; SOCI throws (failing the test) on bad SQL.
long long CountRows(registry::Database& db, const std::string& from);
long long CountRows(TestDatabase& db, const std::string& from);

// A migrated registry on a fresh database of the parameter's dialect, and an
// enrollment service on it over the real face models (loaded once per suite,
// from ModelsDirForTests()). The registry runs on TestClock(). Suites derive,
// instantiate over both dialects, and, when they override SetUp, call this
// SetUp first and return if IsSkipped() || HasFatalFailure().
class EnrollmentServiceTest : public ::testing::TestWithParam<registry::Dialect> {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // Rows of `from` (see CountRows) over a new connection to db_.
  long long Count(const std::string& from) { return CountRows(db_, from); }

  // Shared by the suite's tests; null outside a suite.
  static biometrics::FaceCapture* capture_;
  TestDatabase db_{GetParam()};
  crypto::SecretKey key_ = NewMasterKey();
  std::unique_ptr<registry::Registry> reg_;
  std::unique_ptr<registry::EnrollmentService> service_;
};

}  // namespace puente::testing

#define PUENTE_REQUIRE_DB(db)        \
  do {                               \
    if (!(db).ready()) GTEST_SKIP(); \
  } while (0)

#endif  // PUENTE_TESTS_TEST_SUPPORT_H_
