// The storage layer when the disk or the database fails (issue 15, items 7,
// 8 and 12): a full disk (SQLite held to its pages with max_page_count, the
// honest SQLITE_FULL) refuses writes and audited reads with one clear
// Unavailable, keeps nothing half-written and recovers once space is freed;
// a locked database says so plainly; the backend's own words (SOCI function
// names, SQL, file paths) never reach a status message, only its
// kDetailInternal payload; a new SQLite registry and its WAL are 0600.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "puente/common/error_detail.h"
#include "puente/registry/database.h"
#include "puente/registry/registry.h"
#include "puente/registry/validation.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::SampleApplicant;
using puente::testing::TestDatabase;

constexpr char kOfficer[] = "ana.officer";

// True if `message` holds nothing of a database backend's internals.
void ExpectNoInternals(const std::string& message) {
  for (const char* internal : {"sqlite", "soci", "backend", "loadOne", "postgresql", "SELECT",
                               "INSERT", "/", "base/", ".db", "constraint failed"}) {
    EXPECT_EQ(message.find(internal), std::string::npos)
        << "'" << internal << "' in: " << message;
  }
}

int ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

TEST(StorageFailureTest, NewSqliteRegistryAndItsWalAreOwnerOnly) {
  TestDatabase db(Dialect::kSqlite);
  const mode_t old_umask = ::umask(022);  // the usual umask, which gives 0644
  auto reg = puente::testing::OpenMigratedRegistry(db, puente::testing::NewMasterKey());
  ASSERT_NE(reg, nullptr);
  ASSERT_TRUE(reg->AddApplicant(kOfficer, SampleApplicant()).ok());
  ::umask(old_umask);
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    const std::string path = db.sqlite_path() + suffix;
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(ModeOf(path), 0600) << path;
  }
}

TEST(StorageFailureTest, SqliteUrlTakesMaxPagesOnly) {
  auto url = DatabaseUrl::Parse("sqlite:/tmp/r.db?max_pages=300");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->connect_string, "/tmp/r.db");
  EXPECT_EQ(url->sqlite_max_pages, 300);
  for (const char* bad : {"sqlite:/tmp/r.db?max_pages=0", "sqlite:/tmp/r.db?max_pages=x",
                          "sqlite:/tmp/r.db?cache=shared", "sqlite:?max_pages=3"}) {
    auto u = DatabaseUrl::Parse(bad);
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(StorageFailureTest, FullDiskRefusesWritesAndAuditedReadsThenRecovers) {
  TestDatabase db(Dialect::kSqlite);
  const crypto::SecretKey key = puente::testing::NewMasterKey();
  long long pages = 0;
  Applicant first;
  {
    auto reg = puente::testing::OpenMigratedRegistry(db, key);
    ASSERT_NE(reg, nullptr);
    auto a = reg->AddApplicant(kOfficer, SampleApplicant());
    ASSERT_TRUE(a.ok()) << a.status();
    first = *a;
    // Room that the test frees later, as an operator frees a disk.
    soci::session& sql = internal::Session(reg->database());
    sql << "CREATE TABLE filler (b BLOB)";
    sql << "INSERT INTO filler VALUES (zeroblob(400000))";
    sql << "PRAGMA wal_checkpoint(TRUNCATE)";
    sql << "PRAGMA page_count", soci::into(pages);
  }
  ASSERT_GT(pages, 0);
  // The registry's file may not grow past the pages it has: SQLITE_FULL.
  auto reg = Registry::Open(db.url() + "?max_pages=" + std::to_string(pages), key,
                            puente::testing::TestClock());
  ASSERT_TRUE(reg.ok()) << reg.status();
  auto count = [&](const std::string& from) { return puente::testing::CountRows(db, from); };

  int added = 0;
  absl::Status full;
  for (int i = 0; i < 400 && full.ok(); ++i) {
    NewApplicant a = SampleApplicant();
    a.given_names = "Ana";
    auto r = (*reg)->AddApplicant(kOfficer, a);
    if (r.ok()) {
      ++added;
    } else {
      full = r.status();
    }
  }
  ASSERT_FALSE(full.ok()) << "the registry never filled its " << pages << " pages";
  EXPECT_EQ(full.code(), absl::StatusCode::kUnavailable) << full;
  EXPECT_EQ(std::string(full.message()), kDiskFullMessage);
  EXPECT_EQ(DetailOf(full, kDetailReason), "disk_full");
  EXPECT_NE(DetailOf(full, kDetailInternal).value_or("").find("full"), std::string::npos);
  ExpectNoInternals(std::string(full.message()));
  // Nothing half-written: every applicant kept has its case and audit event.
  EXPECT_EQ(count("applicants"), 1 + added);
  EXPECT_EQ(count("cases"), 1 + added);
  EXPECT_EQ(count("audit_events WHERE action = 'applicant.create'"), 1 + added);

  // Reads of personal data are audited: a read whose audit event cannot be
  // written is refused with the same answer, never served unaudited.
  const long long reads_before = count("audit_events WHERE action = 'applicant.read'");
  int served = 0;
  absl::Status refused;
  for (int i = 0; i < 400 && refused.ok(); ++i) {
    auto r = (*reg)->GetApplicant(kOfficer, first.registration_number);
    if (r.ok()) {
      ++served;
    } else {
      refused = r.status();
    }
  }
  ASSERT_FALSE(refused.ok()) << "every read's audit event fitted";
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(refused.message()), kDiskFullMessage);
  EXPECT_EQ(count("audit_events WHERE action = 'applicant.read'"), reads_before + served);

  // Space freed (another connection drops the filler): the same registry,
  // not restarted, writes again and its audit chain is intact.
  {
    auto other = db.Connect();
    internal::Session(*other) << "DELETE FROM filler";
  }
  auto again = (*reg)->AddApplicant(kOfficer, SampleApplicant());
  EXPECT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*reg)->GetApplicant(kOfficer, first.registration_number).ok());
  auto audit = (*reg)->VerifyAudit();
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_TRUE(audit->intact) << audit->problem;
}

