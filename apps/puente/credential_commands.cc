// `puente lists|card`: the credential authority's tools. The signed trust
// and revocation lists, card issuance to QR text, PNG and PDF, and card
// decoding for inspection. (Keys: key_commands.cc.)
#include <ctime>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/card_template.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/image.h"
#include "puente/cli.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/credential.h"
#include "puente/credentials/lists.h"
#include "puente/credentials/qr.h"
#include "puente/crypto/encoding.h"
#include "puente/open_registry.h"
#include "puente/registry/database.h"
#include "puente/registry/keys.h"
#include "puente/registry/registry.h"
#include "puente/registry/trust_publication.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace puente::cli {
namespace {

using namespace credentials;
constexpr int64_t kDay = 86400;

struct TrustArgs {
  std::string root;
  std::vector<std::string> issuers;
  std::vector<std::string> names;
  std::string card_types = "asylum-seeker,refugee,birth-attestation";
  int max_validity_days = 0;
  bool provisional_only = false;
  int next_update_days = 7;
  std::string out;
  std::string passphrase_file;
};

// The CLI's registry, if there is one to publish field kits from: the
// database of --db (for SQLite, when its file exists) and its master key.
// Null when there is none: `lists trust` then signs the given issuers only.
absl::StatusOr<std::unique_ptr<registry::Registry>> ExistingRegistry(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(registry::DatabaseUrl url, registry::DatabaseUrl::Parse(g.db));
  if (url.dialect == registry::Dialect::kSqlite && !std::filesystem::exists(url.connect_string)) {
    return nullptr;
  }
  absl::StatusOr<crypto::SecretKey> master = registry::LoadMasterKey(g.key_file);
  if (absl::IsNotFound(master.status())) return nullptr;
  if (!master.ok()) return master.status();
  return registry::Registry::Open(g.db, *master);
}

absl::Status RunTrustList(const Globals& g, const TrustArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(SigningIdentity root, apps::LoadSigningKey(a.root, a.passphrase_file));
  const int64_t now = std::time(nullptr);
  registry::TrustPublication publication{now, now + a.next_update_days * kDay, {}};
  std::vector<CardType> types;
  for (const std::string& t : StrSplit(a.card_types, ',')) {
    PUENTE_ASSIGN_OR_RETURN(CardType type, ParseCardType(t));
    types.push_back(type);
  }
  for (size_t i = 0; i < a.issuers.size(); ++i) {
    PUENTE_ASSIGN_OR_RETURN(PublicKeyFile f, apps::LoadPublicKey(a.issuers[i]));
    if (f.kind != KeyKind::kIssuer) {
      return absl::InvalidArgumentError(a.issuers[i] + ": not an issuer key");
    }
    if (!f.not_before) {
      return absl::InvalidArgumentError(
          a.issuers[i] +
          ": the key has no certified signing window; give it one once with "
          "`puente keys certify " +
          a.issuers[i] +
          " --not-before YYYY-MM-DD --not-after "
          "YYYY-MM-DD` (every later list keeps it)");
    }
    PUENTE_ASSIGN_OR_RETURN(TrustedIssuer t, TrustedIssuerOf(f, types));
    if (i < a.names.size()) t.name = a.names[i];
    if (t.name.empty()) t.name = std::filesystem::path(a.issuers[i]).stem().stem().string();
    t.max_validity_seconds = a.max_validity_days * kDay;
    t.provisional_only = a.provisional_only;
    publication.issuers.push_back(std::move(t));
  }
  // The registry's active field kits join the list when there is a registry.
  PUENTE_ASSIGN_OR_RETURN(std::unique_ptr<registry::Registry> reg, ExistingRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(registry::PublishedTrustList published,
                          registry::PublishTrustList(reg.get(), publication, root));
  const TrustList& list = published.list;
  const std::string& signed_list = published.signed_bytes;
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out, signed_list));
  Print(g,
        {{"file", a.out},
         {"issuers", list.issuers.size()},
         {"bytes", signed_list.size()},
         {"next_update", apps::IsoDate(list.next_update)}},
        absl::StrFormat("trust list %s: %d issuer key(s), %d bytes, next update %s\n", a.out,
                        list.issuers.size(), signed_list.size(), apps::IsoDate(list.next_update)));
  return absl::OkStatus();
}

