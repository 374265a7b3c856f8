#include "puente/server/server.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "puente/common/status_macros.h"
#include "src/context.h"
#include "src/http_status.h"
#include "src/route_table.h"

namespace puente::server {

struct Server::Impl {
  explicit Impl(ServerConfig c) : ctx(std::move(c)) {}
  ServerContext ctx;
  std::unique_ptr<httplib::Server> http;
};

namespace {

// What every request goes through besides its route: counting, headers that
// keep answers out of caches and sniffers, and JSON for httplib's own errors.
void InstallHooks(httplib::Server& s, Metrics& metrics) {
  s.set_pre_routing_handler([&metrics](const httplib::Request&, httplib::Response&) {
    metrics.requests++;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_post_routing_handler([&metrics](const httplib::Request&, httplib::Response& res) {
    if (res.status >= 500) {
      metrics.errors_5xx++;
    } else if (res.status >= 400) {
      metrics.errors_4xx++;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
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
  PUENTE_ASSIGN_OR_RETURN(w->enrollment, registry::EnrollmentService::Create(
                                             *w->registry, *w->capture, c.policy, ctx.gallery));
  ctx.gallery = w->enrollment->shared_gallery();  // the first loads it; the rest share it
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
  if (!c.tls_cert_file.empty() && !c.tls_key_file.empty()) {
    impl->http =
        std::make_unique<httplib::SSLServer>(c.tls_cert_file.c_str(), c.tls_key_file.c_str());
    if (!impl->http->is_valid()) {
      return absl::InvalidArgumentError("TLS certificate or key cannot be loaded");
    }
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  impl->http->new_task_queue = [workers] { return new httplib::ThreadPool(workers * 2); };
  impl->http->set_payload_max_length(c.max_body_bytes);
  impl->http->set_read_timeout(c.read_timeout_seconds);
  impl->http->set_write_timeout(c.read_timeout_seconds);
  InstallHooks(*impl->http, ctx.metrics);
  RegisterRoutes(*impl->http, ctx, ApiRoutes());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

absl::StatusOr<int> Server::Bind(const std::string& host, int port) {
  if (port == 0) {
    const int p = impl_->http->bind_to_any_port(host);
    if (p <= 0) return absl::UnavailableError("cannot bind to " + host);
    return p;
  }
  if (!impl_->http->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrFormat("cannot bind to %s:%d", host, port));
  }
  return port;
}

void Server::Serve() { impl_->http->listen_after_bind(); }
void Server::Stop() {
  if (impl_ && impl_->http) impl_->http->stop();
}

absl::Status Server::EnsureAdmin(const std::string& name, const std::string& password) {
  return impl_->ctx.pool.With([&](Worker& w) -> absl::Status {
    PUENTE_ASSIGN_OR_RETURN(int n, w.users->CountUsers());
    if (n > 0) return absl::OkStatus();
    return w.users->AddUser("setup", name, registry::Role::kAdmin, password).status();
  });
}

}  // namespace puente::server
