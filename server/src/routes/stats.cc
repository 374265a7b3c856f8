// Statistics releases (docs/statistics.md): the published, disclosure-
// controlled tables for analysts and supervisors, as JSON or CSV.
#include "puente/registry/stats.h"

#include "absl/strings/numbers.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;
namespace stats = registry::stats;

// A caller may raise the threshold, never lower it below the default.
absl::Status Release(ServerContext&, const httplib::Request& req, httplib::Response& res,
                     const registry::User& caller, Worker& w) {
  const std::string format = req.get_param_value("format");
  if (!format.empty() && format != "json" && format != "csv") {
    return absl::InvalidArgumentError("format: json or csv");
  }
  PUENTE_ASSIGN_OR_RETURN(
      stats::ReleaseQuery q,
      stats::ParseReleaseQuery(req.get_param_value("from"), req.get_param_value("to"),
                               req.get_param_value("offices"), req.get_param_value("threshold"),
                               req.get_param_value("method"), req.get_param_value("tables")));
  if (q.threshold < stats::kDefaultThreshold) {
    return absl::InvalidArgumentError(
        puente::StrCat("threshold: at least ", stats::kDefaultThreshold));
  }
  PUENTE_ASSIGN_OR_RETURN(stats::Release r, stats::ComputeRelease(*w.registry, caller.name, q));
  if (format == "csv") {
    res.set_header("Content-Disposition", puente::StrCat("attachment; filename=\"puente-stats-",
                                                         r.from, "-", r.to, ".csv\""));
    res.set_content(stats::ReleaseToCsv(r), "text/csv; charset=utf-8");
    return absl::OkStatus();
  }
  SendJson(res, stats::ReleaseToJson(r));
  return absl::OkStatus();
}

// The query parameter `name` as a whole number of days into `out` (left as
// is when absent).
absl::Status DaysParam(const httplib::Request& req, const char* name, int* out) {
  if (req.has_param(name) && !absl::SimpleAtoi(req.get_param_value(name), out)) {
    return absl::InvalidArgumentError(puente::StrCat(name, ": not a number"));
  }
  return absl::OkStatus();
}

absl::Status Overdue(ServerContext&, const httplib::Request& req, httplib::Response& res,
                     const registry::User& caller, Worker& w) {
  stats::StatusTargets targets;
  int limit = 200;
  PUENTE_RETURN_IF_ERROR(DaysParam(req, "registered", &targets.registered));
  PUENTE_RETURN_IF_ERROR(DaysParam(req, "admitted", &targets.admitted));
  PUENTE_RETURN_IF_ERROR(DaysParam(req, "appeal", &targets.appeal));
  PUENTE_RETURN_IF_ERROR(DaysParam(req, "limit", &limit));
  std::vector<std::string> offices;
  if (req.has_param("offices")) offices = puente::StrSplit(req.get_param_value("offices"), ',');
  PUENTE_ASSIGN_OR_RETURN(std::vector<stats::OverdueCase> cases,
                          stats::OverdueCases(*w.registry, caller.name, targets, offices, limit));
  json list = json::array();
  for (const stats::OverdueCase& c : cases) {
    list.push_back({{"case_number", c.case_number},
                    {"status", c.status},
                    {"office_code", c.office_code},
                    {"since", c.since},
                    {"days_in_status", c.days_in_status},
                    {"target_days", c.target_days}});
  }
  SendJson(res, {{"targets",
                  {{"registered", targets.registered},
                   {"admitted", targets.admitted},
                   {"appeal", targets.appeal}}},
                 {"cases", list}});
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> StatsRoutes() {
  return {
      RoleRoute(Method::kGet, "/api/v1/stats/release", "/api/v1/stats/release",
                {Role::kAnalyst, Role::kSupervisor},
                "A statistics release, small cells suppressed: ?from=YYYY-MM-DD&to=YYYY-MM-DD "
                "(required) ?offices=101,102 ?threshold=N (>= 5) ?method=suppress|round5 "
                "?tables=registration,cases,dedup,cards,births ?format=json|csv -> {release, "
                "tables, durations, rates, notes} (audited)",
                Release),
      RoleRoute(Method::kGet, "/api/v1/stats/overdue", "/api/v1/stats/overdue", {Role::kSupervisor},
                "The work list: pending cases past their status's target, longest over first: "
                "?registered=30&admitted=90&appeal=60 (days) ?offices=101 ?limit=200 -> "
                "{targets, cases: [{case_number, status, office_code, since, days_in_status, "
                "target_days}]} (audited; names cases: never published)",
                Overdue),
  };
}

}  // namespace puente::server
