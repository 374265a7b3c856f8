#include <gtest/gtest.h>

#include "puente/registry/database.h"

namespace puente::registry {
namespace {

TEST(DatabaseUrlTest, SqlitePath) {
  auto u = DatabaseUrl::Parse("sqlite:/var/lib/puente/registry.db");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->dialect, Dialect::kSqlite);
  EXPECT_EQ(u->connect_string, "/var/lib/puente/registry.db");
}

TEST(DatabaseUrlTest, PostgresUrlBecomesKeywordStringAndHidesPassword) {
  auto u = DatabaseUrl::Parse(
      "postgresql://puente:s%40cret'x@db.example:5433/registry?sslmode=require&options=-csearch_"
      "path%3Dkit1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->dialect, Dialect::kPostgresql);
  EXPECT_EQ(u->connect_string,
            "user='puente' password='s@cret\\'x' host='db.example' port='5433' "
            "dbname='registry' sslmode='require' options='-csearch_path=kit1'");
  EXPECT_EQ(u->redacted.find("cret"), std::string::npos);
  EXPECT_NE(u->redacted.find("puente:***@db.example:5433/registry"), std::string::npos);
}

TEST(DatabaseUrlTest, RejectsOtherSchemesAndBadParts) {
  for (const char* bad : {"mysql://x", "sqlite:", "puente.db", "postgresql://h:port/db",
                          "postgresql://h/db?novalue", "postgresql://h/db?x=%zz"}) {
    auto u = DatabaseUrl::Parse(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(DatabaseOpenTest, UnreachableServerIsUnavailableWithoutPassword) {
  auto db = Database::Open("postgresql://u:topsecret@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(db.status().message()).find("topsecret"), std::string::npos);
}

}  // namespace
}  // namespace puente::registry
