// The HTTP service end to end, on a real port, on SQLite and on the real
// PostgreSQL: enrollment, a planted duplicate held for adjudication, the
// decision, a card issued and downloaded, verified offline from its PNG with
// the published lists, revoked, and verified again; every role refused what
// it may not do; malformed requests answered with clear 4xx errors.
#include "puente/server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "biometrics/biometrics_test_support.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"
#include "puente/crypto/encoding.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;
using registry::Dialect;

json Applicant(const std::string& given, const std::string& s1, const std::string& s2,
               const std::string& dob) {
  return {{"given_names", given}, {"surname1", s1},       {"surname2", s2},
          {"sex", "F"},           {"date_of_birth", dob}, {"nationality", "VEN"},
          {"office_code", "101"}, {"languages", {"spa"}}};
}

class ServerTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    const crypto::SecretKey master = puente::testing::NewMasterKey();
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, master), nullptr);
    ServerConfig config(master);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    config.issuer = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    config.trusted_issuers = {puente::testing::CertifiedIssuer(*config.issuer)};
    config.root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    config.recipients = {{hospital_.kid(), hospital_.key().public_key()}};
    config.max_body_bytes = 1 << 20;
    auto s = Server::Create(std::move(config));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->EnsureAdmin("admin", "admin-password-1").ok());
    auto port = server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(60);
    admin_ = Login("admin", "admin-password-1");
    for (auto [name, role] : {std::pair{"ana", "officer"}, std::pair{"sara", "supervisor"},
                              std::pair{"aud", "auditor"}, std::pair{"vera", "verifier"}}) {
      auto r =
          Post("/api/v1/users", admin_,
               {{"name", name}, {"role", role}, {"password", "password-of-" + std::string(name)}});
      ASSERT_EQ(r.first, 201) << r.second;
    }
    officer_ = Login("ana", "password-of-ana");
    supervisor_ = Login("sara", "password-of-sara");
    auditor_ = Login("aud", "password-of-aud");
    verifier_ = Login("vera", "password-of-vera");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Login(const std::string& user, const std::string& password) {
    auto r = client_->Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                           "application/json");
    if (!r || r->status != 201) return "";
    return json::parse(r->body)["token"];
  }
  httplib::Headers Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  std::pair<int, json> Post(const std::string& path, const std::string& token, const json& body) {
    auto r = client_->Post(path.c_str(), Auth(token), body.dump(), "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, std::string> Get(const std::string& path, const std::string& token = "") {
    auto r = token.empty() ? client_->Get(path.c_str()) : client_->Get(path.c_str(), Auth(token));
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  json Enrollment(const json& applicant, const std::string& photo_path) {
    return {{"applicant", applicant},
            {"photo_base64", crypto::Base64Encode(ReadBytes(photo_path))}};
  }

  puente::testing::TestDatabase db_{GetParam()};
  credentials::InstitutionKey hospital_ = *credentials::InstitutionKey::Generate();
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::string admin_, officer_, supervisor_, auditor_, verifier_;
};

TEST_P(ServerTest, EnrollAdjudicateIssueVerifyRevoke) {
  auto first = Post(
      "/api/v1/enrollments", officer_,
      Enrollment(Applicant("María José", "Pérez", "Núñez", "1988-03-14"), DevPhoto("Ashanti", 1)));
  ASSERT_EQ(first.first, 201) << first.second;
  EXPECT_EQ(first.second["status"], "cleared");
  const std::string reg_no = first.second["applicant"]["registration_number"];
  // The planted duplicate: same face, data spelled otherwise.
  auto dup = Post(
      "/api/v1/enrollments", officer_,
      Enrollment(Applicant("Maria Jose", "Nunez", "Perez", "1988-03-14"), DevPhoto("Ashanti", 4)));
  ASSERT_EQ(dup.first, 201) << dup.second;
  ASSERT_EQ(dup.second["status"], "held");
  const json candidate = dup.second["candidates"][0];
  EXPECT_EQ(candidate["registration_number"], reg_no);
  EXPECT_GE(candidate["face_score"].get<double>(), 0.43);
  const std::string dup_reg_no = dup.second["applicant"]["registration_number"];
  // No card while held.
  EXPECT_EQ(
      Post("/api/v1/applicants/" + dup_reg_no + "/cards", officer_, {{"type", "asylum-seeker"}})
          .first,
      409);
  auto held = Get("/api/v1/enrollments?status=held", supervisor_);
  ASSERT_EQ(held.first, 200);
  EXPECT_EQ(json::parse(held.second)["enrollments"].size(), 1u);
  auto photo = Get("/api/v1/applicants/" + dup_reg_no + "/photo", supervisor_);
  EXPECT_EQ(photo.first, 200);
  EXPECT_EQ(photo.second, ReadBytes(DevPhoto("Ashanti", 4)));
  auto decided = Post("/api/v1/candidates/" + candidate["id"].get<std::string>() + "/decision",
                      supervisor_, {{"decision", "same_person"}, {"note", "Same woman twice"}});
  ASSERT_EQ(decided.first, 200) << decided.second;
  EXPECT_EQ(decided.second["status"], "duplicate");
  EXPECT_EQ(
      Post("/api/v1/applicants/" + dup_reg_no + "/cards", officer_, {{"type", "asylum-seeker"}})
          .first,
      409);

  // A card for the real one, downloaded as PNG and PDF.
  auto card =
      Post("/api/v1/applicants/" + reg_no + "/cards", officer_, {{"type", "asylum-seeker"}});
  ASSERT_EQ(card.first, 201) << card.second;
  const std::string serial = std::to_string(card.second["serial"].get<uint64_t>());
  auto png = Get("/api/v1/cards/" + serial + ".png", officer_);
  ASSERT_EQ(png.first, 200);
  auto pdf = Get("/api/v1/cards/" + serial + ".pdf", officer_);
  ASSERT_EQ(pdf.first, 200);
  EXPECT_EQ(pdf.second.substr(0, 5), "%PDF-");

  // Offline: the QR read from the PNG, the lists and root key from their URLs.
  auto verify = [&]() {
    cv::Mat img = cv::imdecode(std::vector<uchar>(png.second.begin(), png.second.end()),
                               cv::IMREAD_GRAYSCALE);
    auto text = credentials::ReadQr(img.data, img.cols, img.rows, static_cast<int>(img.step));
    EXPECT_TRUE(text.ok());
    auto root_file = credentials::ParsePublicKeyFile(Get("/api/v1/keys/root").second);
    auto root = credentials::VerifyingKeyOf(*root_file);
    auto v = credentials::CardVerifier::Create(*root, Get("/api/v1/lists/trust").second,
                                               Get("/api/v1/lists/revocation").second);
    EXPECT_TRUE(v.ok()) << v.status();
    return v->Verify(text.ok() ? *text : "", std::time(nullptr), &hospital_);
  };
  auto r = verify();
  ASSERT_EQ(r.verdict, credentials::Verdict::kValid) << r.reason;
  EXPECT_EQ(r.card->holder.id, reg_no);
  EXPECT_EQ(r.sealed_status, "opened");
  // Revoked, then REVOKED offline.
  EXPECT_EQ(Post("/api/v1/cards/" + serial + "/revoke", officer_, {{"reason", "x"}}).first, 403);
  auto revoked = Post("/api/v1/cards/" + serial + "/revoke", supervisor_, {{"reason", "stolen"}});
  ASSERT_EQ(revoked.first, 200) << revoked.second;
  EXPECT_EQ(verify().verdict, credentials::Verdict::kRevoked);
  // The person's cards as their record lists them: the revoked one, no QR.
  auto listed_cards = Get("/api/v1/applicants/" + reg_no + "/cards", officer_);
  ASSERT_EQ(listed_cards.first, 200) << listed_cards.second;
  const json cards = json::parse(listed_cards.second)["cards"];
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_EQ(std::to_string(cards[0]["serial"].get<uint64_t>()), serial);
  EXPECT_EQ(cards[0]["status"], "revoked");
  EXPECT_EQ(cards[0]["revoke_reason"], "stolen");
  EXPECT_EQ(cards[0]["pdf"], "/api/v1/cards/" + serial + ".pdf");
  EXPECT_FALSE(cards[0].contains("qr_text"));
  EXPECT_EQ(Get("/api/v1/applicants/" + dup_reg_no + "/cards", officer_).second, R"({"cards":[]})");
  EXPECT_EQ(Get("/api/v1/applicants/001-2026-999999-0/cards", officer_).first, 404);
  EXPECT_EQ(Get("/api/v1/applicants/" + reg_no + "/cards", auditor_).first, 403);

  auto audit = Get("/api/v1/audit/verify", auditor_);
  ASSERT_EQ(audit.first, 200);
  EXPECT_EQ(json::parse(audit.second)["intact"], true);
  auto events = Get("/api/v1/audit/events?after=0&limit=1000", auditor_);
  ASSERT_EQ(events.first, 200);
  bool saw_decision = false, saw_revoke = false;
  const json listed = json::parse(events.second);
  for (const auto& e : listed["events"]) {
    saw_decision |= e["action"] == "duplicate.decide" && e["actor"] == "sara";
    saw_revoke |= e["action"] == "card.revoke" && e["details"]["reason"] == "stolen";
  }
  EXPECT_TRUE(saw_decision);
  EXPECT_TRUE(saw_revoke);
  EXPECT_EQ(Get("/api/v1/audit/events", officer_).first, 403);
  const std::string case_no = first.second["applicant"]["case_number"];
  auto case_json = Get("/api/v1/cases/" + case_no, auditor_);
  ASSERT_EQ(case_json.first, 200);
  EXPECT_EQ(json::parse(case_json.second)["status"], "registered");
  EXPECT_EQ(json::parse(case_json.second)["allowed_next"], json::array({"admitted", "closed"}));
}

TEST_P(ServerTest, EachRoleIsRefusedWhatItMayNotDo) {
  const json enrollment =
      Enrollment(Applicant("Ana", "Ruiz", "", "1990-01-01"), DevPhoto("Ashanti", 1));
  EXPECT_EQ(Post("/api/v1/enrollments", "", enrollment).first, 401);
  EXPECT_EQ(Post("/api/v1/enrollments", "not-a-token", enrollment).first, 401);
  for (const std::string* who : {&supervisor_, &auditor_, &verifier_, &admin_}) {
    EXPECT_EQ(Post("/api/v1/enrollments", *who, enrollment).first, 403);
  }
  EXPECT_EQ(Get("/api/v1/enrollments?status=held", officer_).first, 403);
  EXPECT_EQ(Get("/api/v1/audit/verify", officer_).first, 403);
  EXPECT_EQ(Post("/api/v1/users", officer_,
                 {{"name", "x"}, {"role", "admin"}, {"password", "0123456789"}})
                .first,
            403);
  EXPECT_EQ(Post("/api/v1/candidates/00000000-0000-4000-8000-000000000000/decision", officer_,
                 {{"decision", "different"}, {"note", "x"}})
                .first,
            403);
  EXPECT_EQ(Get("/api/v1/applicants/101-2026-000001-5", verifier_).first, 403);
  // Wrong password: one message for everything.
  auto r = client_->Post("/api/v1/sessions", json{{"user", "ana"}, {"password", "nope"}}.dump(),
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["error"]["message"], "wrong user name or password");
  // Public endpoints.
  EXPECT_EQ(Get("/health").first, 200);
  EXPECT_NE(Get("/metrics").second.find("puente_http_requests_total"), std::string::npos);
  EXPECT_EQ(json::parse(Get("/openapi.json").second)["openapi"], "3.0.3");
}

TEST_P(ServerTest, MalformedRequestsGetClearErrors) {
  auto raw = [&](const std::string& body, const std::string& type) {
    auto r = client_->Post("/api/v1/enrollments", Auth(officer_), body, type.c_str());
    return r ? std::pair{r->status, json::parse(r->body, nullptr, false)} : std::pair{-1, json()};
  };
  auto bad_json = raw("{not json", "application/json");
  EXPECT_EQ(bad_json.first, 400);
  EXPECT_EQ(bad_json.second["error"]["message"], "body is not valid JSON");
  auto wrong_type = raw("{}", "text/plain");
  EXPECT_EQ(wrong_type.first, 400);
  EXPECT_EQ(wrong_type.second["error"]["message"], "content type must be application/json");
  auto too_big = raw(std::string(2 << 20, 'x'), "application/json");
  EXPECT_EQ(too_big.first, 413);
  EXPECT_EQ(too_big.second["error"]["code"], "invalid_argument");
  auto missing = Post("/api/v1/enrollments", officer_, {{"photo_base64", "AAAA"}});
  EXPECT_EQ(missing.first, 400);
  EXPECT_EQ(missing.second["error"]["message"], "applicant: is required (an object)");
  auto bad_field =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ana", "Ruiz", "", "2031-02-30"), DevPhoto("Ashanti", 1)));
  EXPECT_EQ(bad_field.first, 400);
  EXPECT_NE(bad_field.second["error"]["message"].get<std::string>().find("date_of_birth"),
            std::string::npos)
      << bad_field.second;
  auto refused =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ana", "Ruiz", "", "1990-01-01"), DevPhoto("Jesse_Jackson", 4)));
  EXPECT_EQ(refused.first, 400);
  EXPECT_NE(refused.second["error"]["message"].get<std::string>().find("quality check"),
            std::string::npos);
  EXPECT_EQ(Get("/api/v1/no-such-thing").first, 404);
  EXPECT_EQ(Get("/api/v1/cards/12345", officer_).first, 404);
}

// A SQLite registry and a fresh self-signed certificate for 127.0.0.1, in a
// temporary directory removed after the test.
class ServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_);
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
        "-keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl req failed";
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, master_), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The configuration of a server on db_ (certificate files not yet set).
  ServerConfig Config() {
    ServerConfig config(master_);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    return config;
  }

  const std::string dir_ = ::testing::TempDir() + "/puente-tls-" + std::to_string(::getpid());
  const std::string cert_ = dir_ + "/cert.pem", key_ = dir_ + "/key.pem";
  puente::testing::TestDatabase db_{Dialect::kSqlite};
  const crypto::SecretKey master_ = puente::testing::NewMasterKey();
};

