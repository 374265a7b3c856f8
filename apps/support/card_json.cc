#include "support/card_json.h"

#include <ctime>
#include <iostream>
#include <iterator>
#include <opencv2/imgproc.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/image.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/qr.h"
#include "puente/crypto/encoding.h"
#include "support/key_material.h"

namespace puente::apps {

using credentials::Card;

std::string IsoDate(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return absl::StrFormat("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

absl::StatusOr<int64_t> ParseTime(const std::string& text) {
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) return seconds;
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') {
    return absl::InvalidArgumentError("time \"" + text +
                                      "\" is neither YYYY-MM-DD nor Unix seconds");
  }
  return static_cast<int64_t>(timegm(&tm));
}

namespace {

std::string ExpiryDate(int64_t t) { return t == credentials::kNoExpiry ? "none" : IsoDate(t); }

}  // namespace

nlohmann::json VerificationJson(const credentials::VerificationResult& r, int64_t now) {
  nlohmann::json j{{"verdict", credentials::VerdictName(r.verdict)}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.kid.empty()) j["kid"] = r.kid;
  if (!r.issuer_name.empty()) j["issuer_name"] = r.issuer_name;
  if (!r.compression.empty()) j["compression"] = r.compression;
  if (r.card) {
    const Card& c = *r.card;
    j["profile"] = credentials::CardProfileName(c.profile);
    j["signature_verified"] = r.signature_verified;
    j["card"] = {{"issuer", c.issuer},
                 {"issued_at", c.issued_at == 0 ? "unknown" : IsoDate(c.issued_at)},
                 {"not_before", IsoDate(c.not_before)},
                 {"expires_at", ExpiryDate(c.expires_at)}};
    if (!c.cwt_id.empty()) j["card"]["cti"] = crypto::HexEncode(c.cwt_id);
    j["claim169"] = credentials::ToJson(c.holder);
    if (c.profile == credentials::CardProfile::kPuente) {
      j["card"]["type"] = credentials::CardTypeName(c.type);
      j["card"]["serial"] = c.serial;
      j["card"]["provisional"] = c.provisional;
      nlohmann::json ents = nlohmann::json::array();
      for (const auto& e : c.entitlements) {
        ents.push_back(
            {{"code", e.code},
             {"expires_at", IsoDate(e.expires_at)},
             {"active", now < e.expires_at && r.verdict == credentials::Verdict::kValid}});
      }
      j["entitlements"] = ents;
      j["sealed"] = {{"status", r.sealed_status.empty() ? "not opened" : r.sealed_status}};
      if (c.sealed) {
        j["sealed"]["case_number"] = c.sealed->case_number;
        j["sealed"]["details"] = c.sealed->details;
        j["sealed"]["face_template_bytes"] = c.sealed->face_template.size();
      }
    }
  }
  return j;
}

std::string VerificationText(const credentials::VerificationResult& r, int64_t now) {
  std::string out(credentials::VerdictName(r.verdict));
  if (!r.reason.empty() && r.verdict != credentials::Verdict::kValid) out += " (" + r.reason + ")";
  out += "\n";
  if (!r.card) return out;
  const Card& c = *r.card;
  auto line = [&out](const char* label, const std::string& value) {
    out += absl::StrFormat("  %-14s %s\n", label, value);
  };
  if (!r.signature_verified) {
    out += "  NOT VERIFIED: the claims below are what the card says; nobody trusted signed them\n";
  }
  if (c.profile == credentials::CardProfile::kPuente) {
    line("card", absl::StrFormat("puente %s%s, serial %d", credentials::CardTypeName(c.type),
                                 c.provisional ? " (PROVISIONAL)" : "", c.serial));
  } else {
    line("card", "plain Claim 169 credential (no puente entitlements or sealed section)");
  }
  line("issuer", c.issuer + (r.issuer_name.empty() ? "" : " / " + r.issuer_name) +
                     (r.kid.empty() ? " (no kid)" : " (kid " + r.kid + ")"));
  line("name", c.holder.full_name.value_or(""));
  line("registration", c.holder.id.value_or(""));
  if (const auto& d = c.holder.date_of_birth) {
    line("born",
         d->size() == 8 ? d->substr(0, 4) + "-" + d->substr(4, 2) + "-" + d->substr(6, 2) : *d);
  }
  if (c.holder.nationality) line("nationality", *c.holder.nationality);
  if (c.holder.legal_status) line("status", *c.holder.legal_status);
  if (c.holder.guardian) line("guardian", *c.holder.guardian);
  line("valid", IsoDate(c.not_before) + " to " + ExpiryDate(c.expires_at));
  if (c.profile != credentials::CardProfile::kPuente) return out;
  for (const auto& e : c.entitlements) {
    const bool active = now < e.expires_at && r.verdict == credentials::Verdict::kValid;
    line("entitlement",
         e.code + " until " + IsoDate(e.expires_at) + (active ? " (active)" : " (NOT active)"));
  }
  line("sealed", r.sealed_status.empty() ? "not opened" : r.sealed_status);
  if (c.sealed) {
    line("case", c.sealed->case_number);
    for (const auto& [k, v] : c.sealed->details) line(k.c_str(), v);
  }
  return out;
}

namespace {

// A QR text as a file or a pipe holds it: without its line ends. Spaces stay:
// the space is one of Base45's characters.
std::string WithoutLineEnds(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

absl::StatusOr<std::string> QrTextFromFile(const std::string& path) {
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".txt") == 0) {
    PUENTE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    return WithoutLineEnds(std::move(text));
  }
  auto image = biometrics::ReadImageFile(path);
  if (!image.ok()) return image.status();
  cv::Mat gray;
  cv::cvtColor(*image, gray, cv::COLOR_BGR2GRAY);
  auto text = credentials::ReadQr(gray.data, gray.cols, gray.rows, static_cast<int>(gray.step));
  if (!text.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(text.status().message()));
  }
  return text;
}

absl::StatusOr<std::string> QrTextArgument(const std::string& arg) {
  std::string text = arg;
  if (text == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (!text.empty() && text[0] == '@') {
    PUENTE_ASSIGN_OR_RETURN(text, ReadFile(text.substr(1)));
  }
  return WithoutLineEnds(std::move(text));
}

}  // namespace puente::apps
