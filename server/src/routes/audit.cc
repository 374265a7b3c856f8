// The audit log: events paged and filtered, and the hash-chain check.
#include "puente/registry/audit.h"

#include "absl/strings/numbers.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

// The query parameter `name` as a number into `out` (left as is when absent).
template <typename Int>
absl::Status NumberParam(const httplib::Request& req, const char* name, Int* out) {
  if (req.has_param(name) && !absl::SimpleAtoi(req.get_param_value(name), out)) {
    return absl::InvalidArgumentError(puente::StrCat(name, ": not a number"));
  }
  return absl::OkStatus();
}

absl::Status Events(ServerContext&, const httplib::Request& req, httplib::Response& res,
                    const registry::User&, Worker& w) {
  registry::AuditQuery q;
  PUENTE_RETURN_IF_ERROR(NumberParam(req, "after", &q.after_seq));
  PUENTE_RETURN_IF_ERROR(NumberParam(req, "before", &q.before_seq));
  PUENTE_RETURN_IF_ERROR(NumberParam(req, "limit", &q.limit));
  const std::string order = req.get_param_value("order");
  if (!order.empty() && order != "oldest" && order != "newest") {
    return absl::InvalidArgumentError("order: oldest or newest");
  }
  q.newest_first = order == "newest";
  q.action = req.get_param_value("action");
  q.actor = req.get_param_value("actor");
  q.from_day = req.get_param_value("from");
  q.to_day = req.get_param_value("to");
  PUENTE_ASSIGN_OR_RETURN(registry::AuditPage page,
                          registry::FindAuditEvents(w.registry->database(), q));
  json arr = json::array();
  for (const auto& e : page.events) {
    arr.push_back({{"seq", e.seq},
                   {"at", e.at},
                   {"actor", e.event.actor},
                   {"action", e.event.action},
                   {"entity", e.event.entity},
                   {"entity_id", e.event.entity_id},
                   {"details", json::parse(e.event.details, nullptr, false)}});
  }
  SendJson(res, {{"events", arr}, {"more", page.more}});
  return absl::OkStatus();
}

absl::Status VerifyChain(ServerContext&, const httplib::Request&, httplib::Response& res,
                         const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::AuditReport r, w.registry->VerifyAudit());
  SendJson(res, {{"intact", r.intact},
                 {"events_checked", r.events_checked},
                 {"first_bad_seq", r.intact ? json(nullptr) : json(r.first_bad_seq)},
                 {"problem", r.problem}});
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> AuditRoutes() {
  return {
      RoleRoute(Method::kGet, "/api/v1/audit/events", "/api/v1/audit/events", {Role::kAuditor},
                "Audit events: ?after=SEQ or ?before=SEQ, ?order=oldest|newest, ?limit=N "
                "(1-1000), filters ?action= (\"user.\" a family) ?actor= ?from=YYYY-MM-DD "
                "?to=YYYY-MM-DD -> {events, more}",
                Events),
      RoleRoute(Method::kGet, "/api/v1/audit/verify", "/api/v1/audit/verify", {Role::kAuditor},
                "Check the audit hash chain -> {intact, events_checked, first_bad_seq, problem}",
                VerifyChain),
  };
}

}  // namespace puente::server
