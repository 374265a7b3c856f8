// Field kits (docs/field-kits.md). No bearer token on these routes: a pull is
// signed by a kit key the centre certified and answered sealed to a key of
// that request only; a pushed bundle is signed and sealed to the centre's
// bundle key, and checked like any bundle before anything is kept.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "puente/common/status_macros.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/json.h"
#include "puente/registry/regional.h"
#include "puente/registry/sync.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;

// Lists and the kit's regional snapshot (docs/field-kits.md, "Pull").
absl::Status Pull(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  PUENTE_RETURN_IF_ERROR(JsonBody(req).status());
  if (!ctx.config.root) return absl::UnavailableError("no root key configured");
  PUENTE_ASSIGN_OR_RETURN(std::string tl, SignedTrustList(ctx));
  PUENTE_ASSIGN_OR_RETURN(std::string rl, SignedRevocationList(ctx));
  PUENTE_ASSIGN_OR_RETURN(std::string answer, ctx.pool.With([&](Worker& w) {
    return registry::RegionalSnapshot::Answer(*w.registry, req.body, *ctx.config.root, tl, rl);
  }));
  res.set_content(answer, "application/json");
  return absl::OkStatus();
}

// Field kits push sync bundles over a slow, dropping link: the signed
// manifest first (checked like any bundle: a foreign or tampered one is
// refused and nothing is kept), then each chunk the centre does not have
// yet (its SHA-256 must be one the manifest lists), then the manifest
// again to import. Every call answers what is still missing.
std::filesystem::path SpoolOf(const ServerContext& ctx, const std::string& bundle_id) {
  return std::filesystem::path(ctx.config.bundle_spool_dir) / bundle_id;
}

absl::Status PushManifest(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  PUENTE_RETURN_IF_ERROR(JsonBody(req).status());
  const std::string bundle_id = req.matches[1];
  const std::string& text = req.body;
  if (!ctx.config.bundle_key) return absl::UnavailableError("no bundle key configured");
  PUENTE_ASSIGN_OR_RETURN(registry::BundleManifest m, registry::ParseBundleManifest(text));
  if (m.bundle_id != bundle_id) {
    return absl::InvalidArgumentError("the manifest is of another bundle than the URL's");
  }
  const auto dir = SpoolOf(ctx, bundle_id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError("bundle spool: " + ec.message());
  {
    std::ofstream f(dir / "manifest.json", std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return absl::InternalError("bundle spool: cannot write the manifest");
  }
  auto report = ctx.pool.With([&](Worker& w) {
    registry::BundleImporter importer(*w.registry, *w.enrollment, *ctx.config.bundle_key);
    return importer.Import("kit-push", dir.string());
  });
  if (!report.ok()) {
    std::filesystem::remove_all(dir, ec);  // a foreign or tampered bundle leaves nothing
    return report.status();
  }
  json missing = json::array();
  for (const auto& c : m.chunks) {
    if (!std::filesystem::exists(dir / (c.sha256 + ".chunk"))) missing.push_back(c.sha256);
  }
  if (report->complete) std::filesystem::remove_all(dir, ec);
  json j = registry::ToJson(*report);
  j["missing"] = report->complete ? json::array() : missing;
  SendJson(res, j, report->complete ? 200 : 202);
  return absl::OkStatus();
}

absl::Status PushChunk(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string bundle_id = req.matches[1], sha256 = req.matches[2];
  const std::string& data = req.body;
  if (!ctx.config.bundle_key) return absl::UnavailableError("no bundle key configured");
  const auto dir = SpoolOf(ctx, bundle_id);
  std::ifstream mf(dir / "manifest.json", std::ios::binary);
  if (!mf) {
    return absl::FailedPreconditionError(
        "push the bundle's manifest first (POST /api/v1/kits/bundles/ID)");
  }
  const std::string text((std::istreambuf_iterator<char>(mf)), std::istreambuf_iterator<char>());
  PUENTE_ASSIGN_OR_RETURN(registry::BundleManifest m, registry::ParseBundleManifest(text));
  const bool listed = std::any_of(m.chunks.begin(), m.chunks.end(),
                                  [&](const auto& c) { return c.sha256 == sha256; });
  if (!listed) return absl::InvalidArgumentError("the manifest lists no such chunk");
  if (crypto::HexEncode(crypto::Sha256(data)) != sha256) {
    return absl::InvalidArgumentError("the chunk's SHA-256 does not match its name (damaged)");
  }
  const auto path = dir / (sha256 + ".chunk");
  const auto tmp = dir / (sha256 + ".part");
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!f) return absl::InternalError("bundle spool: cannot write the chunk");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::InternalError("bundle spool: " + ec.message());
  res.status = 204;
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> KitRoutes() {
  return {
      PublicRoute(Method::kPost, "/api/v1/kits/pull", "/api/v1/kits/pull",
                  "A field kit's pull, signed by its key: lists and its regional snapshot delta, "
                  "sealed to the request's reply key, the answer signed by the root key",
                  Pull),
      PublicRoute(Method::kPost, R"(/api/v1/kits/bundles/([0-9a-f]{64}))",
                  "/api/v1/kits/bundles/{bundle_id}",
                  "A field kit's signed bundle manifest: checked (foreign or tampered: 400), then "
                  "-> 202 {missing: [chunk sha256]} or 200 with the import report",
                  PushManifest),
      PublicRoute(Method::kPut, R"(/api/v1/kits/bundles/([0-9a-f]{64})/chunks/([0-9a-f]{64}))",
                  "/api/v1/kits/bundles/{bundle_id}/chunks/{sha256}",
                  "One chunk of a posted bundle (application/octet-stream; its SHA-256 must be "
                  "listed)",
                  PushChunk),
  };
}

}  // namespace puente::server
