// Field kits, jornadas and births (docs/field-kits.md):
//   puente kit certify KIT_ID --out DIR --centre-key C.pem   (centre) a kit package
//   puente kit init DIR                                       (kit)    install it
//   puente kit export OUT_DIR                                 (kit)    a sync bundle
//   puente kit import BUNDLE_DIR --centre-key C.pem           (centre) import it
//   puente kit list                                           (centre)
//   puente kit region KIT_ID 101,102                          (centre) its snapshot's offices
//   puente kit pull --server URL [--lists-dir DIR]            (kit)    lists + regional snapshot
//   puente kit push BUNDLE_DIR --server URL                   (kit)    a bundle over HTTP
//   puente jornada open|close|list
//   puente birth register|list
//   puente birth export --to CIVIL.pub.json --out FILE        a signed batch for the civil registry
//   puente birth open BATCH --key CIVIL.pem --signer K.pub.json  (civil registry) read it
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/centre_client.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/open_registry.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/verifier.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/births.h"
#include "puente/registry/keys.h"
#include "puente/registry/kits.h"
#include "puente/registry/regional.h"
#include "puente/registry/sync.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// "[#####.....] 3/10 chunks" on stderr, redrawn in place on a terminal.
std::function<void(int, int)> ProgressBar(const std::string& what) {
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  return [tty, start, what](int done, int total) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int width = 30, filled = total > 0 ? width * done / total : width;
    std::cerr << absl::StrFormat("%s[%s%s] %d/%d %s  %.1f s%s", tty ? "\r" : "",
                                 std::string(filled, '#'), std::string(width - filled, '.'), done,
                                 total, what, secs, tty && done < total ? "" : "\n");
  };
}

// ---- kit ----------------------------------------------------------------------

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
  PUENTE_ASSIGN_OR_RETURN(auto key,
                          credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519));
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
      a.out + "/kit.pub.json",
      credentials::PublicKeyFileJson(credentials::PublicFileOf(key, credentials::KeyKind::kIssuer))));
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
        {{"bundle_id", b.bundle_id}, {"directory", b.directory}, {"chunks", b.chunks},
         {"bytes", b.bytes}, {"payload_bytes", b.payload_bytes}, {"applicants", b.applicants},
         {"births", b.births}, {"jornadas", b.jornadas}, {"provisional_cards", b.cards}},
        absl::StrFormat("bundle %s: %d applicants, %d births, %d jornadas, %d provisional cards\n"
                        "  %s (%d chunks, %d bytes compressed from %d, sealed to the centre, "
                        "signed by this kit)\n",
                        b.bundle_id.substr(0, 16), b.applicants, b.births, b.jornadas, b.cards,
                        b.directory, b.chunks, b.bytes, b.payload_bytes));
  return absl::OkStatus();
}

