// Sessions (log in, log out), the caller's own password, and users: list,
// create, change a role, disable and enable, reset a password, end a user's
// sessions, unlock an account or address after failed logins
// (docs/security.md).
#include "puente/common/status_macros.h"
#include "puente/registry/kits.h"
#include "src/api_json.h"
#include "src/http_status.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

// A user name from a URL.
constexpr const char* kUser = R"(/api/v1/users/([a-z0-9._-]{1,64}))";

// The body's "role".
absl::StatusOr<Role> RoleField(const json& body) {
  PUENTE_ASSIGN_OR_RETURN(const std::string text, StringField(body, "role"));
  auto role = registry::ParseRole(text);
  if (!role) {
    return absl::InvalidArgumentError("role: one of officer, supervisor, auditor, admin, verifier");
  }
  return *role;
}

absl::Status LogIn(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string user, StringField(body, "user"));
  PUENTE_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password"));
  const std::string address = ClientAddress(req);
  // The lock and the stored hash on a worker; the scrypt check on this
  // thread, holding no worker and no transaction; the outcome on a worker.
  PUENTE_ASSIGN_OR_RETURN(
      registry::UserDirectory::LoginAttempt attempt,
      ctx.pool.With([&](Worker& w) { return w.users->PrepareLogin(user, address); }));
  bool password_ok = false;
  {
    ctx.password_checks.acquire();
    struct Release {
      std::counting_semaphore<64>& s;
      ~Release() { s.release(); }
    } release{ctx.password_checks};
    password_ok = registry::UserDirectory::CheckPassword(attempt, password);
  }
  PUENTE_ASSIGN_OR_RETURN(std::string token, ctx.pool.With([&](Worker& w) {
    return w.users->CompleteLogin(attempt, password_ok);
  }));
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

// Who the bearer token is, and whether this server runs on a field kit: the
// web app asks after signing in.
absl::Status WhoAmI(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string token = BearerToken(req);
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  json answer;
  PUENTE_RETURN_IF_ERROR(ctx.pool.With([&](Worker& w) -> absl::Status {
    PUENTE_ASSIGN_OR_RETURN(registry::User u, w.users->Authenticate(token));
    answer = {{"user", u.name}, {"role", registry::ToString(u.role)}, {"kit", nullptr}};
    if (!ctx.config.office_code.empty()) answer["office"] = ctx.config.office_code;
    // On a field kit the app shows its kit screens (docs/web.md, "Field-kit
    // mode") and enrolls for the kit's office.
    PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitPublicIdentity(*w.registry));
    if (kit) {
      answer["kit"] = {{"kit_id", kit->kit_id}, {"office_code", kit->office_code}};
      if (ctx.config.office_code.empty()) answer["office"] = kit->office_code;
    }
    return absl::OkStatus();
  }));
  SendJson(res, answer);
  return absl::OkStatus();
}

absl::Status ChangeOwnPassword(ServerContext& ctx, const httplib::Request& req,
                               httplib::Response& res) {
  const std::string token = BearerToken(req);
  if (token.empty()) {
    return absl::UnauthenticatedError("missing bearer token (POST /api/v1/sessions to log in)");
  }
  PUENTE_RETURN_IF_ERROR(
      ctx.pool.With([&](Worker& w) { return w.users->Authenticate(token).status(); }));
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string current, StringField(body, "current_password"));
  PUENTE_ASSIGN_OR_RETURN(const std::string next, StringField(body, "new_password"));
  if (current.empty()) return absl::InvalidArgumentError("current_password: is required");
  if (next.empty()) return absl::InvalidArgumentError("new_password: is required");
  PUENTE_RETURN_IF_ERROR(
      ctx.pool.With([&](Worker& w) { return w.users->ChangeOwnPassword(token, current, next); }));
  res.status = 204;
  return absl::OkStatus();
}

absl::Status CreateUser(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const Role role, RoleField(body));
  PUENTE_ASSIGN_OR_RETURN(const std::string name, StringField(body, "name"));
  PUENTE_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password"));
  PUENTE_ASSIGN_OR_RETURN(registry::User created, w.users->AddUser(u.name, name, role, password));
  SendJson(res, {{"name", created.name}, {"role", registry::ToString(created.role)}}, 201);
  return absl::OkStatus();
}

absl::Status ListUsers(ServerContext&, const httplib::Request&, httplib::Response& res,
                       const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(std::vector<registry::UserAccount> accounts, w.users->ListUsers());
  json arr = json::array();
  for (const registry::UserAccount& a : accounts) {
    arr.push_back({{"name", a.name},
                   {"role", registry::ToString(a.role)},
                   {"active", a.active},
                   {"locked", a.locked},
                   {"locked_until", a.locked ? json(a.locked_until) : json(nullptr)},
                   {"failed_logins", a.failed_logins},
                   {"created_at", a.created_at},
                   {"created_by", a.created_by}});
  }
  SendJson(res, {{"users", arr}});
  return absl::OkStatus();
}

