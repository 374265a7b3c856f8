#include "puente/credentials/keys.h"

#include <array>
#include <map>

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
  if (f.declared_kid) j["kid_source"] = "declared";
  if (f.not_before) j["not_before"] = *f.not_before;
  if (f.not_after) j["not_after"] = *f.not_after;
  if (f.plain_claim169) j["profile"] = "claim169";
  if (!f.ca_certificate.empty()) j["ca_certificate"] = crypto::HexEncode(f.ca_certificate);
  if (!f.name.empty()) j["name"] = f.name;
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
  for (auto [field, member] :
       {std::pair{"not_before", &f.not_before}, std::pair{"not_after", &f.not_after}}) {
    if (!j.contains(field)) continue;
    if (!j[field].is_number_integer()) return Bad(std::string(field) + " is not Unix seconds");
    *member = j[field].get<int64_t>();
  }
  if (f.not_before.has_value() != f.not_after.has_value()) {
    return Bad("not_before and not_after go together");
  }
  if (f.not_before && *f.not_after <= *f.not_before) return Bad("the signing window is empty");
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Bad("name is not a string");
    f.name = j["name"];
  }
  if (j.contains("profile")) {
    if (j["profile"] != "claim169") return Bad("profile must be \"claim169\" when present");
    f.plain_claim169 = true;
  }
  if (j.contains("ca_certificate")) {
    auto der = j["ca_certificate"].is_string()
                   ? crypto::HexDecode(j["ca_certificate"].get<std::string>())
                   : absl::StatusOr<std::string>(absl::InvalidArgumentError(""));
    if (!der.ok()) return Bad("ca_certificate is not hex");
    auto ca_key = crypto::CertificateKey(*der);
    if (!ca_key.ok() || ca_key->raw() != f.public_key) {
      return Bad("ca_certificate is not a certificate of public_key");
    }
    f.ca_certificate = *der;
  }
  if (j.contains("kid_source")) {
    if (j["kid_source"] != "declared") return Bad("kid_source must be \"declared\" when present");
    f.declared_kid = true;
  }
  if (f.kind != KeyKind::kIssuer &&
      (f.declared_kid || f.not_before || f.plain_claim169 || !f.ca_certificate.empty())) {
    return Bad("only issuer keys have a declared kid, a signing window or a profile");
  }
  if (f.declared_kid) {
    if (f.kid.empty() || f.kid.size() > 64) return Bad("a declared kid must be 1 to 64 bytes");
    auto key = VerifyingKeyOf(f);
    if (!key.ok()) return key.status();
    return f;
  }
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

namespace {

constexpr size_t kWebSaltSize = 16;
constexpr size_t kWebNonceSize = 12;
constexpr size_t kMinWebPassphrase = 10;
constexpr char kWrongWebPassphrase[] = "wrong passphrase or damaged key file";

std::string WebKeyAad(std::string_view public_key) {
  return std::string(kInstitutionWebKeyFormat) + "/" + std::string(public_key);
}

absl::Status BadWebFile(const std::string& what) {
  return absl::InvalidArgumentError("web key file: " + what);
}

}  // namespace

absl::StatusOr<std::string> InstitutionKeyWebFile(const InstitutionKey& key,
                                                  std::string_view passphrase, int iterations) {
  if (passphrase.size() < kMinWebPassphrase) {
    return absl::InvalidArgumentError("web key file passphrase: at least 10 characters");
  }
  auto salt = crypto::RandomBytes(kWebSaltSize);
  if (!salt.ok()) return salt.status();
  auto nonce = crypto::RandomBytes(kWebNonceSize);
  if (!nonce.ok()) return nonce.status();
  auto wrapping = crypto::DeriveKeyPbkdf2Sha256(passphrase, *salt, iterations);
  if (!wrapping.ok()) return wrapping.status();
  const auto access = crypto::InsecureSecretKeyAccess::Get();
  auto pkcs8 = key.key().ToPkcs8Der(access);
  if (!pkcs8.ok()) return pkcs8.status();
  auto wrapped = crypto::AesGcmSeal(wrapping->bytes(access), *nonce,
                                    WebKeyAad(key.key().public_key()), *pkcs8, access);
  crypto::Wipe(*pkcs8);
  if (!wrapped.ok()) return wrapped.status();
  nlohmann::json j{{"format", kInstitutionWebKeyFormat},
                   {"kid", crypto::HexEncode(key.kid())},
                   {"public_key", crypto::HexEncode(key.key().public_key())},
                   {"kdf", "PBKDF2-HMAC-SHA256"},
                   {"iterations", iterations},
                   {"salt", crypto::HexEncode(*salt)},
                   {"cipher", "AES-256-GCM"},
                   {"nonce", crypto::HexEncode(*nonce)},
                   {"wrapped_key", crypto::HexEncode(*wrapped)}};
  return j.dump(2) + "\n";
}

