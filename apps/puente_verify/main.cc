// puente-verify: the offline card verifier for institutions.
//
//   puente-verify CARD.jpg --root root.pub.json --trust-list trust.cbor
//       --revocation-list revoked.cbor [--institution-key hospital.pem]
//       [--face LIVE.jpg] [--json]
//
// Reads the QR from a photo or scan (or takes --text), checks it against the
// root key, trust list and revocation list, and prints one verdict: VALID,
// INVALID, EXPIRED, NOT YET VALID, REVOKED, UNKNOWN ISSUER or STALE LISTS,
// with the disclosed claims. No network, no database.
//
// Exit codes: 0 VALID (and, with --face, a matching face); 1 any other
// verdict or a face that does not match; 2 usage; 3 unreadable input or
// lists; 4 a file not found.
#include <CLI/CLI.hpp>
#include <iostream>
#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/card_template.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/image.h"
#include "puente/biometrics/models.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"
#include "support/card_json.h"
#include "support/key_material.h"

namespace {

using namespace puente;

struct Options {
  std::string image;
  std::string text;
  std::string root;
  std::string trust_list;
  std::string revocation_list;
  std::string institution_key;
  std::string passphrase_file;
  std::string face;
  std::string models_dir;
  std::string at;
  int max_list_age_days = 7;
  bool json = false;
};

int ExitFor(const absl::Status& s) {
  if (absl::IsNotFound(s)) return 4;
  if (absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) || absl::IsDataLoss(s)) return 3;
  return 1;
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
  auto capture = biometrics::FaceCapture::Create(o.models_dir);
  if (!capture.ok()) return {{"checked", false}, {"reason", capture.status().message()}};
  auto live = (*capture)->AnalyzeFile(o.face);
  if (!live.ok()) return {{"checked", false}, {"reason", live.status().message()}};
  if (!live->face_template) return {{"checked", false}, {"reason", "no face in the live photo"}};
  auto score = card_template->Similarity(*live->face_template);
  if (!score.ok()) return {{"checked", false}, {"reason", score.status().message()}};
  *match = *score >= biometrics::kCardMatchThreshold;
  return {{"checked", true},
          {"match", *match},
          {"similarity", *score},
          {"threshold", biometrics::kCardMatchThreshold},
          {"live_photo_quality_passed", live->passed}};
}

absl::Status Run(const Options& o, int* exit_code) {
  std::string text = o.text;
  if (text.empty()) {
    if (o.image.empty()) return absl::InvalidArgumentError("give a card photo or --text");
    auto read = apps::QrTextFromFile(o.image);
    if (!read.ok()) return read.status();
    text = *read;
  }
  auto root_file = apps::LoadPublicKey(o.root);
  if (!root_file.ok()) return root_file.status();
  auto root = credentials::VerifyingKeyOf(*root_file);
  if (!root.ok()) return root.status();
  auto trust = apps::ReadFile(o.trust_list);
  if (!trust.ok()) return trust.status();
  auto revocation = apps::ReadFile(o.revocation_list);
  if (!revocation.ok()) return revocation.status();
  credentials::VerifierPolicy policy;
  policy.max_list_age_seconds = int64_t{o.max_list_age_days} * 86400;
  auto verifier = credentials::CardVerifier::Create(*root, *trust, *revocation, policy);
  if (!verifier.ok()) return verifier.status();
  std::optional<credentials::InstitutionKey> institution;
  if (!o.institution_key.empty()) {
    auto key = apps::LoadInstitutionKey(o.institution_key, o.passphrase_file);
    if (!key.ok()) return key.status();
    institution = std::move(*key);
  }
  int64_t now = std::time(nullptr);
  if (!o.at.empty()) {
    auto at = apps::ParseTime(o.at);
    if (!at.ok()) return at.status();
    now = *at;
  }
  const credentials::VerificationResult r =
      verifier->Verify(text, now, institution ? &*institution : nullptr);
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
                             biometrics::kCardMatchThreshold);
    } else {
      out += absl::StrFormat("  %-14s not checked: %s\n", "face",
                             j["face"]["reason"].get<std::string>());
    }
  }
  std::cout << (o.json ? j.dump(2) + "\n" : out);
  *exit_code = r.verdict == credentials::Verdict::kValid && face_ok ? 0 : 1;
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.models_dir = biometrics::ModelsDir();
  CLI::App app{"puente-verify: check a Puente card offline"};
  app.add_option("image", o.image, "Photo or scan of the card (JPEG, PNG)");
  app.add_option("--text", o.text, "The QR text instead of a photo");
  app.add_option("--root", o.root, "Root public key file (root.pub.json)")->required();
  app.add_option("--trust-list", o.trust_list, "Signed trust list")->required();
  app.add_option("--revocation-list", o.revocation_list, "Signed revocation list")->required();
  app.add_option("--institution-key", o.institution_key,
                 "This institution's private key: opens the encrypted section");
  app.add_option("--passphrase-file", o.passphrase_file,
                 "File whose first line is the key passphrase (else $PUENTE_KEY_PASSPHRASE)");
  app.add_option("--face", o.face, "Live photo of the holder, checked against the card");
  app.add_option("--models", o.models_dir, "Face models directory");
  app.add_option("--at", o.at, "Verify as of YYYY-MM-DD or Unix seconds (default now)");
  app.add_option("--max-list-age-days", o.max_list_age_days,
                 "Lists older than this are STALE (default 7)");
  app.add_flag("--json", o.json, "JSON output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  int exit_code = 1;
  const absl::Status st = Run(o, &exit_code);
  if (!st.ok()) {
    if (o.json) {
      std::cout << nlohmann::json{{"error", {{"message", st.message()}}}}.dump(2) << "\n";
    }
    std::cerr << "puente-verify: " << st.message() << "\n";
    return ExitFor(st);
  }
  return exit_code;
}