struct RevocationArgs {
  std::string root;
  std::vector<uint64_t> serials;
  std::string serials_file;
  int next_update_days = 1;
  std::string out;
  std::string passphrase_file;
};

absl::Status RunRevocationList(const Globals& g, const RevocationArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(SigningIdentity root, apps::LoadSigningKey(a.root, a.passphrase_file));
  const int64_t now = std::time(nullptr);
  RevocationList list{static_cast<uint64_t>(now), now, now + a.next_update_days * kDay, a.serials};
  if (!a.serials_file.empty()) {
    PUENTE_ASSIGN_OR_RETURN(std::string text, apps::ReadFile(a.serials_file));
    int line_no = 0;
    for (const std::string& line : StrSplit(text, '\n')) {
      ++line_no;
      if (line.empty()) continue;
      uint64_t serial = 0;
      if (!absl::SimpleAtoi(line, &serial)) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s:%d: \"%s\" is not a card serial", a.serials_file, line_no, line));
      }
      list.revoked.push_back(serial);
    }
  }
  PUENTE_ASSIGN_OR_RETURN(std::string signed_list, SignRevocationList(list, root));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out, signed_list));
  Print(g,
        {{"file", a.out},
         {"revoked", list.revoked.size()},
         {"bytes", signed_list.size()},
         {"next_update", apps::IsoDate(list.next_update)}},
        absl::StrFormat("revocation list %s: %d serial(s), %d bytes, next update %s\n", a.out,
                        list.revoked.size(), signed_list.size(), apps::IsoDate(list.next_update)));
  return absl::OkStatus();
}

struct IssueArgs {
  std::string issuer_key;
  std::string issuer_name = kDefaultIssuerUri;
  std::string type = "asylum-seeker";
  uint64_t serial = 0;
  std::string registration_number;
  std::string name;
  std::string dob;
  std::string sex;
  std::string nationality;
  std::string guardian;
  std::string location;
  std::vector<std::string> entitlements;
  int valid_days = 365;
  bool provisional = false;
  std::string photo;
  std::vector<std::string> recipients;
  std::string case_number;
  std::string out;
  std::string passphrase_file;
};