absl::StatusOr<InstitutionKey> InstitutionKeyFromWebFile(std::string_view json,
                                                         std::string_view passphrase) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadWebFile("not a JSON object");
  const std::array<const char*, 8> text_fields{"format", "kid",    "public_key", "kdf",
                                               "salt",   "cipher", "nonce",      "wrapped_key"};
  for (const char* field : text_fields) {
    if (!j.contains(field) || !j[field].is_string()) {
      return BadWebFile(std::string(field) + " is missing or not a string");
    }
  }
  if (j["format"] != kInstitutionWebKeyFormat) {
    return BadWebFile(std::string("format is not ") + kInstitutionWebKeyFormat);
  }
  if (j["kdf"] != "PBKDF2-HMAC-SHA256") return BadWebFile("kdf is not PBKDF2-HMAC-SHA256");
  if (j["cipher"] != "AES-256-GCM") return BadWebFile("cipher is not AES-256-GCM");
  if (!j.contains("iterations") || !j["iterations"].is_number_integer()) {
    return BadWebFile("iterations is missing or not an integer");
  }
  const int64_t iterations = j["iterations"].get<int64_t>();
  if (iterations < crypto::kMinPbkdf2Iterations || iterations > crypto::kMaxPbkdf2Iterations) {
    return BadWebFile("iterations is out of range");
  }
  std::map<std::string, std::string> bytes;
  for (const char* field : {"kid", "public_key", "salt", "nonce", "wrapped_key"}) {
    auto decoded = crypto::HexDecode(j[field].get<std::string>());
    if (!decoded.ok()) return BadWebFile(std::string(field) + " is not hex");
    bytes[field] = *std::move(decoded);
  }
  if (bytes["public_key"].size() != 32) return BadWebFile("public_key is not 32 bytes");
  if (bytes["nonce"].size() != kWebNonceSize) return BadWebFile("nonce is not 12 bytes");
  if (bytes["salt"].size() < kWebSaltSize) return BadWebFile("salt is shorter than 16 bytes");
  auto wrapping =
      crypto::DeriveKeyPbkdf2Sha256(passphrase, bytes["salt"], static_cast<int>(iterations));
  if (!wrapping.ok()) return wrapping.status();
  const auto access = crypto::InsecureSecretKeyAccess::Get();
  auto pkcs8 = crypto::AesGcmOpen(wrapping->bytes(access), bytes["nonce"],
                                  WebKeyAad(bytes["public_key"]), bytes["wrapped_key"], access);
  if (!pkcs8.ok()) return absl::InvalidArgumentError(kWrongWebPassphrase);
  auto key = crypto::HpkePrivateKey::FromPkcs8Der(*pkcs8, access);
  crypto::Wipe(*pkcs8);
  if (!key.ok() || key->public_key() != bytes["public_key"]) {
    return absl::InvalidArgumentError(kWrongWebPassphrase);
  }
  InstitutionKey out(*std::move(key));
  if (out.kid() != bytes["kid"]) return absl::InvalidArgumentError(kWrongWebPassphrase);
  return out;
}

PublicKeyFile PublicFileOf(const InstitutionKey& key) {
  return PublicKeyFile{KeyKind::kInstitution, "X25519", key.kid(), key.key().public_key()};
}

std::string KeyFingerprint(const PublicKeyFile& file) {
  return crypto::HexEncode(crypto::Sha256(file.public_key));
}

absl::StatusOr<crypto::VerifyingKey> VerifyingKeyOf(const PublicKeyFile& f) {
  if (f.kind == KeyKind::kInstitution) return Bad("an institution key cannot verify signatures");
  auto alg = crypto::ParseSignatureAlgorithm(f.alg);
  if (!alg.ok()) return Bad(std::string(alg.status().message()));
  auto key = crypto::VerifyingKey::FromRaw(*alg, f.public_key);
  if (!key.ok()) return Bad(std::string(key.status().message()));
  return key;
}

absl::StatusOr<crypto::VerifyingKey> ImportVerifyingKey(
    std::string_view text, std::optional<crypto::SignatureAlgorithm> alg) {
  auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError("public key: " + what);
  };
  auto agree =
      [&](absl::StatusOr<crypto::VerifyingKey> key) -> absl::StatusOr<crypto::VerifyingKey> {
    if (!key.ok()) return bad(std::string(key.status().message()));
    if (alg && key->algorithm() != *alg) {
      return bad(std::string("the key is ") +
                 std::string(crypto::SignatureAlgorithmName(key->algorithm())) + ", not " +
                 std::string(crypto::SignatureAlgorithmName(*alg)));
    }
    return key;
  };
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return bad("empty");
  text = text.substr(first);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.substr(0, 10) == "-----BEGIN") return agree(crypto::VerifyingKey::FromPublicPem(text));
  if (text.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object (JWK)");
    if (j.contains("d")) return bad("this JWK holds a private key; give the public key only");
    auto member = [&](const char* name) -> absl::StatusOr<std::string> {
      if (!j.contains(name) || !j[name].is_string()) {
        return bad(std::string("JWK member \"") + name + "\" is missing");
      }
      auto bytes = crypto::Base64UrlDecode(j[name].get<std::string>());
      if (!bytes.ok()) return bad(std::string("JWK member \"") + name + "\" is not base64url");
      return bytes;
    };
    const std::string kty = j.value("kty", "");
    const std::string crv = j.value("crv", "");
    if (kty == "OKP" && crv == "Ed25519") {
      auto x = member("x");
      if (!x.ok()) return x.status();
      return agree(crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, *x));
    }
    if (kty == "EC" && crv == "P-256") {
      auto x = member("x");
      if (!x.ok()) return x.status();
      auto y = member("y");
      if (!y.ok()) return y.status();
      if (x->size() != 32 || y->size() != 32) return bad("JWK x and y must be 32 bytes each");
      return agree(crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEs256,
                                                 std::string("\x04") + *x + *y));
    }
    return bad("JWK must be kty OKP with crv Ed25519, or kty EC with crv P-256");
  }
  if (!alg) return bad("a raw hex key needs its algorithm (--alg)");
  auto raw = crypto::HexDecode(text);
  if (!raw.ok()) return bad("not PEM, JWK or hex");
  return agree(crypto::VerifyingKey::FromRaw(*alg, *raw));
}

}  // namespace puente::credentials