std::string ImportText(const registry::ImportReport& r);

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
  PUENTE_ASSIGN_OR_RETURN(auto centre,
                          CentreClient::Connect({.server = a.server,
                                                 .ca_cert = a.ca_cert,
                                                 .connect_timeout_seconds = 10,
                                                 // the import runs dedup for every person
                                                 .read_timeout_seconds = 600,
                                                 .write_timeout_seconds = 120,
                                                 .no_answer_advice =
                                                     "run `kit push` again, it resumes",
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
    text = absl::StrFormat("bundle %s: %d chunks sent now, %d still missing; run `kit push` "
                           "again\n",
                           m.bundle_id.substr(0, 16), sent,
                           report.value("missing", json::array()).size());
  } else {
    text = absl::StrFormat(
        "bundle %s imported by the centre: %d cleared, %d held for adjudication, %d already "
        "present, %d refused; %d births, %d jornadas, %d provisional cards\n",
        m.bundle_id.substr(0, 16), report.value("enrolled_cleared", 0),
        report.value("held_for_adjudication", 0), report.value("already_present", 0),
        report.value("refused", 0), report.value("births", 0), report.value("jornadas", 0),
        report.value("provisional_cards", 0));
  }
  Print(g, report, text);
  if (!complete) return absl::UnavailableError("the bundle is not complete at the centre yet");
  return absl::OkStatus();
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

absl::Status RunKitList(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto kits, registry::KitAuthority(*reg).List());
  json arr = json::array();
  std::string text;
  for (const auto& k : kits) {
    const std::string until = FormatTimestamp(absl::FromUnixSeconds(k.not_after)).substr(0, 10);
    arr.push_back({{"kit_id", k.kit_id}, {"office_code", k.office_code}, {"status", k.status},
                   {"kid", crypto::HexEncode(k.kid)}, {"not_after", until}});
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

struct PullArgs {
  std::string server, lists_dir = ".", ca_cert;
};

// Pulls until the centre has nothing more; each answer is applied (in one
// transaction) before the next request, so a dropped link loses nothing.
absl::Status RunKitPull(const Globals& g, const PullArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(RegistryWithFaces o, OpenRegistryWithFaces(g));
  PUENTE_ASSIGN_OR_RETURN(
      auto centre,
      CentreClient::Connect({.server = a.server,
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
    PUENTE_ASSIGN_OR_RETURN(registry::PullRequest req, registry::RegionalSnapshot::MakeRequest(*o.reg));
    PUENTE_ASSIGN_OR_RETURN(std::string answer,
                            centre->Post("/api/v1/kits/pull", req.text, "application/json", {200}));
    PUENTE_ASSIGN_OR_RETURN(last, registry::RegionalSnapshot::Apply(*o.reg, *o.service, g.actor,
                                                                      req, answer));
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
      total.skipped > 0 ? absl::StrFormat(", %d skipped", total.skipped) : "",
      last.trusted_issuers, trust, last.revoked_serials, revoked);
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

// ---- jornadas -----------------------------------------------------------------

json JornadaJson(const registry::Jornada& j) {
  return {{"id", j.id},         {"kit_id", j.kit_id},       {"location_code", j.location_code},
          {"starts_on", j.starts_on}, {"ends_on", j.ends_on}, {"officers", j.officers},
          {"status", j.status}, {"counts", j.counts.empty() ? json(nullptr) : json::parse(j.counts)}};
}

// ---- births ---------------------------------------------------------------------

struct BirthArgs {
  std::string given, surname1, surname2, sex = "F", born_on, born_at, place_code, place, facility;
  std::string office, jornada;
  std::string mother, mother_name, mother_face, mother_doc, mother_nationality;
  std::string father, father_name, father_face, father_doc, father_nationality;
  std::string guardian, guardian_name, guardian_doc, guardian_nationality;
  std::string mother_card, father_card, guardian_card;  // photo or .txt of their card's QR
  std::string lists_dir = ".", root_pub;                // to verify those cards
  bool attest = false;
  std::string out;
};

absl::StatusOr<std::optional<registry::BirthParent>> Parent(registry::ParentRole role,
                                                            const std::string& reg_no,
                                                            const std::string& name,
                                                            const std::string& face,
                                                            const std::string& doc,
                                                            const std::string& nationality) {
  if (reg_no.empty() && name.empty()) return std::nullopt;
  registry::BirthParent p;
  p.role = role;
  if (!reg_no.empty()) {
    p.registration_number = reg_no;
    p.identified_by = "registration_number";
    if (!face.empty()) {
      PUENTE_ASSIGN_OR_RETURN(p.live_photo, apps::ReadFile(face));
      p.identified_by = "face";
    }
    return p;
  }
  p.full_name = name;
  p.nationality = nationality;
  if (!doc.empty()) {
    PUENTE_ASSIGN_OR_RETURN(registry::IdentityDocument d, ParseDocumentArg(doc));
    p.document = d;
  }
  return p;
}

// A parent's registration number read from their card: the card must verify
// (signature, trust list, revocation list) as VALID with the root key of this
// kit (or --root-pub) and the lists in `lists_dir` (from `kit pull`).
absl::StatusOr<std::string> NumberFromCard(registry::Registry& reg, const BirthArgs& a,
                                           const std::string& card_file) {
  PUENTE_ASSIGN_OR_RETURN(std::string qr, apps::QrTextFromFile(card_file));
  std::string root_raw;
  PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitIdentity(reg));
  if (!a.root_pub.empty()) {
    PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile f, apps::LoadPublicKey(a.root_pub));
    root_raw = f.public_key;
  } else if (kit) {
    root_raw = kit->root_public_key;
  } else {
    return absl::InvalidArgumentError("--root-pub: needed to verify a card outside a kit");
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::VerifyingKey root,
                          crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519,
                                                        root_raw));
  PUENTE_ASSIGN_OR_RETURN(std::string trust, apps::ReadFile(a.lists_dir + "/trust.cbor"));
  PUENTE_ASSIGN_OR_RETURN(std::string revoked, apps::ReadFile(a.lists_dir + "/revoked.cbor"));
  PUENTE_ASSIGN_OR_RETURN(auto verifier, credentials::CardVerifier::Create(root, trust, revoked));
  const credentials::VerificationResult r = verifier.Verify(qr, std::time(nullptr));
  if (r.verdict != credentials::Verdict::kValid || !r.card || !r.card->holder.id) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the card does not verify (%s: %s)", card_file, credentials::VerdictName(r.verdict),
        r.reason));
  }
  return *r.card->holder.id;
}

