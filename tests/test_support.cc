#include "test_support.h"

#include <soci/soci.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "biometrics/biometrics_test_support.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/migrator.h"
#include "registry/storage/internal/session.h"

namespace puente::testing {

std::string DialectName(const ::testing::TestParamInfo<registry::Dialect>& info) {
  return info.param == registry::Dialect::kSqlite ? "sqlite" : "postgresql";
}

namespace {
std::string RandomSuffix() { return crypto::HexEncode(*crypto::RandomBytes(6)); }
std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
}  // namespace

TestDatabase::TestDatabase(registry::Dialect dialect) : dialect_(dialect) {
  if (dialect == registry::Dialect::kSqlite) {
    dir_ = (std::filesystem::temp_directory_path() / ("puente-test-" + RandomSuffix())).string();
    std::filesystem::create_directories(dir_);
    sqlite_path_ = dir_ + "/registry.db";
    url_ = "sqlite:" + sqlite_path_;
    ready_ = true;
    return;
  }
  const char* pg = std::getenv("PUENTE_TEST_PG_URL");
  if (pg == nullptr || *pg == '\0') {
    const char* require = std::getenv("PUENTE_REQUIRE_PG");
    if (require != nullptr && std::string(require) == "1") {
      ADD_FAILURE() << "PUENTE_REQUIRE_PG=1 but PUENTE_TEST_PG_URL is not set: PostgreSQL tests "
                       "must run (use scripts/test.sh)";
    }
    return;
  }
  admin_url_ = pg;
  schema_ = "t_" + RandomSuffix();
  auto admin = registry::Database::Open(admin_url_);
  if (!admin.ok()) {
    ADD_FAILURE() << "cannot reach the test PostgreSQL: " << admin.status();
    return;
  }
  puente::registry::internal::Session(**admin) << "CREATE SCHEMA " + schema_;
  url_ = admin_url_ + (admin_url_.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema_;
  ready_ = true;
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!schema_.empty()) {
    auto admin = registry::Database::Open(admin_url_);
    if (admin.ok())
      puente::registry::internal::Session(**admin)
          << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
  }
}

std::unique_ptr<registry::Database> TestDatabase::Connect() {
  auto db = registry::Database::Open(url_);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

std::string TestDatabase::DumpAllStoredBytes() {
  if (dialect_ == registry::Dialect::kSqlite) {
    std::string all = ReadFile(sqlite_path_);
    all += ReadFile(sqlite_path_ + "-wal");
    return all;
  }
  auto db = Connect();
  std::vector<std::pair<std::string, std::string>> columns;
  {
    std::string table, column;
    soci::statement st = (puente::registry::internal::Session(*db).prepare
                              << "SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = current_schema() ORDER BY 1, 2",
                          soci::into(table), soci::into(column));
    st.execute();
    while (st.fetch()) columns.emplace_back(table, column);
  }
  std::string all;
  for (const auto& [table, column] : columns) {
    std::string value;
    soci::indicator ind;
    soci::statement st = (puente::registry::internal::Session(*db).prepare
                              << "SELECT CAST(" + column + " AS TEXT) FROM " + table,
                          soci::into(value, ind));
    st.execute();
    while (st.fetch()) {
      if (ind == soci::i_ok) StrAppend(&all, value, "\n");
    }
  }
  return all;
}

FixedClock& TestClock() {
  static FixedClock* clock = new FixedClock(
      absl::FromCivil(absl::CivilSecond(2026, 11, 22, 15, 0, 0), absl::UTCTimeZone()));
  return *clock;
}

credentials::TrustedIssuer CertifiedIssuer(const credentials::SigningIdentity& issuer,
                                           int64_t not_before, int64_t not_after) {
  credentials::PublicKeyFile file =
      credentials::PublicFileOf(issuer, credentials::KeyKind::kIssuer);
  file.not_before = not_before;
  file.not_after = not_after;
  return *credentials::TrustedIssuerOf(
      file, {credentials::CardType::kAsylumSeeker, credentials::CardType::kRefugee,
             credentials::CardType::kBirthAttestation});
}

crypto::SecretKey NewMasterKey() { return *crypto::SecretKey::Generate(); }

registry::NewApplicant SampleApplicant() {
  registry::NewApplicant a;
  a.given_names = "María José";
  a.surname1 = "Pérez";
  a.surname2 = "de la Cruz";
  a.sex = registry::Sex::kFemale;
  a.date_of_birth = {1988, 3, 14, registry::DatePrecision::kExact};
  a.nationality = "VEN";
  a.place_of_birth = "Maracaibo";
  a.languages = {"spa"};
  a.phone = "+507 6123 4567";
  a.address = "Calle 50, Bella Vista, Panamá";
  a.documents = {{registry::DocumentType::kPassport, "VEN", "A1234567", "2029-05-31"}};
  a.office_code = "101";
  a.officer = "ana.officer";
  return a;
}

std::unique_ptr<registry::Registry> OpenMigratedRegistry(const TestDatabase& db,
                                                         const crypto::SecretKey& key,
                                                         const Clock& clock) {
  auto raw = registry::Database::Open(db.url());
  EXPECT_TRUE(raw.ok()) << raw.status();
  if (!raw.ok()) return nullptr;
  auto applied = registry::Migrate(**raw);
  EXPECT_TRUE(applied.ok()) << applied.status();
  auto reg = registry::Registry::Open(db.url(), key, clock);
  EXPECT_TRUE(reg.ok()) << reg.status();
  return reg.ok() ? std::move(*reg) : nullptr;
}

long long CountRows(registry::Database& db, const std::string& from) {
  long long n = -1;
  puente::registry::internal::Session(db) << "SELECT count(*) FROM " + from, soci::into(n);
  return n;
}

long long CountRows(TestDatabase& db, const std::string& from) {
  auto conn = db.Connect();
  return conn == nullptr ? -1 : CountRows(*conn, from);
}

biometrics::FaceCapture* EnrollmentServiceTest::capture_ = nullptr;

void EnrollmentServiceTest::SetUpTestSuite() {
  auto c = biometrics::FaceCapture::Create(ModelsDirForTests());
  ASSERT_TRUE(c.ok()) << c.status();
  capture_ = c->release();
}

void EnrollmentServiceTest::TearDownTestSuite() {
  delete capture_;
  capture_ = nullptr;
}

void EnrollmentServiceTest::SetUp() {
  PUENTE_REQUIRE_DB(db_);
  ASSERT_NE(capture_, nullptr) << "the face models did not load (see SetUpTestSuite)";
  reg_ = OpenMigratedRegistry(db_, key_);
  ASSERT_NE(reg_, nullptr);
  auto s = registry::EnrollmentService::Create(*reg_, *capture_);
  ASSERT_TRUE(s.ok()) << s.status();
  service_ = std::move(*s);
}

}  // namespace puente::testing
