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

TEST(Base64UrlTest, DecodesJwkFormAndRejectsTheStandardAlphabet) {
  EXPECT_EQ(*Base64UrlDecode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(*Base64UrlDecode("Zm9vYg"), "foob");
  EXPECT_EQ(*Base64UrlDecode(""), "");
  for (const char* bad : {"+/8", "Zm9vYg==", "Z", "Zm9vY!"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).ok()) << bad;
  }
}

TEST(CompressionTest, BrotliRoundTripsAndStopsBombsAndTrailingBytes) {
  const std::string text(5000, 'a');
  const std::string packed = BrotliCompress(text);
  EXPECT_LT(packed.size(), 100u);
  EXPECT_FALSE(LooksLikeZlib(packed));
  EXPECT_EQ(*BrotliDecompress(packed, 5000), text);
  auto bomb = BrotliDecompress(packed, 4999);
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("exceeds 4999 bytes"), std::string::npos);
  EXPECT_NE(BrotliDecompress(packed + "x", 5000).status().message().find("trailing"),
            std::string::npos);
  EXPECT_FALSE(BrotliDecompress(packed.substr(0, packed.size() - 2), 5000).ok());
  EXPECT_FALSE(BrotliDecompress("", 5000).ok());
}

TEST(CompressionTest, ZlibHeaderIsRecognised) {
  EXPECT_TRUE(LooksLikeZlib(ZlibCompress("hello")));
  EXPECT_TRUE(LooksLikeZlib(std::string("\x78\x01", 2)));   // fastest level
  EXPECT_FALSE(LooksLikeZlib(std::string("\x78\x02", 2)));  // bad header checksum
  EXPECT_FALSE(LooksLikeZlib("x"));
  EXPECT_EQ(*ZlibDecompress(ZlibCompress("hello"), 5), "hello");
  EXPECT_FALSE(ZlibDecompress(ZlibCompress("hello"), 4).ok());
}

}  // namespace
}  // namespace puente::crypto
