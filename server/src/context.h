// What every route handler shares (private to server/): the configuration,
// the clock, the card authority, the worker pool, the gallery and the
// metrics; and the small HTTP helpers the handlers use.
#ifndef PUENTE_SERVER_SRC_CONTEXT_H_
#define PUENTE_SERVER_SRC_CONTEXT_H_

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <semaphore>
#include <string>

#include "absl/status/statusor.h"
#include "puente/biometrics/gallery.h"
#include "puente/common/clock.h"
#include "puente/registry/cards.h"
#include "puente/registry/live_gallery.h"
#include "puente/registry/users.h"
#include "puente/server/server.h"
#include "src/front.h"
#include "src/worker_pool.h"

namespace puente::server {

// Counters for /metrics. Thread-safe (atomics).
struct Metrics {
  std::atomic<long> requests{0}, errors_4xx{0}, errors_5xx{0};
  std::atomic<long> enrollments_cleared{0}, enrollments_held{0}, enrollments_refused{0};
  std::atomic<long> cards_issued{0}, decisions{0};
  std::atomic<long long> request_micros{0};
  FrontStats front;
};

// One per server, alive as long as it. Handlers run concurrently: they touch
// the registry only through pool.With, and the rest is immutable or atomic.
struct ServerContext {
  explicit ServerContext(ServerConfig c);

  ServerConfig config;
  const Clock& clock;  // config.clock, or the real clock
  registry::CardAuthority authority;
  std::shared_ptr<biometrics::FaceGallery> gallery;  // live_gallery's faces
  std::shared_ptr<registry::LiveGallery> live_gallery;
  WorkerPool pool;
  Metrics metrics;
  // Password checks (scrypt: ~0.1 s of one core and 32 MiB each) run on the
  // request's thread, not on a worker, at most max(1, workers / 2) at once:
  // a flood of logins can take that share of the CPU, never every worker.
  std::counting_semaphore<64> password_checks;

  // Unix seconds by `clock`.
  int64_t NowSeconds() const;
};

// The client's address: the X-Puente-Client header that the server's own
// front sets when the connection comes from loopback (the front is
// in-process), else httplib's req.remote_addr. Login throttling counts
// failures per this address.
std::string ClientAddress(const httplib::Request& req);

// The bearer token of "Authorization: Bearer <token>", or "" without one.
std::string BearerToken(const httplib::Request& req);

// The caller, if their bearer token is valid (Unauthenticated otherwise) and
// their role is one of `roles` (PermissionDenied otherwise).
absl::StatusOr<registry::User> Caller(ServerContext& ctx, const httplib::Request& req,
                                      const std::vector<registry::Role>& roles);

// Sets res to `j` as application/json with `status`.
void SendJson(httplib::Response& res, const nlohmann::json& j, int status = 200);

// The request's body: a JSON object sent as application/json
// (InvalidArgument otherwise, naming what is wrong).
absl::StatusOr<nlohmann::json> JsonBody(const httplib::Request& req);

// The request's Idempotency-Key header: "" without one; InvalidArgument
// naming the header unless it is 1 to 128 printable ASCII characters.
absl::StatusOr<std::string> IdempotencyKeyOf(const httplib::Request& req);

// A card serial from a URL. InvalidArgument "serial: not a number".
absl::StatusOr<uint64_t> SerialOf(const std::string& text);

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_CONTEXT_H_
