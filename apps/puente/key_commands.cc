// `puente keys generate|import|certify|export-web`: the credential
// authority's keys, and an institution key as a file the phone verifier can
// import (WebCrypto cannot open the scrypt-protected PEM).
// An issuer key's signing window is certified once, here (generated,
// imported or re-certified), and kept in its public key file; every trust
// list then says the same of the key (credentials/keys.h).
#include <ctime>
#include <filesystem>

#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/keys.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/signature.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using namespace credentials;
constexpr int64_t kDay = 86400;

struct WindowArgs {
  std::string not_before;  // YYYY-MM-DD or Unix seconds; default now
  std::string not_after;   // default not_before + valid_days
  int valid_days = 730;
};

// The certified window [not_before, not_after] the arguments describe.
absl::Status ApplyWindow(const WindowArgs& w, PublicKeyFile* f) {
  int64_t from = std::time(nullptr);
  if (!w.not_before.empty()) {
    PUENTE_ASSIGN_OR_RETURN(from, apps::ParseTime(w.not_before));
  }
  int64_t until = from + w.valid_days * kDay;
  if (!w.not_after.empty()) {
    PUENTE_ASSIGN_OR_RETURN(until, apps::ParseTime(w.not_after));
  }
  if (until <= from) {
    return absl::InvalidArgumentError("the signing window is empty: --not-after must be after " +
                                      apps::IsoDate(from));
  }
  f->not_before = from;
  f->not_after = until;
  return absl::OkStatus();
}

nlohmann::json KeyJson(const PublicKeyFile& f, const std::string& file) {
  nlohmann::json j{{"kind", f.kind == KeyKind::kRoot     ? "root"
                            : f.kind == KeyKind::kIssuer ? "issuer"
                                                         : "institution"},
                   {"alg", f.alg},
                   {"kid", crypto::HexEncode(f.kid)},
                   {"public_key_file", file}};
  if (f.not_before) {
    j["not_before"] = apps::IsoDate(*f.not_before);
    j["not_after"] = apps::IsoDate(*f.not_after);
  }
  if (f.plain_claim169) j["profile"] = "claim169";
  return j;
}

std::string WindowText(const PublicKeyFile& f) {
  if (!f.not_before) return "";
  return absl::StrFormat("  may sign cards issued %s to %s\n", apps::IsoDate(*f.not_before),
                         apps::IsoDate(*f.not_after));
}

struct KeyGenArgs {
  std::string kind = "issuer";
  std::string alg = "Ed25519";
  std::string name;
  WindowArgs window;
  std::string out;
  std::string passphrase_file;
};

absl::Status RunKeyGenerate(const Globals& g, const KeyGenArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(std::string pass, apps::KeyPassphrase(a.passphrase_file));
  if (std::filesystem::exists(a.out + ".pem")) {
    return absl::AlreadyExistsError(a.out + ".pem exists; refusing to overwrite a key");
  }
  PublicKeyFile pub;
  std::string pem;
  if (a.kind == "institution") {
    PUENTE_ASSIGN_OR_RETURN(InstitutionKey key, InstitutionKey::Generate());
    PUENTE_ASSIGN_OR_RETURN(pem, key.ToPem(pass));
    pub = PublicFileOf(key);
  } else if (a.kind == "root" || a.kind == "issuer") {
    PUENTE_ASSIGN_OR_RETURN(crypto::SignatureAlgorithm alg, crypto::ParseSignatureAlgorithm(a.alg));
    PUENTE_ASSIGN_OR_RETURN(SigningIdentity key, SigningIdentity::Generate(alg));
    PUENTE_ASSIGN_OR_RETURN(pem, key.ToPem(pass));
    pub = PublicFileOf(key, a.kind == "root" ? KeyKind::kRoot : KeyKind::kIssuer);
  } else {
    return absl::InvalidArgumentError("--kind must be root, issuer or institution");
  }
  if (pub.kind == KeyKind::kIssuer) {
    PUENTE_RETURN_IF_ERROR(ApplyWindow(a.window, &pub));
    pub.name = a.name;
  }
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + ".pem", pem, 0600));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + ".pub.json", PublicKeyFileJson(pub)));
  nlohmann::json j = KeyJson(pub, a.out + ".pub.json");
  j["private_key"] = a.out + ".pem";
  j["public_key"] = a.out + ".pub.json";
  std::string pin;
  if (pub.kind == KeyKind::kRoot) {
    j["fingerprint"] = KeyFingerprint(pub);
    pin = "  fingerprint: " + KeyFingerprint(pub) +
          "\n  (give it to verifiers: puente-verify update --root-fingerprint ...)\n";
  }
  Print(g, j,
        absl::StrFormat("%s key %s (%s)\n  private: %s.pem (passphrase-protected)\n  public:  "
                        "%s.pub.json\n%s%s",
                        a.kind, crypto::HexEncode(pub.kid), pub.alg, a.out, a.out, WindowText(pub),
                        pin));
  return absl::OkStatus();
}

