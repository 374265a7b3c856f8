// How the verifier and `card decode` take a card's QR text from a file or an
// argument: line ends go, everything else stays (the space is a Base45
// character, so a text may end in one).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/card_json.h"

namespace puente::apps {
namespace {

TEST(QrTextTest, FilesAndArgumentsLoseLineEndsOnly) {
  const auto dir = std::filesystem::temp_directory_path() / "puente-qr-text-test";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "card.qr.txt").string();
  std::ofstream(file) << "6BF AB \r\n\n";
  EXPECT_EQ(*QrTextArgument("@" + file), "6BF AB ");
  EXPECT_EQ(*QrTextFromFile(file), "6BF AB ");
  EXPECT_EQ(*QrTextArgument("6BF AB "), "6BF AB ");
  EXPECT_EQ(*QrTextArgument(""), "");
  EXPECT_TRUE(absl::IsNotFound(QrTextArgument("@" + file + ".missing").status()));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace puente::apps
