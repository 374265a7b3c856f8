// Births (docs/field-kits.md):
//   puente birth register ...                                 a birth, with its attestation
//   puente birth list [--limit N]
//   puente birth export --to CIVIL.pub.json --out FILE        a signed batch for the civil registry
//   puente birth open BATCH --key CIVIL.pem --signer K.pub.json  (civil registry) read it
#include <ctime>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_format.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/verifier.h"
#include "puente/open_registry.h"
#include "puente/registry/births.h"
#include "puente/registry/kits.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using nlohmann::json;

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

absl::StatusOr<std::optional<registry::BirthParent>> Parent(
    registry::ParentRole role, const std::string& reg_no, const std::string& name,
    const std::string& face, const std::string& doc, const std::string& nationality) {
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
  PUENTE_ASSIGN_OR_RETURN(
      crypto::VerifyingKey root,
      crypto::VerifyingKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, root_raw));
  PUENTE_ASSIGN_OR_RETURN(std::string trust, apps::ReadFile(a.lists_dir + "/trust.cbor"));
  PUENTE_ASSIGN_OR_RETURN(std::string revoked, apps::ReadFile(a.lists_dir + "/revoked.cbor"));
  PUENTE_ASSIGN_OR_RETURN(auto verifier, credentials::CardVerifier::Create(root, trust, revoked));
  const credentials::VerificationResult r = verifier.Verify(qr, std::time(nullptr));
  if (r.verdict != credentials::Verdict::kValid || !r.card || !r.card->holder.id) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: the card does not verify (%s: %s)", card_file,
                        credentials::VerdictName(r.verdict), r.reason));
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
  if (kit) return registry::KitCardAuthority(*kit);
  if (issuer_key.empty()) {
    return absl::InvalidArgumentError(
        "--issuer-key: this installation is not a kit; name the office's issuer key");
  }
  PUENTE_ASSIGN_OR_RETURN(auto key, apps::LoadSigningKey(issuer_key, passphrase_file));
  return registry::CardAuthority{key, credentials::kDefaultIssuerUri, {}, 365, false, ""};
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
  for (auto [card, number] :
       {std::pair{&a.mother_card, &args.mother}, std::pair{&a.father_card, &args.father},
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
    PUENTE_ASSIGN_OR_RETURN(
        auto p, Parent(role, *reg_no, *name, role == R::kGuardian ? no_face : *face, *doc, *nat));
    if (p) b.parents.push_back(std::move(*p));
  }
  // A parent whose card was read (and not also checked face to face).
  for (auto [card, role] :
       {std::pair{&a.mother_card, R::kMother}, std::pair{&a.father_card, R::kFather},
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
  std::string summary =
      absl::StrFormat("%d births from %s, generated %s\n", content["births"].size(),
                      content.value("issuer", ""), content.value("generated_at", ""));
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
    arr.push_back(
        {{"birth_number", b.birth_number},
         {"record", json::parse(registry::BirthRecordToJson(r))},
         {"attestation_serial", b.attestation_serial ? json(*b.attestation_serial) : json(nullptr)},
         {"created_at", b.created_at}});
    text += absl::StrFormat("%s  %s %s %s  born %s  %s  %s\n", b.birth_number, r.given_names,
                            r.surname1, r.surname2, r.born_on, r.place_code,
                            b.attestation_serial ? "attested" : "no attestation");
  }
  Print(g, {{"births", arr}}, text.empty() ? "no births registered\n" : text);
  return absl::OkStatus();
}

}  // namespace

void AddBirthCommands(CLI::App& app, Globals& g, const Runner& run) {
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
  br->add_option("--mother-face", birth.mother_face,
                 "Live photo: 1:1 check against her enrollment");
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
  auto* bx =
      bc->add_subcommand("export", "A signed, sealed batch of births for the civil registry");
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
