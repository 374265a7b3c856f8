#include "support/csv.h"

#include <gtest/gtest.h>

namespace puente::apps {
namespace {

TEST(CsvTest, QuotesCrlfBomAndBlankLines) {
  auto t =
      ParseCsv("\xEF\xBB\xBFid, name\r\n1,\"Núñez, \"\"La Negra\"\"\"\r\n\r\n2,\"two\nlines\"\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->header, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->Get(0, "name"), "Núñez, \"La Negra\"");
  EXPECT_EQ(t->Get(1, "name"), "two\nlines");
  EXPECT_EQ(t->line_of_row[1], 4);
  EXPECT_EQ(t->Get(0, "missing"), "");
}

TEST(CsvTest, RefusesMalformedInputNamingTheLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"", "line 1: no header row"},
      {"a,b\n1\n", "line 2: 1 fields, the header has 2"},
      {"a,b\n1,\"x\n", "line 2: unterminated quoted field"},
      {"a,b\n1,\"x\"y\n", "line 2: a character after a closing quote"},
      {"a,b\n1,x\"y\n", "line 2: a quote inside an unquoted field"},
      {"a,a\n", "line 1: column \"a\" appears twice"},
      {"a,\n", "line 1: empty column name"},
  };
  for (const Case& c : cases) {
    auto t = ParseCsv(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(std::string(t.status().message()), c.error) << c.text;
  }
  EXPECT_FALSE(ParseCsv("a\n" + std::string(5000, 'x') + "\n").ok());
}

}  // namespace
}  // namespace puente::apps
