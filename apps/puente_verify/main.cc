// puente-verify: the offline card verifier for institutions.
//
//   puente-verify update --server URL [--root-fingerprint HEX]
//       fetches the root key and the signed lists into the store (once a day)
//   puente-verify CARD.jpg | --text QR|-|@FILE
//       [--institution-key hospital.pem] [--face LIVE.jpg] [--at DATE|now] [--json]
//       checks a card against the stored lists, or against
//       --root root.pub.json --trust-list trust.cbor --revocation-list revoked.cbor
//
// One verdict: VALID, INVALID, EXPIRED, NOT YET VALID, REVOKED, UNKNOWN ISSUER
// or STALE LISTS, with the disclosed claims. No network but `update`, no
// database.
//
// Exit codes (docs/credentials.md): 0 VALID (and, with --face, a matching
// face); 1 INVALID; 2 usage; 3 unreadable input or lists, or an update
// refused; 4 a file not found; 5 EXPIRED; 6 NOT YET VALID; 7 REVOKED;
// 8 UNKNOWN ISSUER; 9 STALE LISTS; 10 a VALID card whose face does not match
// (or could not be checked); 11 the server did not answer an update.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/card_template.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/image.h"
#include "puente/biometrics/models.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"
#include "support/card_json.h"
#include "support/centre_client.h"
#include "support/key_material.h"

namespace {

using namespace puente;
namespace fs = std::filesystem;

constexpr int kExitFaceMismatch = 10;
constexpr int kExitNoAnswer = 11;

struct Options {
  std::string image;
  std::string text;
  bool text_given = false;
  std::string root;
  std::string trust_list;
  std::string revocation_list;
  std::string store;
  std::string institution_key;
  std::string passphrase_file;
  std::string face;
  std::string models_dir;
  std::string at;
  int max_list_age_days = 7;
  bool json = false;
};

struct UpdateOptions {
  std::string server;
  std::string root_fingerprint;
  std::string ca_cert;
};

int ExitFor(const absl::Status& s) {
  if (absl::IsNotFound(s)) return 4;
  if (absl::IsUnavailable(s)) return kExitNoAnswer;
  if (absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) || absl::IsDataLoss(s)) return 3;
  return 1;
}

int ExitForVerdict(credentials::Verdict v) {
  switch (v) {
    case credentials::Verdict::kValid:
      return 0;
    case credentials::Verdict::kInvalid:
      return 1;
    case credentials::Verdict::kExpired:
      return 5;
    case credentials::Verdict::kNotYetValid:
      return 6;
    case credentials::Verdict::kRevoked:
      return 7;
    case credentials::Verdict::kUnknownIssuer:
      return 8;
    case credentials::Verdict::kStaleLists:
      return 9;
  }
  return 1;
}

