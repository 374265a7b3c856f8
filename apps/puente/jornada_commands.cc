// Registration days (jornadas) of an office or a field kit (docs/field-kits.md):
//   puente jornada open --location L --from D --to D --officers a,b
//   puente jornada close ID                                   with its counts
//   puente jornada list
#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/open_registry.h"
#include "puente/registry/kits.h"

namespace puente::cli {
namespace {

using nlohmann::json;

struct JornadaArgs {
  std::string location, from, to, officers;
};

// On a kit the jornada is the kit's; elsewhere it belongs to no kit.
absl::Status RunJornadaOpen(const Globals& g, const JornadaArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto kit_id, registry::LoadKitIdentity(*reg));
  PUENTE_ASSIGN_OR_RETURN(
      registry::Jornada j,
      registry::Jornadas(*reg).Open(g.actor, kit_id ? kit_id->kit_id : "", a.location, a.from, a.to,
                                    puente::StrSplit(a.officers, ',')));
  Print(g, registry::ToJson(j),
        absl::StrFormat("jornada %s open at %s, %s to %s\n", j.id, j.location_code, j.starts_on,
                        j.ends_on));
  return absl::OkStatus();
}

absl::Status RunJornadaClose(const Globals& g, const std::string& id) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::Jornada j, registry::Jornadas(*reg).Close(g.actor, id));
  Print(g, registry::ToJson(j), absl::StrFormat("jornada %s closed: %s\n", j.id, j.counts));
  return absl::OkStatus();
}

absl::Status RunJornadaList(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto list, registry::Jornadas(*reg).List());
  json arr = json::array();
  std::string text;
  for (const auto& j : list) {
    arr.push_back(registry::ToJson(j));
    text += absl::StrFormat("%s  %s  %s..%s  %s  %s\n", j.id, j.location_code, j.starts_on,
                            j.ends_on, j.status, j.counts);
  }
  Print(g, {{"jornadas", arr}}, text.empty() ? "no jornadas\n" : text);
  return absl::OkStatus();
}

}  // namespace

void AddJornadaCommands(CLI::App& app, Globals& g, const Runner& run) {
  static JornadaArgs open;
  static std::string close_id;
  auto* jornada = app.add_subcommand("jornada", "Registration days: open, close, list");
  jornada->require_subcommand(1);
  auto* jo = jornada->add_subcommand("open", "Open a registration day");
  jo->add_option("--location", open.location, "Location code, e.g. PA-5-DAR-01")->required();
  jo->add_option("--from", open.from, "First day YYYY-MM-DD")->required();
  jo->add_option("--to", open.to, "Last day YYYY-MM-DD")->required();
  jo->add_option("--officers", open.officers, "Officers, comma-separated")->required();
  jo->callback([&] { run(RunJornadaOpen(g, open)); });
  auto* jc = jornada->add_subcommand("close", "Close a registration day with its counts");
  jc->add_option("id", close_id, "Jornada id")->required();
  jc->callback([&] { run(RunJornadaClose(g, close_id)); });
  jornada->add_subcommand("list", "Registration days")->callback([&] { run(RunJornadaList(g)); });
}

}  // namespace puente::cli
