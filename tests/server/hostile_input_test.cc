// The HTTP service against hostile or unlucky input (issue 15, items 6, 7,
// 8, 11 and 13), on a real loopback port, on SQLite and the real PostgreSQL:
// lists and strings over their limits and invisible format characters get a
// 400 naming the field; an enrollment retried with its Idempotency-Key is one
// record (also when the retry races the first attempt), a different request
// under the same key is refused; a full disk (SQLite held to its pages) is a
// 503 that saves nothing, refuses audited reads, shows no internals, is
// logged, and passes once space is freed, without a restart.
#include <gtest/gtest.h>
#include <httplib.h>
#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "biometrics/biometrics_test_support.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/database.h"
#include "puente/server/server.h"
#include "registry/storage/internal/session.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;
using registry::Dialect;

json Applicant(const std::string& given, const std::string& s1, const std::string& dob) {
  return {{"given_names", given}, {"surname1", s1},
          {"sex", "F"},           {"date_of_birth", dob},
          {"nationality", "VEN"}, {"office_code", "101"},
          {"languages", {"spa"}}, {"documents", json::array()}};
}

json Enrollment(const json& applicant, const std::string& photo_path) {
  return {{"applicant", applicant}, {"photo_base64", crypto::Base64Encode(ReadBytes(photo_path))}};
}

// Nothing of a database backend's internals in an error body.
void ExpectNoInternals(const std::string& body) {
  for (const char* internal : {"sqlite", "soci", "backend", "loadOne", "postgresql", "SELECT",
                               "INSERT", "constraint", ".db", "base/"}) {
    EXPECT_EQ(body.find(internal), std::string::npos) << "'" << internal << "' in: " << body;
  }
}

struct Answer {
  int status = -1;
  json body;
  std::string raw;
  httplib::Headers headers;
};

class HostileInputBase : public ::testing::Test {
 protected:
  explicit HostileInputBase(Dialect dialect) : db_(dialect) {}
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, master_), nullptr);
  }

  // Starts the server on `url` (db_'s by default); the first time, with an
  // admin, two officers and a supervisor, logged in.
  void Start(const std::string& url = "") {
    ServerConfig config(master_);
    config.db_url = url.empty() ? db_.url() : url;
    config.models_dir = puente::testing::ModelsDirForTests();
    config.issuer = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    config.trusted_issuers = {puente::testing::CertifiedIssuer(*config.issuer)};
    config.root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    config.max_body_bytes = 8 << 20;
    server_ = std::make_unique<puente::testing::ScopedServer>(std::move(config));
    ASSERT_TRUE(server_->status().ok()) << server_->status();
    ASSERT_TRUE(server_->server().EnsureAdmin("admin", "admin-password-1").ok());
    if (!officer_.empty()) return;  // their sessions are still valid
    const std::string admin = Login("admin", "admin-password-1");
    for (auto [name, role] : {std::pair{"ana", "officer"}, std::pair{"omar", "officer"},
                              std::pair{"sara", "supervisor"}}) {
      auto r =
          Post("/api/v1/users", admin,
               {{"name", name}, {"role", role}, {"password", "password-of-" + std::string(name)}});
      ASSERT_EQ(r.status, 201) << r.raw;
    }
    officer_ = Login("ana", "password-of-ana");
    officer2_ = Login("omar", "password-of-omar");
    supervisor_ = Login("sara", "password-of-sara");
  }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_read_timeout(60);
    return c;
  }
  std::string Login(const std::string& user, const std::string& password) {
    auto r = Client()->Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                            "application/json");
    if (!r || r->status != 201) return "";
    return json::parse(r->body)["token"];
  }
  Answer Send(httplib::Result r) {
    Answer a;
    if (!r) return a;
    a.status = r->status;
    a.raw = r->body;
    a.body = json::parse(r->body, nullptr, false);
    a.headers = r->headers;
    return a;
  }
  Answer Post(const std::string& path, const std::string& token, const json& body,
              const std::string& idempotency_key = "") {
    httplib::Headers h{{"Authorization", "Bearer " + token}};
    if (!idempotency_key.empty()) h.emplace("Idempotency-Key", idempotency_key);
    return Send(Client()->Post(path.c_str(), h, body.dump(), "application/json"));
  }
  Answer Get(const std::string& path, const std::string& token) {
    return Send(Client()->Get(path.c_str(), {{"Authorization", "Bearer " + token}}));
  }
  long long Count(const std::string& from) { return puente::testing::CountRows(db_, from); }
  static std::string Message(const Answer& a) {
    if (!a.body.is_object() || !a.body.contains("error")) return "";
    return a.body["error"].value("message", "");
  }

  puente::testing::TestDatabase db_;
  crypto::SecretKey master_ = puente::testing::NewMasterKey();
  std::unique_ptr<puente::testing::ScopedServer> server_;
  std::string officer_, officer2_, supervisor_;
};

