// Field kits, the centre's side and the kit's own (docs/field-kits.md):
//   puente kit certify KIT_ID --out DIR --centre-key C.pem   (centre) a kit package
//   puente kit init DIR                                       (kit)    install it
//   puente kit export OUT_DIR                                 (kit)    a sync bundle
//   puente kit import BUNDLE_DIR --centre-key C.pem           (centre) import it
//   puente kit list                                           (centre)
//   puente kit region KIT_ID 101,102                          (centre) its snapshot's offices
// `kit push` and `kit pull` (over HTTP) are in transfer_commands.cc.
#include <ctime>
#include <filesystem>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/cli.h"
#include "puente/common/clock.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/open_registry.h"
#include "puente/progress.h"
#include "puente/registry/kits.h"
#include "puente/registry/sync.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct CertifyArgs {
  std::string kit_id, out, centre_key, root_pub, passphrase_file, region;
  int valid_days = 60, max_validity_days = 30;
};

absl::Status RunKitCertify(const Globals& g, const CertifyArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(credentials::InstitutionKey centre,
                          apps::LoadInstitutionKey(a.centre_key, a.passphrase_file));
  PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile root, apps::LoadPublicKey(a.root_pub));
  if (root.kind != credentials::KeyKind::kRoot) {
    return absl::InvalidArgumentError(a.root_pub + ": not a root public key");
  }
  PUENTE_ASSIGN_OR_RETURN(std::string pass, apps::KeyPassphrase(a.passphrase_file));
  PUENTE_ASSIGN_OR_RETURN(
      auto key, credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519));
  registry::KitAuthority kits(*reg);
  PUENTE_ASSIGN_OR_RETURN(registry::KitRecord rec,
                          kits.Certify(g.actor, a.kit_id, key.key().verifying_key(), a.valid_days,
                                       a.max_validity_days));
  if (!a.region.empty()) {
    PUENTE_RETURN_IF_ERROR(kits.SetRegion(g.actor, a.kit_id, puente::StrSplit(a.region, ',')));
  }
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) return absl::InvalidArgumentError(a.out + ": " + ec.message());
  PUENTE_ASSIGN_OR_RETURN(std::string pem, key.ToPem(pass));
  const json package{{"format", "puente-kit-package/1"},
                     {"kit_id", rec.kit_id},
                     {"office_code", rec.office_code},
                     {"not_after", rec.not_after},
                     {"max_validity_days", rec.max_validity_days},
                     {"root_public_key", crypto::Base64Encode(root.public_key)},
                     {"centre_bundle_key", crypto::Base64Encode(centre.key().public_key())},
                     {"centre_time", std::time(nullptr)}};
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + "/kit.json", package.dump(2) + "\n"));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + "/kit-key.pem", pem, 0600));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(
      a.out + "/kit.pub.json", credentials::PublicKeyFileJson(
                                   credentials::PublicFileOf(key, credentials::KeyKind::kIssuer))));
  Print(g, {{"kit_id", rec.kit_id}, {"office_code", rec.office_code}, {"package", a.out}},
        absl::StrFormat("kit %s certified: office code %s, key %s, signs until %s\n"
                        "  package: %s (kit.json, kit.pub.json, kit-key.pem under the passphrase)\n"
                        "  on the kit: puente --db sqlite:kit.db kit init %s\n",
                        rec.kit_id, rec.office_code, crypto::HexEncode(rec.kid),
                        FormatTimestamp(absl::FromUnixSeconds(rec.not_after)), a.out, a.out));
  return absl::OkStatus();
}

