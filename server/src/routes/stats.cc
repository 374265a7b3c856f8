// Statistics releases (docs/statistics.md): the published, disclosure-
// controlled tables for analysts and supervisors, as JSON or CSV.
#include "puente/registry/stats.h"

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
  };
}

}  // namespace puente::server