struct ImportArgs {
  std::string ca_file;   // or a certificate authority's X.509 certificate (PEM or DER)
  std::string key_file;  // PEM or JWK file
  std::string key_hex;   // or raw hex
  std::string alg;       // required for hex
  std::string kid_hex;   // the issuer's declared kid; empty: derived, as puente's
  std::string name;
  WindowArgs window;
  std::string out;
};

absl::Status RunKeyImport(const Globals& g, const ImportArgs& a) {
  if (int{!a.key_file.empty()} + int{!a.key_hex.empty()} + int{!a.ca_file.empty()} != 1) {
    return absl::InvalidArgumentError(
        "give the issuer's key as --key FILE (PEM or JWK) or --public-key-hex HEX, or a "
        "certificate authority as --ca-certificate FILE: one of them");
  }
  if (a.name.empty()) return absl::InvalidArgumentError("--name: say whose key this is");
  std::optional<crypto::SignatureAlgorithm> alg;
  if (!a.alg.empty()) {
    PUENTE_ASSIGN_OR_RETURN(alg, crypto::ParseSignatureAlgorithm(a.alg));
  }
  std::string text = a.key_hex;
  std::string ca_der;
  if (!a.key_file.empty()) {
    PUENTE_ASSIGN_OR_RETURN(text, apps::ReadFile(a.key_file));
  }
  absl::StatusOr<crypto::VerifyingKey> imported = absl::UnknownError("");
  if (!a.ca_file.empty()) {
    PUENTE_ASSIGN_OR_RETURN(std::string cert, apps::ReadFile(a.ca_file));
    PUENTE_ASSIGN_OR_RETURN(ca_der, crypto::CertificateDer(cert));
    imported = crypto::CertificateKey(ca_der);
    if (imported.ok() && alg && imported->algorithm() != *alg) {
      return absl::InvalidArgumentError("--ca-certificate: the key is not " + a.alg);
    }
  } else {
    imported = ImportVerifyingKey(text, alg);
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::VerifyingKey key, std::move(imported));
  PublicKeyFile pub{KeyKind::kIssuer, std::string(crypto::SignatureAlgorithmName(key.algorithm())),
                    KeyIdOf(key), key.raw()};
  if (!a.kid_hex.empty()) {
    auto kid = crypto::HexDecode(a.kid_hex);
    if (!kid.ok() || kid->empty() || kid->size() > 64) {
      return absl::InvalidArgumentError("--kid: \"" + a.kid_hex + "\" is not 1 to 64 bytes of hex");
    }
    pub.kid = *kid;
    pub.declared_kid = true;
  }
  pub.plain_claim169 = true;
  pub.ca_certificate = ca_der;
  pub.name = a.name;
  PUENTE_RETURN_IF_ERROR(ApplyWindow(a.window, &pub));
  const std::string file = a.out + ".pub.json";
  if (std::filesystem::exists(file)) {
    return absl::AlreadyExistsError(file + " exists; refusing to overwrite a key file");
  }
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(file, PublicKeyFileJson(pub)));
  Print(g, KeyJson(pub, file),
        absl::StrFormat("imported issuer key %s (%s) of %s\n  public: %s\n%s"
                        "  %s; add it to a trust list with `puente lists trust --issuer %s`\n",
                        crypto::HexEncode(pub.kid), pub.alg, a.name, file, WindowText(pub),
                        ca_der.empty() ? "signs plain Claim 169 credentials"
                                       : "a certificate authority: trusts the issuers whose "
                                         "certificate chain (x5chain) it signed",
                        file));
  return absl::OkStatus();
}

