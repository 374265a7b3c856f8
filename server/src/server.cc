#include "puente/server/server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_format.h"
#include "puente/common/status_macros.h"
#include "puente/crypto/mac.h"
#include "puente/server/log.h"
#include "src/context.h"
#include "src/front.h"
#include "src/gallery_follower.h"
#include "src/http_status.h"
#include "src/route_table.h"

namespace puente::server {

struct Server::Impl {
  explicit Impl(ServerConfig c) : ctx(std::move(c)) {}
  ServerContext ctx;
  std::unique_ptr<httplib::Server> http;  // the backend, on loopback
  std::unique_ptr<Front> front;           // the clients' side
  std::thread backend;
  std::unique_ptr<GalleryFollower> follower;  // first to stop
};

namespace {

// What every request goes through besides its route: counting, headers that
// keep answers out of caches and sniffers, and JSON for httplib's own errors.
void InstallHooks(httplib::Server& s, Metrics& metrics, const std::string& front_secret) {
  s.set_pre_routing_handler(
      [&metrics, &front_secret](const httplib::Request& req, httplib::Response& res) {
        // The backend listens on loopback for the front only: another local
        // process that connects to it directly is refused.
        if (!crypto::ConstantTimeEquals(req.get_header_value(kFrontSecretHeader), front_secret)) {
          SendError(res, absl::PermissionDeniedError("connect to the server's public port"));
          return httplib::Server::HandlerResponse::Handled;
        }
        metrics.requests++;
        return httplib::Server::HandlerResponse::Unhandled;
      });
  s.set_post_routing_handler([&metrics](const httplib::Request& req, httplib::Response& res) {
    if (res.status >= 500) {
      metrics.errors_5xx++;
    } else if (res.status >= 400) {
      metrics.errors_4xx++;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    // The web app's pages: scripts, styles and requests from this origin
    // only, no inline script or style, never framed (clickjacking). Frames
    // only of blob: URLs the app made itself (a card's or a birth
    // attestation's PDF, fetched with the token, shown to be printed).
    // The phone verifier (/verify/) compiles its QR reader's WebAssembly,
    // which script-src must allow ('wasm-unsafe-eval' allows WebAssembly
    // only, never eval of script); the officers' app needs none.
    const bool verifier = req.path.rfind("/verify/", 0) == 0;
    res.set_header("Content-Security-Policy",
                   std::string("default-src 'self'; script-src 'self'") +
                       (verifier ? " 'wasm-unsafe-eval'" : "") +
                       "; style-src 'self'; "
                       "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; "
                       "frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                       "frame-ancestors 'none'");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
  });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own JSON error
    absl::Status st = res.status == 413   ? absl::InvalidArgumentError("request body too large")
                      : res.status == 404 ? absl::NotFoundError("no such endpoint")
                                          : absl::InvalidArgumentError("bad request");
    const int status = res.status;
    SendError(res, st);
    res.status = status;
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                             std::exception_ptr e) { SendException(res, std::move(e)); });
}

absl::StatusOr<std::unique_ptr<Worker>> OpenWorker(ServerContext& ctx) {
  const ServerConfig& c = ctx.config;
  auto w = std::make_unique<Worker>();
  PUENTE_ASSIGN_OR_RETURN(w->registry, registry::Registry::Open(c.db_url, c.master_key, ctx.clock));
  biometrics::CaptureOptions capture_options;
  capture_options.templates = c.template_set;
  PUENTE_ASSIGN_OR_RETURN(w->capture,
                          biometrics::FaceCapture::Create(c.models_dir, capture_options));
  PUENTE_ASSIGN_OR_RETURN(
      w->enrollment,
      registry::EnrollmentService::Create(*w->registry, *w->capture, c.policy, ctx.live_gallery));
  // The first loads it; the rest share it.
  ctx.live_gallery = w->enrollment->live_gallery();
  ctx.gallery = w->enrollment->shared_gallery();
  w->cards = std::make_unique<registry::CardOffice>(*w->registry, *w->enrollment, ctx.authority);
  w->users = std::make_unique<registry::UserDirectory>(*w->registry);
  return w;
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerConfig config) {
  if (config.issuer && config.root) {
    const bool published =
        std::any_of(config.trusted_issuers.begin(), config.trusted_issuers.end(),
                    [&](const credentials::TrustedIssuer& t) {
                      return t.public_key == config.issuer->key().verifying_key().raw();
                    });
    if (!published) {
      return absl::InvalidArgumentError(
          "the issuer key's certified public key file (with its signing window) is needed to "
          "publish the trust list (--issuer-public)");
    }
  }
  auto impl = std::make_unique<Impl>(std::move(config));
  ServerContext& ctx = impl->ctx;
  const ServerConfig& c = ctx.config;
  const int workers = std::max(1, c.workers);
  for (int i = 0; i < workers; ++i) {
    PUENTE_ASSIGN_OR_RETURN(std::unique_ptr<Worker> w, OpenWorker(ctx));
    ctx.pool.Add(std::move(w));
  }
  FrontLimits limits;
  limits.max_connections = c.max_connections;
  limits.max_per_address = c.max_connections_per_address;
  limits.head_seconds = c.head_timeout_seconds;
  limits.body_seconds = c.read_timeout_seconds;
  limits.write_seconds = c.read_timeout_seconds;
  limits.idle_seconds = c.keep_alive_seconds;
  limits.process_seconds = c.process_timeout_seconds;
  limits.max_body_bytes = c.max_body_bytes;
  // Two requests a worker: one working, one ready as soon as it is free
  // (token checks and public routes need no worker at all).
  limits.max_in_flight = workers * 2;
  PUENTE_ASSIGN_OR_RETURN(
      impl->front, Front::Create(limits, ctx.metrics.front, c.tls_cert_file, c.tls_key_file));
  impl->http = std::make_unique<httplib::Server>();
  // Requests the front gave up on (504) may still run: room for them.
  impl->http->new_task_queue = [workers] { return new httplib::ThreadPool(workers * 2 + 4); };
  impl->http->set_payload_max_length(c.max_body_bytes);
  impl->http->set_read_timeout(c.read_timeout_seconds);
  impl->http->set_write_timeout(c.read_timeout_seconds);
  InstallHooks(*impl->http, ctx.metrics, impl->front->secret());
  if (!c.web_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(c.web_dir) / "index.html", ec)) {
      return absl::InvalidArgumentError("web folder " + c.web_dir +
                                        " has no index.html (build it: node web/build.mjs)");
    }
    impl->http->set_mount_point("/", c.web_dir);
    // The verifier's QR reader: browsers compile WebAssembly as it streams in
    // only when it is served as application/wasm.
    impl->http->set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
    impl->http->Get("/verify", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/verify/");
    });
  }
  RegisterRoutes(*impl->http, ctx, ApiRoutes());
  if (c.gallery_catch_up_ms > 0) {
    impl->follower = std::make_unique<GalleryFollower>(
        ctx.live_gallery,
        [&ctx] {
          return registry::Registry::Open(ctx.config.db_url, ctx.config.master_key, ctx.clock);
        },
        absl::Milliseconds(c.gallery_catch_up_ms));
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

absl::StatusOr<int> Server::Bind(const std::string& host, int port) {
  const int backend = impl_->http->bind_to_any_port("127.0.0.1");
  if (backend <= 0) return absl::UnavailableError("cannot bind the backend to 127.0.0.1");
  impl_->front->set_backend_port(backend);
  return impl_->front->Bind(host, port);
}

void Server::Serve() {
  impl_->backend = std::thread([this] { impl_->http->listen_after_bind(); });
  // httplib's stop() only stops a server that runs: wait until it does.
  for (int i = 0; i < 5000 && !impl_->http->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->front->Serve();
  impl_->http->stop();
  impl_->backend.join();
}

// Async-signal-safe (puente-server calls it from SIGTERM): Serve does the rest.
void Server::Stop() {
  if (impl_ && impl_->front) impl_->front->Stop();
}

absl::Status Server::EnsureAdmin(const std::string& name, const std::string& password) {
  return impl_->ctx.pool.With([&](Worker& w) -> absl::Status {
    PUENTE_ASSIGN_OR_RETURN(int n, w.users->CountUsers());
    if (n > 0) return absl::OkStatus();
    return w.users->AddUser("setup", name, registry::Role::kAdmin, password).status();
  });
}

}  // namespace puente::server