std::string DefaultStore() {
  if (const char* home = std::getenv("PUENTE_VERIFY_HOME"); home != nullptr && *home != '\0') {
    return home;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/puente-verify";
}

struct StorePaths {
  std::string root, trust, revocation;
};
StorePaths PathsIn(const std::string& dir) {
  return {dir + "/root.pub.json", dir + "/trust.cbor", dir + "/revocation.cbor"};
}

// The card's QR text: --text (literal, "-" for standard input, "@FILE" for a
// file), else read from the photo.
absl::StatusOr<std::string> CardText(const Options& o) {
  if (!o.text_given) {
    if (o.image.empty()) return absl::InvalidArgumentError("give a card photo or --text");
    return apps::QrTextFromFile(o.image);
  }
  return apps::QrTextArgument(o.text);
}

// The live face against the card's sealed template.
nlohmann::json CheckFace(const Options& o, const credentials::VerificationResult& r, bool* match) {
  *match = false;
  if (!r.card || !r.card->sealed) {
    return {{"checked", false},
            {"reason", "the card's encrypted section is not open (need --institution-key)"}};
  }
  if (r.card->sealed->face_template.empty()) {
    return {{"checked", false}, {"reason", "the card carries no face template"}};
  }
  auto card_template = biometrics::CardTemplate::Parse(r.card->sealed->face_template);
  if (!card_template.ok())
    return {{"checked", false}, {"reason", card_template.status().message()}};
  // The live photo is embedded with the template set the card was made
  // with (older cards: fr_feature/1).
  const std::optional<biometrics::TemplateSet> set = card_template->template_set();
  if (!set) {
    return {{"checked", false},
            {"reason", "the card's face template comes from a face model this verifier lacks"}};
  }
  biometrics::CaptureOptions capture_options;
  capture_options.templates = *set;
  auto capture = biometrics::FaceCapture::Create(o.models_dir, capture_options);
  if (!capture.ok()) return {{"checked", false}, {"reason", capture.status().message()}};
  auto live = (*capture)->AnalyzeFile(o.face);
  if (!live.ok()) return {{"checked", false}, {"reason", live.status().message()}};
  if (!live->face_template) return {{"checked", false}, {"reason", "no face in the live photo"}};
  auto score = card_template->Similarity(*live->face_template);
  if (!score.ok()) return {{"checked", false}, {"reason", score.status().message()}};
  const float threshold = card_template->match_threshold();
  *match = *score >= threshold;
  return {{"checked", true},
          {"match", *match},
          {"similarity", *score},
          {"threshold", threshold},
          {"template_set", biometrics::InfoOf(*set).name},
          {"live_photo_quality_passed", live->passed}};
}

// The verifier of the given list files, or of the store's.
absl::StatusOr<credentials::CardVerifier> OpenVerifier(const Options& o) {
  StorePaths files{o.root, o.trust_list, o.revocation_list};
  if (o.root.empty() && o.trust_list.empty() && o.revocation_list.empty()) {
    files = PathsIn(o.store);
    if (!fs::exists(files.root)) {
      return absl::FailedPreconditionError(
          "no lists in " + o.store +
          ": run `puente-verify update --server URL --root-fingerprint FINGERPRINT` first, or "
          "give --root, --trust-list and --revocation-list");
    }
  } else if (o.root.empty() || o.trust_list.empty() || o.revocation_list.empty()) {
    return absl::InvalidArgumentError("--root, --trust-list and --revocation-list go together");
  }
  PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile root_file, apps::LoadPublicKey(files.root));
  PUENTE_ASSIGN_OR_RETURN(crypto::VerifyingKey root, credentials::VerifyingKeyOf(root_file));
  PUENTE_ASSIGN_OR_RETURN(std::string trust, apps::ReadFile(files.trust));
  PUENTE_ASSIGN_OR_RETURN(std::string revocation, apps::ReadFile(files.revocation));
  credentials::VerifierPolicy policy;
  policy.max_list_age_seconds = int64_t{o.max_list_age_days} * 86400;
  // Each list checked on its own first, so a failure names its file.
  if (auto t = credentials::VerifyTrustList(trust, root); !t.ok()) {
    return absl::InvalidArgumentError(files.trust + ": " + std::string(t.status().message()));
  }
  if (auto r = credentials::VerifyRevocationList(revocation, root); !r.ok()) {
    return absl::InvalidArgumentError(files.revocation + ": " + std::string(r.status().message()));
  }
  return credentials::CardVerifier::Create(root, trust, revocation, policy);
}

absl::Status Run(const Options& o, int* exit_code) {
  PUENTE_ASSIGN_OR_RETURN(std::string text, CardText(o));
  PUENTE_ASSIGN_OR_RETURN(credentials::CardVerifier verifier, OpenVerifier(o));
  std::optional<credentials::InstitutionKey> institution;
  if (!o.institution_key.empty()) {
    PUENTE_ASSIGN_OR_RETURN(institution,
                            apps::LoadInstitutionKey(o.institution_key, o.passphrase_file));
  }
  int64_t now = std::time(nullptr);
  if (!o.at.empty() && o.at != "now") {
    PUENTE_ASSIGN_OR_RETURN(now, apps::ParseTime(o.at));
  }
  const credentials::VerificationResult r =
      verifier.Verify(text, now, institution ? &*institution : nullptr);
  nlohmann::json j = apps::VerificationJson(r, now);
  std::string out = apps::VerificationText(r, now);
  bool face_ok = true;
  if (!o.face.empty()) {
    bool match = false;
    j["face"] = CheckFace(o, r, &match);
    face_ok = match;
    if (j["face"]["checked"].get<bool>()) {
      out += absl::StrFormat("  %-14s %s (similarity %.2f, threshold %.2f)\n", "face",
                             match ? "MATCH" : "NO MATCH", j["face"]["similarity"].get<double>(),
                             j["face"]["threshold"].get<double>());
    } else {
      out += absl::StrFormat("  %-14s not checked: %s\n", "face",
                             j["face"]["reason"].get<std::string>());
    }
  }
  std::cout << (o.json ? j.dump(2) + "\n" : out);
  *exit_code = ExitForVerdict(r.verdict);
  if (*exit_code == 0 && !face_ok) *exit_code = kExitFaceMismatch;
  return absl::OkStatus();
}