struct CertifyArgs {
  std::string file;
  WindowArgs window;
};

// Sets the window of an issuer key file made before windows were certified.
// A window already certified is not changed: a new window is a new key.
absl::Status RunKeyCertify(const Globals& g, const CertifyArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(PublicKeyFile pub, apps::LoadPublicKey(a.file));
  if (pub.kind != KeyKind::kIssuer)
    return absl::InvalidArgumentError(a.file + ": not an issuer key");
  if (pub.not_before) {
    return absl::FailedPreconditionError(
        a.file + ": its signing window is certified already (" + apps::IsoDate(*pub.not_before) +
        " to " + apps::IsoDate(*pub.not_after) +
        "); cards already issued depend on it. Retire the key and make a new one instead");
  }
  PUENTE_RETURN_IF_ERROR(ApplyWindow(a.window, &pub));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.file, PublicKeyFileJson(pub)));
  Print(
      g, KeyJson(pub, a.file),
      absl::StrFormat("issuer key %s certified\n%s", crypto::HexEncode(pub.kid), WindowText(pub)));
  return absl::OkStatus();
}

struct ExportWebArgs {
  std::string key;                  // the institution's .pem
  std::string out;                  // the .json to write
  std::string passphrase_file;      // the .pem's passphrase (else $PUENTE_KEY_PASSPHRASE)
  std::string web_passphrase_file;  // the new file's (else $PUENTE_WEB_KEY_PASSPHRASE)
  int iterations = crypto::kMinPbkdf2Iterations;
};

absl::Status RunKeyExportWeb(const Globals& g, const ExportWebArgs& a) {
  if (std::filesystem::exists(a.out)) {
    return absl::AlreadyExistsError(a.out + " exists; refusing to overwrite a key file");
  }
  PUENTE_ASSIGN_OR_RETURN(InstitutionKey key, apps::LoadInstitutionKey(a.key, a.passphrase_file));
  // Never an argument: the process list shows those.
  PUENTE_ASSIGN_OR_RETURN(
      std::string web_pass,
      apps::SecretFromFileOrEnv(a.web_passphrase_file, "PUENTE_WEB_KEY_PASSPHRASE",
                                "the web key file needs its own passphrase: set "
                                "PUENTE_WEB_KEY_PASSPHRASE or give --web-passphrase-file"));
  PUENTE_ASSIGN_OR_RETURN(std::string pem_pass, apps::KeyPassphrase(a.passphrase_file));
  if (web_pass == pem_pass) {
    return absl::InvalidArgumentError(
        "the web key file's passphrase must differ from the private key's: whoever installs "
        "the phone learns it");
  }
  PUENTE_ASSIGN_OR_RETURN(std::string file, InstitutionKeyWebFile(key, web_pass, a.iterations));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out, file, 0600));
  nlohmann::json j{{"kind", "institution"},
                   {"format", kInstitutionWebKeyFormat},
                   {"kid", crypto::HexEncode(key.kid())},
                   {"iterations", a.iterations},
                   {"web_key_file", a.out}};
  Print(g, j,
        absl::StrFormat("institution key %s exported for the web verifier\n  file: %s "
                        "(PBKDF2-HMAC-SHA256, %d iterations, AES-256-GCM)\n  install it on the "
                        "phone with its passphrase, then delete the copy\n",
                        crypto::HexEncode(key.kid()), a.out, a.iterations));
  return absl::OkStatus();
}

