#include "puente/registry/card_serial.h"

#include <gtest/gtest.h>

namespace puente::registry {
namespace {

TEST(CardSerialTest, KitOfficeCodesAre901To999) {
  EXPECT_FALSE(IsKitOfficeCode("900"));
  EXPECT_TRUE(IsKitOfficeCode("901"));
  EXPECT_TRUE(IsKitOfficeCode("999"));
  EXPECT_FALSE(IsKitOfficeCode("101"));
  EXPECT_FALSE(IsKitOfficeCode("9x1"));
  EXPECT_FALSE(IsKitOfficeCode(""));
}

TEST(CardSerialTest, KitSerialsNeverMeetTheCentres) {
  EXPECT_EQ(CardSerial("", 2026, 7), 2026000007u);
  EXPECT_EQ(CardSerial("901", 2026, 7), 9012026000007u);
  EXPECT_GT(CardSerial("901", 2026, 1), CardSerial("", 9999, 999999));
}

}  // namespace
}  // namespace puente::registry