absl::Status WriteAttestation(const registry::BirthAttestation& att, const std::string& out) {
  const credentials::CardArtwork art{&att.card, att.qr_text, ""};
  PUENTE_ASSIGN_OR_RETURN(std::string png, credentials::RenderCardPng(art));
  PUENTE_ASSIGN_OR_RETURN(std::string pdf, credentials::RenderCardPdf(art));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(out + ".qr.txt", att.qr_text + "\n"));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(out + ".png", png));
  return apps::WriteFile(out + ".pdf", pdf);
}

// The key attestations are signed with: this kit's (provisional), else the
// office's issuer key given on the command line.
absl::StatusOr<registry::CardAuthority> Signer(registry::Registry& reg,
                                               const std::string& issuer_key,
                                               const std::string& passphrase_file) {
  PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitIdentity(reg));
  if (kit) {
    return registry::CardAuthority{*kit->key, "PA-KIT-" + kit->kit_id, {},
                                   kit->max_validity_days, true, kit->office_code};
  }
  if (issuer_key.empty()) {
    return absl::InvalidArgumentError(
        "--issuer-key: this installation is not a kit; name the office's issuer key");
  }
  PUENTE_ASSIGN_OR_RETURN(auto key, apps::LoadSigningKey(issuer_key, passphrase_file));
  return registry::CardAuthority{key, "PA-ONPAR", {}, 365, false, ""};
}

