// The audit log: events after a sequence number, and the hash-chain check.
#include "puente/registry/audit.h"

#include "absl/strings/numbers.h"
#include "puente/common/status_macros.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

absl::Status Events(ServerContext&, const httplib::Request& req, httplib::Response& res,
                    const registry::User&, Worker& w) {
  long long after = 0;
  int limit = 100;
  if (req.has_param("after") && !absl::SimpleAtoi(req.get_param_value("after"), &after)) {
    return absl::InvalidArgumentError("after: not a number");
  }
  if (req.has_param("limit") && !absl::SimpleAtoi(req.get_param_value("limit"), &limit)) {
    return absl::InvalidArgumentError("limit: not a number");
  }
  PUENTE_ASSIGN_OR_RETURN(auto events,
                          registry::ListAuditEvents(w.registry->database(), after, limit));
  json arr = json::array();
  for (const auto& e : events) {
    arr.push_back({{"seq", e.seq},
                   {"at", e.at},
                   {"actor", e.event.actor},
                   {"action", e.event.action},
                   {"entity", e.event.entity},
                   {"entity_id", e.event.entity_id},
                   {"details", json::parse(e.event.details, nullptr, false)}});
  }
  SendJson(res, {{"events", arr}});
  return absl::OkStatus();
}

absl::Status VerifyChain(ServerContext&, const httplib::Request&, httplib::Response& res,
                         const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::AuditReport r, w.registry->VerifyAudit());
  SendJson(res,
           {{"intact", r.intact}, {"events_checked", r.events_checked}, {"problem", r.problem}});
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> AuditRoutes() {
  return {
      RoleRoute(Method::kGet, "/api/v1/audit/events", "/api/v1/audit/events", {Role::kAuditor},
                "Audit events after ?after=SEQ, up to ?limit=N", Events),
      RoleRoute(Method::kGet, "/api/v1/audit/verify", "/api/v1/audit/verify", {Role::kAuditor},
                "Check the audit hash chain", VerifyChain),
  };
}

}  // namespace puente::server