// Fetches the root key and both lists, checks them all, and only then
// replaces what the store has. The root is pinned on first use, by the
// fingerprint the centre gave out, and never replaced silently afterwards.
absl::Status RunUpdate(const Options& o, const UpdateOptions& u) {
  PUENTE_ASSIGN_OR_RETURN(
      auto centre, apps::CentreClient::Connect(
                       {.server = u.server,
                        .ca_cert = u.ca_cert,
                        .read_timeout_seconds = 60,
                        .no_answer_advice = "the lists already here stay in use; try again later",
                        .refused_what = " the list download"}));
  PUENTE_ASSIGN_OR_RETURN(std::string root_json, centre->Get("/api/v1/keys/root", {200}));
  auto offered = credentials::ParsePublicKeyFile(root_json);
  if (!offered.ok() || offered->kind != credentials::KeyKind::kRoot) {
    return absl::InvalidArgumentError(u.server + " did not answer a root public key");
  }
  const std::string offered_fp = credentials::KeyFingerprint(*offered);
  const StorePaths files = PathsIn(o.store);
  std::string want = u.root_fingerprint;
  for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool pinned = fs::exists(files.root);
  if (pinned) {
    PUENTE_ASSIGN_OR_RETURN(credentials::PublicKeyFile have, apps::LoadPublicKey(files.root));
    const std::string have_fp = credentials::KeyFingerprint(have);
    if (!want.empty() && want != have_fp) {
      return absl::FailedPreconditionError(
          "--root-fingerprint " + want + " is not the root pinned here (" + have_fp +
          "); to change roots, remove " + files.root + " and update again");
    }
    if (offered_fp != have_fp) {
      return absl::FailedPreconditionError(
          u.server + " offers another root key (fingerprint " + offered_fp +
          ") than the one pinned here (" + have_fp +
          "): nothing updated. If the centre really changed its root, it tells you the new "
          "fingerprint; then remove " +
          files.root + " and update with --root-fingerprint");
    }
  } else if (want.empty()) {
    return absl::FailedPreconditionError(
        "first update: give --root-fingerprint, the root fingerprint the centre published "
        "(this server offers " +
        offered_fp + "; compare before you trust it)");
  } else if (want != offered_fp) {
    return absl::FailedPreconditionError("the root key of " + u.server + " has fingerprint " +
                                         offered_fp + ", not " + want + ": nothing updated");
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::VerifyingKey root, credentials::VerifyingKeyOf(*offered));
  PUENTE_ASSIGN_OR_RETURN(std::string trust, centre->Get("/api/v1/lists/trust", {200}));
  PUENTE_ASSIGN_OR_RETURN(std::string revocation, centre->Get("/api/v1/lists/revocation", {200}));
  auto trust_list = credentials::VerifyTrustList(trust, root);
  if (!trust_list.ok()) {
    return absl::InvalidArgumentError(
        "the downloaded " + std::string(trust_list.status().message()) + "; nothing updated");
  }
  auto revocation_list = credentials::VerifyRevocationList(revocation, root);
  if (!revocation_list.ok()) {
    return absl::InvalidArgumentError(
        "the downloaded " + std::string(revocation_list.status().message()) + "; nothing updated");
  }
  // Never go back to older lists (a replayed download would un-revoke cards).
  if (pinned) {
    auto old_trust = apps::ReadFile(files.trust);
    auto old_revocation = apps::ReadFile(files.revocation);
    if (old_trust.ok()) {
      auto t = credentials::VerifyTrustList(*old_trust, root);
      if (t.ok() && t->sequence > trust_list->sequence) {
        return absl::FailedPreconditionError(
            "the downloaded trust list is older than the one here: nothing updated");
      }
    }
    if (old_revocation.ok()) {
      auto r = credentials::VerifyRevocationList(*old_revocation, root);
      if (r.ok() && r->sequence > revocation_list->sequence) {
        return absl::FailedPreconditionError(
            "the downloaded revocation list is older than the one here: nothing updated");
      }
    }
  }
  std::error_code ec;
  fs::create_directories(o.store, ec);
  if (ec) return absl::FailedPreconditionError(o.store + ": " + ec.message());
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(files.trust, trust));
  PUENTE_RETURN_IF_ERROR(apps::WriteFile(files.revocation, revocation));
  if (!pinned) PUENTE_RETURN_IF_ERROR(apps::WriteFile(files.root, root_json));
  nlohmann::json j{{"store", o.store},
                   {"root_fingerprint", offered_fp},
                   {"root_pinned_now", !pinned},
                   {"trust_list",
                    {{"issuers", trust_list->issuers.size()},
                     {"next_update", apps::IsoDate(trust_list->next_update)}}},
                   {"revocation_list",
                    {{"revoked", revocation_list->revoked.size()},
                     {"next_update", apps::IsoDate(revocation_list->next_update)}}}};
  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << absl::StrFormat(
        "lists updated in %s%s\n  trust list: %d issuer key(s), next update %s\n  revocation "
        "list: %d revoked card(s), next update %s\n",
        o.store, pinned ? "" : " (root " + offered_fp + " pinned)", trust_list->issuers.size(),
        apps::IsoDate(trust_list->next_update), revocation_list->revoked.size(),
        apps::IsoDate(revocation_list->next_update));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  UpdateOptions u;
  o.models_dir = biometrics::ModelsDir();
  o.store = DefaultStore();
  CLI::App app{"puente-verify: check a Puente card offline"};
  app.require_subcommand(0, 1);
  app.add_option("image", o.image,
                 "Photo or scan of the card (JPEG, PNG), or a .txt of its QR text");
  auto* text_opt =
      app.add_option("--text", o.text, "The QR text instead of a photo: TEXT, - (stdin), @FILE");
  app.add_option("--root", o.root, "Root public key file (else the store's)");
  app.add_option("--trust-list", o.trust_list, "Signed trust list (else the store's)");
  app.add_option("--revocation-list", o.revocation_list,
                 "Signed revocation list (else the store's)");
  app.add_option("--store", o.store,
                 "Where `update` keeps the lists (default $PUENTE_VERIFY_HOME, else "
                 "~/.local/share/puente-verify)");
  app.add_option("--institution-key", o.institution_key,
                 "This institution's private key: opens the encrypted section");
  app.add_option("--passphrase-file", o.passphrase_file,
                 "File whose first line is the key passphrase (else $PUENTE_KEY_PASSPHRASE)");
  app.add_option("--face", o.face, "Live photo of the holder, checked against the card");
  app.add_option("--models", o.models_dir, "Face models directory");
  app.add_option("--at", o.at, "Verify as of YYYY-MM-DD, Unix seconds or now (default now)");
  app.add_option("--max-list-age-days", o.max_list_age_days,
                 "Lists older than this are STALE (default 7)");
  app.add_flag("--json", o.json, "JSON output");
  auto* update = app.add_subcommand("update", "Fetch the root key and lists from the centre");
  update->add_option("--server", u.server, "The centre, e.g. https://registro.example")->required();
  update->add_option("--root-fingerprint", u.root_fingerprint,
                     "The root fingerprint the centre published (required the first time)");
  update->add_option("--ca-cert", u.ca_cert, "PEM of the centre's TLS CA (default: the system's)");
  update->add_option("--store", o.store, "Where to keep the lists");
  update->add_flag("--json", o.json, "JSON output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  o.text_given = text_opt->count() > 0;
  int exit_code = 0;
  const absl::Status st = update->parsed() ? RunUpdate(o, u) : Run(o, &exit_code);
  if (!st.ok()) {
    if (o.json) {
      std::cout << nlohmann::json{{"error", {{"message", st.message()}}}}.dump(2) << "\n";
    }
    std::cerr << "puente-verify: " << st.message() << "\n";
    return ExitFor(st);
  }
  return exit_code;
}
