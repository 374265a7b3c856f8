// Two puente-server processes (the real binary, each with its own
// connections, face models and gallery) on one database, as replicas behind
// a load balancer run: the same person enrolled at both at once is held
// exactly once, and what one server enrolls or decides is in the other's
// gallery within a second. On the real PostgreSQL, and on one SQLite file.
// Loopback only; every wait is bounded.
#include <gtest/gtest.h>
#include <httplib.h>

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
using Clock = std::chrono::steady_clock;

using puente::testing::ServerProcess;

class ReplicasTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    dir_ = std::filesystem::temp_directory_path() /
           ("puente-replicas-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    std::filesystem::create_directories(dir_);
    key_file_ = (dir_ / "master.key").string();
    ASSERT_TRUE(registry::CreateMasterKeyFile(key_file_).ok());
    master_ = *registry::LoadMasterKey(key_file_);
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, *master_), nullptr);
    // One after the other: the first creates the admin.
    port_a_ = a_.Start(db_.url(), key_file_, (dir_ / "a.log").string(), std::chrono::seconds(60));
    ASSERT_GT(port_a_, 0);
    port_b_ = b_.Start(db_.url(), key_file_, (dir_ / "b.log").string(), std::chrono::seconds(60));
    ASSERT_GT(port_b_, 0);
    httplib::Client admin("127.0.0.1", port_a_);
    const std::string token = Login(port_a_, "admin", "admin-password-1");
    ASSERT_FALSE(token.empty());
    for (const auto& [name, role] :
         {std::pair<std::string, std::string>{"ana", "officer"}, {"sara", "supervisor"}}) {
      auto created = admin.Post(
          "/api/v1/users", {{"Authorization", "Bearer " + token}},
          json{{"name", name}, {"role", role}, {"password", name + "-password-1"}}.dump(),
          "application/json");
      ASSERT_TRUE(created && created->status == 201);
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Login(int port, const std::string& user, const std::string& pw) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/api/v1/sessions", json{{"user", user}, {"password", pw}}.dump(),
                    "application/json");
    return r && r->status == 201 ? json::parse(r->body)["token"].get<std::string>() : "";
  }

  // POST /api/v1/enrollments at `port`; the answer's JSON (null on failure,
  // with a test failure).
  static json Enroll(int port, const std::string& token, const std::string& given,
                     const std::string& surname, const std::string& year,
                     const std::string& photo_path) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60);
    json body{{"applicant",
               {{"given_names", given},
                {"surname1", surname},
                {"sex", "X"},
                {"date_of_birth", year},
                {"dob_precision", "year"},
                {"nationality", "COL"},
                {"office_code", "101"}}},
              {"photo_base64", crypto::Base64Encode(puente::testing::ReadBytes(photo_path))}};
    auto r = c.Post("/api/v1/enrollments", {{"Authorization", "Bearer " + token}}, body.dump(),
                    "application/json");
    if (!r || r->status != 201) {
      ADD_FAILURE() << "enrollment at " << port << ": " << (r ? r->body : "no answer");
      return nullptr;
    }
    return json::parse(r->body);
  }

  static long GallerySize(int port) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/health");
    return r && r->status == 200 ? json::parse(r->body)["gallery_size"].get<long>() : -1;
  }

  // Waits until the gallery of the server at `port` holds `n` faces; how
  // long it took, or nullopt after `limit`.
  static std::optional<Clock::duration> GalleryReaches(int port, long n, Clock::time_point since,
                                                       Clock::duration limit) {
    for (;;) {
      if (GallerySize(port) == n) return Clock::now() - since;
      if (Clock::now() - since > limit) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  puente::testing::TestDatabase db_{GetParam()};
  std::filesystem::path dir_;
  std::string key_file_;
  std::optional<crypto::SecretKey> master_;
  ServerProcess a_, b_;
  int port_a_ = 0, port_b_ = 0;
};

TEST_P(ReplicasTest, TheSamePersonEnrolledAtBothAtOnceIsHeldExactlyOnce) {
  const std::string token_a = Login(port_a_, "ana", "ana-password-1");
  const std::string token_b = Login(port_b_, "ana", "ana-password-1");
  ASSERT_FALSE(token_a.empty() || token_b.empty());
  int round = 0;
  for (const char* person : {"Ashanti", "Albert_Costa", "Thomas_Fargo", "Sophia_Loren"}) {
    std::atomic<int> ready{0};
    json at_a, at_b;
    auto go = [&](int port, const std::string& token, json& out, const std::string& given,
                  const std::string& surname, int year, int photo) {
      ++ready;
      while (ready.load() < 2) {
      }
      out = Enroll(port, token, given, surname, std::to_string(year),
                   puente::testing::DevPhoto(person, photo));
    };
    // Two photos of one person under names and years that share nothing.
    const char* const given[] = {"Xavier", "Bernardo", "Ignacio", "Wilfredo",
                                 "Olga",   "Fernanda", "Yolanda", "Kenia"};
    const char* const surname[] = {"Quintero",   "Ulloa",  "Zambrano",   "Pacheco",
                                   "Betancourt", "Ibarra", "Echeverría", "Solórzano"};
    std::thread ta(go, port_a_, std::cref(token_a), std::ref(at_a), given[2 * round],
                   surname[2 * round], 1941 + 10 * round, 1);
    std::thread tb(go, port_b_, std::cref(token_b), std::ref(at_b), given[2 * round + 1],
                   surname[2 * round + 1], 1946 + 10 * round, 2);
    ta.join();
    tb.join();
    ASSERT_FALSE(at_a.is_null() || at_b.is_null());
    const bool a_held = at_a["status"] == "held";
    const bool b_held = at_b["status"] == "held";
    ASSERT_NE(a_held, b_held) << person << ": exactly one of the two must be held; A "
                              << at_a["status"] << ", B " << at_b["status"];
    const json& held = a_held ? at_a : at_b;
    const json& first = a_held ? at_b : at_a;
    EXPECT_EQ(first["status"], "cleared") << person;
    ASSERT_EQ(held["candidates"].size(), 1u) << person;
    EXPECT_EQ(held["candidates"][0]["registration_number"],
              first["applicant"]["registration_number"]);
    ++round;
  }
  EXPECT_EQ(puente::testing::CountRows(db_, "enrollments WHERE status = 'held'"), 4);
  EXPECT_EQ(puente::testing::CountRows(db_, "enrollments WHERE status = 'cleared'"), 4);
}

TEST_P(ReplicasTest, WhatOneServerEnrollsOrDecidesTheOtherHoldsWithinASecond) {
  const std::string officer_a = Login(port_a_, "ana", "ana-password-1");
  const std::string officer_b = Login(port_b_, "ana", "ana-password-1");
  const std::string supervisor_b = Login(port_b_, "sara", "sara-password-1");
  ASSERT_FALSE(officer_a.empty() || officer_b.empty() || supervisor_b.empty());
  ASSERT_EQ(GallerySize(port_b_), 0);

  // Enrolled at A: in B's gallery within a second, without any request to B
  // but /health.
  const json first = Enroll(port_a_, officer_a, "Ashanti", "Douglas", "1980",
                            puente::testing::DevPhoto("Ashanti", 1));
  const auto enrolled = Clock::now();
  ASSERT_FALSE(first.is_null());
  ASSERT_EQ(first["status"], "cleared");
  auto took = GalleryReaches(port_b_, 1, enrolled, std::chrono::seconds(1));
  EXPECT_TRUE(took.has_value()) << "B's gallery did not hold A's enrollment within a second";

  // Found by B: the same face under another name has A's record as its
  // candidate.
  const json again = Enroll(port_b_, officer_b, "Rosa", "Martínez", "1991",
                            puente::testing::DevPhoto("Ashanti", 3));
  ASSERT_FALSE(again.is_null());
  ASSERT_NE(again["status"], "cleared");  // held or flagged: the face was found
  ASSERT_EQ(again["candidates"].size(), 1u);
  EXPECT_EQ(again["candidates"][0]["registration_number"],
            first["applicant"]["registration_number"]);
  took = GalleryReaches(port_a_, 2, Clock::now(), std::chrono::seconds(1));
  EXPECT_TRUE(took.has_value()) << "A's gallery did not hold B's enrollment within a second";

  // "Same person" decided at B: the duplicate leaves A's gallery too.
  httplib::Client b("127.0.0.1", port_b_);
  auto decided =
      b.Post("/api/v1/candidates/" + again["candidates"][0]["id"].get<std::string>() + "/decision",
             {{"Authorization", "Bearer " + supervisor_b}},
             json{{"decision", "same_person"}, {"note", "the same woman, registered twice"}}.dump(),
             "application/json");
  ASSERT_TRUE(decided);
  ASSERT_EQ(decided->status, 200) << decided->body;
  const auto decided_at = Clock::now();
  EXPECT_EQ(GallerySize(port_b_), 1);
  took = GalleryReaches(port_a_, 1, decided_at, std::chrono::seconds(1));
  EXPECT_TRUE(took.has_value()) << "A's gallery still held the duplicate after a second";
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplicasTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
