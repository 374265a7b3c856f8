// Operations: liveness, Prometheus metrics and this API's OpenAPI document.
#include "absl/strings/str_format.h"
#include "puente/crypto/mac.h"
#include "src/http_status.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

absl::Status Health(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  SendJson(res, {{"status", "ok"}, {"gallery_size", ctx.gallery ? ctx.gallery->size() : 0}});
  return absl::OkStatus();
}

absl::Status MetricsText(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!ctx.config.metrics_token.empty() &&
      !crypto::ConstantTimeEquals(req.get_header_value("Authorization"),
                                  "Bearer " + ctx.config.metrics_token)) {
    return absl::UnauthenticatedError("/metrics needs its bearer token");
  }
  const Metrics& metrics = ctx.metrics;
  std::string m;
  auto counter = [&m](const char* name, const char* help, long v, const char* labels = "") {
    m += absl::StrFormat("# HELP %s %s\n# TYPE %s counter\n%s%s %d\n", name, help, name, name,
                         labels, v);
  };
  counter("puente_http_requests_total", "HTTP requests received.", metrics.requests.load());
  counter("puente_http_client_errors_total", "Responses with a 4xx status.",
          metrics.errors_4xx.load());
  counter("puente_http_server_errors_total", "Responses with a 5xx status.",
          metrics.errors_5xx.load());
  m += "# HELP puente_enrollments_total Enrollments by outcome.\n"
       "# TYPE puente_enrollments_total counter\n";
  m += absl::StrFormat("puente_enrollments_total{outcome=\"cleared\"} %d\n",
                       metrics.enrollments_cleared.load());
  m += absl::StrFormat("puente_enrollments_total{outcome=\"held\"} %d\n",
                       metrics.enrollments_held.load());
  m += absl::StrFormat("puente_enrollments_total{outcome=\"refused\"} %d\n",
                       metrics.enrollments_refused.load());
  counter("puente_cards_issued_total", "Cards issued.", metrics.cards_issued.load());
  counter("puente_adjudications_total", "Duplicate decisions.", metrics.decisions.load());
  const FrontStats& front = metrics.front;
  m += absl::StrFormat(
      "# HELP puente_http_connections_open Client connections open now.\n"
      "# TYPE puente_http_connections_open gauge\npuente_http_connections_open %d\n",
      front.connections_open.load());
  counter("puente_http_connections_accepted_total", "Client connections accepted.",
          front.connections_accepted.load());
  counter("puente_http_connections_refused_total",
          "Client connections refused (too many in all or from one address).",
          front.connections_refused.load());
  counter("puente_http_timeouts_total",
          "Connections or requests cut by a deadline (head, body, processing, answer, idle).",
          front.timeouts.load());
  m += absl::StrFormat(
      "# HELP puente_gallery_templates Enrolled faces in the 1:N gallery.\n"
      "# TYPE puente_gallery_templates gauge\npuente_gallery_templates %d\n",
      ctx.gallery ? ctx.gallery->size() : 0);
  res.set_content(m, "text/plain; version=0.0.4");
  return absl::OkStatus();
}

absl::Status OpenApi(ServerContext&, const httplib::Request&, httplib::Response& res) {
  SendJson(res, OpenApiDocument(ApiRoutes()));
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> OpsRoutes() {
  return {
      PublicRoute(Method::kGet, "/health", "/health", "Liveness and gallery size", Health),
      PublicRoute(Method::kGet, "/metrics", "/metrics", "Prometheus counters", MetricsText),
      PublicRoute(Method::kGet, "/openapi.json", "/openapi.json", "This document", OpenApi),
  };
}

}  // namespace puente::server
