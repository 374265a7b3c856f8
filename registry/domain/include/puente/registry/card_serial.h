// Office codes and card serials: who may number what, so that numbers made
// offline on a field kit never collide with the centre's or another kit's.
#ifndef PUENTE_REGISTRY_CARD_SERIAL_H_
#define PUENTE_REGISTRY_CARD_SERIAL_H_

#include <cstdint>
#include <string>

namespace puente::registry {

// Field kits get their own office codes, 901-999 (docs/field-kits.md); the
// centre's offices use the other three-digit codes except 000 and 900.
inline constexpr int kFirstKitOfficeCode = 901;
inline constexpr int kLastKitOfficeCode = 999;

// True for a valid three-digit office code in the kit range.
bool IsKitOfficeCode(const std::string& office_code);

// Card serials are registry-wide integers: an office's are year·10^6 + n
// (below 10^10); a field kit's are office·10^10 + year·10^6 + n.
// `kit_office_code` is empty for the centre's cards.
uint64_t CardSerial(const std::string& kit_office_code, int year, long long n);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_CARD_SERIAL_H_