absl::Status RunKitInit(const Globals& g, const std::string& dir,
                        const std::string& passphrase_file) {
  PUENTE_ASSIGN_OR_RETURN(std::string text, apps::ReadFile(dir + "/kit.json"));
  json p = json::parse(text, nullptr, false);
  if (!p.is_object() || p.value("format", "") != "puente-kit-package/1") {
    return absl::InvalidArgumentError(dir + "/kit.json: not a puente kit package");
  }
  PUENTE_ASSIGN_OR_RETURN(auto key, apps::LoadSigningKey(dir + "/kit-key.pem", passphrase_file));
  registry::KitIdentity id;
  try {
    id.kit_id = p.at("kit_id");
    id.office_code = p.at("office_code");
    id.not_after = p.at("not_after");
    id.max_validity_days = p.at("max_validity_days");
    PUENTE_ASSIGN_OR_RETURN(id.root_public_key,
                            crypto::Base64Decode(p.at("root_public_key").get<std::string>()));
    PUENTE_ASSIGN_OR_RETURN(id.centre_bundle_key,
                            crypto::Base64Decode(p.at("centre_bundle_key").get<std::string>()));
    id.centre_time_seen = p.at("centre_time");
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(dir + "/kit.json: " + e.what());
  }
  id.key = std::move(key);
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_RETURN_IF_ERROR(registry::InstallKitIdentity(*reg, g.actor, id));
  Print(g, {{"kit_id", id.kit_id}, {"office_code", id.office_code}},
        absl::StrFormat("this installation is now kit %s (office code %s); its key is sealed in "
                        "the database. Delete %s/kit-key.pem.\n",
                        id.kit_id, id.office_code, dir));
  return absl::OkStatus();
}

absl::Status RunKitExport(const Globals& g, const std::string& out, int chunk_kib) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::BundleSummary b,
                          registry::ExportBundle(*reg, g.actor, out, size_t(chunk_kib) * 1024,
                                                 g.json ? nullptr : ProgressBar("chunks")));
  Print(g,
        {{"bundle_id", b.bundle_id},
         {"directory", b.directory},
         {"chunks", b.chunks},
         {"bytes", b.bytes},
         {"payload_bytes", b.payload_bytes},
         {"applicants", b.applicants},
         {"births", b.births},
         {"jornadas", b.jornadas},
         {"provisional_cards", b.cards}},
        absl::StrFormat("bundle %s: %d applicants, %d births, %d jornadas, %d provisional cards\n"
                        "  %s (%d chunks, %d bytes compressed from %d, sealed to the centre, "
                        "signed by this kit)\n",
                        b.bundle_id.substr(0, 16), b.applicants, b.births, b.jornadas, b.cards,
                        b.directory, b.chunks, b.bytes, b.payload_bytes));
  return absl::OkStatus();
}

std::string ImportText(const registry::ImportReport& r) {
  std::string text;
  if (r.already_imported) {
    text = absl::StrFormat("bundle %s from kit %s was imported before: nothing changed\n",
                           r.bundle_id.substr(0, 16), r.kit_id);
  } else if (!r.complete) {
    text = absl::StrFormat("bundle %s: %s\n", r.bundle_id.substr(0, 16),
                           r.problems.empty() ? "incomplete" : r.problems.back());
  } else {
    text = absl::StrFormat(
        "bundle %s from kit %s imported: %d cleared, %d held for adjudication, %d already "
        "present, %d refused; %d births, %d jornadas, %d provisional cards\n",
        r.bundle_id.substr(0, 16), r.kit_id, r.enrolled_cleared, r.held_for_adjudication,
        r.already_present, r.refused, r.births, r.jornadas, r.provisional_cards);
    if (r.clock_skewed) {
      text += absl::StrFormat("  WARNING: the kit's clock was off by %+d s; recorded\n",
                              r.clock_skew_seconds);
    }
    for (const std::string& h : r.held) text += "  held: " + h + "\n";
    for (const std::string& p : r.problems) text += "  refused: " + p + "\n";
  }
  return text;
}

absl::Status RunKitImport(const Globals& g, const std::string& dir, const std::string& centre_key,
                          const std::string& passphrase_file) {
  PUENTE_ASSIGN_OR_RETURN(credentials::InstitutionKey key,
                          apps::LoadInstitutionKey(centre_key, passphrase_file));
  PUENTE_ASSIGN_OR_RETURN(RegistryWithFaces o, OpenRegistryWithFaces(g));
  registry::BundleImporter importer(*o.reg, *o.service, key);
  PUENTE_ASSIGN_OR_RETURN(registry::ImportReport r,
                          importer.Import(g.actor, dir, g.json ? nullptr : ProgressBar("chunks")));
  const json j = registry::ToJson(r);
  std::string text = ImportText(r);
  Print(g, j, text);
  if (!r.complete) return absl::UnavailableError("the bundle is incomplete");
  return absl::OkStatus();
}

