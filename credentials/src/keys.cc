#include "puente/credentials/keys.h"

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente::credentials {
namespace {

constexpr size_t kKidSize = 8;

const char* KindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kRoot:
      return "root";
    case KeyKind::kIssuer:
      return "issuer";
    case KeyKind::kInstitution:
      return "institution";
  }
  return "issuer";
}

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError("public key file: " + what);
}

}  // namespace

std::string KeyIdOf(const crypto::VerifyingKey& key) {
  return crypto::Sha256("puente-kid-v1/" + std::string(SignatureAlgorithmName(key.algorithm())) +
                        "/" + key.raw())
      .substr(0, kKidSize);
}

std::string InstitutionKeyIdOf(std::string_view x25519_public_key) {
  return crypto::Sha256("puente-kid-v1/X25519/" + std::string(x25519_public_key))
      .substr(0, kKidSize);
}

absl::StatusOr<SigningIdentity> SigningIdentity::Generate(crypto::SignatureAlgorithm alg) {
  auto key = crypto::SigningKey::Generate(alg);
  if (!key.ok()) return key.status();
  return SigningIdentity(std::move(*key));
}

absl::StatusOr<SigningIdentity> SigningIdentity::FromPem(std::string_view pem,
                                                         std::string_view passphrase) {
  auto key = crypto::SigningKey::FromEncryptedPem(pem, passphrase);
  if (!key.ok()) return key.status();
  return SigningIdentity(std::move(*key));
}

absl::StatusOr<InstitutionKey> InstitutionKey::Generate() {
  auto key = crypto::HpkePrivateKey::Generate();
  if (!key.ok()) return key.status();
  return InstitutionKey(std::move(*key));
}

absl::StatusOr<InstitutionKey> InstitutionKey::FromPem(std::string_view pem,
                                                       std::string_view passphrase) {
  auto key = crypto::HpkePrivateKey::FromEncryptedPem(pem, passphrase);
  if (!key.ok()) return key.status();
  return InstitutionKey(std::move(*key));
}

std::string PublicKeyFileJson(const PublicKeyFile& f) {
  nlohmann::json j{{"format", "puente-public-key-v1"},
                   {"kind", KindName(f.kind)},
                   {"alg", f.alg},
                   {"kid", crypto::HexEncode(f.kid)},
                   {"public_key", crypto::HexEncode(f.public_key)}};
  return j.dump(2) + "\n";
}

absl::StatusOr<PublicKeyFile> ParsePublicKeyFile(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad("not a JSON object");
  for (const char* field : {"format", "kind", "alg", "kid", "public_key"}) {
    if (!j.contains(field) || !j[field].is_string()) {
      return Bad(std::string(field) + " is missing or not a string");
    }
  }
  if (j["format"] != "puente-public-key-v1") return Bad("format is not puente-public-key-v1");
  PublicKeyFile f;
  const std::string kind = j["kind"];
  if (kind == "root") {
    f.kind = KeyKind::kRoot;
  } else if (kind == "issuer") {
    f.kind = KeyKind::kIssuer;
  } else if (kind == "institution") {
    f.kind = KeyKind::kInstitution;
  } else {
    return Bad("kind \"" + kind + "\" is not root, issuer or institution");
  }
  f.alg = j["alg"];
  auto kid = crypto::HexDecode(j["kid"].get<std::string>());
  auto pub = crypto::HexDecode(j["public_key"].get<std::string>());
  if (!kid.ok()) return Bad("kid is not hex");
  if (!pub.ok()) return Bad("public_key is not hex");
  f.kid = *kid;
  f.public_key = *pub;
  std::string expected_kid;
  if (f.kind == KeyKind::kInstitution) {
    if (f.alg != "X25519") return Bad("an institution key must be X25519");
    if (f.public_key.size() != 32) return Bad("public_key must be 32 bytes");
    expected_kid = InstitutionKeyIdOf(f.public_key);
  } else {
    auto key = VerifyingKeyOf(f);
    if (!key.ok()) return key.status();
    expected_kid = KeyIdOf(*key);
  }
  if (expected_kid != f.kid) return Bad("kid does not match the public key");
  return f;
}

PublicKeyFile PublicFileOf(const SigningIdentity& id, KeyKind kind) {
  return PublicKeyFile{kind, std::string(SignatureAlgorithmName(id.key().algorithm())), id.kid(),
                       id.key().verifying_key().raw()};
}

PublicKeyFile PublicFileOf(const InstitutionKey& key) {
  return PublicKeyFile{KeyKind::kInstitution, "X25519", key.kid(), key.key().public_key()};
}

absl::StatusOr<crypto::VerifyingKey> VerifyingKeyOf(const PublicKeyFile& f) {
  if (f.kind == KeyKind::kInstitution) return Bad("an institution key cannot verify signatures");
  auto alg = crypto::ParseSignatureAlgorithm(f.alg);
  if (!alg.ok()) return Bad(std::string(alg.status().message()));
  auto key = crypto::VerifyingKey::FromRaw(*alg, f.public_key);
  if (!key.ok()) return Bad(std::string(key.status().message()));
  return key;
}

}  // namespace puente::credentials
