// The HTTP API as one table: each route is one entry (method, path, who may
// call it, summary, handler). The same table registers the routes with
// httplib and generates GET /openapi.json, so the roles a route enforces
// are the roles it documents.
//
// A new endpoint: write its handler in routes/<resource>.cc and add its entry
// to that file's table (routes/routes.h).
#ifndef PUENTE_SERVER_SRC_ROUTE_TABLE_H_
#define PUENTE_SERVER_SRC_ROUTE_TABLE_H_

#include <httplib.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "puente/registry/users.h"
#include "src/context.h"

namespace puente::server {

enum class Method { kGet, kPost, kPut, kDelete };
// "get", "post", ... as OpenAPI spells them.
const char* MethodName(Method m);

// Who may call a route.
enum class Audience {
  kPublic,   // anyone, no bearer token (lists, health, kits that sign their requests)
  kAnyUser,  // any logged-in user; the handler reads the token itself
  kRoles,    // a logged-in user with one of the route's roles
};

// A route whose handler checks what it needs itself (kPublic, kAnyUser).
// It may use ctx.pool; on error it returns the status (sent by SendError).
using OpenHandler = absl::Status (*)(ServerContext& ctx, const httplib::Request& req,
                                     httplib::Response& res);
// A route for roles: called for an authorised caller, on a worker.
using RoleHandler = absl::Status (*)(ServerContext& ctx, const httplib::Request& req,
                                     httplib::Response& res, const registry::User& caller,
                                     Worker& worker);

struct Route {
  Method method;
  std::string pattern;  // httplib's regex, matched against the whole path
  std::string path;     // as OpenAPI writes it: "/api/v1/cards/{serial}"
  Audience audience;
  std::vector<registry::Role> roles;  // kRoles only, in documented order
  std::string summary;
  OpenHandler open_handler = nullptr;  // kPublic, kAnyUser
  RoleHandler role_handler = nullptr;  // kRoles
};

// Entry constructors: a route's audience and its kind of handler go together.
Route PublicRoute(Method m, std::string pattern, std::string path, std::string summary,
                  OpenHandler h);
Route AnyUserRoute(Method m, std::string pattern, std::string path, std::string summary,
                   OpenHandler h);
Route RoleRoute(Method m, std::string pattern, std::string path,
                std::initializer_list<registry::Role> roles, std::string summary, RoleHandler h);

// The documented roles of a route: "" (public), "any", or "officer, supervisor".
std::string DocumentedRoles(const Route& r);

// Every route of the API, in registration order.
const std::vector<Route>& ApiRoutes();

// Registers `routes` with `http`; handlers get `ctx` (which must outlive
// `http`). Errors are answered through SendError.
void RegisterRoutes(httplib::Server& http, ServerContext& ctx, const std::vector<Route>& routes);

// The OpenAPI 3.0.3 document of `routes`.
nlohmann::json OpenApiDocument(const std::vector<Route>& routes);

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_ROUTE_TABLE_H_