absl::Status RunBirthRegister(const Globals& g, const BirthArgs& a, const std::string& issuer_key,
                              const std::string& passphrase_file) {
  PUENTE_ASSIGN_OR_RETURN(RegistryWithFaces o, OpenRegistryWithFaces(g));
  registry::NewBirth b;
  b.given_names = a.given;
  b.surname1 = a.surname1;
  b.surname2 = a.surname2;
  auto sex = registry::ParseSex(a.sex);
  if (!sex) return absl::InvalidArgumentError("--sex: F, M or X");
  b.sex = *sex;
  b.born_on = a.born_on;
  b.born_at = a.born_at;
  b.place_code = a.place_code;
  b.place = a.place;
  b.facility = a.facility;
  b.jornada_id = a.jornada;
  b.office_code = a.office;
  if (b.office_code.empty()) {
    PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitIdentity(*o.reg));
    if (!kit) return absl::InvalidArgumentError("--office: required outside a field kit");
    b.office_code = kit->office_code;
  }
  using R = registry::ParentRole;
  // Parents identified by their card: its verified registration number.
  BirthArgs args = a;
  for (auto [card, number] : {std::pair{&a.mother_card, &args.mother},
                              std::pair{&a.father_card, &args.father},
                              std::pair{&a.guardian_card, &args.guardian}}) {
    if (card->empty()) continue;
    PUENTE_ASSIGN_OR_RETURN(*number, NumberFromCard(*o.reg, a, *card));
  }
  for (auto [role, reg_no, name, face, doc, nat] :
       {std::tuple{R::kMother, &args.mother, &a.mother_name, &a.mother_face, &a.mother_doc,
                   &a.mother_nationality},
        std::tuple{R::kFather, &args.father, &a.father_name, &a.father_face, &a.father_doc,
                   &a.father_nationality},
        std::tuple{R::kGuardian, &args.guardian, &a.guardian_name, &a.mother_face /*unused*/,
                   &a.guardian_doc, &a.guardian_nationality}}) {
    const std::string no_face;
    PUENTE_ASSIGN_OR_RETURN(auto p, Parent(role, *reg_no, *name, role == R::kGuardian ? no_face : *face,
                                           *doc, *nat));
    if (p) b.parents.push_back(std::move(*p));
  }
  // A parent whose card was read (and not also checked face to face).
  for (auto [card, role] : {std::pair{&a.mother_card, R::kMother},
                            std::pair{&a.father_card, R::kFather},
                            std::pair{&a.guardian_card, R::kGuardian}}) {
    if (card->empty()) continue;
    for (auto& p : b.parents) {
      if (p.role == role && p.identified_by == "registration_number") p.identified_by = "card";
    }
  }
  registry::BirthRegistry births(*o.reg, *o.service);
  PUENTE_ASSIGN_OR_RETURN(registry::Birth birth, births.Register(g.actor, b));
  json j{{"birth_number", birth.birth_number}, {"id", birth.id}};
  std::string child = puente::StrCat(b.given_names, " ", b.surname1);
  if (!b.surname2.empty()) child += " " + b.surname2;
  std::string text =
      absl::StrFormat("birth registered: %s, number %s\n", child, birth.birth_number);
  if (a.attest) {
    PUENTE_ASSIGN_OR_RETURN(registry::CardAuthority signer,
                            Signer(*o.reg, issuer_key, passphrase_file));
    PUENTE_ASSIGN_OR_RETURN(registry::BirthAttestation att,
                            births.Attest(g.actor, birth.birth_number, signer));
    const std::string out = a.out.empty() ? "birth-" + birth.birth_number : a.out;
    PUENTE_RETURN_IF_ERROR(WriteAttestation(att, out));
    j["attestation"] = {{"serial", att.serial},
                        {"provisional", att.card.provisional},
                        {"files", {out + ".qr.txt", out + ".png", out + ".pdf"}}};
    text += absl::StrFormat("  attestation %d%s: %s.png, %s.pdf (guardian: %s)\n", att.serial,
                            att.card.provisional ? " (provisional, kit-signed)" : "", out, out,
                            att.card.holder.guardian.value_or(""));
  }
  Print(g, j, text);
  return absl::OkStatus();
}

struct BatchArgs {
  std::string to, out, since, issuer_key, passphrase_file;
  std::string batch, key, signer, open_out;
};

absl::Status RunBirthExport(const Globals& g, const BatchArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile to, apps::LoadPublicKey(a.to));
  if (to.kind != credentials::KeyKind::kInstitution) {
    return absl::InvalidArgumentError(a.to + ": not an institution (X25519) public key");
  }
  PUENTE_ASSIGN_OR_RETURN(registry::CardAuthority signer,
                          Signer(*reg, a.issuer_key, a.passphrase_file));
  PUENTE_ASSIGN_OR_RETURN(std::string batch,
                          registry::ExportBirthBatch(*reg, g.actor, signer.issuer,
                                                     signer.issuer_name, to.public_key, a.since));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out, batch, 0600));
  const int count = json::parse(batch).value("count", 0);
  Print(g, {{"file", a.out}, {"count", count}, {"issuer", signer.issuer_name}},
        absl::StrFormat("%d births written to %s, signed by %s, sealed to %s\n", count, a.out,
                        signer.issuer_name, a.to));
  return absl::OkStatus();
}

