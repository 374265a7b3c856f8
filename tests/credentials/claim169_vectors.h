// The public Claim 169 test vectors (../shared/claim169/vectors), shared by
// the library's and the command line's vector tests.
#ifndef PUENTE_TESTS_CREDENTIALS_CLAIM169_VECTORS_H_
#define PUENTE_TESTS_CREDENTIALS_CLAIM169_VECTORS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace puente::testing {

inline std::string VectorsDir() {
  const char* env = std::getenv("PUENTE_SHARED");
  const std::string shared =
      env != nullptr && *env ? env : std::string(PUENTE_SOURCE_DIR) + "/../shared";
  return shared + "/claim169/vectors";
}

inline std::vector<std::string> VectorFiles() {
  std::vector<std::string> out;
  if (!std::filesystem::exists(VectorsDir())) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(VectorsDir())) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline nlohmann::json Load(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

// Every key the vector expects, with the same value (the vectors list a
// subset: e.g. a face entry without its data).
inline void ExpectSubset(const nlohmann::json& expected, const nlohmann::json& actual,
                         const std::string& where) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << where;
    for (const auto& [k, v] : expected.items()) {
      ASSERT_TRUE(actual.contains(k)) << where << "." << k << " missing in " << actual.dump();
      ExpectSubset(v, actual[k], where + "." + k);
    }
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << where;
    ASSERT_EQ(expected.size(), actual.size()) << where;
    for (size_t i = 0; i < expected.size(); ++i) {
      ExpectSubset(expected[i], actual[i], where + "[" + std::to_string(i) + "]");
    }
  } else {
    EXPECT_EQ(expected, actual) << where;
  }
}

// "valid_minimal" for .../valid/minimal.json.
inline std::string VectorTestName(const ::testing::TestParamInfo<std::string>& info) {
  const std::filesystem::path p(info.param);
  std::string n = p.parent_path().filename().string() + "_" + p.stem().string();
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

}  // namespace puente::testing

#endif  // PUENTE_TESTS_CREDENTIALS_CLAIM169_VECTORS_H_
