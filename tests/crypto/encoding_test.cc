#include "puente/crypto/encoding.h"

#include <gtest/gtest.h>

namespace puente::crypto {
namespace {

struct B64Case {
  const char* plain;
  const char* encoded;
};

TEST(Base64Test, Rfc4648Vectors) {
  for (const B64Case& c :
       {B64Case{"", ""}, B64Case{"f", "Zg=="}, B64Case{"fo", "Zm8="}, B64Case{"foo", "Zm9v"},
        B64Case{"foob", "Zm9vYg=="}, B64Case{"fooba", "Zm9vYmE="}, B64Case{"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(Base64Encode(c.plain), c.encoded);
    auto d = Base64Decode(c.encoded);
    ASSERT_TRUE(d.ok()) << c.encoded;
    EXPECT_EQ(*d, c.plain);
  }
}

TEST(Base64Test, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int n = 0; n < 300; ++n) {
    auto d = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(d.ok()) << n;
    EXPECT_EQ(*d, bytes);
    bytes.push_back(static_cast<char>((n * 131 + 7) & 255));
  }
}

TEST(Base64Test, RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Zg==Zg==", "Z===", "Zh==", "Zm9v!", "Zm 9v", "=Zm9", "Zm=v",
                          "Zm9=", "====", "Zm9v====",
                          "Zm9v\x80"
                          "AAA",
                          "Zm9-", "Zm9_"}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
}

TEST(HexTest, RoundTripsAndRejectsBadInput) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

}  // namespace
}  // namespace puente::crypto