TEST(StorageFailureTest, LockedDatabaseIsABusyRegistryInPlainWords) {
  TestDatabase db(Dialect::kSqlite);
  auto reg = puente::testing::OpenMigratedRegistry(db, puente::testing::NewMasterKey());
  ASSERT_NE(reg, nullptr);
  auto holder = db.Connect();
  internal::Session(*holder) << "BEGIN EXCLUSIVE";
  // Wait 50 ms for the lock instead of the usual 10 s.
  internal::Session(reg->database()) << "PRAGMA busy_timeout = 50";
  auto r = reg->AddApplicant(kOfficer, SampleApplicant());
  internal::Session(*holder) << "ROLLBACK";
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("the registry is busy"), std::string::npos) << r.status();
  EXPECT_EQ(DetailOf(r.status(), kDetailReason), "database_busy");
  EXPECT_NE(DetailOf(r.status(), kDetailInternal).value_or("").find("database is locked"),
            std::string::npos);
  ExpectNoInternals(std::string(r.status().message()));
}

TEST(StorageFailureTest, BackendErrorsKeepTheirWordsForTheLogOnly) {
  struct Case {
    const char* name;
    std::unique_ptr<soci::soci_error> error;
    absl::StatusCode code;
    const char* reason;
  };
  std::vector<Case> cases;
  cases.push_back({"sqlite full",
                   std::make_unique<soci::soci_error>(
                       "sqlite3_statement_backend::loadOne: database or disk is full"),
                   absl::StatusCode::kUnavailable, "disk_full"});
  cases.push_back(
      {"sqlite locked",
       std::make_unique<soci::soci_error>("sqlite3_statement_backend::loadOne: database is locked"),
       absl::StatusCode::kUnavailable, "database_busy"});
  cases.push_back({"sqlite unique",
                   std::make_unique<soci::soci_error>(
                       "sqlite3_statement_backend::loadOne: UNIQUE constraint failed: "
                       "enrollment_keys.key_bidx"),
                   absl::StatusCode::kAlreadyExists, ""});
  cases.push_back({"sqlite other",
                   std::make_unique<soci::soci_error>(
                       "sqlite3_statement_backend::prepare: no such table: /var/lib/x.db"),
                   absl::StatusCode::kInternal, ""});
  cases.push_back(
      {"postgresql disk full",
       std::make_unique<soci::postgresql_soci_error>(
           "ERROR:  could not extend file \"base/16384/16402\": No space left on device", "53100"),
       absl::StatusCode::kUnavailable, "disk_full"});
  cases.push_back({"postgresql unique",
                   std::make_unique<soci::postgresql_soci_error>(
                       "ERROR:  duplicate key value violates unique constraint "
                       "\"enrollment_keys_pkey\"",
                       "23505"),
                   absl::StatusCode::kAlreadyExists, ""});
  cases.push_back({"postgresql connection",
                   std::make_unique<soci::postgresql_soci_error>(
                       "server closed the connection unexpectedly", "08006"),
                   absl::StatusCode::kUnavailable, "database_unreachable"});
  cases.push_back(
      {"postgresql serialization",
       std::make_unique<soci::postgresql_soci_error>("ERROR:  could not serialize access", "40001"),
       absl::StatusCode::kAborted, ""});
  for (const Case& c : cases) {
    const absl::Status s = internal::FromSociError(*c.error, "adding applicant");
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s;
    EXPECT_EQ(DetailOf(s, kDetailReason).value_or(""), c.reason) << c.name;
    ExpectNoInternals(std::string(s.message()));
    const std::string internal = DetailOf(s, kDetailInternal).value_or("");
    EXPECT_NE(internal.find("adding applicant: "), std::string::npos) << c.name;
    EXPECT_NE(internal.find(c.error->get_error_message().substr(0, 20)), std::string::npos)
        << c.name << ": " << internal;
  }
}

class CaseLimitTest : public ::testing::TestWithParam<Dialect> {};

TEST_P(CaseLimitTest, ACaseHoldsAtMostFiftyMembers) {
  TestDatabase db(GetParam());
  PUENTE_REQUIRE_DB(db);
  auto reg = puente::testing::OpenMigratedRegistry(db, puente::testing::NewMasterKey());
  ASSERT_NE(reg, nullptr);
  auto principal = reg->AddApplicant(kOfficer, SampleApplicant());
  ASSERT_TRUE(principal.ok()) << principal.status();
  NewApplicant child = SampleApplicant();
  child.case_number = principal->case_number;
  child.relationship = Relationship::kChild;
  child.documents.clear();
  for (size_t i = 1; i < kMaxCaseMembers; ++i) {
    ASSERT_TRUE(reg->AddApplicant(kOfficer, child).ok()) << i;
  }
  auto over = reg->AddApplicant(kOfficer, child);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(over.status().message()), "case_number: case " + principal->case_number +
                                         " already has 50 members, the limit is 50");
  EXPECT_EQ(DetailOf(over.status(), kDetailField), "case_number");
  EXPECT_EQ(puente::testing::CountRows(db, "applicants"), 50);
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseLimitTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