absl::Status RunBirthOpen(const Globals& g, const BatchArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(std::string text, apps::ReadFile(a.batch));
  PUENTE_ASSIGN_OR_RETURN(credentials::InstitutionKey key,
                          apps::LoadInstitutionKey(a.key, a.passphrase_file));
  PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile signer, apps::LoadPublicKey(a.signer));
  PUENTE_ASSIGN_OR_RETURN(crypto::VerifyingKey vk, credentials::VerifyingKeyOf(signer));
  PUENTE_ASSIGN_OR_RETURN(json content, registry::OpenBirthBatch(text, vk, key));
  std::string summary = absl::StrFormat("%d births from %s, generated %s\n",
                                        content["births"].size(),
                                        content.value("issuer", ""),
                                        content.value("generated_at", ""));
  if (!a.open_out.empty()) {
    PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.open_out, content.dump(2) + "\n", 0600));
    summary += "  written to " + a.open_out + "\n";
  } else {
    for (const json& b : content["births"]) {
      const json& r = b["record"];
      summary += absl::StrFormat("  %s  %s %s %s  born %s at %s\n", b.value("birth_number", ""),
                                 r.value("given_names", ""), r.value("surname1", ""),
                                 r.value("surname2", ""), r.value("born_on", ""),
                                 r.value("place_code", ""));
    }
  }
  Print(g, content, summary);
  return absl::OkStatus();
}

absl::Status RunBirthList(const Globals& g, int limit) {
  PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(auto list, registry::ListBirths(*reg, g.actor, limit, 0));
  json arr = json::array();
  std::string text;
  for (const auto& b : list) {
    const auto& r = b.record;
    arr.push_back({{"birth_number", b.birth_number},
                   {"record", json::parse(registry::BirthRecordToJson(r))},
                   {"attestation_serial",
                    b.attestation_serial ? json(*b.attestation_serial) : json(nullptr)},
                   {"created_at", b.created_at}});
    text += absl::StrFormat("%s  %s %s %s  born %s  %s  %s\n", b.birth_number, r.given_names,
                            r.surname1, r.surname2, r.born_on, r.place_code,
                            b.attestation_serial ? "attested" : "no attestation");
  }
  Print(g, {{"births", arr}}, text.empty() ? "no births registered\n" : text);
  return absl::OkStatus();
}

}  // namespace

