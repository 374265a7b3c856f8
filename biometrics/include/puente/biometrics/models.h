// The face models puente knows, and where to find them on disk.
//
// Models are never committed: scripts/setup.sh places them in a models
// directory (default var/models, or $PUENTE_MODELS_DIR) and checks their
// sha256. LocateModel checks again at load time, so a swapped or corrupted
// file is refused instead of silently producing different templates.
#ifndef PUENTE_BIOMETRICS_MODELS_H_
#define PUENTE_BIOMETRICS_MODELS_H_

#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::biometrics {

struct ModelInfo {
  std::string_view id;      // stable id recorded in templates, e.g. "fr_feature"
  std::string_view file;    // file name inside the models directory
  std::string_view sha256;  // lower-case hex
  std::string_view role;    // "detector", "recognizer", "liveness"
  bool required;            // set-up fails without it
};

// Every model in the catalogue, required ones first.
std::span<const ModelInfo> KnownModels();

// The models directory: $PUENTE_MODELS_DIR if set, else `fallback`.
std::string ModelsDir(std::string_view fallback = "var/models");

// Full path of model `id` in `dir` after checking its sha256.
// Errors: NotFound (unknown id, or file missing: the message says to run
// scripts/setup.sh), DataLoss (file present, checksum differs).
absl::StatusOr<std::string> LocateModel(std::string_view id, const std::string& dir);

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_MODELS_H_
