// GET /api/v1/stats/release on a real server (SQLite and PostgreSQL): who may
// call it (analyst, supervisor; nobody else), what an analyst may not see (a
// person), JSON and CSV, the threshold floor, and the audit event.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "biometrics/biometrics_test_support.h"
#include "puente/common/strings.h"
#include "puente/registry/users.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

using registry::kAllRoles;
constexpr char kRelease[] = "/api/v1/stats/release?from=2026-11-01&to=2026-11-30";

class StatsRoutesTest : public ::testing::TestWithParam<registry::Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    auto reg = puente::testing::OpenMigratedRegistry(db_, master_);
    ASSERT_NE(reg, nullptr);
    registry::UserDirectory users(*reg);
    for (Role role : kAllRoles) {
      const std::string name(registry::ToString(role));
      ASSERT_TRUE(users.AddUser("setup", name, role, "password-of-" + name).ok()) << name;
    }
    registry::NewApplicant a = puente::testing::SampleApplicant();
    a.documents.clear();
    applicant_ = *reg->AddApplicant("officer", a);  // 2026-11-22, the test clock
    ServerConfig config(master_);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    config.clock = &puente::testing::TestClock();
    server_ = std::make_unique<puente::testing::ScopedServer>(std::move(config));
    ASSERT_TRUE(server_->status().ok()) << server_->status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
  }

  std::string Login(Role role) {
    const std::string name(registry::ToString(role));
    auto r = client_->Post("/api/v1/sessions",
                           json{{"user", name}, {"password", "password-of-" + name}}.dump(),
                           "application/json");
    EXPECT_TRUE(r && r->status == 201) << name;
    return r && r->status == 201 ? json::parse(r->body)["token"].get<std::string>() : "";
  }

  httplib::Result Get(const std::string& path, const std::string& token) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return client_->Get(path.c_str(), h);
  }

  puente::testing::TestDatabase db_{GetParam()};
  crypto::SecretKey master_ = puente::testing::NewMasterKey();
  registry::Applicant applicant_;
  std::unique_ptr<puente::testing::ScopedServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_P(StatsRoutesTest, AnalystsAndSupervisorsGetReleasesAndNobodyElse) {
  for (Role role : kAllRoles) {
    SCOPED_TRACE(registry::ToString(role));
    auto r = Get(kRelease, Login(role));
    ASSERT_TRUE(r);
    const bool allowed = role == Role::kAnalyst || role == Role::kSupervisor;
    EXPECT_EQ(r->status, allowed ? 200 : 403) << r->body;
    if (!allowed) continue;
    const json j = json::parse(r->body);
    EXPECT_EQ(j["release"]["threshold"], 5);
    EXPECT_FALSE(j["tables"].empty());
    // One person registered today: every cell of theirs is hidden.
    for (const json& t : j["tables"]) {
      if (t["name"] != "registration.nationality_by_sex") continue;
      EXPECT_EQ(t["rows"]["labels"], json({"VEN"}));
      EXPECT_TRUE(t["cells"][0][0]["value"].is_null());
      EXPECT_EQ(t["cells"][0][0]["mark"], "primary");
      EXPECT_TRUE(t["total"]["value"].is_null());
    }
  }
  auto anonymous = Get(kRelease, "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_P(StatsRoutesTest, AnAnalystSeesNoPerson) {
  const std::string analyst = Login(Role::kAnalyst);
  for (const std::string& path :
       {puente::StrCat("/api/v1/applicants/", applicant_.registration_number),
        puente::StrCat("/api/v1/applicants/", applicant_.registration_number, "/photo"),
        puente::StrCat("/api/v1/cases/", applicant_.case_number),
        std::string("/api/v1/enrollments"), std::string("/api/v1/audit/events"),
        std::string("/api/v1/users")}) {
    auto r = Get(path, analyst);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(r->body.find(applicant_.registration_number), std::string::npos) << path;
    EXPECT_EQ(r->body.find("Pérez"), std::string::npos) << path;
  }
}

TEST_P(StatsRoutesTest, CsvThresholdFloorBadArgumentsAndTheAuditEvent) {
  const std::string analyst = Login(Role::kAnalyst);
  auto csv = Get(puente::StrCat(kRelease, "&format=csv&tables=registration"), analyst);
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv->body.rfind("table,row,column,value,mark\n", 0), 0u);
  EXPECT_NE(csv->body.find("registration.nationality_by_sex,VEN,F,,primary\n"), std::string::npos)
      << csv->body;
  EXPECT_EQ(csv->body.find("cases."), std::string::npos);

  for (const std::string& bad :
       {std::string("/api/v1/stats/release"), puente::StrCat(kRelease, "&threshold=2"),
        puente::StrCat(kRelease, "&offices=1a1"), puente::StrCat(kRelease, "&format=xml"),
        puente::StrCat(kRelease, "&method=noise")}) {
    auto r = Get(bad, analyst);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << " " << r->body;
  }
  auto higher = Get(puente::StrCat(kRelease, "&threshold=10&method=round5"), analyst);
  ASSERT_TRUE(higher);
  EXPECT_EQ(higher->status, 200);
  EXPECT_EQ(json::parse(higher->body)["release"]["method"], "round5");

  auto events = Get("/api/v1/audit/events?action=stats.release&limit=100", Login(Role::kAuditor));
  ASSERT_TRUE(events);
  ASSERT_EQ(events->status, 200) << events->body;
  const json e = json::parse(events->body)["events"];
  ASSERT_EQ(e.size(), 2u) << e;  // the CSV and the round5 release; refusals leave none
  EXPECT_EQ(e[0]["actor"], "analyst");
  EXPECT_EQ(e[0]["details"]["threshold"], 5);
  EXPECT_EQ(e[1]["details"]["method"], "round5");
}

TEST_P(StatsRoutesTest, OnlySupervisorsGetTheWorkList) {
  for (Role role : kAllRoles) {
    SCOPED_TRACE(registry::ToString(role));
    auto r = Get("/api/v1/stats/overdue?registered=1", Login(role));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, role == Role::kSupervisor ? 200 : 403) << r->body;
    if (role != Role::kSupervisor) continue;
    const json j = json::parse(r->body);
    EXPECT_EQ(j["targets"]["registered"], 1);
    EXPECT_TRUE(j["cases"].empty()) << "registered today: not yet past 1 day";
  }
  auto bad = Get("/api/v1/stats/overdue?admitted=soon", Login(Role::kSupervisor));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

INSTANTIATE_TEST_SUITE_P(Dialects, StatsRoutesTest,
                         ::testing::Values(registry::Dialect::kSqlite,
                                           registry::Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
