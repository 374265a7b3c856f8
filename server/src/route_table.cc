#include "src/route_table.h"

#include <utility>

#include "src/http_status.h"
#include "src/routes/routes.h"

namespace puente::server {

using nlohmann::json;

const char* MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "get";
    case Method::kPost:
      return "post";
    case Method::kPut:
      return "put";
    case Method::kDelete:
      return "delete";
  }
  return "get";
}

Route PublicRoute(Method m, std::string pattern, std::string path, std::string summary,
                  OpenHandler h) {
  return {m,      std::move(pattern), std::move(path), Audience::kPublic, {}, std::move(summary), h,
          nullptr};
}

Route AnyUserRoute(Method m, std::string pattern, std::string path, std::string summary,
                   OpenHandler h) {
  return {
      m,      std::move(pattern), std::move(path), Audience::kAnyUser, {}, std::move(summary), h,
      nullptr};
}

Route RoleRoute(Method m, std::string pattern, std::string path,
                std::initializer_list<registry::Role> roles, std::string summary, RoleHandler h) {
  return {m,     std::move(pattern), std::move(path), Audience::kRoles,
          roles, std::move(summary), nullptr,         h};
}

std::string DocumentedRoles(const Route& r) {
  switch (r.audience) {
    case Audience::kPublic:
      return "";
    case Audience::kAnyUser:
      return "any";
    case Audience::kRoles:
      break;
  }
  std::string out;
  for (registry::Role role : r.roles) {
    if (!out.empty()) out += ", ";
    out += registry::ToString(role);
  }
  return out;
}

const std::vector<Route>& ApiRoutes() {
  static const std::vector<Route>* const kRoutes = [] {
    auto* all = new std::vector<Route>;
    for (auto part : {OpsRoutes, SessionRoutes, EnrollmentRoutes, CaseRoutes, CardRoutes,
                      ListRoutes, KitRoutes, AuditRoutes, FaceRoutes, FieldRoutes, StatsRoutes}) {
      for (Route& r : part()) all->push_back(std::move(r));
    }
    return all;
  }();
  return *kRoutes;
}

namespace {

// Each handler names its route (the template, never the path with its ids)
// and its caller to the front, which logs them (front.h) and strips them.
httplib::Server::Handler HandlerOf(ServerContext& ctx, const Route& r) {
  if (r.audience == Audience::kRoles) {
    return [&ctx, roles = r.roles, fn = r.role_handler, path = r.path](const httplib::Request& req,
                                                                       httplib::Response& res) {
      res.set_header(kRouteHeader, path);
      absl::StatusOr<registry::User> caller = Caller(ctx, req, roles);
      if (!caller.ok()) return SendError(res, caller.status());
      res.set_header(kUserHeader, caller->name);
      absl::Status st =
          ctx.pool.With([&](Worker& w) -> absl::Status { return fn(ctx, req, res, *caller, w); });
      if (!st.ok()) SendError(res, st);
    };
  }
  return [&ctx, fn = r.open_handler, path = r.path](const httplib::Request& req,
                                                    httplib::Response& res) {
    res.set_header(kRouteHeader, path);
    absl::Status st = fn(ctx, req, res);
    if (!st.ok()) SendError(res, st);
  };
}

}  // namespace

void RegisterRoutes(httplib::Server& http, ServerContext& ctx, const std::vector<Route>& routes) {
  for (const Route& r : routes) {
    httplib::Server::Handler h = HandlerOf(ctx, r);
    switch (r.method) {
      case Method::kGet:
        http.Get(r.pattern, std::move(h));
        break;
      case Method::kPost:
        http.Post(r.pattern, std::move(h));
        break;
      case Method::kPut:
        http.Put(r.pattern, std::move(h));
        break;
      case Method::kDelete:
        http.Delete(r.pattern, std::move(h));
        break;
    }
  }
}

json OpenApiDocument(const std::vector<Route>& routes) {
  json paths = json::object();
  for (const Route& r : routes) {
    json o{{"summary", r.summary},
           {"responses",
            {{"200", {{"description", "OK"}}},
             {"4XX", {{"description", "{error: {code, message}}"}}}}}};
    const std::string roles = DocumentedRoles(r);
    if (!roles.empty()) {
      o["security"] = json::array({{{"bearer", json::array()}}});
      o["x-roles"] = roles;
    }
    paths[r.path][MethodName(r.method)] = std::move(o);
  }
  return {
      {"openapi", "3.0.3"},
      {"info", {{"title", "puente enrollment service"}, {"version", "1"}}},
      {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"paths", paths}};
}

}  // namespace puente::server
