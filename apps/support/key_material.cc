#include "support/key_material.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "absl/status/status.h"

namespace puente::apps {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::NotFoundError(path + ": cannot open file");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

absl::Status WriteFile(const std::string& path, const std::string& data, int mode) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return absl::PermissionDeniedError(path + ": cannot write file");
    ::chmod(tmp.c_str(), static_cast<mode_t>(mode));
    f << data;
    if (!f.flush()) return absl::DataLossError(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::PermissionDeniedError(path + ": " + ec.message());
  return absl::OkStatus();
}

absl::StatusOr<std::string> SecretFromFileOrEnv(const std::string& file, const char* env_name,
                                                const std::string& missing) {
  std::string pass;
  if (!file.empty()) {
    auto text = ReadFile(file);
    if (!text.ok()) return text.status();
    pass = text->substr(0, text->find('\n'));
  } else if (const char* env = std::getenv(env_name); env != nullptr) {
    pass = env;
  }
  if (pass.empty()) return absl::InvalidArgumentError(missing);
  return pass;
}

absl::StatusOr<std::string> KeyPassphrase(const std::string& file) {
  return SecretFromFileOrEnv(
      file, "PUENTE_KEY_PASSPHRASE",
      "private keys need a passphrase: set PUENTE_KEY_PASSPHRASE or give --passphrase-file");
}

absl::StatusOr<credentials::SigningIdentity> LoadSigningKey(const std::string& path,
                                                            const std::string& passphrase_file) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  auto pass = KeyPassphrase(passphrase_file);
  if (!pass.ok()) return pass.status();
  auto key = credentials::SigningIdentity::FromPem(*pem, *pass);
  if (!key.ok())
    return absl::InvalidArgumentError(path + ": " + std::string(key.status().message()));
  return key;
}

absl::StatusOr<credentials::InstitutionKey> LoadInstitutionKey(const std::string& path,
                                                               const std::string& passphrase_file) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  auto pass = KeyPassphrase(passphrase_file);
  if (!pass.ok()) return pass.status();
  auto key = credentials::InstitutionKey::FromPem(*pem, *pass);
  if (!key.ok())
    return absl::InvalidArgumentError(path + ": " + std::string(key.status().message()));
  return key;
}

absl::StatusOr<credentials::PublicKeyFile> LoadPublicKey(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto parsed = credentials::ParsePublicKeyFile(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(parsed.status().message()));
  }
  return parsed;
}

}  // namespace puente::apps
