// The route table: every route is in the OpenAPI document with the roles it
// enforces (checked on the table, then over HTTP on a real server: each role
// is refused exactly where the document says it may not call); and the
// injected clock: lists and sessions follow the server's clock.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <regex>
#include <set>
#include <thread>

#include "biometrics/biometrics_test_support.h"
#include "loopback.h"
#include "puente/common/strings.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/encoding.h"
#include "puente/server/server.h"
#include "src/route_table.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

using registry::kAllRoles;

// A concrete URL for a route's OpenAPI path: each {parameter} replaced by a
// value of its shape.
std::string SamplePath(const std::string& openapi_path) {
  static const std::map<std::string, std::string> kSamples = {
      {"{registration_number}", "101-2026-000001-5"},
      {"{id}", "00000000-0000-4000-8000-000000000000"},
      {"{case_number}", "CPA-2026-000001"},
      {"{serial}", "12345"},
      {"{bundle_id}", std::string(64, 'a')},
      {"{sha256}", std::string(64, 'b')},
      {"{name}", "no-such-user"},
  };
  std::string out = openapi_path;
  for (const auto& [param, value] : kSamples) {
    for (size_t at = out.find(param); at != std::string::npos; at = out.find(param)) {
      out.replace(at, param.size(), value);
    }
  }
  return out;
}

TEST(RouteTableTest, EveryRouteIsDocumentedWithTheRolesItEnforces) {
  const std::vector<Route>& routes = ApiRoutes();
  const json doc = OpenApiDocument(routes);
  size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, routes.size()) << "two routes share a method and path";
  std::set<std::string> seen;
  for (const Route& r : routes) {
    const std::string name = puente::StrCat(MethodName(r.method), " ", r.path);
    SCOPED_TRACE(name);
    EXPECT_TRUE(seen.insert(name).second);
    ASSERT_TRUE(doc["paths"].contains(r.path));
    ASSERT_TRUE(doc["paths"][r.path].contains(MethodName(r.method)));
    const json& op = doc["paths"][r.path][MethodName(r.method)];
    EXPECT_EQ(op["summary"], r.summary);
    EXPECT_FALSE(r.summary.empty());
    // The URL the document names is one the route's pattern answers.
    EXPECT_TRUE(std::regex_match(SamplePath(r.path), std::regex(r.pattern))) << r.pattern;
    switch (r.audience) {
      case Audience::kPublic:
        EXPECT_FALSE(op.contains("x-roles"));
        EXPECT_FALSE(op.contains("security"));
        EXPECT_TRUE(r.roles.empty());
        EXPECT_NE(r.open_handler, nullptr);
        break;
      case Audience::kAnyUser:
        EXPECT_EQ(op["x-roles"], "any");
        EXPECT_TRUE(op.contains("security"));
        EXPECT_NE(r.open_handler, nullptr);
        break;
      case Audience::kRoles: {
        ASSERT_FALSE(r.roles.empty());
        EXPECT_NE(r.role_handler, nullptr);
        EXPECT_TRUE(op.contains("security"));
        std::string roles;
        for (Role role : r.roles) {
          roles += (roles.empty() ? "" : ", ") + std::string(registry::ToString(role));
        }
        EXPECT_EQ(op["x-roles"], roles);
        break;
      }
    }
  }
}

// The issuer key's certified signing window.
constexpr int64_t kCertifiedFrom = 1790000000;  // 2026-09-21
constexpr int64_t kCertifiedUntil = kCertifiedFrom + 730 * int64_t{86400};

// A real server on SQLite with one user of each role.
class RunningServer {
 public:
  explicit RunningServer(const Clock* clock = nullptr) {
    if (!db_.ready()) return;
    const crypto::SecretKey master = puente::testing::NewMasterKey();
    if (puente::testing::OpenMigratedRegistry(db_, master) == nullptr) return;
    ServerConfig config(master);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    config.issuer = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    config.trusted_issuers = {
        puente::testing::CertifiedIssuer(*config.issuer, kCertifiedFrom, kCertifiedUntil)};
    config.root = root_;
    if (clock != nullptr) config.clock = clock;
    auto s = Server::Create(std::move(config));
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return;
    server_ = std::move(*s);
    EXPECT_TRUE(server_->EnsureAdmin("admin", "password-of-admin").ok());
    auto port = server_->Bind("127.0.0.1", 0);
    EXPECT_TRUE(port.ok());
    if (!port.ok()) return;
    port_ = *port;
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(60);
    const std::string admin = Login("admin");
    for (Role role : kAllRoles) {
      if (role == Role::kAdmin) continue;
      const std::string name(registry::ToString(role));
      auto r = client_->Post(
          "/api/v1/users", {{"Authorization", "Bearer " + admin}},
          json{{"name", name}, {"role", name}, {"password", "password-of-" + name}}.dump(),
          "application/json");
      EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    }
  }
  ~RunningServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  bool ready() const { return client_ != nullptr; }