absl::Status ChangeRole(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const Role role, RoleField(body));
  PUENTE_RETURN_IF_ERROR(w.users->ChangeRole(u.name, req.matches[1], role));
  SendJson(res, {{"name", req.matches[1]}, {"role", registry::ToString(role)}});
  return absl::OkStatus();
}

absl::Status Disable(ServerContext&, const httplib::Request& req, httplib::Response& res,
                     const registry::User& u, Worker& w) {
  PUENTE_RETURN_IF_ERROR(w.users->SetActive(u.name, req.matches[1], false));
  SendJson(res, {{"name", req.matches[1]}, {"active", false}});
  return absl::OkStatus();
}

absl::Status Enable(ServerContext&, const httplib::Request& req, httplib::Response& res,
                    const registry::User& u, Worker& w) {
  PUENTE_RETURN_IF_ERROR(w.users->SetActive(u.name, req.matches[1], true));
  SendJson(res, {{"name", req.matches[1]}, {"active", true}});
  return absl::OkStatus();
}

absl::Status ResetPassword(ServerContext&, const httplib::Request& req, httplib::Response& res,
                           const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string next, StringField(body, "new_password"));
  if (next.empty()) return absl::InvalidArgumentError("new_password: is required");
  PUENTE_RETURN_IF_ERROR(w.users->ResetPassword(u.name, req.matches[1], next));
  res.status = 204;
  return absl::OkStatus();
}

absl::Status RevokeSessions(ServerContext&, const httplib::Request& req, httplib::Response& res,
                            const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(int ended, w.users->RevokeSessions(u.name, req.matches[1]));
  SendJson(res, {{"name", req.matches[1]}, {"sessions_ended", ended}});
  return absl::OkStatus();
}

absl::Status Unlock(ServerContext&, const httplib::Request& req, httplib::Response& res,
                    const registry::User& u, Worker& w) {
  PUENTE_RETURN_IF_ERROR(w.users->Unlock(u.name, req.matches[1]));
  SendJson(res, {{"name", req.matches[1]}, {"unlocked", true}});
  return absl::OkStatus();
}

absl::Status UnlockAddress(ServerContext&, const httplib::Request& req, httplib::Response& res,
                           const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string address, StringField(body, "address"));
  PUENTE_RETURN_IF_ERROR(w.users->UnlockAddress(u.name, address));
  SendJson(res, {{"address", address}, {"unlocked", true}});
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> SessionRoutes() {
  const std::string user = kUser;
  return {
      PublicRoute(Method::kPost, "/api/v1/sessions", "/api/v1/sessions",
                  "Log in: {user, password} -> {token}; 429 while the account or address is "
                  "locked after failed logins",
                  LogIn),
      AnyUserRoute(Method::kDelete, "/api/v1/sessions", "/api/v1/sessions",
                   "Log out (revokes the bearer token)", LogOut),
      AnyUserRoute(
          Method::kGet, "/api/v1/session", "/api/v1/session",
          "The bearer token's user and role, and the field kit this server runs on: {user, role, "
          "kit: null | {kit_id, office_code}}",
          WhoAmI),
      AnyUserRoute(Method::kPut, "/api/v1/account/password", "/api/v1/account/password",
                   "Change your own password: {current_password, new_password}; your other "
                   "sessions end",
                   ChangeOwnPassword),
      RoleRoute(Method::kPost, "/api/v1/users", "/api/v1/users", {Role::kAdmin},
                "Create a user: {name, role, password}", CreateUser),
      RoleRoute(Method::kGet, "/api/v1/users", "/api/v1/users", {Role::kAdmin},
                "Every user: {users: [{name, role, active, locked, locked_until, failed_logins, "
                "created_at, created_by}]}, by name; no password material",
                ListUsers),
      RoleRoute(Method::kPost, user + "/role", "/api/v1/users/{name}/role", {Role::kAdmin},
                "Change a user's role: {role}; their sessions end; refused for the last active "
                "admin",
                ChangeRole),
      RoleRoute(Method::kPost, user + "/disable", "/api/v1/users/{name}/disable", {Role::kAdmin},
                "Disable a user (their sessions end)", Disable),
      RoleRoute(Method::kPost, user + "/enable", "/api/v1/users/{name}/enable", {Role::kAdmin},
                "Enable a disabled user", Enable),
      RoleRoute(Method::kPost, user + "/password", "/api/v1/users/{name}/password", {Role::kAdmin},
                "Reset a user's password: {new_password}; their sessions end, the account is "
                "unlocked",
                ResetPassword),
      RoleRoute(Method::kDelete, user + "/sessions", "/api/v1/users/{name}/sessions",
                {Role::kAdmin}, "End every session of a user -> {sessions_ended}", RevokeSessions),
      RoleRoute(Method::kPost, user + "/unlock", "/api/v1/users/{name}/unlock", {Role::kAdmin},
                "Unlock an account locked after failed logins", Unlock),
      RoleRoute(Method::kPost, "/api/v1/login-locks/address", "/api/v1/login-locks/address",
                {Role::kAdmin}, "Unlock a client address locked after failed logins: {address}",
                UnlockAddress),
  };
}

}  // namespace puente::server