absl::Status RunCardIssue(const Globals& g, const IssueArgs& a) {
  PUENTE_ASSIGN_OR_RETURN(SigningIdentity issuer,
                          apps::LoadSigningKey(a.issuer_key, a.passphrase_file));
  Card card;
  PUENTE_ASSIGN_OR_RETURN(card.type, ParseCardType(a.type));
  card.serial = a.serial;
  PUENTE_RETURN_IF_ERROR(CheckIssuerUri(a.issuer_name));
  card.issuer = a.issuer_name;
  card.issued_at = card.not_before = std::time(nullptr);
  card.expires_at = card.issued_at + a.valid_days * kDay;
  card.provisional = a.provisional;
  card.holder.id = a.registration_number;
  card.holder.full_name = a.name;
  if (const std::string missing = MissingGlyphs(a.name); !missing.empty()) {
    return absl::InvalidArgumentError("name: the card font cannot print \"" + missing + "\"");
  }
  if (!a.dob.empty()) {
    if (a.dob.size() != 10 || a.dob[4] != '-' || a.dob[7] != '-') {
      return absl::InvalidArgumentError("--dob: \"" + a.dob + "\" is not YYYY-MM-DD");
    }
    card.holder.date_of_birth = a.dob.substr(0, 4) + a.dob.substr(5, 2) + a.dob.substr(8, 2);
  }
  if (a.sex == "M") card.holder.gender = 1;
  if (a.sex == "F") card.holder.gender = 2;
  if (a.sex == "X") card.holder.gender = 3;
  if (!a.sex.empty() && !card.holder.gender) {
    return absl::InvalidArgumentError("--sex must be M, F or X");
  }
  if (!a.nationality.empty()) card.holder.nationality = a.nationality;
  if (!a.guardian.empty()) card.holder.guardian = a.guardian;
  if (!a.location.empty()) card.holder.location_code = a.location;
  card.holder.legal_status = std::string(CardTypeName(card.type));
  for (const std::string& e : a.entitlements) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError("--entitlement \"" + e + "\" is not CODE=YYYY-MM-DD");
    }
    PUENTE_ASSIGN_OR_RETURN(int64_t until, apps::ParseTime(e.substr(eq + 1)));
    card.entitlements.push_back({e.substr(0, eq), until});
  }
  std::string photo_png;
  std::string card_template;
  if (!a.photo.empty()) {
    PUENTE_ASSIGN_OR_RETURN(auto capture, OpenFaceCapture(g));
    PUENTE_ASSIGN_OR_RETURN(cv::Mat image, biometrics::ReadImageFile(a.photo));
    PUENTE_ASSIGN_OR_RETURN(biometrics::Capture c, capture->Analyze(image));
    if (!c.passed || !c.face_template) {
      std::string why;
      for (const auto& i : c.issues) why += (why.empty() ? "" : "; ") + i.message;
      return absl::InvalidArgumentError("--photo: refused by the quality check: " + why);
    }
    photo_png = biometrics::PortraitPng(image, c.metrics.box);
    card_template = biometrics::CardTemplate::FromTemplate(*c.face_template).Serialize();
  }
  std::vector<Recipient> recipients;
  for (const std::string& path : a.recipients) {
    PUENTE_ASSIGN_OR_RETURN(PublicKeyFile f, apps::LoadPublicKey(path));
    if (f.kind != KeyKind::kInstitution) {
      return absl::InvalidArgumentError(path + ": not an institution key");
    }
    recipients.push_back({f.kid, f.public_key});
  }
  if (!recipients.empty()) card.sealed = SealedSection{card_template, a.case_number, {}};
  PUENTE_ASSIGN_OR_RETURN(std::string qr_text, IssueCard(card, issuer, recipients));
  PUENTE_ASSIGN_OR_RETURN(QrCode qr, EncodeQr(qr_text, QrErrorCorrection::kM));
  const CardArtwork art{&card, qr_text, photo_png};
  PUENTE_ASSIGN_OR_RETURN(std::string png, RenderCardPng(art));
  PUENTE_ASSIGN_OR_RETURN(std::string pdf, RenderCardPdf(art));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + ".qr.txt", qr_text + "\n"));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + ".png", png));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(a.out + ".pdf", pdf));
  Print(g,
        {{"serial", card.serial},
         {"type", CardTypeName(card.type)},
         {"qr_chars", qr_text.size()},
         {"qr_version", qr.version},
         {"sealed_recipients", recipients.size()},
         {"files", {a.out + ".qr.txt", a.out + ".png", a.out + ".pdf"}}},
        absl::StrFormat("card %d (%s): QR version %d at M, %d characters, sealed to %d "
                        "institution(s)\n  %s.png  %s.pdf  %s.qr.txt\n",
                        card.serial, CardTypeName(card.type), qr.version, qr_text.size(),
                        recipients.size(), a.out, a.out, a.out));
  return absl::OkStatus();
}

struct DecodeArgs {
  std::string input;  // photo, scan or .txt
  std::string text;   // or --text TEXT|-|@FILE
  std::string issuer_key;
  std::string decryption_key_hex;
};

