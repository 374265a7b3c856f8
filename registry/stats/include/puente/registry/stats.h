// Statistics releases (docs/statistics.md): the figures the refugee office,
// the civil registry and their partners publish, computed from the registry
// over a period and a set of offices, and protected against disclosure
// (disclosure.h) before anything leaves this library.
//
// A release holds only published values: true counts of small cells never
// leave ComputeRelease. Computing one reads the registry in one read
// transaction (no write lock), decrypts each date of birth and birth record
// in memory only (nothing new is written but the audit event), streams rows
// in batches (memory bounded by the number of table cells and distinct
// durations, not by the number of people) and is audited as one
// "stats.release" event naming the period, offices, method and threshold.
//
// Not thread-safe (it uses its Registry's connection).
#ifndef PUENTE_REGISTRY_STATS_H_
#define PUENTE_REGISTRY_STATS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/disclosure.h"
#include "puente/registry/registry.h"

namespace puente::registry::stats {

// The table families of a release, in order: "registration", "cases",
// "dedup", "cards", "births".
const std::vector<std::string>& Families();

struct ReleaseQuery {
  // The period, office days (UTC-5) "YYYY-MM-DD", both inclusive: people,
  // cases, enrollments, births registered, decisions and card events dated
  // in it. Required; from <= to.
  std::string from, to;
  // 3-digit office codes; empty: every office (a national release). A
  // release for some offices only suppresses the sensitive groups (the
  // stateless and those at risk of statelessness) by default.
  std::vector<std::string> offices;
  int threshold = kDefaultThreshold;  // >= 1 here; callers set their floor
  Method method = Method::kSuppress;
  // Families to return (Families()); empty: all. Every family is computed
  // and protected together whatever is asked for, so two releases of the
  // same period and offices always agree cell for cell.
  std::vector<std::string> families;
};

// One table as published. Values and marks from disclosure.h.
struct Table {
  std::string name;   // "registration.nationality_by_sex"
  std::string title;  // English, for CSV and the CLI
  std::string unit;   // what is counted: "people", "cases", "cards", ...
  std::string row_dimension;
  std::string col_dimension;  // "" for a one-way table
  std::vector<std::string> row_labels;
  std::vector<std::string> col_labels;  // empty for a one-way table
  ProtectedTable values;
};

// A median and 90th percentile of durations per group (nearest rank), shown
// only when the group has at least `threshold` members. The group's size is
// not published: it is a count that the tables may hide (a stay in a status
// per case, a first decision per case), and would give it away.
struct Duration {
  std::string label;
  double median = 0, p90 = 0;
  bool shown = false;
};
struct DurationTable {
  std::string name, title, unit;  // unit: "days" or "hours"
  std::string row_dimension;
  std::vector<Duration> rows;
};

// A share computed from two published counts; hidden when either is.
struct Rate {
  std::string label;
  double value = 0;  // in [0, 1]
  bool shown = false;
};
struct RateTable {
  std::string name, title, definition;
  std::string row_dimension;
  std::vector<Rate> rows;
};

struct Release {
  std::string id;            // random, named in the audit event
  std::string generated_at;  // RFC 3339 UTC
  std::string as_of;         // today, office day: backlog and card expiry
  std::string from, to;
  std::vector<std::string> offices;  // empty: national
  int threshold = kDefaultThreshold;
  Method method = Method::kSuppress;
  bool sensitive_suppressed = false;
  std::vector<Table> tables;
  std::vector<DurationTable> durations;
  std::vector<RateTable> rates;
  // What the registry holds no field for (e.g. unaccompanied children).
  std::vector<std::string> notes;
};

// Computes, protects and audits a release. InvalidArgument naming the field
// for a bad period, office code, threshold or family; DataLoss if a stored
// value does not decrypt; database errors as database.h says.
absl::StatusOr<Release> ComputeRelease(Registry& registry, const std::string& actor,
                                       const ReleaseQuery& query);

// The JSON answer of GET /api/v1/stats/release (docs/api.md, "Statistics").
nlohmann::json ReleaseToJson(const Release& release);
// One CSV: table,row,column,value,mark per figure (docs/statistics.md).
std::string ReleaseToCsv(const Release& release);

// The query of a release from text arguments (the HTTP query string, the
// CLI's options): offices comma-separated, method "suppress" or "round5",
// families comma-separated. InvalidArgument naming the argument.
absl::StatusOr<ReleaseQuery> ParseReleaseQuery(const std::string& from, const std::string& to,
                                               const std::string& offices,
                                               const std::string& threshold,
                                               const std::string& method,
                                               const std::string& families);

// The supervisors' work list (not a published table: it names cases):
// pending cases (registered, admitted, appeal) that have been in their
// status longer than its target, longest over first.
struct OverdueCase {
  std::string case_number, status, office_code;
  std::string since;  // effective date of the status, "YYYY-MM-DD"
  int days_in_status = 0;
  int target_days = 0;
};

// Target days per pending status; a status left out has no target.
inline constexpr int kDefaultRegisteredTargetDays = 30;
inline constexpr int kDefaultAdmittedTargetDays = 90;
inline constexpr int kDefaultAppealTargetDays = 60;
struct StatusTargets {
  int registered = kDefaultRegisteredTargetDays;
  int admitted = kDefaultAdmittedTargetDays;
  int appeal = kDefaultAppealTargetDays;
};

// At most `limit` (1-1000) overdue cases of `offices` (empty: all) today,
// audited as one "stats.worklist" event. InvalidArgument naming the
// argument for a target below 1, a bad office code or limit.
absl::StatusOr<std::vector<OverdueCase>> OverdueCases(Registry& registry, const std::string& actor,
                                                      const StatusTargets& targets,
                                                      const std::vector<std::string>& offices,
                                                      int limit = 200);

}  // namespace puente::registry::stats

#endif  // PUENTE_REGISTRY_STATS_H_
