// Sessions (log in, log out) and users.
#include "puente/common/status_macros.h"
#include "src/http_status.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

absl::Status LogIn(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  const std::string user = body.value("user", ""), password = body.value("password", "");
  PUENTE_ASSIGN_OR_RETURN(std::string token,
                          ctx.pool.With([&](Worker& w) { return w.users->Login(user, password); }));
  SendJson(res, {{"token", token}, {"token_type", "Bearer"}}, 201);
  return absl::OkStatus();
}

absl::Status LogOut(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return absl::UnauthenticatedError("no token");
  PUENTE_RETURN_IF_ERROR(ctx.pool.With([&](Worker& w) { return w.users->Logout(auth.substr(7)); }));
  res.status = 204;
  return absl::OkStatus();
}

// Who the bearer token is: the web app asks after signing in.
absl::Status WhoAmI(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string token = BearerToken(req);
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  PUENTE_ASSIGN_OR_RETURN(registry::User u,
                          ctx.pool.With([&](Worker& w) { return w.users->Authenticate(token); }));
  SendJson(res, {{"user", u.name}, {"role", registry::ToString(u.role)}});
  return absl::OkStatus();
}

absl::Status CreateUser(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  auto role = registry::ParseRole(body.value("role", ""));
  if (!role) {
    return absl::InvalidArgumentError("role: one of officer, supervisor, auditor, admin, verifier");
  }
  PUENTE_ASSIGN_OR_RETURN(
      registry::User created,
      w.users->AddUser(u.name, body.value("name", ""), *role, body.value("password", "")));
  SendJson(res, {{"name", created.name}, {"role", registry::ToString(created.role)}}, 201);
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> SessionRoutes() {
  return {
      PublicRoute(Method::kPost, "/api/v1/sessions", "/api/v1/sessions",
                  "Log in: {user, password} -> {token}", LogIn),
      AnyUserRoute(Method::kDelete, "/api/v1/sessions", "/api/v1/sessions",
                   "Log out (revokes the bearer token)", LogOut),
      AnyUserRoute(Method::kGet, "/api/v1/session", "/api/v1/session",
                   "The bearer token's user and role: {user, role}", WhoAmI),
      RoleRoute(Method::kPost, "/api/v1/users", "/api/v1/users", {Role::kAdmin},
                "Create a user: {name, role, password}", CreateUser),
  };
}

}  // namespace puente::server
