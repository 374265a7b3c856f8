// SIGKILL in the middle of enrollments: after a restart no half-written
// applicant, template or card exists, the audit chain verifies, and the
// gallery holds exactly the committed enrollments. On SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <httplib.h>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "biometrics/biometrics_test_support.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/keys.h"
#include "server/server_process.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Dialect;

class CrashTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    dir_ = std::filesystem::temp_directory_path() /
           ("puente-crash-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    std::filesystem::create_directories(dir_);
    key_file_ = (dir_ / "master.key").string();
    ASSERT_TRUE(registry::CreateMasterKeyFile(key_file_).ok());
    master_ = *registry::LoadMasterKey(key_file_);
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, *master_), nullptr);
  }
  void TearDown() override {
    server_.Kill();
    std::filesystem::remove_all(dir_);
  }

  // Starts puente-server on a free port; returns the port.
  int Start() {
    const std::string log = (dir_ / "server.log").string();
    std::filesystem::remove(log);
    return server_.Start(db_.url(), key_file_, log, std::chrono::seconds(30));
  }

  std::string Login(httplib::Client& c, const std::string& user, const std::string& pw) {
    auto r = c.Post("/api/v1/sessions", json{{"user", user}, {"password", pw}}.dump(),
                    "application/json");
    return r && r->status == 201 ? json::parse(r->body)["token"].get<std::string>() : "";
  }

  // Rows of `from` (see puente::testing::CountRows), over a new connection.
  long long Count(const std::string& from) { return puente::testing::CountRows(db_, from); }

  puente::testing::TestDatabase db_{GetParam()};
  std::filesystem::path dir_;
  std::string key_file_;
  std::optional<crypto::SecretKey> master_;
  puente::testing::ServerProcess server_;
};

TEST_P(CrashTest, KillDuringEnrollmentsLeavesNoHalfWrittenRecord) {
  const int port = Start();
  ASSERT_GT(port, 0);
  httplib::Client admin("127.0.0.1", port);
  const std::string admin_token = Login(admin, "admin", "admin-password-1");
  auto created =
      admin.Post("/api/v1/users", {{"Authorization", "Bearer " + admin_token}},
                 json{{"name", "ana"}, {"role", "officer"}, {"password", "officer-pw-1"}}.dump(),
                 "application/json");
  ASSERT_TRUE(created && created->status == 201);

  std::vector<std::string> photos;
  for (const auto& person : std::filesystem::directory_iterator(puente::testing::DevFacesDir())) {
    photos.push_back(person.path().string() + "/1.jpg");
  }
  std::sort(photos.begin(), photos.end());
  std::atomic<int> done{0};
  std::atomic<bool> stop{false};
  auto enroll_loop = [&](int worker) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30);
    const std::string token = Login(c, "ana", "officer-pw-1");
    for (int i = worker; !stop && i < static_cast<int>(photos.size()); i += 2) {
      json body{{"applicant",
                 {{"given_names", "Persona"},
                  {"surname1", "Prueba"},
                  {"surname2", std::string(1, static_cast<char>('A' + i % 26))},
                  {"sex", "X"},
                  {"date_of_birth", std::to_string(1950 + i % 50)},
                  {"dob_precision", "year"},
                  {"nationality", "XXA"},
                  {"office_code", "101"}}},
                {"photo_base64", crypto::Base64Encode(puente::testing::ReadBytes(photos[i]))}};
      auto r = c.Post("/api/v1/enrollments", {{"Authorization", "Bearer " + token}}, body.dump(),
                      "application/json");
      if (!r) return;  // the server died
      if (r->status == 201) done++;
    }
  };
  std::thread a(enroll_loop, 0), b(enroll_loop, 1);
  while (done < 6) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(server_.Kill());  // mid-flight: both clients have requests open
  stop = true;
  a.join();
  b.join();

  // Every applicant has its enrollment and case; no orphan rows of any kind.
  const long long applicants = Count("applicants");
  EXPECT_GE(applicants, 6);
  EXPECT_EQ(Count("enrollments"), applicants);
  EXPECT_EQ(Count("applicants a WHERE NOT EXISTS "
                  "(SELECT 1 FROM enrollments e WHERE e.applicant_id = a.id)"),
            0);
  EXPECT_EQ(Count("cases c WHERE NOT EXISTS "
                  "(SELECT 1 FROM applicants a WHERE a.case_id = c.id)"),
            0);
  EXPECT_EQ(Count("audit_events WHERE action = 'enrollment.create'"), applicants);
  auto reg = registry::Registry::Open(db_.url(), *master_);
  ASSERT_TRUE(reg.ok());
  auto audit = (*reg)->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->intact) << audit->problem;

  // Restart: the gallery holds exactly the committed enrollments, and the
  // service goes on enrolling.
  const int port2 = Start();
  ASSERT_GT(port2, 0);
  httplib::Client c("127.0.0.1", port2);
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(json::parse(health->body)["gallery_size"].get<long>(), applicants);
  const std::string token = Login(c, "ana", "officer-pw-1");
  json body{
      {"applicant",
       {{"given_names", "Después"},
        {"surname1", "Del Reinicio"},
        {"sex", "F"},
        {"date_of_birth", "1990-01-01"},
        {"nationality", "COL"},
        {"office_code", "101"}}},
      {"photo_base64",
       crypto::Base64Encode(puente::testing::ReadBytes(puente::testing::DevPhoto("Ashanti", 2)))}};
  auto r = c.Post("/api/v1/enrollments", {{"Authorization", "Bearer " + token}}, body.dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
