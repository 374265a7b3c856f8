// Paths to the real face models and dev photos used by the biometrics tests.
#ifndef PUENTE_TESTS_BIOMETRICS_SUPPORT_H_
#define PUENTE_TESTS_BIOMETRICS_SUPPORT_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace puente::testing {

inline std::string ModelsDirForTests() {
  const char* env = std::getenv("PUENTE_MODELS_DIR");
  return env != nullptr && *env ? env : std::string(PUENTE_SOURCE_DIR) + "/var/models";
}

// ../shared/faces/dev (PUENTE_SHARED overrides ../shared).
inline std::string DevFacesDir() {
  const char* env = std::getenv("PUENTE_SHARED");
  const std::string shared =
      env != nullptr && *env ? env : std::string(PUENTE_SOURCE_DIR) + "/../shared";
  return shared + "/faces/dev";
}

inline std::string DevPhoto(const std::string& person, int n) {
  return DevFacesDir() + "/" + person + "/" + std::to_string(n) + ".jpg";
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace puente::testing

#endif  // PUENTE_TESTS_BIOMETRICS_SUPPORT_H_
