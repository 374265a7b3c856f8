// The enrollment service over HTTP (cpp-httplib + nlohmann-json): sessions
// with roles, enrollment with photo upload, duplicate candidates and
// decisions, 1:1 verification, cards (issue, PNG/PDF, replace, renew,
// revoke), case status, the signed trust and revocation lists at stable URLs,
// audit checks, /health, /metrics (Prometheus) and /openapi.json.
//
// One event loop (src/front.h) owns the client connections and reads each
// request under deadlines; complete requests run on one of `workers`
// workers; a worker owns its database connection and face models, and all
// share one in-memory face gallery.
// Errors are JSON: {"error": {"code": "...", "message": "..."}} with the
// HTTP status of the code (docs/api.md).
//
// Inside (server/src/): one route table (route_table.h) registers every
// endpoint and generates /openapi.json; the handlers live by resource in
// routes/*.cc; http_status.h is the one place mapping a status to HTTP.
#ifndef PUENTE_SERVER_SERVER_H_
#define PUENTE_SERVER_SERVER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/common/clock.h"
#include "puente/credentials/card.h"
#include "puente/credentials/keys.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/secret_key.h"
#include "puente/registry/enrollment.h"

namespace puente::server {

struct ServerConfig {
  explicit ServerConfig(crypto::SecretKey master) : master_key(std::move(master)) {}
  std::string db_url = "sqlite:puente.db";
  crypto::SecretKey master_key;
  std::string models_dir;
  // The face template set enrollments use; a registry holding templates of
  // another set is refused at start (`puente face retemplate`).
  biometrics::TemplateSet template_set = biometrics::kDefaultTemplateSet;
  // Deduplication: the FPIR targets (the face score model is the set's).
  registry::EnrollmentPolicy policy;
  // Signs cards. Without it the card endpoints answer 503.
  std::optional<credentials::SigningIdentity> issuer;
  std::string issuer_name = credentials::kDefaultIssuerUri;  // CWT iss, a URI
  // The issuer keys GET /api/v1/lists/trust publishes (with the active field
  // kits), each with its certified signing window (credentials/keys.h): the
  // same entries on every re-signed list. With `issuer` and `root` set, one of
  // them must be `issuer`'s key, or Create refuses to start.
  std::vector<credentials::TrustedIssuer> trusted_issuers;
  // Signs the trust and revocation lists. Without it the list endpoints answer 503.
  std::optional<credentials::SigningIdentity> root;
  // Institutions that cards' sealed sections are addressed to.
  std::vector<credentials::Recipient> recipients;
  int card_validity_days = 365;
  int workers = 2;
  // How often the face gallery catches up with what other servers on the
  // database committed (docs/deployment.md); 0: only at enrollments.
  int gallery_catch_up_ms = 250;
  size_t max_body_bytes = 8 << 20;  // a phone photo in base64 fits
  // Connections (docs/security.md, "Connections and slow clients"): the
  // request body must arrive, and the answer be taken, within
  // read_timeout_seconds; the head (TLS handshake included) within
  // head_timeout_seconds; a request is processed within
  // process_timeout_seconds of arriving (queue included) or answered 504.
  int read_timeout_seconds = 30;
  double head_timeout_seconds = 10;
  double keep_alive_seconds = 15;
  double process_timeout_seconds = 30;
  int max_connections = 8192;
  int max_connections_per_address = 128;
  int list_next_update_hours = 24;
  // The centre's bundle key: field kits push sync bundles over HTTP
  // (POST /api/v1/kits/bundles/...). Without it those endpoints answer 503.
  std::optional<credentials::InstitutionKey> bundle_key;
  // Where pushed chunks wait until their bundle is complete.
  std::string bundle_spool_dir = "bundle-spool";
  // Set: /metrics answers only "Authorization: Bearer <metrics_token>" (a
  // Prometheus scrape credential); empty: /metrics is public.
  std::string metrics_token;
  // Set: the officers' web app (the folder `node web/build.mjs` writes,
  // build/web) is served at /, under a strict Content-Security-Policy.
  std::string web_dir;
  // The office this server registers for (3 digits): an enrollment that
  // names none is the office's, and GET /api/v1/session tells the web app.
  std::string office_code;
  std::string tls_cert_file;  // both set: HTTPS
  std::string tls_key_file;
  // Every time the server reads: lists' issued and next-update times, and
  // (passed to the registries it opens) sessions, cards and audit events.
  // Not owned; must outlive the server. Null means the real clock.
  const Clock* clock = &Clock::Real();
};

class Server {
 public:
  // Opens `workers` connections and face-model instances and loads the
  // gallery. Errors: the database, key or models cannot be opened.
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerConfig config);
  ~Server();

  // Binds to `host`:`port` (0: any free port) and returns the port.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Serves until Stop() (from another thread or a signal handler).
  void Serve();
  void Stop();

  // Creates the first admin when there is no user yet (set-up).
  absl::Status EnsureAdmin(const std::string& name, const std::string& password);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace puente::server

#endif  // PUENTE_SERVER_SERVER_H_