// --tls-cert/--tls-key: the API is served over HTTPS with that certificate,
// and a plain-HTTP request to the same port gets no answer.
TEST_F(ServerTlsTest, ServesHttpsWithTheConfiguredCertificate) {
  ServerConfig config = Config();
  config.workers = 1;
  config.tls_cert_file = cert_;
  config.tls_key_file = key_;
  config.metrics_token = "scrape-0123456789abcdef";
  puente::testing::ScopedServer server(std::move(config));  // stopped at scope exit
  ASSERT_TRUE(server.status().ok()) << server.status();

  httplib::SSLClient tls("127.0.0.1", server.port());
  tls.set_ca_cert_path(cert_.c_str());
  tls.enable_server_certificate_verification(true);
  auto health = tls.Get("/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  // With a metrics token, /metrics answers the scraper only.
  auto anonymous = tls.Get("/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto scraped = tls.Get("/metrics", {{"Authorization", "Bearer scrape-0123456789abcdef"}});
  ASSERT_TRUE(scraped);
  EXPECT_EQ(scraped->status, 200);
  EXPECT_NE(scraped->body.find("puente_http_requests_total"), std::string::npos);

  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(5);
  auto refused = plain.Get("/health");
  EXPECT_TRUE(!refused || refused->status != 200);

  // A certificate file that does not exist is refused at start.
  ServerConfig bad = Config();
  bad.tls_cert_file = dir_ + "/missing.pem";
  bad.tls_key_file = key_;
  auto s = Server::Create(std::move(bad));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.status().message()).find("TLS"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
