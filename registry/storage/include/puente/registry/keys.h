// Keys for data at rest.
//
// The master key (32 random bytes) lives outside the database: in a key file
// written by `puente init` (mode 0600) or in $PUENTE_MASTER_KEY (base64). It
// only wraps the data keys stored in the key_ring table (AES-256-GCM, bound to
// key id and purpose). Data keys:
//   field        AES-256-GCM for personal-data columns
//   blind_index  HMAC-SHA-256 for exact-match lookups
//   audit        HMAC-SHA-256 for the audit hash chain
// A wrong master key cannot unwrap them: opening fails with a clear message
// instead of producing garbage.
#ifndef PUENTE_REGISTRY_KEYS_H_
#define PUENTE_REGISTRY_KEYS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/crypto/aead.h"
#include "puente/crypto/mac.h"
#include "puente/crypto/secret_key.h"
#include "puente/registry/database.h"

namespace puente::registry {

// Writes a new random master key to `path` (mode 0600). AlreadyExists if the
// file exists: a master key is never overwritten.
absl::Status CreateMasterKeyFile(const std::string& path);

// From $PUENTE_MASTER_KEY if set, else from `key_file`. NotFound if the file
// is missing (message says to run `puente init`), PermissionDenied if the
// file is readable by group or others, InvalidArgument if malformed.
absl::StatusOr<crypto::SecretKey> LoadMasterKey(const std::string& key_file);

// The unwrapped data keys of one registry. Immutable after Open: thread-safe.
class KeyRing {
 public:
  // Loads and unwraps the data keys; creates them on first use.
  // FailedPrecondition if `master` does not unwrap them.
  static absl::StatusOr<KeyRing> Open(Database& db, const crypto::SecretKey& master);

  // Encrypts one field value for storage. `context` binds the ciphertext to
  // where it is stored ("applicants.phone/<id>"). Returns base64 text.
  absl::StatusOr<std::string> Seal(std::string_view plaintext, std::string_view context) const;
  // DataLoss("<context>: stored value cannot be decrypted") on any failure.
  absl::StatusOr<std::string> Open(std::string_view sealed, std::string_view context) const;
  // Hex HMAC over a domain-separated value, for exact-match lookups.
  absl::StatusOr<std::string> BlindIndex(std::string_view domain, std::string_view value) const;
  // Key for the audit chain.
  const crypto::Hmac& audit_mac() const { return *audit_; }

 private:
  KeyRing() = default;
  int field_key_id_ = 0;
  std::map<int, crypto::Aead> field_keys_;
  std::optional<crypto::Hmac> blind_index_;
  std::optional<crypto::Hmac> audit_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_KEYS_H_