// Any Claim 169 QR, decoded for inspection. The signature is checked only
// against --issuer-key; otherwise the output says, first, that it was not.
absl::Status RunCardDecode(const Globals& g, const DecodeArgs& a) {
  std::string text;
  if (!a.text.empty()) {
    PUENTE_ASSIGN_OR_RETURN(text, apps::QrTextArgument(a.text));
  } else if (!a.input.empty()) {
    PUENTE_ASSIGN_OR_RETURN(text, apps::QrTextFromFile(a.input));
  } else {
    return absl::InvalidArgumentError("give a card photo, a .txt of its QR text, or --text");
  }
  DecodeOptions options;
  std::optional<crypto::VerifyingKey> key;
  if (!a.issuer_key.empty()) {
    PUENTE_ASSIGN_OR_RETURN(PublicKeyFile f, apps::LoadPublicKey(a.issuer_key));
    PUENTE_ASSIGN_OR_RETURN(key, VerifyingKeyOf(f));
    options.key_lookup = [&key](std::string_view, int64_t) {
      return std::vector<const crypto::VerifyingKey*>{&*key};
    };
  }
  if (!a.decryption_key_hex.empty()) {
    auto k = crypto::HexDecode(a.decryption_key_hex);
    if (!k.ok() || (k->size() != 16 && k->size() != 32)) {
      return absl::InvalidArgumentError("--decryption-key: 16 or 32 bytes of hex");
    }
    options.decryption_key = *k;
  }
  options.now = std::time(nullptr);
  auto decoded = DecodeCredential(text, options);
  if (!decoded.ok()) {
    const bool forged = DecodeStageOf(decoded.status()) == DecodeStage::kSignature;
    return forged ? absl::PermissionDeniedError("signature NOT valid for " + a.issuer_key + ": " +
                                                std::string(decoded.status().message()))
                  : decoded.status();
  }
  const bool checked = decoded->verification == VerificationStatus::kVerified;
  const std::string banner =
      checked ? "signature VERIFIED with " + a.issuer_key
              : "SIGNATURE NOT CHECKED: anyone can make a card that decodes like this one; "
                "use puente-verify, or --issuer-key";
  nlohmann::json j{{"signature", checked ? "verified" : "not checked"},
                   {"algorithm", decoded->algorithm},
                   {"kid", crypto::HexEncode(decoded->kid)},
                   {"compression", decoded->compression},
                   {"x5chain_certificates", decoded->x5chain.size()},
                   {"encrypted", decoded->was_encrypted},
                   {"cwt", ToJson(decoded->meta)},
                   {"claim169", ToJson(decoded->claim169)},
                   {"warnings", decoded->warnings}};
  auto card = credentials::internal::CardFromClaims(decoded->cwt_claims_cbor, decoded->claim169,
                                                    decoded->meta, nullptr);
  j["profile"] = card.ok() ? std::string(CardProfileName(card->profile)) : "unreadable";
  if (card.ok() && card->profile == CardProfile::kPuente) {
    j["puente"] = {{"type", std::string(CardTypeName(card->type))},
                   {"serial", card->serial},
                   {"provisional", card->provisional},
                   {"sealed_section", card->has_sealed_section}};
    for (const Entitlement& e : card->entitlements) {
      j["puente"]["entitlements"].push_back(
          {{"code", e.code}, {"expires_at", apps::IsoDate(e.expires_at)}});
    }
  }
  Print(g, j, banner + "\n" + j.dump(2) + "\n");
  return absl::OkStatus();
}

}  // namespace

