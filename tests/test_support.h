// Shared fixtures: a fresh database per test on SQLite or PostgreSQL.
#ifndef PUENTE_TESTS_TEST_SUPPORT_H_
#define PUENTE_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "puente/common/clock.h"
#include "puente/crypto/secret_key.h"
#include "puente/registry/database.h"
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

// A valid applicant; tweak fields per test.
registry::NewApplicant SampleApplicant();

// Opens a migrated registry on `db` or fails the test.
std::unique_ptr<registry::Registry> OpenMigratedRegistry(const TestDatabase& db,
                                                         const crypto::SecretKey& key);

}  // namespace puente::testing

#define PUENTE_REQUIRE_DB(db)          \
  do {                                 \
    if (!(db).ready()) GTEST_SKIP();   \
  } while (0)

#endif  // PUENTE_TESTS_TEST_SUPPORT_H_
