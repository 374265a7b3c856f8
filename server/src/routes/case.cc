// Cases (a family or group registered together): members, status history and
// status changes.
#include "puente/common/status_macros.h"
#include "puente/registry/json.h"
#include "src/api_json.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

absl::Status ChangeStatus(ServerContext&, const httplib::Request& req, httplib::Response& res,
                          const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string to_text, StringField(body, "to"));
  PUENTE_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason"));
  auto to = registry::ParseCaseStatus(to_text);
  if (!to) return absl::InvalidArgumentError("to: not a case status");
  PUENTE_ASSIGN_OR_RETURN(registry::Case c,
                          w.registry->ChangeCaseStatus(u.name, req.matches[1], *to, reason));
  SendJson(res, {{"case_number", c.case_number}, {"status", registry::ToString(c.status)}});
  return absl::OkStatus();
}

absl::Status GetCase(ServerContext&, const httplib::Request& req, httplib::Response& res,
                     const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::Case c, w.registry->GetCase(u.name, req.matches[1]));
  json j = registry::ToJson(c);
  // The statuses the lifecycle allows next, so a screen offers only those.
  json next = json::array();
  for (auto to : {registry::CaseStatus::kRegistered, registry::CaseStatus::kAdmitted,
                  registry::CaseStatus::kRecognized, registry::CaseStatus::kRejected,
                  registry::CaseStatus::kAppeal, registry::CaseStatus::kClosed}) {
    if (registry::IsAllowedTransition(c.status, to)) next.push_back(registry::ToString(to));
  }
  j["allowed_next"] = std::move(next);
  SendJson(res, j);
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> CaseRoutes() {
  return {
      RoleRoute(Method::kPost, R"(/api/v1/cases/([0-9A-Za-z-]+)/status)",
                "/api/v1/cases/{case_number}/status", {Role::kSupervisor},
                "Change a case's status: {to, reason}; a closed case revokes its cards",
                ChangeStatus),
      RoleRoute(Method::kGet, R"(/api/v1/cases/([0-9A-Za-z-]+))", "/api/v1/cases/{case_number}",
                {Role::kOfficer, Role::kSupervisor, Role::kAuditor},
                "A case: members, status history and the statuses allowed next", GetCase),
  };
}

}  // namespace puente::server
