#include "puente/credentials/claim169.h"

#include <array>

#include "absl/status/status.h"
#include "puente/crypto/encoding.h"
#include "src/claim169_cbor.h"
#include "src/decode_stage.h"

namespace puente::credentials {
namespace {

using internal::Cbor;

struct TextField {
  int key;
  const char* name;
  std::optional<std::string> Claim169::*member;
};
constexpr std::array<TextField, 18> kTextFields{{
    {1, "id", &Claim169::id},
    {2, "version", &Claim169::version},
    {3, "language", &Claim169::language},
    {4, "fullName", &Claim169::full_name},
    {5, "firstName", &Claim169::first_name},
    {6, "middleName", &Claim169::middle_name},
    {7, "lastName", &Claim169::last_name},
    {8, "dateOfBirth", &Claim169::date_of_birth},
    {10, "address", &Claim169::address},
    {11, "email", &Claim169::email},
    {12, "phone", &Claim169::phone},
    {13, "nationality", &Claim169::nationality},
    {15, "guardian", &Claim169::guardian},
    {19, "secondaryFullName", &Claim169::secondary_full_name},
    {20, "secondaryLanguage", &Claim169::secondary_language},
    {21, "locationCode", &Claim169::location_code},
    {22, "legalStatus", &Claim169::legal_status},
    {23, "countryOfIssuance", &Claim169::country_of_issuance},
}};

struct IntField {
  int key;
  const char* name;
  std::optional<int64_t> Claim169::*member;
};
constexpr std::array<IntField, 3> kIntFields{{
    {9, "gender", &Claim169::gender},
    {14, "maritalStatus", &Claim169::marital_status},
    {17, "photoFormat", &Claim169::photo_format},
}};

constexpr std::array<const char*, 16> kBiometricNames{"rightThumb",
                                                      "rightPointerFinger",
                                                      "rightMiddleFinger",
                                                      "rightRingFinger",
                                                      "rightLittleFinger",
                                                      "leftThumb",
                                                      "leftPointerFinger",
                                                      "leftMiddleFinger",
                                                      "leftRingFinger",
                                                      "leftLittleFinger",
                                                      "rightIris",
                                                      "leftIris",
                                                      "face",
                                                      "rightPalm",
                                                      "leftPalm",
                                                      "voice"};
constexpr int kFirstBiometric = 50;
constexpr int kLastBiometric = 65;

absl::Status WrongType(int64_t key, const char* name, const char* want) {
  return internal::StageError(DecodeStage::kClaim169Invalid,
                              "key " + std::to_string(key) + " (" + name + ") must be " + want);
}

absl::StatusOr<Biometric> BiometricFromCbor(const Cbor& v, int key) {
  const char* name = kBiometricNames[key - kFirstBiometric];
  if (!v.is_map()) return WrongType(key, name, "an array of maps");
  Biometric b;
  bool has_data = false;
  for (const auto& [k, item] : v.map) {
    if (!k.is_int()) continue;  // unknown text keys are ignored
    switch (k.i) {
      case 0:
        if (!item.is_bytes()) return WrongType(key, name, "maps whose data (0) is bytes");
        b.data = item.s;
        has_data = true;
        break;
      case 1:
        if (!item.is_int()) return WrongType(key, name, "maps whose format (1) is an integer");
        b.format = item.i;
        break;
      case 2:
        if (!item.is_int()) return WrongType(key, name, "maps whose subFormat (2) is an integer");
        b.sub_format = item.i;
        break;
      case 3:
        if (!item.is_text()) return WrongType(key, name, "maps whose issuer (3) is text");
        b.issuer = item.s;
        break;
      default:
        break;
    }
  }
  if (!has_data) return WrongType(key, name, "maps with data (0)");
  return b;
}

}  // namespace

namespace internal {

absl::StatusOr<Claim169> Claim169FromCbor(const Cbor& map) {
  if (!map.is_map()) return StageError(DecodeStage::kClaim169Invalid, "claim 169 is not a map");
  Claim169 c;
  for (const auto& [k, v] : map.map) {
    if (!k.is_int()) {
      return StageError(DecodeStage::kClaim169Invalid, "keys must be integers");
    }
    const int64_t key = k.i;
    bool known = false;
    for (const TextField& f : kTextFields) {
      if (f.key != key) continue;
      if (!v.is_text()) return WrongType(key, f.name, "text");
      c.*f.member = v.s;
      known = true;
    }
    for (const IntField& f : kIntFields) {
      if (f.key != key) continue;
      if (!v.is_int()) return WrongType(key, f.name, "an integer");
      c.*f.member = v.i;
      known = true;
    }
    if (key == 16) {
      if (!v.is_bytes()) return WrongType(key, "photo", "bytes");
      c.photo = v.s;
      known = true;
    } else if (key == 18) {
      if (!v.is_array()) return WrongType(key, "bestQualityFingers", "an array of integers");
      std::vector<int64_t> fingers;
      for (const Cbor& item : v.items) {
        if (!item.is_int()) return WrongType(key, "bestQualityFingers", "an array of integers");
        fingers.push_back(item.i);
      }
      c.best_quality_fingers = std::move(fingers);
      known = true;
    } else if (key >= kFirstBiometric && key <= kLastBiometric) {
      if (!v.is_array()) {
        return WrongType(key, kBiometricNames[key - kFirstBiometric], "an array of maps");
      }
      std::vector<Biometric> entries;
      for (const Cbor& item : v.items) {
        auto b = BiometricFromCbor(item, static_cast<int>(key));
        if (!b.ok()) return b.status();
        entries.push_back(std::move(*b));
      }
      c.biometrics[static_cast<int>(key)] = std::move(entries);
      known = true;
    }
    if (!known) c.unknown_fields[key] = EncodeCbor(v);
  }
  return c;
}

Cbor Claim169ToCbor(const Claim169& c) {
  // Keys in ascending order, as the specification's examples have them.
  std::map<int64_t, Cbor> entries;
  for (const TextField& f : kTextFields) {
    if (c.*f.member) entries[f.key] = Cbor::Text(*(c.*f.member));
  }
  for (const IntField& f : kIntFields) {
    if (c.*f.member) entries[f.key] = Cbor::Int(*(c.*f.member));
  }
  if (c.photo) entries[16] = Cbor::Bytes(*c.photo);
  if (c.best_quality_fingers) {
    Cbor arr = Cbor::Array();
    for (int64_t f : *c.best_quality_fingers) arr.items.push_back(Cbor::Int(f));
    entries[18] = std::move(arr);
  }
  for (const auto& [key, list] : c.biometrics) {
    Cbor arr = Cbor::Array();
    for (const Biometric& b : list) {
      Cbor m = Cbor::Map();
      m.Put(0, Cbor::Bytes(b.data));
      if (b.format) m.Put(1, Cbor::Int(*b.format));
      if (b.sub_format) m.Put(2, Cbor::Int(*b.sub_format));
      if (b.issuer) m.Put(3, Cbor::Text(*b.issuer));
      arr.items.push_back(std::move(m));
    }
    entries[key] = std::move(arr);
  }
  for (const auto& [key, encoded] : c.unknown_fields) {
    auto v = DecodeCbor(encoded);
    if (v.ok()) entries[key] = std::move(*v);
  }
  Cbor map = Cbor::Map();
  for (auto& [key, value] : entries) map.Put(key, std::move(value));
  return map;
}

nlohmann::json CborToJson(const Cbor& v) {
  switch (v.type) {
    case Cbor::Type::kInt:
      return v.i;
    case Cbor::Type::kBytes:
      return crypto::Base64Encode(v.s);
    case Cbor::Type::kText:
      return v.s;
    case Cbor::Type::kArray: {
      nlohmann::json arr = nlohmann::json::array();
      for (const Cbor& item : v.items) arr.push_back(CborToJson(item));
      return arr;
    }
    case Cbor::Type::kMap: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [k, item] : v.map) {
        obj[k.is_int() ? std::to_string(k.i) : k.s] = CborToJson(item);
      }
      return obj;
    }
    case Cbor::Type::kTag:
      return CborToJson(v.items.at(0));
    case Cbor::Type::kBool:
      return v.i != 0;
    case Cbor::Type::kFloat:
      return v.f;
    case Cbor::Type::kNull:
    case Cbor::Type::kUndefined:
      return nullptr;
  }
  return nullptr;
}

}  // namespace internal

