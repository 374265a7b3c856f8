#include "puente/registry/keys.h"

#include <soci/soci.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "puente/common/clock.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "storage/internal/session.h"

namespace puente::registry {
namespace {

constexpr std::string_view kKeyFileTag = "puente-master-key-v1";
constexpr char kSealVersion = 1;

std::string WrapAad(int id, std::string_view purpose) {
  return puente::StrCat("puente/key_ring/v1/", id, "/", purpose);
}

std::string FieldAad(int key_id, std::string_view context) {
  return puente::StrCat("puente/field/v1/", key_id, "/", context);
}

absl::StatusOr<crypto::SecretKey> DecodeMasterKey(std::string_view b64, std::string_view where) {
  auto raw = crypto::Base64Decode(puente::StripAsciiWhitespace(b64));
  if (!raw.ok() || raw->size() != crypto::SecretKey::kSize) {
    return absl::InvalidArgumentError(
        puente::StrCat(where, ": not a puente master key (expected base64 of 32 bytes)"));
  }
  return crypto::SecretKey::FromBytes(*raw, crypto::InsecureSecretKeyAccess::Get());
}

struct StoredKey {
  int id;
  std::string purpose;
  std::string wrapped;
};

std::vector<StoredKey> ReadKeys(Database& db) {
  std::vector<StoredKey> out;
  StoredKey row;
  soci::statement st =
      (internal::Session(db).prepare << "SELECT id, purpose, wrapped_key FROM key_ring "
                                        "WHERE active = 1 ORDER BY id",
       soci::into(row.id), soci::into(row.purpose), soci::into(row.wrapped));
  st.execute();
  while (st.fetch()) out.push_back(row);
  return out;
}

absl::Status CreateKeys(Database& db, const crypto::SecretKey& master) {
  const crypto::Aead wrapper(master);
  const std::string now = FormatTimestamp(Clock::Real().Now());
  return InTransaction(db, [&]() -> absl::Status {
    int existing = 0;
    internal::Session(db) << "SELECT count(*) FROM key_ring", soci::into(existing);
    if (existing > 0) return absl::OkStatus();  // created concurrently
    int id = 1;
    for (std::string purpose : {"field", "blind_index", "audit"}) {
      PUENTE_ASSIGN_OR_RETURN(crypto::SecretKey key, crypto::SecretKey::Generate());
      PUENTE_ASSIGN_OR_RETURN(
          crypto::Bytes wrapped,
          wrapper.Seal(key.bytes(crypto::InsecureSecretKeyAccess::Get()), WrapAad(id, purpose)));
      const std::string b64 = crypto::Base64Encode(wrapped);
      internal::Session(db)
          << "INSERT INTO key_ring (id, purpose, wrapped_key, created_at, active) "
             "VALUES (:i, :p, :w, :c, 1)",
          soci::use(id), soci::use(purpose), soci::use(b64), soci::use(now);
      ++id;
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status CreateMasterKeyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        puente::StrCat(path, ": a master key file already exists; it is never overwritten"));
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::SecretKey key, crypto::SecretKey::Generate());
  const std::string content =
      puente::StrCat(kKeyFileTag, " ",
                     crypto::Base64Encode(key.bytes(crypto::InsecureSecretKeyAccess::Get())), "\n");
  const mode_t old_mask = ::umask(077);
  std::ofstream f(path, std::ios::out | std::ios::binary | std::ios::trunc);
  ::umask(old_mask);
  if (!f) return absl::PermissionDeniedError(puente::StrCat(path, ": cannot create key file"));
  f << content;
  f.close();
  if (!f) return absl::DataLossError(puente::StrCat(path, ": writing the key file failed"));
  ::chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

absl::StatusOr<crypto::SecretKey> LoadMasterKey(const std::string& key_file) {
  if (const char* env = std::getenv("PUENTE_MASTER_KEY"); env != nullptr && *env != '\0') {
    return DecodeMasterKey(env, "PUENTE_MASTER_KEY");
  }
  struct stat st;
  if (::stat(key_file.c_str(), &st) != 0) {
    return absl::NotFoundError(puente::StrCat(
        key_file, ": master key file not found (run `puente init`, or set PUENTE_MASTER_KEY)"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(puente::StrCat(
        key_file, ": master key file is readable by others; run `chmod 600 ", key_file, "`"));
  }
  std::ifstream f(key_file, std::ios::binary);
  std::stringstream buf;
  buf << f.rdbuf();
  const std::string text = buf.str();
  std::string_view v = puente::StripAsciiWhitespace(text);
  if (!std::string_view(v).starts_with(kKeyFileTag)) {
    return absl::InvalidArgumentError(puente::StrCat(key_file, ": not a puente master key file"));
  }
  v.remove_prefix(kKeyFileTag.size());
  return DecodeMasterKey(v, key_file);
}

absl::StatusOr<KeyRing> KeyRing::Open(Database& db, const crypto::SecretKey& master) {
  std::vector<StoredKey> stored;
  try {
    stored = ReadKeys(db);
    if (stored.empty()) {
      PUENTE_RETURN_IF_ERROR(CreateKeys(db, master));
      stored = ReadKeys(db);
    }
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "reading key ring");
  }
  const crypto::Aead unwrapper(master);
  KeyRing ring;
  for (const StoredKey& k : stored) {
    auto wrapped = crypto::Base64Decode(k.wrapped);
    absl::StatusOr<crypto::Bytes> raw =
        wrapped.ok() ? unwrapper.Open(*wrapped, WrapAad(k.id, k.purpose)) : wrapped.status();
    if (!raw.ok()) {
      return absl::FailedPreconditionError(
          puente::StrCat("master key does not match this registry: data key ", k.id,
                         " cannot be unwrapped (wrong key file or PUENTE_MASTER_KEY?)"));
    }
    PUENTE_ASSIGN_OR_RETURN(
        crypto::SecretKey key,
        crypto::SecretKey::FromBytes(*raw, crypto::InsecureSecretKeyAccess::Get()));
    if (k.purpose == "field") {
      ring.field_keys_.emplace(k.id, crypto::Aead(key));
      ring.field_key_id_ = std::max(ring.field_key_id_, k.id);
    } else if (k.purpose == "blind_index") {
      ring.blind_index_.emplace(key);
    } else if (k.purpose == "audit") {
      ring.audit_.emplace(key);
    }
  }
  if (ring.field_keys_.empty() || !ring.blind_index_ || !ring.audit_) {
    return absl::FailedPreconditionError("key ring is incomplete: a data key is missing");
  }
  return ring;
}

absl::StatusOr<std::string> KeyRing::Seal(std::string_view plaintext,
                                          std::string_view context) const {
  const crypto::Aead& aead = field_keys_.at(field_key_id_);
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes sealed,
                          aead.Seal(plaintext, FieldAad(field_key_id_, context)));
  std::string framed;
  framed.push_back(kSealVersion);
  for (int shift = 24; shift >= 0; shift -= 8) {
    framed.push_back(static_cast<char>((field_key_id_ >> shift) & 0xFF));
  }
  framed += sealed;
  return crypto::Base64Encode(framed);
}

absl::StatusOr<std::string> KeyRing::Open(std::string_view sealed, std::string_view context) const {
  const absl::Status failed =
      absl::DataLossError(puente::StrCat(context, ": stored value cannot be decrypted"));
  auto framed = crypto::Base64Decode(sealed);
  if (!framed.ok() || framed->size() < 5 || (*framed)[0] != kSealVersion) return failed;
  int key_id = 0;
  for (int i = 1; i <= 4; ++i) key_id = (key_id << 8) | static_cast<unsigned char>((*framed)[i]);
  auto it = field_keys_.find(key_id);
  if (it == field_keys_.end()) return failed;
  auto plain = it->second.Open(std::string_view(*framed).substr(5), FieldAad(key_id, context));
  if (!plain.ok()) return failed;
  return *plain;
}

absl::StatusOr<std::string> KeyRing::BlindIndex(std::string_view domain,
                                                std::string_view value) const {
  std::string msg = puente::StrCat("puente/bidx/v1/", domain);
  msg.push_back('\0');
  msg.append(value);
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes tag, blind_index_->Compute(msg));
  return crypto::HexEncode(tag);
}

}  // namespace puente::registry