absl::Status RunKitList(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto kits, registry::KitAuthority(*reg).List());
  json arr = json::array();
  std::string text;
  for (const auto& k : kits) {
    const std::string until = FormatTimestamp(absl::FromUnixSeconds(k.not_after)).substr(0, 10);
    arr.push_back({{"kit_id", k.kit_id},
                   {"office_code", k.office_code},
                   {"status", k.status},
                   {"kid", crypto::HexEncode(k.kid)},
                   {"not_after", until}});
    text += absl::StrFormat("%-16s office %s  %-8s key %s  until %s\n", k.kit_id, k.office_code,
                            k.status, crypto::HexEncode(k.kid), until);
  }
  Print(g, {{"kits", arr}}, text.empty() ? "no kits certified\n" : text);
  return absl::OkStatus();
}

absl::Status RunKitRegion(const Globals& g, const std::string& kit_id, const std::string& offices) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  std::vector<std::string> list;
  if (!offices.empty()) list = puente::StrSplit(offices, ',');
  PUENTE_RETURN_IF_ERROR(registry::KitAuthority(*reg).SetRegion(g.actor, kit_id, list));
  Print(g, {{"kit_id", kit_id}, {"region", list}},
        absl::StrFormat("kit %s pulls the people of offices: %s\n", kit_id,
                        list.empty() ? "none" : absl::StrJoin(list, ", ")));
  return absl::OkStatus();
}

}  // namespace

CLI::App* AddKitCommands(CLI::App& app, Globals& g, const Runner& run) {
  static CertifyArgs certify;
  static std::string init_dir, init_pass, export_out, import_dir, import_key, import_pass;
  static int chunk_kib = 256;
  auto* kit = app.add_subcommand(
      "kit", "Field kits: certify, init, export, import, push, list, region, pull");
  kit->require_subcommand(1);
  auto* c = kit->add_subcommand("certify", "(centre) Certify a kit and write its package");
  c->add_option("kit_id", certify.kit_id, "Kit id, e.g. darien-01")->required();
  c->add_option("--out", certify.out, "Package directory")->required();
  c->add_option("--centre-key", certify.centre_key, "Centre bundle key (institution .pem)")
      ->required();
  c->add_option("--root-pub", certify.root_pub, "Root public key file (.pub.json)")->required();
  c->add_option("--valid-days", certify.valid_days, "How long the kit key may sign (default 60)");
  c->add_option("--region", certify.region,
                "Offices whose people the kit pulls for on-kit dedup, e.g. 101,102");
  c->add_option("--max-validity-days", certify.max_validity_days,
                "Longest validity of what the kit signs (default 30)");
  c->add_option("--passphrase-file", certify.passphrase_file,
                "Passphrase of the centre key; also protects the kit key in the package");
  c->callback([&] { run(RunKitCertify(g, certify)); });
  auto* i = kit->add_subcommand("init", "(kit) Install a kit package into this database");
  i->add_option("package", init_dir, "Package directory from `kit certify`")->required();
  i->add_option("--passphrase-file", init_pass, "Passphrase of kit-key.pem");
  i->callback([&] { run(RunKitInit(g, init_dir, init_pass)); });
  auto* e = kit->add_subcommand("export", "(kit) Write a sync bundle for the centre");
  e->add_option("out_dir", export_out, "Where the bundle directory goes (e.g. a USB stick)")
      ->required();
  e->add_option("--chunk-kib", chunk_kib, "Chunk size in KiB (default 256)");
  e->callback([&] { run(RunKitExport(g, export_out, chunk_kib)); });
  auto* im = kit->add_subcommand("import", "(centre) Import a kit's sync bundle; resumable");
  im->add_option("bundle_dir", import_dir, "The bundle directory")->required();
  im->add_option("--centre-key", import_key, "Centre bundle key (institution .pem)")->required();
  im->add_option("--passphrase-file", import_pass, "Passphrase of the centre key");
  im->callback([&] { run(RunKitImport(g, import_dir, import_key, import_pass)); });
  kit->add_subcommand("list", "(centre) Certified kits")->callback([&] { run(RunKitList(g)); });
  static std::string region_kit, region_offices;
  auto* rg = kit->add_subcommand("region", "(centre) Offices whose people the kit pulls");
  rg->add_option("kit_id", region_kit, "Kit id")->required();
  rg->add_option("offices", region_offices, "Office codes, comma-separated (empty: none)");
  rg->callback([&] { run(RunKitRegion(g, region_kit, region_offices)); });
  return kit;
}

}  // namespace puente::cli