nlohmann::json ToJson(const Claim169& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const TextField& f : kTextFields) {
    if (c.*f.member) j[f.name] = *(c.*f.member);
  }
  for (const IntField& f : kIntFields) {
    if (c.*f.member) j[f.name] = *(c.*f.member);
  }
  if (c.photo) j["photo"] = crypto::Base64Encode(*c.photo);
  if (c.best_quality_fingers) j["bestQualityFingers"] = *c.best_quality_fingers;
  for (const auto& [key, list] : c.biometrics) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Biometric& b : list) {
      nlohmann::json e{{"data", crypto::Base64Encode(b.data)}};
      if (b.format) e["format"] = *b.format;
      if (b.sub_format) e["subFormat"] = *b.sub_format;
      if (b.issuer) e["issuer"] = *b.issuer;
      arr.push_back(std::move(e));
    }
    j[kBiometricNames[key - kFirstBiometric]] = std::move(arr);
  }
  if (!c.unknown_fields.empty()) {
    nlohmann::json unknown = nlohmann::json::object();
    for (const auto& [key, encoded] : c.unknown_fields) {
      auto v = internal::DecodeCbor(encoded);
      unknown[std::to_string(key)] = v.ok() ? internal::CborToJson(*v) : nullptr;
    }
    j["unknownFields"] = std::move(unknown);
  }
  return j;
}

nlohmann::json ToJson(const CwtMeta& m) {
  nlohmann::json j = nlohmann::json::object();
  if (m.issuer) j["issuer"] = *m.issuer;
  if (m.subject) j["subject"] = *m.subject;
  if (m.expires_at) j["expiresAt"] = *m.expires_at;
  if (m.not_before) j["notBefore"] = *m.not_before;
  if (m.issued_at) j["issuedAt"] = *m.issued_at;
  if (m.cwt_id) j["cwtId"] = crypto::HexEncode(*m.cwt_id);
  return j;
}

}  // namespace puente::credentials
