#include "puente/biometrics/models.h"

#include <cstdlib>
#include <filesystem>

#include "absl/status/status.h"
#include "puente/common/strings.h"
#include "puente/crypto/mac.h"

namespace puente::biometrics {
namespace {
// Keep in step with scripts/setup.sh and ../shared/models/SHA256SUMS.
constexpr ModelInfo kModels[] = {
    {"yunet_2022mar", "face_detection_yunet_2022mar.onnx",
     "50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7", "detector", true},
    {"fr_feature", "fr_feature.onnx",
     "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581", "recognizer", true},
    {"reid_0095", "face_reidentification_retail_0095.onnx",
     "92a530b12dd64a1c8e58509b966be2e22a04bde05683c945bcbfed3b79a583df", "recognizer", true},
    {"fr_liveness", "fr_liveness.onnx",
     "afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d", "liveness", false},
    {"sface_2021dec", "face_recognition_sface_2021dec.onnx",
     "0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79", "recognizer", false},
};
}  // namespace

std::span<const ModelInfo> KnownModels() { return kModels; }

std::string ModelsDir(std::string_view fallback) {
  const char* env = std::getenv("PUENTE_MODELS_DIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(fallback);
}

absl::StatusOr<std::string> LocateModel(std::string_view id, const std::string& dir) {
  for (const ModelInfo& m : kModels) {
    if (m.id != id) continue;
    const std::string path = (std::filesystem::path(dir) / m.file).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return absl::NotFoundError(
          puente::StrCat("model ", id, ": ", path, " not found (run scripts/setup.sh)"));
    }
    auto sum = crypto::Sha256FileHex(path);
    if (!sum.ok()) return sum.status();
    if (*sum != m.sha256) {
      return absl::DataLossError(
          puente::StrCat("model ", id, ": ", path, " has sha256 ", *sum, ", expected ", m.sha256));
    }
    return path;
  }
  return absl::NotFoundError(puente::StrCat("model ", id, ": not a known model"));
}

}  // namespace puente::biometrics
