#include "puente/registry/card_serial.h"

#include "puente/registry/validation.h"

namespace puente::registry {

uint64_t CardSerial(const std::string& kit_office_code, int year, long long n) {
  const uint64_t base = static_cast<uint64_t>(year) * 1000000 + static_cast<uint64_t>(n);
  if (kit_office_code.empty()) return base;
  return static_cast<uint64_t>(std::stoi(kit_office_code)) * 10000000000ULL + base;
}

bool IsKitOfficeCode(const std::string& office_code) {
  if (!ValidateOfficeCode(office_code).ok()) return false;
  const int code = std::stoi(office_code);
  return code >= kFirstKitOfficeCode && code <= kLastKitOfficeCode;
}

}  // namespace puente::registry