void AddCredentialCommands(CLI::App& app, Globals& g, const Runner& run) {
  static TrustArgs trust;
  static RevocationArgs revocation;
  static IssueArgs issue;
  static DecodeArgs decode;

  auto* lists = app.add_subcommand("lists", "Signed lists for verifiers");
  lists->require_subcommand(1);
  auto* tl = lists->add_subcommand("trust", "Sign a trust list of issuer keys");
  tl->add_option("--root", trust.root, "Root private key (.pem)")->required();
  tl->add_option("--issuer", trust.issuers, "Issuer public key file (repeat)")->required();
  tl->add_option("--name", trust.names, "Display name per --issuer, in order");
  tl->add_option("--card-types", trust.card_types, "Card types the issuers may sign");
  tl->add_option("--max-validity-days", trust.max_validity_days,
                 "Longest card validity the keys may grant (0: no limit)");
  tl->add_flag("--provisional-only", trust.provisional_only,
               "The keys sign provisional cards only");
  tl->add_option("--next-update-days", trust.next_update_days, "Default 7");
  tl->add_option("--out", trust.out, "Output file")->required();
  tl->add_option("--passphrase-file", trust.passphrase_file, "Passphrase file for --root");
  tl->callback([&] { run(RunTrustList(g, trust)); });
  auto* rl = lists->add_subcommand("revocation", "Sign a revocation list of card serials");
  rl->add_option("--root", revocation.root, "Root private key (.pem)")->required();
  rl->add_option("--serial", revocation.serials, "Revoked card serial (repeat)");
  rl->add_option("--serials-file", revocation.serials_file, "One revoked serial per line");
  rl->add_option("--next-update-days", revocation.next_update_days, "Default 1");
  rl->add_option("--out", revocation.out, "Output file")->required();
  rl->add_option("--passphrase-file", revocation.passphrase_file, "Passphrase file for --root");
  rl->callback([&] { run(RunRevocationList(g, revocation)); });

  auto* card = app.add_subcommand("card", "Identity cards");
  card->require_subcommand(1);
  auto* is = card->add_subcommand("issue", "Issue a signed card: PREFIX.qr.txt, .png, .pdf");
  is->add_option("--issuer-key", issue.issuer_key, "Issuer private key (.pem)")->required();
  is->add_option("--issuer-name", issue.issuer_name,
                 std::string("CWT issuer, a URI (default ") + kDefaultIssuerUri + ")");
  is->add_option("--type", issue.type, "asylum-seeker, refugee or birth-attestation");
  is->add_option("--serial", issue.serial, "Card serial (registry-wide)")->required();
  is->add_option("--registration-number", issue.registration_number, "Holder's number")->required();
  is->add_option("--name", issue.name, "Holder's full name")->required();
  is->add_option("--dob", issue.dob, "Date of birth YYYY-MM-DD");
  is->add_option("--sex", issue.sex, "M, F or X");
  is->add_option("--nationality", issue.nationality, "ISO 3166 code");
  is->add_option("--guardian", issue.guardian, "Guardian (birth attestations)");
  is->add_option("--location", issue.location, "Location code (e.g. place of birth)");
  is->add_option("--entitlement", issue.entitlements, "CODE=YYYY-MM-DD (repeat)");
  is->add_option("--valid-days", issue.valid_days, "Default 365");
  is->add_flag("--provisional", issue.provisional, "Provisional card (field kits)");
  is->add_option("--photo", issue.photo, "Holder's photo: printed, and its face template sealed");
  is->add_option("--recipient", issue.recipients, "Institution public key for the sealed section");
  is->add_option("--case-number", issue.case_number, "Case number (sealed)");
  is->add_option("--out", issue.out, "Output prefix")->required();
  is->add_option("--passphrase-file", issue.passphrase_file, "Passphrase file for --issuer-key");
  is->callback([&] { run(RunCardIssue(g, issue)); });
  auto* dc = card->add_subcommand(
      "decode",
      "Decode any Claim 169 QR for inspection (signature checked only with --issuer-key)");
  dc->add_option("input", decode.input, "Photo or scan of the card, or a .txt of its QR text");
  dc->add_option("--text", decode.text, "The QR text: TEXT, - (stdin) or @FILE");
  dc->add_option("--issuer-key", decode.issuer_key, "Verify against this one public key file");
  dc->add_option("--decryption-key", decode.decryption_key_hex,
                 "AES key (hex) of a COSE_Encrypt0-wrapped credential");
  dc->callback([&] { run(RunCardDecode(g, decode)); });
}

}  // namespace puente::cli
