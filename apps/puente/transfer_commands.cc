// A field kit and the centre over HTTP (docs/field-kits.md), both resumable:
//   puente kit push BUNDLE_DIR --server URL                   (kit)    a bundle to the centre
//   puente kit pull --server URL [--lists-dir DIR]            (kit)    lists + regional snapshot
// Both talk to the centre through CentreClient (centre_client.h).
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/open_registry.h"
#include "puente/progress.h"
#include "puente/registry/regional.h"
#include "puente/registry/sync.h"
#include "support/centre_client.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct PushArgs {
  std::string dir, server, ca_cert;
  int max_chunks = -1;
};

// Sends a bundle over HTTP: the manifest (the centre answers which chunks it
// lacks), the missing chunks, the manifest again (the centre imports). A
// dropped link loses nothing: run it again and only what is missing moves.
absl::Status RunKitPush(const Globals& g, const PushArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(std::string manifest, apps::ReadFile(a.dir + "/manifest.json"));
  PUENTE_ASSIGN_OR_RETURN(registry::BundleManifest m, registry::ParseBundleManifest(manifest));
  PUENTE_ASSIGN_OR_RETURN(auto centre, apps::CentreClient::Connect(
                                           {.server = a.server,
                                            .ca_cert = a.ca_cert,
                                            .connect_timeout_seconds = 10,
                                            // the import runs dedup for every person
                                            .read_timeout_seconds = 600,
                                            .write_timeout_seconds = 120,
                                            .no_answer_advice = "run `kit push` again, it resumes",
                                            .refused_what = ""}));
  const std::string path = "/api/v1/kits/bundles/" + m.bundle_id;
  auto post = [&]() -> absl::StatusOr<json> {
    PUENTE_ASSIGN_OR_RETURN(std::string body,
                            centre->Post(path, manifest, "application/json", {200, 202}));
    json j = json::parse(body, nullptr, false);
    if (!j.is_object()) return absl::UnavailableError("the centre's answer is not JSON");
    return j;
  };
  PUENTE_ASSIGN_OR_RETURN(json report, post());
  std::vector<std::string> missing;
  for (const auto& s : report.value("missing", json::array())) missing.push_back(s);
  const auto progress = g.json ? std::function<void(int, int)>() : ProgressBar("chunks sent");
  int sent = 0;
  for (const std::string& sha : missing) {
    if (a.max_chunks >= 0 && sent >= a.max_chunks) break;
    PUENTE_ASSIGN_OR_RETURN(std::string data, apps::ReadFile(a.dir + "/" + sha + ".chunk"));
    if (auto put = centre->Put(path + "/chunks/" + sha, data, "application/octet-stream", {204});
        !put.ok()) {
      return absl::Status(put.status().code(),
                          absl::StrFormat("%s (%d of %d missing chunks sent)",
                                          put.status().message(), sent, missing.size()));
    }
    ++sent;
    if (progress) progress(sent, static_cast<int>(missing.size()));
  }
  if (sent > 0 || !missing.empty()) {
    PUENTE_ASSIGN_OR_RETURN(report, post());
  }
  report["chunks_sent_now"] = sent;
  const bool complete = report.value("complete", false);
  std::string text;
  if (report.value("already_imported", false)) {
    text = absl::StrFormat("bundle %s was imported by the centre before: nothing changed\n",
                           m.bundle_id.substr(0, 16));
  } else if (!complete) {
    text = absl::StrFormat(
        "bundle %s: %d chunks sent now, %d still missing; run `kit push` "
        "again\n",
        m.bundle_id.substr(0, 16), sent, report.value("missing", json::array()).size());
  } else {
    text = absl::StrFormat(
        "bundle %s imported by the centre: %d cleared, %d held for adjudication, %d already "
        "present, %d refused; %d births, %d jornadas, %d provisional cards\n",
        m.bundle_id.substr(0, 16), report.value("enrolled_cleared", 0),
        report.value("held_for_adjudication", 0), report.value("already_present", 0),
        report.value("refused", 0), report.value("births", 0), report.value("jornadas", 0),
        report.value("provisional_cards", 0));
  }
  // The kit's sync page shows the last push (registry::KitSyncStatus).
  absl::Status recorded = [&]() -> absl::Status {
    PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
    return registry::RecordPush(*reg, g.actor, m.bundle_id, report);
  }();
  if (!recorded.ok()) {
    text += absl::StrFormat("WARNING: the push is not recorded in this kit's registry (%s)\n",
                            recorded.message());
  }
  Print(g, report, text);
  if (!complete) return absl::UnavailableError("the bundle is not complete at the centre yet");
  return absl::OkStatus();
}

