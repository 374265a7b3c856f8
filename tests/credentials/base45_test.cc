#include "puente/credentials/base45.h"

#include <gtest/gtest.h>

namespace puente::credentials {
namespace {

struct Case {
  std::string plain;
  std::string encoded;
};

// RFC 9285 sections 4.3 and 4.4.
TEST(Base45Test, Rfc9285Vectors) {
  for (const Case& c : {Case{"AB", "BB8"}, Case{"Hello!!", "%69 VD92EX0"},
                        Case{"base-45", "UJCLQE7W581"}, Case{"ietf!", "QED8WEX0"}, Case{"", ""}}) {
    EXPECT_EQ(Base45Encode(c.plain), c.encoded);
    auto d = Base45Decode(c.encoded);
    ASSERT_TRUE(d.ok()) << c.encoded;
    EXPECT_EQ(*d, c.plain);
  }
}

TEST(Base45Test, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*Base45Decode(Base45Encode(all)), all);
}

TEST(Base45Test, RejectsInvalidText) {
  EXPECT_FALSE(Base45Decode("GGW").ok());  // 65536 > 0xFFFF (RFC 9285 4.2)
  EXPECT_FALSE(Base45Decode("A").ok());    // dangling single character
  EXPECT_FALSE(Base45Decode("aB8").ok());  // lower case is not in the alphabet
  EXPECT_FALSE(Base45Decode(":::").ok());  // 44*(1+45+2025) > 0xFFFF
  EXPECT_FALSE(Base45Decode("::").ok());   // pair > 0xFF
  auto bad = Base45Decode("BB#");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("offset 2"), absl::string_view::npos);
}

}  // namespace
}  // namespace puente::credentials
