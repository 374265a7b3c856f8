// puente-server: the enrollment service over HTTP.
//
//   puente init --db sqlite:puente.db --key-file puente.key     # once
//   PUENTE_KEY_PASSPHRASE=... PUENTE_ADMIN_PASSWORD=... puente-server
//       --db sqlite:puente.db --key-file puente.key --issuer-key onpar.pem
//       [--issuer-public onpar.pub.json] [--trust-issuer foreign.pub.json]
//       --root-key root.pem --recipient hospital.pub.json --admin admin --port 8080
//
// Stops cleanly on SIGINT / SIGTERM. API: docs/api.md and GET /openapi.json.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/models.h"
#include "puente/credentials/lists.h"
#include "puente/registry/candidate_policy.h"
#include "puente/registry/keys.h"
#include "puente/registry/validation.h"
#include "puente/server/log.h"
#include "puente/server/server.h"
#include "support/key_material.h"

namespace {

puente::server::Server* g_server = nullptr;

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();
}

int Fail(const absl::Status& s) {
  std::cerr << "puente-server: " << s.message() << "\n";
  return absl::IsNotFound(s) ? 4 : absl::IsInvalidArgument(s) ? 3 : 7;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace puente;
  std::string db = "sqlite:puente.db", key_file = "puente.key", host = "127.0.0.1";
  std::string issuer_key, issuer_public, root_key, passphrase_file, admin, tls_cert, tls_key,
      issuer_name = credentials::kDefaultIssuerUri;
  std::vector<std::string> recipients, trust_issuers;
  std::string models = biometrics::ModelsDir();
  std::string template_set(biometrics::InfoOf(biometrics::kDefaultTemplateSet).name);
  double hold_fpir = registry::CandidatePolicy{}.hold_fpir;
  double flag_fpir = registry::CandidatePolicy{}.flag_fpir;
  int port = 8080, workers = 2, gallery_catch_up_ms = 250;
  CLI::App app{"puente-server: the enrollment service over HTTP"};
  app.add_option("--db", db, "Database URL (sqlite:PATH or postgresql://...)")
      ->envname("PUENTE_DB");
  app.add_option("--key-file", key_file, "Master key file")->envname("PUENTE_KEY_FILE");
  app.add_option("--models", models, "Face models directory");
  app.add_option("--template-set", template_set, "Face template set (docs/biometrics.md)")
      ->envname("PUENTE_TEMPLATE_SET")
      ->capture_default_str();
  app.add_option("--hold-fpir", hold_fpir,
                 "Share of new applicants held as possible duplicates (docs/enrollment.md)")
      ->capture_default_str();
  app.add_option("--flag-fpir", flag_fpir, "Share held or flagged for the lower-priority review")
      ->capture_default_str();
  app.add_option("--host", host, "Listen address (default 127.0.0.1)");
  app.add_option("--port", port, "Port (0: any free port, printed at start)");
  app.add_option("--workers", workers, "Concurrent requests served (default 2)");
  app.add_option("--gallery-catch-up-ms", gallery_catch_up_ms,
                 "How often the face gallery reads what other servers on the database "
                 "committed (default 250; 0: only at enrollments)")
      ->check(CLI::Range(0, 60000));
  app.add_option("--issuer-key", issuer_key, "Issuer private key (.pem): enables cards");
  app.add_option("--issuer-public", issuer_public,
                 "The issuer key's public file with its certified signing window (default: "
                 "--issuer-key with .pub.json for .pem)");
  app.add_option("--trust-issuer", trust_issuers,
                 "Another issuer's public key file the trust list publishes (repeat), e.g. one "
                 "from `puente keys import`");
  app.add_option("--issuer-name", issuer_name, "CWT issuer of cards, a URI");
  app.add_option("--root-key", root_key, "Root private key (.pem): enables the signed lists");
  app.add_option("--recipient", recipients, "Institution public key for sealed sections (repeat)");
  app.add_option("--passphrase-file", passphrase_file, "Passphrase of the .pem keys");
  app.add_option(
      "--admin", admin,
      "Create this admin user if there is no user yet (password from $PUENTE_ADMIN_PASSWORD)");
  std::string bundle_key, bundle_spool = "bundle-spool";
  app.add_option("--bundle-key", bundle_key,
                 "Centre bundle key (institution .pem): kits may push sync bundles");
  app.add_option("--bundle-spool", bundle_spool, "Where pushed chunks wait (default bundle-spool)");
  std::string metrics_token_file;
  app.add_option("--metrics-token-file", metrics_token_file,
                 "File whose first line is the bearer token /metrics requires");
  std::string log_level = "info";
  app.add_option("--log-level", log_level,
                 "Server log on stderr, one JSON line an event: debug, info, warn, error, off")
      ->envname("PUENTE_LOG_LEVEL")
      ->capture_default_str();
  int max_per_address = 128, max_connections = 8192;
  double head_timeout = 10;
  app.add_option("--max-connections", max_connections, "Open client connections at most")
      ->capture_default_str();
  app.add_option("--max-connections-per-address", max_per_address,
                 "Open client connections from one address at most")
      ->capture_default_str();
  app.add_option("--head-timeout", head_timeout,
                 "Seconds a client has to send a request's head (TLS handshake included)")
      ->capture_default_str();
  std::string web_dir;
  app.add_option("--web-dir", web_dir,
                 "Serve the officers' web app from this folder at / (build/web)")
      ->envname("PUENTE_WEB_DIR");
  std::string office;
  app.add_option("--office", office,
                 "The office code (3 digits) of enrollments that name none; the web app "
                 "enrolls for it")
      ->envname("PUENTE_OFFICE");
  app.add_option("--tls-cert", tls_cert, "PEM certificate: serve HTTPS");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto level = server::ParseLogLevel(log_level);
  if (!level.ok())
    return Fail(absl::InvalidArgumentError("--" + std::string(level.status().message())));
  server::SetLogLevel(*level);
  if (max_connections < 1 || max_per_address < 1 || head_timeout <= 0) {
    return Fail(absl::InvalidArgumentError(
        "--max-connections, --max-connections-per-address and --head-timeout must be positive"));
  }
  auto master = registry::LoadMasterKey(key_file);
  if (!master.ok()) return Fail(master.status());
  server::ServerConfig config(*master);
  config.db_url = db;
  config.models_dir = models;
  config.workers = workers;
  config.max_connections = max_connections;
  config.max_connections_per_address = max_per_address;
  config.head_timeout_seconds = head_timeout;
  config.gallery_catch_up_ms = gallery_catch_up_ms;
  auto set = biometrics::ParseTemplateSet(template_set);
  if (!set.ok())
    return Fail(absl::InvalidArgumentError("--" + std::string(set.status().message())));
  config.template_set = *set;
  config.policy.hold_fpir = hold_fpir;
  config.policy.flag_fpir = flag_fpir;
  if (auto st = registry::ValidatePolicy(config.policy); !st.ok()) return Fail(st);
  if (auto st = credentials::CheckIssuerUri(issuer_name); !st.ok()) {
    return Fail(absl::InvalidArgumentError("--issuer-name: " + std::string(st.message())));
  }
  config.issuer_name = issuer_name;
  config.web_dir = web_dir;
  if (!office.empty()) {
    if (auto st = registry::ValidateOfficeCode(office); !st.ok()) {
      return Fail(absl::InvalidArgumentError("--office: " + std::string(st.message())));
    }
  }
  config.office_code = office;
  config.tls_cert_file = tls_cert;
  config.tls_key_file = tls_key;
  if (!issuer_key.empty()) {
    auto k = apps::LoadSigningKey(issuer_key, passphrase_file);
    if (!k.ok()) return Fail(k.status());
    config.issuer = std::move(*k);
    if (issuer_public.empty()) {
      issuer_public = issuer_key.size() > 4 && issuer_key.ends_with(".pem")
                          ? issuer_key.substr(0, issuer_key.size() - 4) + ".pub.json"
                          : issuer_key + ".pub.json";
    }
    trust_issuers.insert(trust_issuers.begin(), issuer_public);
  }
  for (const std::string& path : trust_issuers) {
    auto file = apps::LoadPublicKey(path);
    if (!file.ok()) return Fail(file.status());
    auto entry = credentials::TrustedIssuerOf(
        *file, {credentials::CardType::kAsylumSeeker, credentials::CardType::kRefugee,
                credentials::CardType::kBirthAttestation});
    if (!entry.ok()) {
      return Fail(absl::InvalidArgumentError(path + ": " + std::string(entry.status().message())));
    }
    // Named after its file (onpar.pub.json: "onpar") unless the file names it.
    if (entry->name.empty()) entry->name = std::filesystem::path(path).stem().stem().string();
    config.trusted_issuers.push_back(std::move(*entry));
  }
  if (config.issuer &&
      config.trusted_issuers[0].public_key != config.issuer->key().verifying_key().raw()) {
    return Fail(
        absl::InvalidArgumentError(issuer_public + " is not the public key of " + issuer_key));
  }
  if (!root_key.empty()) {
    auto k = apps::LoadSigningKey(root_key, passphrase_file);
    if (!k.ok()) return Fail(k.status());
    config.root = std::move(*k);
  }
  if (!bundle_key.empty()) {
    auto k = apps::LoadInstitutionKey(bundle_key, passphrase_file);
    if (!k.ok()) return Fail(k.status());
    config.bundle_key = std::move(*k);
  }
  config.bundle_spool_dir = bundle_spool;
  if (!metrics_token_file.empty()) {
    auto text = apps::ReadFile(metrics_token_file);
    if (!text.ok()) return Fail(text.status());
    config.metrics_token = text->substr(0, text->find('\n'));
    if (config.metrics_token.size() < 16) {
      return Fail(absl::InvalidArgumentError("--metrics-token-file: at least 16 characters"));
    }
  }
  for (const std::string& path : recipients) {
    auto f = apps::LoadPublicKey(path);
    if (!f.ok()) return Fail(f.status());
    config.recipients.push_back({f->kid, f->public_key});
  }
  auto srv = server::Server::Create(std::move(config));
  if (!srv.ok()) return Fail(srv.status());
  if (!admin.empty()) {
    const char* pw = std::getenv("PUENTE_ADMIN_PASSWORD");
    auto st = (*srv)->EnsureAdmin(admin, pw != nullptr ? pw : "");
    if (!st.ok()) return Fail(st);
  }
  auto bound = (*srv)->Bind(host, port);
  if (!bound.ok()) return Fail(bound.status());
  g_server = srv->get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::cout << "puente-server listening on " << (tls_cert.empty() ? "http" : "https") << "://"
            << host << ":" << *bound << std::endl;
  (*srv)->Serve();
  std::cout << "puente-server stopped" << std::endl;
  return 0;
}
