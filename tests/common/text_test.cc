#include "puente/common/text.h"

#include <gtest/gtest.h>

#include "puente/common/strings.h"

namespace puente {
namespace {

TEST(Utf8LengthTest, CountsCodePointsOfValidText) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Peña"), 4u);
  EXPECT_EQ(Utf8Length("José Ñúñez"), 10u);
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);  // U+1F600
  EXPECT_EQ(Utf8Length(""), 0u);
}

TEST(Utf8LengthTest, RejectsMalformedSequences) {
  for (const char* bad : {"\xC3", "\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xFF", "abc\x80"}) {
    EXPECT_FALSE(Utf8Length(bad).has_value()) << "accepted " << bad;
  }
}

TEST(HasControlCharactersTest, FindsC0C1AndDel) {
  EXPECT_FALSE(HasControlCharacters("Ana María"));
  EXPECT_TRUE(HasControlCharacters("Ana\nMaría"));
  EXPECT_TRUE(HasControlCharacters("Ana\tMaría"));
  EXPECT_TRUE(HasControlCharacters("Ana\x7F"));
  EXPECT_TRUE(HasControlCharacters("Ana\xC2\x85"));   // U+0085 NEL
  EXPECT_FALSE(HasControlCharacters("Ana\xC2\xA0"));  // U+00A0 is not a control
}

TEST(CollapseWhitespaceTest, TrimsAndCollapses) {
  EXPECT_EQ(CollapseWhitespace("  María   José \t"), "María José");
  EXPECT_EQ(CollapseWhitespace("   "), "");
}

TEST(StringsTest, StrCatAcceptsStdStringViewAndNumbers) {
  std::string_view v = "view";
  EXPECT_EQ(StrCat("a", v, std::string("s"), 42, '!', -7LL), "aviews42!-7");
  EXPECT_EQ(StrSplit("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(StripAsciiWhitespace("  x y \n"), "x y");
}

}  // namespace
}  // namespace puente