  // A JSON POST from the loopback address `from` (127.0.0.x) over a socket of
  // its own: the server counts a client by the connection's real address
  // (its front sets X-Puente-Client; a client's own is dropped). `header` is
  // one extra header line. -1 if there was no answer.
  std::pair<int, std::string> PostFrom(const std::string& from, const std::string& path,
                                       const std::string& body, const std::string& header = "") {
    return puente::testing::PostJsonFrom(from, port_, path, body, header);
  }

  // A fresh token of the user named after its role ("admin" for admin).
  std::string Login(const std::string& name) { return Login(name, "password-of-" + name); }
  std::string Login(const std::string& name, const std::string& password) {
    auto r = client_->Post("/api/v1/sessions", json{{"user", name}, {"password", password}}.dump(),
                           "application/json");
    if (!r || r->status != 201) return "";
    return json::parse(r->body)["token"];
  }
  std::string Login(Role role) { return Login(std::string(registry::ToString(role))); }

  // method on path with an empty JSON object as body (or `body`), with the
  // bearer `token` if not empty. -1 if there was no answer.
  std::pair<int, std::string> Call(Method method, const std::string& path, const std::string& token,
                                   const std::string& body = "{}", httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto send = [&]() -> httplib::Result {
      switch (method) {
        case Method::kGet:
          return client_->Get(path.c_str(), headers);
        case Method::kPost:
          return client_->Post(path.c_str(), headers, body, "application/json");
        case Method::kPut:
          return client_->Put(path.c_str(), headers, body, "application/json");
        case Method::kDelete:
          return client_->Delete(path.c_str(), headers);
      }
      return client_->Get(path.c_str(), headers);
    };
    httplib::Result r = send();
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }

  const credentials::SigningIdentity& root() const { return root_; }

