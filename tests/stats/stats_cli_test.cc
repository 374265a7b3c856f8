// `puente stats` as a user runs it: text, --csv and --json, the audit event
// under --actor, and a bad date refused naming it.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/run_process.h"
#include "puente/registry/database.h"
#include "test_support.h"

namespace puente::testing {
namespace {

using nlohmann::json;

class StatsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / "puente-stats-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    ASSERT_EQ(Puente("init").code, 0);
    for (const char* name : {"Ana", "Bea", "Cora", "Dora", "Eva", "Fe"}) {
      ASSERT_EQ(Puente(std::string("--actor ana applicant add --given-names ") + name +
                       " --surname1 Perez --sex F --dob 1990-01-05 --nationality VEN --office 101")
                    .code,
                0);
    }
    ASSERT_EQ(Puente("--actor ben applicant add --given-names Luis --surname1 Diaz --sex M "
                     "--dob 2020 --dob-precision year --nationality XXA --office 102")
                  .code,
              0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result Puente(const std::string& args) { return RunProgramIn(dir_, PUENTE_BIN, args); }

  std::string dir_;
};

TEST_F(StatsCliTest, PrintsTheReleaseAsTextCsvAndJson) {
  const std::string period = "--from 2020-01-01 --to 2030-12-31";
  const Result text = Puente("--actor ines stats " + period + " --tables registration");
  ASSERT_EQ(text.code, 0) << text.err;
  // VEN F is 6, but its column holds the hidden M of XXA: hidden too (x);
  // the grand total (7) is published.
  EXPECT_NE(text.out.find("registration.nationality_by_sex"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  VEN                               x          0          0          x"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("note: Unaccompanied"), std::string::npos);

  const Result csv =
      Puente("--actor ines stats " + period + " --tables registration --offices 101 --csv");
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("table,row,column,value,mark\n", 0), 0u);
  EXPECT_NE(csv.out.find("registration.nationality_by_sex,VEN,F,6,published\n"), std::string::npos)
      << csv.out;
  EXPECT_EQ(csv.out.find("XXA"), std::string::npos) << "office 101 has no one stateless";

  const Result js = Puente("--json --actor ines stats " + period + " --tables births");
  ASSERT_EQ(js.code, 0) << js.err;
  const json j = json::parse(js.out);
  EXPECT_EQ(j["release"]["threshold"], 5);
  ASSERT_FALSE(j["tables"].empty());
  for (const json& t : j["tables"]) EXPECT_EQ(t["name"].get<std::string>().rfind("births.", 0), 0u);

  auto db = registry::Database::Open("sqlite:" + dir_ + "/puente.db");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(CountRows(**db, "audit_events WHERE action = 'stats.release' AND actor = 'ines'"), 3);
}

TEST_F(StatsCliTest, RefusesABadDateNamingIt) {
  const Result r = Puente("--actor ines stats --from 2026-02-30 --to 2026-03-01");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("from: 2026-02-30 is not a date"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace puente::testing
