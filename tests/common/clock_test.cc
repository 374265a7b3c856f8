#include "puente/common/clock.h"

#include <gtest/gtest.h>

namespace puente {
namespace {

TEST(TimestampTest, FormatsUtcWithMicrosecondsAndParsesBack) {
  const absl::Time t = absl::FromUnixMicros(1795000000123456);
  const std::string s = FormatTimestamp(t);
  EXPECT_EQ(s, "2026-11-18T11:06:40.123456Z");
  auto back = ParseTimestamp(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
}

TEST(TimestampTest, RejectsGarbage) {
  EXPECT_FALSE(ParseTimestamp("yesterday").ok());
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z").ok());
}

TEST(FixedClockTest, AdvancesOnlyWhenTold) {
  FixedClock c(absl::UnixEpoch());
  EXPECT_EQ(c.Now(), absl::UnixEpoch());
  c.Advance(absl::Hours(1));
  EXPECT_EQ(c.Now(), absl::UnixEpoch() + absl::Hours(1));
}

}  // namespace
}  // namespace puente
