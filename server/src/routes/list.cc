// The signed lists verifiers need, at public, stable URLs: the trust list,
// the revocation list and the root public key that checks both.
#include "puente/common/status_macros.h"
#include "puente/credentials/lists.h"
#include "puente/registry/trust_publication.h"
#include "src/routes/routes.h"

namespace puente::server {

absl::StatusOr<std::string> SignedTrustList(ServerContext& ctx) {
  const ServerConfig& config = ctx.config;
  if (!config.root || !config.issuer) {
    return absl::UnavailableError("this server has no root or issuer key configured");
  }
  const int64_t now = ctx.NowSeconds();
  // The keys' entries as certified: re-signing changes the list's dates only.
  const registry::TrustPublication publication{now, now + config.list_next_update_hours * 3600,
                                               config.trusted_issuers};
  PUENTE_ASSIGN_OR_RETURN(registry::PublishedTrustList published, ctx.pool.With([&](Worker& w) {
    return registry::PublishTrustList(w.registry.get(), publication, *config.root);
  }));
  return published.signed_bytes;
}

absl::StatusOr<std::string> SignedRevocationList(ServerContext& ctx) {
  if (!ctx.config.root) return absl::UnavailableError("this server has no root key configured");
  PUENTE_ASSIGN_OR_RETURN(std::vector<uint64_t> revoked,
                          ctx.pool.With([](Worker& w) { return w.cards->RevokedSerials(); }));
  const int64_t now = ctx.NowSeconds();
  return credentials::SignRevocationList(
      {static_cast<uint64_t>(now), now, now + ctx.config.list_next_update_hours * 3600, revoked},
      *ctx.config.root);
}

namespace {

absl::Status GetTrustList(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  PUENTE_ASSIGN_OR_RETURN(std::string bytes, SignedTrustList(ctx));
  res.set_content(bytes, "application/cose");
  return absl::OkStatus();
}

absl::Status GetRevocationList(ServerContext& ctx, const httplib::Request&,
                               httplib::Response& res) {
  PUENTE_ASSIGN_OR_RETURN(std::string bytes, SignedRevocationList(ctx));
  res.set_content(bytes, "application/cose");
  return absl::OkStatus();
}

absl::Status GetRootKey(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  if (!ctx.config.root) return absl::UnavailableError("no root key configured");
  res.set_content(credentials::PublicKeyFileJson(
                      credentials::PublicFileOf(*ctx.config.root, credentials::KeyKind::kRoot)),
                  "application/json");
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> ListRoutes() {
  return {
      PublicRoute(Method::kGet, "/api/v1/lists/trust", "/api/v1/lists/trust",
                  "Signed trust list (COSE_Sign1)", GetTrustList),
      PublicRoute(Method::kGet, "/api/v1/lists/revocation", "/api/v1/lists/revocation",
                  "Signed revocation list (COSE_Sign1)", GetRevocationList),
      PublicRoute(Method::kGet, "/api/v1/keys/root", "/api/v1/keys/root",
                  "The root public key file", GetRootKey),
  };
}

}  // namespace puente::server