class HostileInputTest : public HostileInputBase, public ::testing::WithParamInterface<Dialect> {
 protected:
  HostileInputTest() : HostileInputBase(GetParam()) {}
};

// The honest SQLITE_FULL of a file held to its pages (max_page_count).
class FullDiskTest : public HostileInputBase {
 protected:
  FullDiskTest() : HostileInputBase(Dialect::kSqlite) {}
};

TEST_P(HostileInputTest, OverTheLimitsOrInvisibleCharactersIs400NamingTheField) {
  ASSERT_NO_FATAL_FAILURE(Start());
  json many_documents = Applicant("Ana", "Lopez", "1990-01-01");
  for (int i = 0; i < 1000; ++i) {
    many_documents["documents"].push_back(
        {{"type", "passport"}, {"country", "VEN"}, {"number", "A" + std::to_string(1000000 + i)}});
  }
  auto r = Post("/api/v1/enrollments", officer_,
                Enrollment(many_documents, DevPhoto("Albert_Costa", 1)));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("applicant.documents: 1000 documents, the limit is 10"),
            std::string::npos)
      << r.raw;
  json many_languages = Applicant("Ana", "Lopez", "1990-01-01");
  many_languages["languages"] = json(std::vector<std::string>(11, "spa"));
  r = Post("/api/v1/enrollments", officer_,
           Enrollment(many_languages, DevPhoto("Albert_Costa", 1)));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("applicant.languages: 11 languages, the limit is 10"),
            std::string::npos)
      << r.raw;
  // A right-to-left override that would show "Ana" + reversed text.
  r = Post(
      "/api/v1/enrollments", officer_,
      Enrollment(Applicant("Ana\u202Eazul", "Lopez", "1990-01-01"), DevPhoto("Albert_Costa", 1)));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("given_names: contains the invisible character U+202E"),
            std::string::npos)
      << r.raw;
  r = Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ana", "Lo\u200Bpez", "1990-01-01"), DevPhoto("Albert_Costa", 1)));
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("surname1: contains the invisible character U+200B"), std::string::npos)
      << r.raw;
  EXPECT_EQ(Count("applicants"), 0);

  // Reasons and notes: a held duplicate, its decision, a case, a card.
  auto first =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ashanti", "Douglas", "1980-10-13"), DevPhoto("Ashanti", 1)));
  ASSERT_EQ(first.status, 201) << first.raw;
  auto dup =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ashanti", "Douglas", "1980-10-13"), DevPhoto("Ashanti", 4)));
  ASSERT_EQ(dup.status, 201) << dup.raw;
  ASSERT_EQ(dup.body["status"], "held") << dup.raw;
  const std::string candidate = dup.body["candidates"][0]["id"];
  r = Post("/api/v1/candidates/" + candidate + "/decision", supervisor_,
           {{"decision", "different"}, {"note", "twins \u2067checked\u2069"}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("note: contains the invisible character U+2067"), std::string::npos)
      << r.raw;
  r = Post("/api/v1/candidates/" + candidate + "/decision", supervisor_,
           {{"decision", "different"}, {"note", std::string(1001, 'n')}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("note: is 1001 characters long, the limit is 1000"), std::string::npos)
      << r.raw;
  const std::string case_no = first.body["applicant"]["case_number"];
  r = Post("/api/v1/cases/" + case_no + "/status", supervisor_,
           {{"to", "admitted"}, {"reason", std::string(5000, 'r')}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("reason: is over 1000 characters long (5000 bytes), the limit is 1000"),
            std::string::npos)
      << r.raw;
  const std::string reg_no = first.body["applicant"]["registration_number"];
  auto card =
      Post("/api/v1/applicants/" + reg_no + "/cards", officer_, {{"type", "asylum-seeker"}});
  ASSERT_EQ(card.status, 201) << card.raw;
  const std::string serial = std::to_string(card.body["serial"].get<uint64_t>());
  r = Post("/api/v1/cards/" + serial + "/revoke", supervisor_, {{"reason", "lost\uFEFF"}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("reason: contains the invisible character U+FEFF"), std::string::npos)
      << r.raw;
  r = Post("/api/v1/cards/" + serial + "/replace", officer_, {{"reason", std::string(1001, 'x')}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(Message(r).find("reason: is 1001 characters long, the limit is 1000"),
            std::string::npos)
      << r.raw;
  EXPECT_EQ(Count("cards"), 1);
  EXPECT_EQ(Count("cards WHERE status = 'active'"), 1);
}

TEST_P(HostileInputTest, RetryWithTheSameIdempotencyKeyIsOneRecord) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const json request =
      Enrollment(Applicant("Barack", "Obama", "1961-08-04"), DevPhoto("Barack_Obama", 1));
  const std::string key = "9b2f6c1e-4d3a-4f7e-9a61-0c8e5d2b7f10";
  auto first = Post("/api/v1/enrollments", officer_, request, key);
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.headers.count("Idempotent-Replayed"), 0u);
  // The connection dropped before the answer arrived; the client retries.
  auto retry = Post("/api/v1/enrollments", officer_, request, key);
  ASSERT_EQ(retry.status, 201) << retry.raw;
  EXPECT_EQ(retry.body, first.body) << "the first answer again";
  auto replayed = retry.headers.find("Idempotent-Replayed");
  ASSERT_NE(replayed, retry.headers.end());
  EXPECT_EQ(replayed->second, "true");
  EXPECT_EQ(Count("enrollments"), 1);
  EXPECT_EQ(Count("applicants"), 1);

  // The same key for another request: refused, nothing enrolled.
  json other = request;
  other["applicant"]["given_names"] = "Barry";
  auto reused = Post("/api/v1/enrollments", officer_, other, key);
  EXPECT_EQ(reused.status, 409) << reused.raw;
  EXPECT_NE(Message(reused).find("Idempotency-Key: this key was already used for a different"),
            std::string::npos)
      << reused.raw;
  EXPECT_EQ(Count("enrollments"), 1);

  // Keys are per user: another officer's identical key is another key.
  auto theirs = Post("/api/v1/enrollments", officer2_, request, key);
  EXPECT_EQ(theirs.status, 201) << theirs.raw;
  EXPECT_NE(theirs.body["applicant"]["registration_number"],
            first.body["applicant"]["registration_number"]);
  EXPECT_EQ(Count("enrollments"), 2);

  // A malformed key is refused before anything is read.
  for (const std::string& bad :
       std::vector<std::string>{"has space", std::string(129, 'k'), "tab\there"}) {
    auto r = Post("/api/v1/enrollments", officer_, request, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.raw;
    EXPECT_EQ(Message(r).rfind("Idempotency-Key: ", 0), 0u) << r.raw;
  }
  EXPECT_EQ(Count("enrollments"), 2);
  // The key is stored as a blind index only, with its expiry.
  EXPECT_EQ(Count("enrollment_keys WHERE expires_at IS NOT NULL AND request_bidx IS NOT NULL"), 2);
}

TEST_P(HostileInputTest, RetryRacingTheFirstAttemptIsOneRecord) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const json request =
      Enrollment(Applicant("Albert", "Costa", "1975-06-25"), DevPhoto("Albert_Costa", 1));
  const std::string key = "race-1";
  Answer a, b;
  std::thread t1([&] { a = Post("/api/v1/enrollments", officer_, request, key); });
  std::thread t2([&] { b = Post("/api/v1/enrollments", officer_, request, key); });
  t1.join();
  t2.join();
  ASSERT_EQ(a.status, 201) << a.raw;
  ASSERT_EQ(b.status, 201) << b.raw;
  EXPECT_EQ(a.body["applicant"]["registration_number"], b.body["applicant"]["registration_number"]);
  EXPECT_EQ(Count("enrollments"), 1);
}

TEST_F(FullDiskTest, Is503SavingNothingRefusesAuditedReadsAndPassesOnceSpaceIsFreed) {
  long long pages = 0;
  {
    auto raw = db_.Connect();
    soci::session& sql = registry::internal::Session(*raw);
    sql << "CREATE TABLE filler (b BLOB)";
    sql << "INSERT INTO filler VALUES (zeroblob(2000000))";
  }
  // Users and a first applicant before the disk fills.
  ASSERT_NO_FATAL_FAILURE(Start());
  auto first =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Ashanti", "Douglas", "1980-10-13"), DevPhoto("Ashanti", 1)));
  ASSERT_EQ(first.status, 201) << first.raw;
  const std::string reg_no = first.body["applicant"]["registration_number"];
  server_.reset();
  {
    auto raw = db_.Connect();
    soci::session& sql = registry::internal::Session(*raw);
    sql << "PRAGMA wal_checkpoint(TRUNCATE)";
    sql << "PRAGMA page_count", soci::into(pages);
  }
  ASSERT_NO_FATAL_FAILURE(Start(db_.url() + "?max_pages=" + std::to_string(pages)));
  const long long applicants = Count("applicants");

  ::testing::internal::CaptureStderr();
  auto full =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Barack", "Obama", "1961-08-04"), DevPhoto("Barack_Obama", 1)));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(full.status, 503) << full.raw;
  EXPECT_EQ(full.body["error"]["code"], "unavailable") << full.raw;
  EXPECT_EQ(Message(full), "the registry's disk is full; nothing was saved");
  ExpectNoInternals(full.raw);
  EXPECT_EQ(Count("applicants"), applicants) << "nothing half-written";
  // Logged, with what the database said (and no personal data).
  EXPECT_NE(log.find("\"message\":\"the registry's disk is full; nothing was saved\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"status\":503"), std::string::npos) << log;
  EXPECT_NE(log.find("database or disk is full"), std::string::npos) << log;
  EXPECT_EQ(log.find("Obama"), std::string::npos) << log;

  // Reads are audited: once the audit event cannot be written, the read is
  // refused with the same 503 rather than served unaudited.
  const long long reads = Count("audit_events WHERE action = 'applicant.read'");
  int served = 0;
  Answer refused;
  for (int i = 0; i < 300; ++i) {
    Answer r = Get("/api/v1/applicants/" + reg_no, officer_);
    if (r.status == 200) {
      ++served;
      continue;
    }
    refused = r;
    break;
  }
  EXPECT_EQ(refused.status, 503) << refused.raw;
  EXPECT_EQ(Message(refused), "the registry's disk is full; nothing was saved");
  ExpectNoInternals(refused.raw);
  EXPECT_EQ(Count("audit_events WHERE action = 'applicant.read'"), reads + served);

  // The operator frees space; the same server, not restarted, enrolls again.
  {
    auto raw = db_.Connect();
    registry::internal::Session(*raw) << "DELETE FROM filler";
  }
  auto again =
      Post("/api/v1/enrollments", officer_,
           Enrollment(Applicant("Barack", "Obama", "1961-08-04"), DevPhoto("Barack_Obama", 1)));
  EXPECT_EQ(again.status, 201) << again.raw;
  EXPECT_EQ(Get("/api/v1/applicants/" + reg_no, officer_).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileInputTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
