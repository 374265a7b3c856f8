#include "puente/biometrics/models.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace puente::biometrics {
namespace {

namespace fs = std::filesystem;

// The models placed by scripts/setup.sh ($PUENTE_MODELS_DIR, else var/models).
std::string InstalledModelsDir() {
  const char* env = std::getenv("PUENTE_MODELS_DIR");
  return env != nullptr ? env : (fs::path(PUENTE_SOURCE_DIR) / "var/models").string();
}

TEST(ModelsTest, FindsEveryRequiredModelWithItsChecksum) {
  const std::string dir = InstalledModelsDir();
  for (const ModelInfo& m : KnownModels()) {
    if (!m.required) continue;
    auto path = LocateModel(m.id, dir);
    ASSERT_TRUE(path.ok()) << path.status() << " (run scripts/setup.sh)";
    EXPECT_TRUE(fs::exists(*path));
  }
}

TEST(ModelsTest, MissingModelSaysToRunSetup) {
  const fs::path empty = fs::temp_directory_path() / "puente-empty-models";
  fs::create_directories(empty);
  auto r = LocateModel("fr_feature", empty.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("scripts/setup.sh"), absl::string_view::npos);
}

TEST(ModelsTest, WrongChecksumIsDataLoss) {
  const fs::path dir = fs::temp_directory_path() / "puente-bad-models";
  fs::create_directories(dir);
  std::ofstream(dir / "fr_feature.onnx") << "not the model";
  auto r = LocateModel("fr_feature", dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("expected 87aacdfe"), absl::string_view::npos);
}

TEST(ModelsTest, UnknownModelIsNotFound) {
  EXPECT_EQ(LocateModel("no_such_model", "/tmp").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace puente::biometrics
