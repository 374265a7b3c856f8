// Claim 169 map <-> CBOR, and CBOR -> JSON for unknown fields.
#ifndef PUENTE_CREDENTIALS_SRC_CLAIM169_CBOR_H_
#define PUENTE_CREDENTIALS_SRC_CLAIM169_CBOR_H_

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "puente/credentials/claim169.h"
#include "src/cbor.h"

namespace puente::credentials::internal {

// InvalidArgument("Claim169Invalid: key 4 (fullName) must be text") and the
// like for a known key of the wrong type.
absl::StatusOr<Claim169> Claim169FromCbor(const Cbor& map);
Cbor Claim169ToCbor(const Claim169& claim);
nlohmann::json CborToJson(const Cbor& value);

}  // namespace puente::credentials::internal

#endif  // PUENTE_CREDENTIALS_SRC_CLAIM169_CBOR_H_
