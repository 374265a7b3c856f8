// Files and secrets shared by `puente` and `puente-verify`: reading and
// writing key files, and the passphrase that protects private keys. Links
// credentials and biometrics only (no database), so puente-verify can use it.
#ifndef PUENTE_APPS_SUPPORT_KEY_MATERIAL_H_
#define PUENTE_APPS_SUPPORT_KEY_MATERIAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "puente/credentials/keys.h"

namespace puente::apps {

// NotFound("PATH: cannot open file") when missing.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// Writes atomically (temporary file + rename) with `mode` permissions.
absl::Status WriteFile(const std::string& path, const std::string& data, int mode = 0644);

// The passphrase for private key files: the first line of `file` if given,
// else $PUENTE_KEY_PASSPHRASE. Never a command-line argument, which other
// users can read in the process list. InvalidArgument when neither is set.
absl::StatusOr<std::string> KeyPassphrase(const std::string& file);
// The same rule for any secret: the first line of `file` if given, else the
// environment variable `env_name`; InvalidArgument(`missing`) when neither.
absl::StatusOr<std::string> SecretFromFileOrEnv(const std::string& file, const char* env_name,
                                                const std::string& missing);

absl::StatusOr<credentials::SigningIdentity> LoadSigningKey(const std::string& path,
                                                            const std::string& passphrase_file);
absl::StatusOr<credentials::InstitutionKey> LoadInstitutionKey(const std::string& path,
                                                               const std::string& passphrase_file);
absl::StatusOr<credentials::PublicKeyFile> LoadPublicKey(const std::string& path);

}  // namespace puente::apps

#endif  // PUENTE_APPS_SUPPORT_KEY_MATERIAL_H_