struct PullArgs {
  std::string server, lists_dir = ".", ca_cert;
};

// Pulls until the centre has nothing more; each answer is applied (in one
// transaction) before the next request, so a dropped link loses nothing.
absl::Status RunKitPull(const Globals& g, const PullArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(RegistryWithFaces o, OpenRegistryWithFaces(g));
  PUENTE_ASSIGN_OR_RETURN(auto centre,
                          apps::CentreClient::Connect(
                              {.server = a.server,
                               .ca_cert = a.ca_cert,
                               .connect_timeout_seconds = 10,
                               .read_timeout_seconds = 120,
                               .write_timeout_seconds = std::nullopt,
                               .no_answer_advice = "nothing more was applied, run `kit pull` again",
                               .refused_what = " the pull"}));
  const auto progress = ProgressBar("pages");
  registry::ReferenceCounts total;
  registry::PullReport last;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    if (pages >= 10000) return absl::InternalError("the centre keeps answering 'more'");
    PUENTE_ASSIGN_OR_RETURN(registry::PullRequest req,
                            registry::RegionalSnapshot::MakeRequest(*o.reg));
    PUENTE_ASSIGN_OR_RETURN(std::string answer,
                            centre->Post("/api/v1/kits/pull", req.text, "application/json", {200}));
    PUENTE_ASSIGN_OR_RETURN(
        last, registry::RegionalSnapshot::Apply(*o.reg, *o.service, g.actor, req, answer));
    total.added += last.people.added;
    total.updated += last.people.updated;
    total.removed += last.people.removed;
    total.skipped += last.people.skipped;
    more = last.more;
    progress(pages + 1, more ? pages + 2 : pages + 1);
  }
  std::error_code ec;
  fs::create_directories(a.lists_dir, ec);
  const std::string trust = a.lists_dir + "/trust.cbor", revoked = a.lists_dir + "/revoked.cbor";
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(trust, last.trust_list));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(revoked, last.revocation_list));
  std::string text = absl::StrFormat(
      "pulled from %s in %d page(s): %d people added, %d updated, %d withdrawn%s\n"
      "  trust list: %d issuers -> %s\n  revocation list: %d serials -> %s\n",
      a.server, pages, total.added, total.updated, total.removed,
      total.skipped > 0 ? absl::StrFormat(", %d skipped", total.skipped) : "", last.trusted_issuers,
      trust, last.revoked_serials, revoked);
  if (std::abs(last.clock_skew_seconds) > registry::kClockSkewTolerance) {
    text += absl::StrFormat("WARNING: this kit's clock is off by %+d s; set it before enrolling\n",
                            last.clock_skew_seconds);
  }
  Print(g,
        {{"pages", pages},
         {"added", total.added},
         {"updated", total.updated},
         {"removed", total.removed},
         {"skipped", total.skipped},
         {"trusted_issuers", last.trusted_issuers},
         {"revoked_serials", last.revoked_serials},
         {"clock_skew_seconds", last.clock_skew_seconds},
         {"trust_list", trust},
         {"revocation_list", revoked}},
        text);
  return absl::OkStatus();
}

}  // namespace

void AddTransferCommands(CLI::App& kit, Globals& g, const Runner& run) {
  static PushArgs push;
  auto* ps = kit.add_subcommand("push", "(kit) Send a bundle to the centre over HTTP; resumable");
  ps->add_option("bundle_dir", push.dir, "The bundle directory from `kit export`")->required();
  ps->add_option("--server", push.server, "The centre, e.g. https://registro.example:8443")
      ->required();
  ps->add_option("--max-chunks", push.max_chunks,
                 "Send at most this many chunks now (a metered link); run again for the rest");
  ps->add_option("--ca-cert", push.ca_cert, "CA certificate of the centre's TLS (PEM)");
  ps->callback([&] { run(RunKitPush(g, push)); });
  static PullArgs pull;
  auto* pl = kit.add_subcommand("pull", "(kit) Fetch the lists and the regional snapshot");
  pl->add_option("--server", pull.server, "The centre, e.g. https://registro.example:8443")
      ->required();
  pl->add_option("--lists-dir", pull.lists_dir, "Where trust.cbor and revoked.cbor go (default .)");
  pl->add_option("--ca-cert", pull.ca_cert, "CA certificate of the centre's TLS (PEM)");
  pl->callback([&] { run(RunKitPull(g, pull)); });
}

}  // namespace puente::cli
