// The JSON and text a person sees for a verified card (puente-verify, and
// `puente card show`).
#ifndef PUENTE_APPS_SUPPORT_CARD_JSON_H_
#define PUENTE_APPS_SUPPORT_CARD_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "puente/credentials/verifier.h"

namespace puente::apps {

std::string IsoDate(int64_t unix_seconds);
// Parses YYYY-MM-DD (UTC midnight) or an integer of Unix seconds.
absl::StatusOr<int64_t> ParseTime(const std::string& text);

nlohmann::json VerificationJson(const credentials::VerificationResult& r, int64_t now);
std::string VerificationText(const credentials::VerificationResult& r, int64_t now);

// The QR text of a card: read from a photo or scan of it (any format OpenCV
// reads), or the text itself from a .txt file. InvalidArgument naming the
// file when no QR code can be read.
absl::StatusOr<std::string> QrTextFromFile(const std::string& path);

// The QR text a --text argument names: the text itself, "-" for standard
// input, "@FILE" for a file (long QR texts exceed argument limits), with
// trailing line ends removed (not spaces: Base45 has them). May be empty.
absl::StatusOr<std::string> QrTextArgument(const std::string& arg);

}  // namespace puente::apps

#endif  // PUENTE_APPS_SUPPORT_CARD_JSON_H_
