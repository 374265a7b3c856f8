#include "src/context.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"

namespace puente::server {

using nlohmann::json;

ServerContext::ServerContext(ServerConfig c)
    : config(std::move(c)),
      clock(config.clock != nullptr ? *config.clock : Clock::Real()),
      authority{config.issuer
                    ? *config.issuer
                    : *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519),
                config.issuer_name,
                config.recipients,
                config.card_validity_days,
                false,
                ""},
      password_checks(std::clamp(config.workers / 2, 1, 64)) {}

int64_t ServerContext::NowSeconds() const { return absl::ToUnixSeconds(clock.Now()); }

std::string ClientAddress(const httplib::Request& req) {
  // Trusted only from loopback, where the in-process front connects from: a
  // client elsewhere cannot pick the address its failures are counted under.
  const bool from_loopback = req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" ||
                             req.remote_addr == "::ffff:127.0.0.1";
  if (from_loopback && req.has_header("X-Puente-Client")) {
    std::string forwarded = req.get_header_value("X-Puente-Client");
    if (!forwarded.empty() && forwarded.size() <= 64) return forwarded;
  }
  return req.remote_addr;
}

std::string BearerToken(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return "";
  return auth.substr(7);
}

absl::StatusOr<registry::User> Caller(ServerContext& ctx, const httplib::Request& req,
                                      const std::vector<registry::Role>& roles) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) {
    return absl::UnauthenticatedError("missing bearer token (POST /api/v1/sessions to log in)");
  }
  const std::string token = auth.substr(7);
  PUENTE_ASSIGN_OR_RETURN(registry::User u,
                          ctx.pool.With([&](Worker& w) { return w.users->Authenticate(token); }));
  for (registry::Role r : roles) {
    if (r == u.role) return u;
  }
  return absl::PermissionDeniedError(
      puente::StrCat("role ", registry::ToString(u.role), " may not do this"));
}

void SendJson(httplib::Response& res, const json& j, int status) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

absl::StatusOr<json> JsonBody(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    return absl::InvalidArgumentError("content type must be application/json");
  }
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  return j;
}

absl::StatusOr<std::string> IdempotencyKeyOf(const httplib::Request& req) {
  if (!req.has_header("Idempotency-Key")) return std::string();
  if (req.get_header_value_count("Idempotency-Key") > 1) {
    return absl::InvalidArgumentError("Idempotency-Key: send the header once");
  }
  std::string key = req.get_header_value("Idempotency-Key");
  if (key.empty() || key.size() > 128) {
    return absl::InvalidArgumentError("Idempotency-Key: must be 1 to 128 characters");
  }
  for (char c : key) {
    if (c < 0x21 || c > 0x7E) {
      return absl::InvalidArgumentError(
          "Idempotency-Key: may hold only printable ASCII characters (no spaces), e.g. a UUID");
    }
  }
  return key;
}

absl::StatusOr<uint64_t> SerialOf(const std::string& text) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) return absl::InvalidArgumentError("serial: not a number");
  return v;
}

}  // namespace puente::server
