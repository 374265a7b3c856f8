// Many days in the life of an institution's verifier: a card issued on day
// 0 by a real server (SQLite, real faces) on an injected clock; the server
// re-signs its lists on every request; the installed puente-verify refreshes
// them daily with `update` and checks the card offline. The card stays VALID
// for its whole validity, reads STALE LISTS when the verifier stops
// refreshing, REVOKED once revoked, EXPIRED after its last day. The root is
// pinned on first use only with the right fingerprint, and never replaced.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/run_process.h"
#include "biometrics/biometrics_test_support.h"
#include "puente/common/clock.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Result;

constexpr int64_t kDay = 86400;
constexpr int64_t kDay0 = 1795000000;  // 2026-11-18

class VerifierDaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ready());
    dir_ =
        fs::temp_directory_path() / ("puente-days-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
    server_ = StartServer(root_);
    ASSERT_TRUE(server_->status().ok()) << server_->status();
    ASSERT_TRUE(server_->server().EnsureAdmin("admin", "admin-password-1").ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
    const std::string admin = Login("admin", "admin-password-1");
    for (auto [name, role] : {std::pair{"ana", "officer"}, std::pair{"sara", "supervisor"}}) {
      ASSERT_EQ(
          Post("/api/v1/users", admin,
               {{"name", name}, {"role", role}, {"password", "password-of-" + std::string(name)}})
              .first,
          201);
    }
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<testing::ScopedServer> StartServer(const credentials::SigningIdentity& root) {
    server::ServerConfig config(master_);
    config.db_url = db_.url();
    config.models_dir = testing::ModelsDirForTests();
    config.issuer = issuer_;
    // Certified a month before day 0, for two years: never re-derived.
    config.trusted_issuers = {
        testing::CertifiedIssuer(issuer_, kDay0 - 30 * kDay, kDay0 + 700 * kDay)};
    config.root = root;
    config.clock = &clock_;
    return std::make_unique<testing::ScopedServer>(std::move(config));
  }

  std::string Login(const std::string& user, const std::string& password) {
    auto r = client_->Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                           "application/json");
    if (!r || r->status != 201) return "";
    return json::parse(r->body)["token"];
  }
  std::pair<int, json> Post(const std::string& path, const std::string& token, const json& body) {
    auto r = client_->Post(path.c_str(), {{"Authorization", "Bearer " + token}}, body.dump(),
                           "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

  std::string Url(const testing::ScopedServer& s) const {
    return "http://127.0.0.1:" + std::to_string(s.port());
  }
  Result Verify(const std::string& args) {
    return testing::RunIn(dir_.string(), "'" PUENTE_VERIFY_BIN "' --store store " + args);
  }
  Result Update(const std::string& args = "") {
    return Verify("update --server " + Url(*server_) + " " + args);
  }
  // The card checked now (the clock's time), as JSON.
  json Check() {
    Result r =
        Verify("--text @card.txt --json --at " + std::to_string(absl::ToUnixSeconds(clock_.Now())));
    json j = json::parse(r.out, nullptr, false);
    if (!j.is_object()) ADD_FAILURE() << r.out << r.err;
    j["exit"] = r.code;
    return j;
  }
  std::string RootFingerprint() const {
    return crypto::HexEncode(crypto::Sha256(root_.key().verifying_key().raw()));
  }

  testing::TestDatabase db_{registry::Dialect::kSqlite};
  crypto::SecretKey master_ = testing::NewMasterKey();
  bool migrated_ = testing::OpenMigratedRegistry(db_, master_) != nullptr;
  FixedClock clock_{absl::FromUnixSeconds(kDay0)};
  credentials::SigningIdentity issuer_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  std::unique_ptr<testing::ScopedServer> server_;
  std::unique_ptr<httplib::Client> client_;
  fs::path dir_;
};

TEST_F(VerifierDaysTest, CardStaysValidAcrossDailyListsThenStaleRevokedExpired) {
  ASSERT_TRUE(migrated_);
  // Day 0: enrolled and issued.
  const std::string officer = Login("ana", "password-of-ana");
  auto enrolled =
      Post("/api/v1/enrollments", officer,
           {{"applicant",
             {{"given_names", "María José"},
              {"surname1", "Pérez"},
              {"surname2", "Núñez"},
              {"sex", "F"},
              {"date_of_birth", "1988-03-14"},
              {"nationality", "VEN"},
              {"office_code", "101"},
              {"languages", {"spa"}}}},
            {"photo_base64",
             crypto::Base64Encode(testing::ReadBytes(testing::DevPhoto("Ashanti", 1)))}});
  ASSERT_EQ(enrolled.first, 201) << enrolled.second;
  const std::string reg_no = enrolled.second["applicant"]["registration_number"];
  auto card = Post("/api/v1/applicants/" + reg_no + "/cards", officer, {{"type", "asylum-seeker"}});
  ASSERT_EQ(card.first, 201) << card.second;
  const int64_t expires = card.second["expires_at"];
  std::ofstream(dir_ / "card.txt") << card.second["qr_text"].get<std::string>() << "\n";

  // Nothing to check against yet; the root is pinned only by its fingerprint.
  EXPECT_EQ(Check()["exit"], 3);
  Result r = Update();
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("give --root-fingerprint"), std::string::npos) << r.err;
  r = Update("--root-fingerprint " + std::string(64, 'a'));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("nothing updated"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "store" / "root.pub.json"));
  r = Update("--root-fingerprint " + RootFingerprint());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("pinned"), std::string::npos) << r.out;
  json j = Check();
  EXPECT_EQ(j["verdict"], "VALID") << j.dump(2);
  EXPECT_EQ(j["exit"], 0);

  // Days 1 to 9: fresh lists each morning, the card still VALID. (Lists
  // that set a key's window from the day they are signed failed on day 2.)
  for (int day = 1; day <= 9; ++day) {
    clock_.Advance(absl::Hours(24));
    ASSERT_EQ(Update().code, 0) << "day " << day;
    j = Check();
    EXPECT_EQ(j["verdict"], "VALID") << "day " << day << "\n" << j.dump(2);
  }

  // The verifier stops refreshing: a day after the lists' next update the
  // check is not current any more.
  clock_.Advance(absl::Hours(36));
  j = Check();
  EXPECT_EQ(j["verdict"], "STALE LISTS") << j.dump(2);
  EXPECT_EQ(j["exit"], 9);
  ASSERT_EQ(Update().code, 0);
  EXPECT_EQ(Check()["verdict"], "VALID");

  // A server offering another root is refused and the lists stay as they were.
  const credentials::SigningIdentity impostor =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  {
    auto other = StartServer(impostor);
    ASSERT_TRUE(other->status().ok()) << other->status();
    r = Verify("update --server " + Url(*other));
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("offers another root key"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Check()["verdict"], "VALID");

  // The last day of its validity it is still VALID; the day after, EXPIRED.
  clock_.Set(absl::FromUnixSeconds(expires - 3600));
  ASSERT_EQ(Update().code, 0);
  EXPECT_EQ(Check()["verdict"], "VALID");
  clock_.Set(absl::FromUnixSeconds(expires + 3600));
  ASSERT_EQ(Update().code, 0);
  j = Check();
  EXPECT_EQ(j["verdict"], "EXPIRED");
  EXPECT_EQ(j["exit"], 5);

  // Back in its validity (a new day's lists), revoked: REVOKED at the next refresh.
  clock_.Set(absl::FromUnixSeconds(expires - 2 * kDay));
  const std::string supervisor = Login("sara", "password-of-sara");
  const std::string serial = std::to_string(card.second["serial"].get<uint64_t>());
  ASSERT_EQ(Post("/api/v1/cards/" + serial + "/revoke", supervisor, {{"reason", "stolen"}}).first,
            200);
  // Lists older than the ones held are refused (a replay would un-revoke).
  r = Update();
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("older than the one here"), std::string::npos) << r.err;
  clock_.Set(absl::FromUnixSeconds(expires + 2 * kDay));
  ASSERT_EQ(Update().code, 0);
  clock_.Set(absl::FromUnixSeconds(expires - 2 * kDay));
  j = Check();
  EXPECT_EQ(j["verdict"], "REVOKED") << j.dump(2);
  EXPECT_EQ(j["exit"], 7);
}

}  // namespace
}  // namespace puente