void AddWindowOptions(CLI::App* c, WindowArgs& w, const char* what) {
  c->add_option("--not-before", w.not_before,
                std::string("First day ") + what + " may sign (YYYY-MM-DD; default today)");
  c->add_option("--not-after", w.not_after,
                std::string("Until when ") + what + " may sign (YYYY-MM-DD, 00:00 UTC)");
  c->add_option("--valid-days", w.valid_days,
                "Without --not-after: how long it may sign (default 730)");
}

}  // namespace

void AddKeyCommands(CLI::App& app, Globals& g, const Runner& run) {
  static KeyGenArgs keygen;
  static ImportArgs import;
  static CertifyArgs certify;
  static ExportWebArgs export_web;

  auto* keys = app.add_subcommand("keys", "Credential keys (root, issuers, institutions)");
  keys->require_subcommand(1);
  auto* gen = keys->add_subcommand("generate", "Create a key pair: PREFIX.pem and PREFIX.pub.json");
  gen->add_option("--kind", keygen.kind, "root, issuer or institution")->required();
  gen->add_option("--alg", keygen.alg, "Ed25519 (default) or ES256; not for institutions");
  gen->add_option("--name", keygen.name, "Issuer keys: display name in trust lists");
  AddWindowOptions(gen, keygen.window, "an issuer key");
  gen->add_option("--out", keygen.out, "File prefix")->required();
  gen->add_option("--passphrase-file", keygen.passphrase_file,
                  "File whose first line is the passphrase (else $PUENTE_KEY_PASSPHRASE)");
  gen->callback([&] { run(RunKeyGenerate(g, keygen)); });

  auto* imp = keys->add_subcommand(
      "import", "A foreign Claim 169 issuer's public key as PREFIX.pub.json, for trust lists");
  imp->add_option("--key", import.key_file, "The issuer's public key: PEM or JWK file");
  imp->add_option("--ca-certificate", import.ca_file,
                  "Or a certificate authority's X.509 certificate (PEM or DER): cards whose "
                  "x5chain leads to it are trusted");
  imp->add_option("--public-key-hex", import.key_hex,
                  "Or the raw key in hex (Ed25519: 32 bytes; ES256: 65-byte point)");
  imp->add_option("--alg", import.alg, "Ed25519 or ES256 (required with --public-key-hex)");
  imp->add_option("--kid", import.kid_hex,
                  "The kid its cards carry, hex (default: puente's rule; cards without a kid "
                  "are tried against every key of their algorithm)");
  imp->add_option("--name", import.name, "Whose key (shown by verifiers)")->required();
  AddWindowOptions(imp, import.window, "the issuer's key");
  imp->add_option("--out", import.out, "File prefix")->required();
  imp->callback([&] { run(RunKeyImport(g, import)); });

  auto* cert = keys->add_subcommand(
      "certify", "Give an issuer key file made before signing windows existed its window");
  cert->add_option("file", certify.file, "Issuer public key file (.pub.json)")->required();
  AddWindowOptions(cert, certify.window, "the key");
  cert->callback([&] { run(RunKeyCertify(g, certify)); });

  auto* web = keys->add_subcommand(
      "export-web",
      "An institution key as a file the phone verifier imports (docs/verifier-web.md)");
  web->add_option("--key", export_web.key, "The institution's private key (.pem)")->required();
  web->add_option("--out", export_web.out, "The file to write (.json, mode 0600)")->required();
  web->add_option("--passphrase-file", export_web.passphrase_file,
                  "File whose first line is the .pem's passphrase (else $PUENTE_KEY_PASSPHRASE)");
  web->add_option("--web-passphrase-file", export_web.web_passphrase_file,
                  "File whose first line is the new file's passphrase, at least 10 characters "
                  "(else $PUENTE_WEB_KEY_PASSPHRASE)");
  web->add_option("--iterations", export_web.iterations,
                  "PBKDF2 iterations (default and least 600000)");
  web->callback([&] { run(RunKeyExportWeb(g, export_web)); });
}

}  // namespace puente::cli
