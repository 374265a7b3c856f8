// The Claim 169 identity map (MOSIP, IANA CWT claim 169, v1.2) and the CWT
// metadata around it, as typed values, with the canonical JSON form of the
// public test vectors' schema (claim169.schema.json).
#ifndef PUENTE_CREDENTIALS_CLAIM169_H_
#define PUENTE_CREDENTIALS_CLAIM169_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace puente::credentials {

// One biometric entry (keys 50-65): data is raw bytes.
struct Biometric {
  std::string data;
  std::optional<int64_t> format;      // 0 image, 1 template, 2 sound, 3 bio hash
  std::optional<int64_t> sub_format;  // depends on format
  std::optional<std::string> issuer;
  bool operator==(const Biometric&) const = default;
};

// Biometric keys of the specification.
inline constexpr int kClaim169Face = 62;

struct Claim169 {
  std::optional<std::string> id;             // 1
  std::optional<std::string> version;        // 2
  std::optional<std::string> language;       // 3
  std::optional<std::string> full_name;      // 4
  std::optional<std::string> first_name;     // 5
  std::optional<std::string> middle_name;    // 6
  std::optional<std::string> last_name;      // 7
  std::optional<std::string> date_of_birth;  // 8, YYYYMMDD
  std::optional<int64_t> gender;             // 9: 1 male, 2 female, 3 other
  std::optional<std::string> address;        // 10
  std::optional<std::string> email;          // 11
  std::optional<std::string> phone;          // 12
  std::optional<std::string> nationality;    // 13
  std::optional<int64_t> marital_status;     // 14
  std::optional<std::string> guardian;       // 15: name or id of the guardian
  std::optional<std::string> photo;          // 16: image bytes
  std::optional<int64_t> photo_format;       // 17: 1 JPEG, 2 JPEG2000, 3 AVIF, 4 WEBP
  std::optional<std::vector<int64_t>> best_quality_fingers;  // 18
  std::optional<std::string> secondary_full_name;            // 19
  std::optional<std::string> secondary_language;             // 20
  std::optional<std::string> location_code;                  // 21
  std::optional<std::string> legal_status;                   // 22
  std::optional<std::string> country_of_issuance;            // 23
  std::map<int, std::vector<Biometric>> biometrics;          // 50..65
  // Keys this version does not know, kept as their CBOR encoding (forward
  // compatibility, as the specification asks).
  std::map<int64_t, std::string> unknown_fields;

  bool operator==(const Claim169&) const = default;
};

// CWT claims 1, 2, 4, 5, 6 and 7.
struct CwtMeta {
  std::optional<std::string> issuer;
  std::optional<std::string> subject;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> not_before;
  std::optional<int64_t> issued_at;
  std::optional<std::string> cwt_id;  // raw bytes
  bool operator==(const CwtMeta&) const = default;
};

// The schema's JSON: camelCase names, bytes as standard base64, unknown
// fields under "unknownFields" keyed by their decimal key.
nlohmann::json ToJson(const Claim169& claim);
nlohmann::json ToJson(const CwtMeta& meta);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_CLAIM169_H_