void AddFieldCommands(CLI::App& app, Globals& g, const Runner& run) {
  static CertifyArgs certify;
  static std::string init_dir, init_pass, export_out, import_dir, import_key, import_pass;
  static int chunk_kib = 256;
  auto* kit = app.add_subcommand("kit", "Field kits: certify, init, export, import, push, list, region, pull");
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
  static PushArgs push;
  auto* ps = kit->add_subcommand("push", "(kit) Send a bundle to the centre over HTTP; resumable");
  ps->add_option("bundle_dir", push.dir, "The bundle directory from `kit export`")->required();
  ps->add_option("--server", push.server, "The centre, e.g. https://registro.example:8443")
      ->required();
  ps->add_option("--max-chunks", push.max_chunks,
                 "Send at most this many chunks now (a metered link); run again for the rest");
  ps->add_option("--ca-cert", push.ca_cert, "CA certificate of the centre's TLS (PEM)");
  ps->callback([&] { run(RunKitPush(g, push)); });
  static PullArgs pull;
  auto* pl = kit->add_subcommand("pull", "(kit) Fetch the lists and the regional snapshot");
  pl->add_option("--server", pull.server, "The centre, e.g. https://registro.example:8443")
      ->required();
  pl->add_option("--lists-dir", pull.lists_dir, "Where trust.cbor and revoked.cbor go (default .)");
  pl->add_option("--ca-cert", pull.ca_cert, "CA certificate of the centre's TLS (PEM)");
  pl->callback([&] { run(RunKitPull(g, pull)); });

  static std::string j_kit, j_location, j_from, j_to, j_officers, j_id;
  auto* jornada = app.add_subcommand("jornada", "Registration days: open, close, list");
  jornada->require_subcommand(1);
  auto* jo = jornada->add_subcommand("open", "Open a registration day");
  jo->add_option("--location", j_location, "Location code, e.g. PA-5-DAR-01")->required();
  jo->add_option("--from", j_from, "First day YYYY-MM-DD")->required();
  jo->add_option("--to", j_to, "Last day YYYY-MM-DD")->required();
  jo->add_option("--officers", j_officers, "Officers, comma-separated")->required();
  jo->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(auto kit_id, registry::LoadKitIdentity(*reg));
      PUENTE_ASSIGN_OR_RETURN(registry::Jornada j,
                              registry::Jornadas(*reg).Open(g.actor, kit_id ? kit_id->kit_id : "",
                                                            j_location, j_from, j_to,
                                                            puente::StrSplit(j_officers, ',')));
      Print(g, JornadaJson(j), absl::StrFormat("jornada %s open at %s, %s to %s\n", j.id,
                                               j.location_code, j.starts_on, j.ends_on));
      return absl::OkStatus();
    }());
  });
  auto* jc = jornada->add_subcommand("close", "Close a registration day with its counts");
  jc->add_option("id", j_id, "Jornada id")->required();
  jc->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(registry::Jornada j, registry::Jornadas(*reg).Close(g.actor, j_id));
      Print(g, JornadaJson(j), absl::StrFormat("jornada %s closed: %s\n", j.id, j.counts));
      return absl::OkStatus();
    }());
  });
  jornada->add_subcommand("list", "Registration days")->callback([&] {
    run([&]() -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(auto reg, OpenRegistry(g));
      PUENTE_ASSIGN_OR_RETURN(auto list, registry::Jornadas(*reg).List());
      json arr = json::array();
      std::string text;
      for (const auto& j : list) {
        arr.push_back(JornadaJson(j));
        text += absl::StrFormat("%s  %s  %s..%s  %s  %s\n", j.id, j.location_code, j.starts_on,
                                j.ends_on, j.status, j.counts);
      }
      Print(g, {{"jornadas", arr}}, text.empty() ? "no jornadas\n" : text);
      return absl::OkStatus();
    }());
  });

  static BirthArgs birth;
  static std::string issuer_key, birth_pass;
  static int list_limit = 100;
  auto* bc = app.add_subcommand("birth", "Birth registration: register, list, export, open");
  bc->require_subcommand(1);
  auto* br = bc->add_subcommand("register", "Register a birth (and issue its attestation)");
  br->add_option("--given-names", birth.given, "Child's given names")->required();
  br->add_option("--surname1", birth.surname1, "Child's first surname")->required();
  br->add_option("--surname2", birth.surname2, "Child's second surname");
  br->add_option("--sex", birth.sex, "F, M or X");
  br->add_option("--born-on", birth.born_on, "YYYY-MM-DD")->required();
  br->add_option("--born-at", birth.born_at, "HH:MM local time");
  br->add_option("--place-code", birth.place_code, "Location code of the place of birth")
      ->required();
  br->add_option("--place", birth.place, "Community, river, road");
  br->add_option("--facility", birth.facility, "Health facility or attendant")->required();
  br->add_option("--office", birth.office, "Office code (default: this kit's)");
  br->add_option("--jornada", birth.jornada, "Jornada id");
  br->add_option("--mother", birth.mother, "Mother's registration number (enrolled)");
  br->add_option("--mother-face", birth.mother_face, "Live photo: 1:1 check against her enrollment");
  br->add_option("--mother-name", birth.mother_name, "Mother's full name (not enrolled)");
  br->add_option("--mother-document", birth.mother_doc, "TYPE:COUNTRY:NUMBER (not enrolled)");
  br->add_option("--mother-nationality", birth.mother_nationality, "ISO 3166 alpha-3");
  br->add_option("--father", birth.father, "Father's registration number (enrolled)");
  br->add_option("--father-face", birth.father_face, "Live photo: 1:1 check");
  br->add_option("--father-name", birth.father_name, "Father's full name (not enrolled)");
  br->add_option("--father-document", birth.father_doc, "TYPE:COUNTRY:NUMBER");
  br->add_option("--father-nationality", birth.father_nationality, "ISO 3166 alpha-3");
  br->add_option("--guardian", birth.guardian, "Guardian's registration number");
  br->add_option("--guardian-name", birth.guardian_name, "Guardian's full name (not enrolled)");
  br->add_option("--guardian-document", birth.guardian_doc, "TYPE:COUNTRY:NUMBER");
  br->add_option("--guardian-nationality", birth.guardian_nationality, "ISO 3166 alpha-3");
  br->add_option("--mother-card", birth.mother_card,
                 "Photo (or .txt QR text) of the mother's card: verified, gives her number");
  br->add_option("--father-card", birth.father_card, "Photo (or .txt) of the father's card");
  br->add_option("--guardian-card", birth.guardian_card, "Photo (or .txt) of the guardian's card");
  br->add_option("--lists-dir", birth.lists_dir,
                 "trust.cbor and revoked.cbor to verify cards with (default .; `kit pull`)");
  br->add_option("--root-pub", birth.root_pub, "Root public key (outside a kit)");
  br->add_flag("--attest", birth.attest, "Issue the birth-registration attestation now");
  br->add_option("--out", birth.out, "Attestation file prefix (default birth-NUMBER)");
  br->add_option("--issuer-key", issuer_key, "Office issuer key (.pem), outside a kit");
  br->add_option("--passphrase-file", birth_pass, "Passphrase of --issuer-key");
  br->callback([&] { run(RunBirthRegister(g, birth, issuer_key, birth_pass)); });
  auto* bl = bc->add_subcommand("list", "Births in registration order");
  bl->add_option("--limit", list_limit, "Default 100");
  bl->callback([&] { run(RunBirthList(g, list_limit)); });
  static BatchArgs batch;
  auto* bx = bc->add_subcommand("export", "A signed, sealed batch of births for the civil registry");
  bx->add_option("--to", batch.to, "The civil registry's public key (institution .pub.json)")
      ->required();
  bx->add_option("--out", batch.out, "Batch file")->required();
  bx->add_option("--since", batch.since, "Only births registered on or after YYYY-MM-DD");
  bx->add_option("--issuer-key", batch.issuer_key, "Office issuer key (.pem), outside a kit");
  bx->add_option("--passphrase-file", batch.passphrase_file, "Passphrase of --issuer-key");
  bx->callback([&] { run(RunBirthExport(g, batch)); });
  auto* bo = bc->add_subcommand("open", "(civil registry) Check and open a batch of births");
  bo->add_option("batch", batch.batch, "Batch file from `birth export`")->required();
  bo->add_option("--key", batch.key, "The civil registry's private key (.pem)")->required();
  bo->add_option("--signer", batch.signer, "The kit's or office's public key (.pub.json)")
      ->required();
  bo->add_option("--out", batch.open_out, "Write the opened births here (JSON)");
  bo->add_option("--passphrase-file", batch.passphrase_file, "Passphrase of --key");
  bo->callback([&] { run(RunBirthOpen(g, batch)); });
}

}  // namespace puente::cli