 private:
  puente::testing::TestDatabase db_{registry::Dialect::kSqlite};
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

TEST(ServerRoutesTest, EachRouteRefusesExactlyTheRolesItDoesNotDocument) {
  RunningServer server;
  ASSERT_TRUE(server.ready());
  // What the server serves is the table's document.
  auto served = server.Call(Method::kGet, "/openapi.json", "");
  ASSERT_EQ(served.first, 200);
  EXPECT_EQ(json::parse(served.second), OpenApiDocument(ApiRoutes()));

  for (const Route& r : ApiRoutes()) {
    const std::string path = SamplePath(r.path);
    SCOPED_TRACE(puente::StrCat(MethodName(r.method), " ", path));
    if (r.audience == Audience::kPublic) {
      // No token needed (a login with good credentials, so that it answers 201).
      const std::string body =
          r.path == "/api/v1/sessions"
              ? json{{"user", "admin"}, {"password", "password-of-admin"}}.dump()
              : "{}";
      const int status = server.Call(r.method, path, "", body).first;
      EXPECT_NE(status, -1);
      EXPECT_NE(status, 401);
      EXPECT_NE(status, 403);
      continue;
    }
    EXPECT_EQ(server.Call(r.method, path, "").first, 401);
    // (Logging out an unknown token is not an error: DELETE /api/v1/sessions
    // answers 204 for any bearer token.)
    if (r.audience == Audience::kRoles) {
      EXPECT_EQ(server.Call(r.method, path, "not-a-token").first, 401);
    }
    for (Role role : kAllRoles) {
      SCOPED_TRACE(registry::ToString(role));
      const bool allowed = r.audience == Audience::kAnyUser ||
                           std::find(r.roles.begin(), r.roles.end(), role) != r.roles.end();
      const std::string token = server.Login(role);  // fresh: a route may end the session
      ASSERT_FALSE(token.empty());
      const int status = server.Call(r.method, path, token).first;
      EXPECT_NE(status, -1);
      if (allowed) {
        EXPECT_NE(status, 401);
        EXPECT_NE(status, 403);
      } else {
        EXPECT_EQ(status, 403);
      }
    }
  }
}

// A photo the registry refuses counts as a refused enrollment (the typed
// field detail "photo", not the message text); other bad requests do not.
TEST(ServerMetricsTest, CountsEnrollmentsRefusedForTheirPhoto) {
  RunningServer server;
  ASSERT_TRUE(server.ready());
  const std::string officer = server.Login(Role::kOfficer);
  auto refused = [&] {
    const std::string m = server.Call(Method::kGet, "/metrics", "").second;
    const std::string line = "puente_enrollments_total{outcome=\"refused\"} ";
    const size_t at = m.find(line);
    return at == std::string::npos ? std::string("?") : m.substr(at + line.size(), 1);
  };
  auto enroll = [&](const std::string& dob) {
    const json applicant{{"given_names", "Ana"}, {"surname1", "Ruiz"},   {"sex", "F"},
                         {"date_of_birth", dob}, {"nationality", "VEN"}, {"office_code", "101"},
                         {"languages", {"spa"}}};
    return server.Call(Method::kPost, "/api/v1/enrollments", officer,
                       json{{"applicant", applicant}, {"photo_base64", "AAAA"}}.dump());
  };
  EXPECT_EQ(refused(), "0");
  auto not_an_image = enroll("1990-01-01");
  EXPECT_EQ(not_an_image.first, 400);
  EXPECT_EQ(
      json::parse(not_an_image.second)["error"]["message"].get<std::string>().rfind("photo: ", 0),
      0u)
      << not_an_image.second;
  EXPECT_EQ(refused(), "1");
  EXPECT_EQ(enroll("2031-02-30").first, 400);  // the date is refused before the photo is read
  EXPECT_EQ(refused(), "1");

  // A progressive JPEG "scan bomb" (one scan repeated 1,000 times; issue 15)
  // is refused like every other image refusal: 400 on the photo field.
  const cv::Mat picture(120, 160, CV_8UC3, cv::Scalar(90, 120, 150));  // flat: tiny scans
  std::vector<uchar> encoded;
  ASSERT_TRUE(cv::imencode(".jpg", picture, encoded, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  const std::string progressive(encoded.begin(), encoded.end());
  const size_t last_scan = progressive.rfind("\xFF\xDA"), eoi = progressive.rfind("\xFF\xD9");
  std::string bomb = progressive.substr(0, eoi);
  for (int k = 0; k < 1000; ++k) bomb += progressive.substr(last_scan, eoi - last_scan);
  bomb += "\xFF\xD9";
  const json applicant{{"given_names", "Ana"}, {"surname1", "Ruiz"},
                       {"sex", "F"},           {"date_of_birth", "1990-01-01"},
                       {"nationality", "VEN"}, {"office_code", "101"},
                       {"languages", {"spa"}}};
  auto bombed = server.Call(
      Method::kPost, "/api/v1/enrollments", officer,
      json{{"applicant", applicant}, {"photo_base64", crypto::Base64Encode(bomb)}}.dump());
  EXPECT_EQ(bombed.first, 400) << bombed.second;
  EXPECT_EQ(json::parse(bombed.second)["error"]["message"].get<std::string>().rfind(
                "photo: image.too_complex: ", 0),
            0u)
      << bombed.second;
  EXPECT_EQ(refused(), "2");
}

// Issue 15 item 4: a body field of the wrong JSON type ({"user": 5},
// {"decision": 1}, {"reason": []}, {"role": 7}) is a 400 that names the
// field, on every route that reads one; and no route of the table answers
// 500 to any field of any wrong type (before: a 500 from the JSON library's
// type_error).
TEST(ServerJsonTypesTest, AFieldOfTheWrongTypeIsA400NamingTheField) {
  RunningServer server;
  ASSERT_TRUE(server.ready());
  const json kWrong[] = {5, 1.5, true, json::array(), json::array({"x"}), json::object()};
  // Each route that reads a string field, with a body that is valid but for
  // the field under test.
  const json login{{"user", "admin"}, {"password", "password-of-admin"}};
  struct Reads {
    Method method;
    std::string path, field;
    json base;
  };
  const std::vector<Reads> table = {
      {Method::kPost, "/api/v1/sessions", "user", login},
      {Method::kPost, "/api/v1/sessions", "password", login},
      {Method::kPost, "/api/v1/users", "name", {{"role", "officer"}, {"password", "x"}}},
      {Method::kPost, "/api/v1/users", "role", {{"name", "x"}, {"password", "x"}}},
      {Method::kPost, "/api/v1/users", "password", {{"name", "x"}, {"role", "officer"}}},
      {Method::kPost, "/api/v1/candidates/{id}/decision", "decision", {{"note", "x"}}},
      {Method::kPost, "/api/v1/candidates/{id}/decision", "note", {{"decision", "different"}}},
      {Method::kPost, "/api/v1/cases/{case_number}/status", "to", {{"reason", "x"}}},
      {Method::kPost, "/api/v1/cases/{case_number}/status", "reason", {{"to", "closed"}}},
      {Method::kPost, "/api/v1/applicants/{registration_number}/cards", "type", json::object()},
      {Method::kPost, "/api/v1/cards/{serial}/replace", "reason", json::object()},
      {Method::kPost, "/api/v1/cards/{serial}/revoke", "reason", json::object()},
      {Method::kPost, "/api/v1/cards/{serial}/renew", "photo_base64", json::object()},
      {Method::kPost, "/api/v1/applicants/{registration_number}/verify-face", "photo_base64",
       json::object()},
      {Method::kPost, "/api/v1/enrollments", "applicant", {{"photo_base64", "AAAA"}}},
      {Method::kPut, "/api/v1/account/password", "current_password", {{"new_password", "x"}}},
      {Method::kPut, "/api/v1/account/password", "new_password", {{"current_password", "x"}}},
      {Method::kPost, "/api/v1/users/{name}/password", "new_password", json::object()},
      {Method::kPost, "/api/v1/users/{name}/role", "role", json::object()},
      {Method::kPost, "/api/v1/login-locks/address", "address", json::object()},
  };
  auto route_of = [](Method m, const std::string& path) -> const Route* {
    for (const Route& r : ApiRoutes()) {
      if (r.method == m && r.path == path) return &r;
    }
    return nullptr;
  };
  auto token_for = [&](const Route& r) -> std::string {
    if (r.audience == Audience::kPublic) return "";
    if (r.audience == Audience::kAnyUser) return server.Login(Role::kOfficer);
    return server.Login(r.roles.front());
  };
  for (const Reads& c : table) {
    const Route* r = route_of(c.method, c.path);
    ASSERT_NE(r, nullptr) << c.path;
    const std::string token = token_for(*r);
    for (const json& wrong : kWrong) {
      if (c.field == "applicant" && wrong.is_object()) continue;  // its right type
      json body = c.base;
      body[c.field] = wrong;
      SCOPED_TRACE(puente::StrCat(c.path, " ", body.dump()));
      auto [status, answer] = server.Call(c.method, SamplePath(c.path), token, body.dump());
      EXPECT_EQ(status, 400) << answer;
      const json error = json::parse(answer, nullptr, false);
      ASSERT_TRUE(error.is_object()) << answer;
      EXPECT_EQ(error["error"]["message"].get<std::string>().rfind(c.field + ": ", 0), 0u)
          << answer;
    }
  }
  // The sweep: every route that takes a body, every field any route reads,
  // every wrong type: never a 500.
  const std::vector<std::string> fields = {
      "user",         "password", "name",      "role",         "decision",  "note",
      "to",           "reason",   "type",      "photo_base64", "applicant", "current_password",
      "new_password", "address",  "format",    "kit_id",       "request",   "signature",
      "bundle_id",    "chunks",   "total_size"};
  for (const Route& r : ApiRoutes()) {
    if (r.method != Method::kPost && r.method != Method::kPut) continue;
    const std::string path = SamplePath(r.path);
    const std::string token = token_for(r);
    for (const std::string& field : fields) {
      for (const json& wrong : kWrong) {
        json body = r.path == "/api/v1/sessions" ? login : json::object();
        body[field] = wrong;
        SCOPED_TRACE(puente::StrCat(MethodName(r.method), " ", path, " ", body.dump()));
        auto [status, answer] = server.Call(r.method, path, token, body.dump());
        EXPECT_NE(status, -1);
        EXPECT_NE(status, 500) << answer;  // (503: a key this test server lacks)
      }
    }
  }
}

// Issue 15 items 2 and 9 over real sockets: logins back off and lock per
// account and per client address (each login from a loopback address of
// its own, as the server's front sees it; a client's own X-Puente-Client is
// not believed), an admin unlocks both, failures are audited without the
// password; and the accounts API.
TEST(ServerAccountsTest, LoginsAreThrottledPerAccountAndAddressAndAnAdminUnlocks) {
  FixedClock clock(puente::testing::TestClock().Now());
  RunningServer server(&clock);
  ASSERT_TRUE(server.ready());
  const std::string admin = server.Login("admin");
  auto login = [&](const std::string& user, const std::string& password,
                   const std::string& address) {
    return server.PostFrom(address, "/api/v1/sessions",
                           json{{"user", user}, {"password", password}}.dump());
  };
  for (int n = 1; n <= 10; ++n) {
    ASSERT_EQ(login("officer", "Wrong-Guess-" + std::to_string(n), "127.0.0.5").first, 401) << n;
    if (n >= 5 && n < 10) clock.Advance(absl::Seconds(1 << (n - 5)));
  }
  auto locked = login("officer", "password-of-officer", "127.0.0.6");
  EXPECT_EQ(locked.first, 429);
  EXPECT_EQ(json::parse(locked.second)["error"]["message"],
            "too many failed logins: try again in 900 s");
  EXPECT_EQ(server.Call(Method::kPost, "/api/v1/users/officer/unlock", admin).first, 200);
  EXPECT_EQ(login("officer", "password-of-officer", "127.0.0.6").first, 201);

  // One address, many names.
  for (int n = 1; n <= 40; ++n) {
    ASSERT_EQ(login("guess" + std::to_string(n), "Wrong-Guess", "127.0.0.9").first, 401) << n;
    if (n >= 20 && n < 40) clock.Advance(std::min(absl::Seconds(1 << (n - 20)), absl::Minutes(15)));
  }
  EXPECT_EQ(login("supervisor", "password-of-supervisor", "127.0.0.9").first, 429);
  // Naming another address in the front's header changes nothing.
  EXPECT_EQ(
      server
          .PostFrom("127.0.0.9", "/api/v1/sessions",
                    json{{"user", "supervisor"}, {"password", "password-of-supervisor"}}.dump(),
                    "X-Puente-Client: 127.0.0.77")
          .first,
      429);
  EXPECT_EQ(login("supervisor", "password-of-supervisor", "127.0.0.10").first, 201);
  EXPECT_EQ(server
                .Call(Method::kPost, "/api/v1/login-locks/address", admin,
                      json{{"address", "127.0.0.9"}}.dump())
                .first,
            200);
  EXPECT_EQ(login("supervisor", "password-of-supervisor", "127.0.0.9").first, 201);

  // Audited, without the passwords, the unknown names or the addresses.
  auto events =
      server.Call(Method::kGet, "/api/v1/audit/events?limit=1000", server.Login("auditor"));
  ASSERT_EQ(events.first, 200);
  EXPECT_EQ(events.second.find("Wrong-Guess"), std::string::npos);
  EXPECT_EQ(events.second.find("guess1"), std::string::npos);
  EXPECT_EQ(events.second.find("127.0.0.9"), std::string::npos);
  int failed = 0;
  const json listed = json::parse(events.second);
  for (const json& e : listed["events"]) {
    if (e["action"] == "session.login_failed") ++failed;
  }
  EXPECT_EQ(failed, 50);
}

TEST(ServerAccountsTest, AdminsDisableResetAndRevokeAndUsersChangeTheirPassword) {
  RunningServer server;
  ASSERT_TRUE(server.ready());
  const std::string admin = server.Login("admin");
  const std::string officer = server.Login(Role::kOfficer);
  const std::string held = "/api/v1/applicants/101-2026-000001-5";
  ASSERT_NE(server.Call(Method::kGet, held, officer).first, 401);

  // Disable: the session ends, logins fail alike; enable: logins work again.
  auto disabled = server.Call(Method::kPost, "/api/v1/users/officer/disable", admin);
  EXPECT_EQ(disabled.first, 200) << disabled.second;
  EXPECT_EQ(server.Call(Method::kGet, held, officer).first, 401);
  EXPECT_TRUE(server.Login(Role::kOfficer).empty());
  EXPECT_EQ(server.Call(Method::kPost, "/api/v1/users/admin/disable", admin).first, 409);
  EXPECT_EQ(server.Call(Method::kPost, "/api/v1/users/officer/enable", admin).first, 200);
  EXPECT_FALSE(server.Login(Role::kOfficer).empty());

  // Reset: a weak password is refused naming the field; a good one ends the
  // user's sessions.
  const std::string before = server.Login(Role::kSupervisor);
  auto weak = server.Call(Method::kPost, "/api/v1/users/supervisor/password", admin,
                          json{{"new_password", "supervisor2024"}}.dump());
  EXPECT_EQ(weak.first, 400);
  EXPECT_EQ(json::parse(weak.second)["error"]["message"],
            "new_password: must not be the user's name");
  EXPECT_EQ(server
                .Call(Method::kPost, "/api/v1/users/supervisor/password", admin,
                      json{{"new_password", "Password123!"}}.dump())
                .first,
            400);
  EXPECT_EQ(server
                .Call(Method::kPost, "/api/v1/users/supervisor/password", admin,
                      json{{"new_password", "password-of-supervisor-2"}}.dump())
                .first,
            204);
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/enrollments?status=held", before).first, 401);
  EXPECT_TRUE(server.Login(Role::kSupervisor).empty());
  EXPECT_FALSE(server.Login("supervisor", "password-of-supervisor-2").empty());

  // Revoke every session of a user.
  const std::string a1 = server.Login(Role::kAuditor), a2 = server.Login(Role::kAuditor);
  auto revoked = server.Call(Method::kDelete, "/api/v1/users/auditor/sessions", admin);
  ASSERT_EQ(revoked.first, 200);
  EXPECT_GE(json::parse(revoked.second)["sessions_ended"].get<int>(), 2);
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", a1).first, 401);
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", a2).first, 401);

  // Change your own password: this session stays, the others end.
  const std::string here = server.Login(Role::kAuditor), there = server.Login(Role::kAuditor);
  EXPECT_EQ(server
                .Call(Method::kPut, "/api/v1/account/password", here,
                      json{{"current_password", "nope-nope-nope"},
                           {"new_password", "a-new-auditor-secret"}}
                          .dump())
                .first,
            401);
  EXPECT_EQ(server
                .Call(Method::kPut, "/api/v1/account/password", here,
                      json{{"current_password", "password-of-auditor"},
                           {"new_password", "a-new-auditor-secret"}}
                          .dump())
                .first,
            204);
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", here).first, 200);
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", there).first, 401);
  EXPECT_FALSE(server.Login("auditor", "a-new-auditor-secret").empty());
}

TEST(ServerClockTest, ListsAndSessionsFollowTheInjectedClock) {
  FixedClock clock(absl::FromUnixSeconds(1795000000));  // 2026-11-18
  RunningServer server(&clock);
  ASSERT_TRUE(server.ready());
  const std::string token = server.Login(Role::kAuditor);
  ASSERT_FALSE(token.empty());

  auto trust = server.Call(Method::kGet, "/api/v1/lists/trust", "");
  ASSERT_EQ(trust.first, 200) << trust.second;
  auto tl = credentials::VerifyTrustList(trust.second, server.root().key().verifying_key());
  ASSERT_TRUE(tl.ok()) << tl.status();
  EXPECT_EQ(tl->issued_at, 1795000000);
  EXPECT_EQ(tl->next_update, 1795000000 + 24 * 3600);
  EXPECT_EQ(tl->sequence, 1795000000u);
  ASSERT_EQ(tl->issuers.size(), 1u);
  // The key's window is the certified one, not one derived from the day the
  // list is signed ...
  EXPECT_EQ(tl->issuers[0].not_before, kCertifiedFrom);
  EXPECT_EQ(tl->issuers[0].not_after, kCertifiedUntil);
  // ... and stays so on a list re-signed days later.
  clock.Advance(absl::Hours(24 * 3));
  auto later =
      credentials::VerifyTrustList(server.Call(Method::kGet, "/api/v1/lists/trust", "").second,
                                   server.root().key().verifying_key());
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->issued_at, 1795000000 + 3 * 86400);
  EXPECT_EQ(later->issuers[0].not_before, kCertifiedFrom);
  EXPECT_EQ(later->issuers[0].not_after, kCertifiedUntil);
  clock.Advance(-absl::Hours(24 * 3));

  clock.Advance(absl::Hours(1));
  auto revocation = server.Call(Method::kGet, "/api/v1/lists/revocation", "");
  ASSERT_EQ(revocation.first, 200);
  auto rl =
      credentials::VerifyRevocationList(revocation.second, server.root().key().verifying_key());
  ASSERT_TRUE(rl.ok()) << rl.status();
  EXPECT_EQ(rl->issued_at, 1795000000 + 3600);
  EXPECT_EQ(rl->next_update, 1795000000 + 3600 + 24 * 3600);

  // The registries the server opened read the same clock: a session ends
  // when the clock passes its 12 hours.
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", token).first, 200);
  clock.Advance(absl::Hours(12));
  EXPECT_EQ(server.Call(Method::kGet, "/api/v1/audit/verify", token).first, 401);
}

}  // namespace
}  // namespace puente::server
