// Statistics releases (docs/statistics.md), the same as GET
// /api/v1/stats/release returns:
//   puente stats --from D --to D [--offices 101,102] [--threshold N]
//                [--method suppress|round5] [--tables registration,cases]
//                [--csv | --json]
// Computing a release is audited (stats.release) under --actor.
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/open_registry.h"
#include "puente/registry/stats.h"

namespace puente::cli {
namespace {

namespace stats = registry::stats;

struct StatsArgs {
  std::string from, to, offices, threshold, method, tables;
  bool csv = false;
};

std::string Shown(const stats::PublishedValue& v) {
  if (v.shown()) return std::to_string(v.value);
  return v.mark == stats::Mark::kSecondary ? "x" : "<";  // marks explained in the footer
}

// The release as text: each table with its totals; suppressed values
// marked, never 0.
std::string ReleaseText(const stats::Release& r) {
  std::string out = absl::StrFormat(
      "release %s  %s..%s  offices: %s  method: %s  threshold: %d  (as of %s)\n", r.id, r.from,
      r.to, r.offices.empty() ? "all (national)" : absl::StrJoin(r.offices, ","),
      stats::ToString(r.method), r.threshold, r.as_of);
  for (const stats::Table& t : r.tables) {
    out += puente::StrCat("\n", t.name, ": ", t.title, "\n");
    const bool two_way = t.values.cols > 1;
    std::string head = absl::StrFormat("  %-24s", t.row_dimension);
    for (int j = 0; j < t.values.cols; ++j) {
      head += absl::StrFormat(" %10s", two_way ? t.col_labels[j] : t.unit);
    }
    if (two_way) head += absl::StrFormat(" %10s", "total");
    out += head + "\n";
    for (int i = 0; i < t.values.rows; ++i) {
      std::string line = absl::StrFormat("  %-24s", t.row_labels[i]);
      for (int j = 0; j < t.values.cols; ++j) {
        line += absl::StrFormat(" %10s",
                                Shown(t.values.cells[static_cast<size_t>(i) * t.values.cols + j]));
      }
      if (two_way) line += absl::StrFormat(" %10s", Shown(t.values.row_totals[i]));
      out += line + "\n";
    }
    std::string total = absl::StrFormat("  %-24s", "total");
    if (two_way) {
      for (const auto& v : t.values.col_totals) total += absl::StrFormat(" %10s", Shown(v));
    }
    out += total + absl::StrFormat(" %10s\n", Shown(t.values.total));
  }
  for (const stats::DurationTable& t : r.durations) {
    out += puente::StrCat("\n", t.name, ": ", t.title, " (", t.unit, ": median, p90)\n");
    for (const stats::Duration& d : t.rows) {
      out += d.shown ? absl::StrFormat("  %-24s %8.1f %8.1f\n", d.label, d.median, d.p90)
                     : absl::StrFormat("  %-24s %8s\n", d.label, "<");
    }
  }
  for (const stats::RateTable& t : r.rates) {
    out += puente::StrCat("\n", t.name, ": ", t.definition, "\n");
    for (const stats::Rate& x : t.rows) {
      out += x.shown ? absl::StrFormat("  %-24s %7.1f%%\n", x.label, x.value * 100)
                     : absl::StrFormat("  %-24s %8s\n", x.label, "x");
    }
  }
  out +=
      "\n<: below the threshold (or a sensitive group below national level); x: hidden so "
      "that no small value can be worked out\n";
  for (const std::string& n : r.notes) out += puente::StrCat("note: ", n, "\n");
  return out;
}

absl::Status RunStats(const Globals& g, const StatsArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(
      stats::ReleaseQuery q,
      stats::ParseReleaseQuery(a.from, a.to, a.offices, a.threshold, a.method, a.tables));
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(stats::Release r, stats::ComputeRelease(*reg, g.actor, q));
  if (a.csv) {
    g.printed = true;
    std::cout << stats::ReleaseToCsv(r);
    return absl::OkStatus();
  }
  Print(g, stats::ReleaseToJson(r), ReleaseText(r));
  return absl::OkStatus();
}

}  // namespace

void AddStatsCommands(CLI::App& app, Globals& g, const Runner& run) {
  static StatsArgs args;
  auto* cmd = app.add_subcommand(
      "stats", "A statistics release with small cells suppressed (docs/statistics.md)");
  cmd->add_option("--from", args.from, "First day YYYY-MM-DD")->required();
  cmd->add_option("--to", args.to, "Last day YYYY-MM-DD")->required();
  cmd->add_option("--offices", args.offices, "Office codes, comma-separated (default: all)");
  cmd->add_option("--threshold", args.threshold, "Smallest count published (default 5)");
  cmd->add_option("--method", args.method, "suppress (default) or round5");
  cmd->add_option("--tables", args.tables,
                  "Families, comma-separated: registration,cases,dedup,cards,births");
  cmd->add_flag("--csv", args.csv, "Print CSV: table,row,column,value,mark");
  cmd->callback([&] { run(RunStats(g, args)); });
}

}  // namespace puente::cli
