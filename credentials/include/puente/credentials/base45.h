// Base45 (RFC 9285), the text encoding of Claim 169 QR payloads: its
// alphabet fits the QR alphanumeric mode.
#ifndef PUENTE_CREDENTIALS_BASE45_H_
#define PUENTE_CREDENTIALS_BASE45_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::credentials {

std::string Base45Encode(std::string_view bytes);

// Strict decoding of untrusted text. InvalidArgument ("base45: ...") for a
// character outside the alphabet, a dangling single character, or a triplet
// or pair whose value exceeds a byte pair/byte (RFC 9285 section 4.2).
absl::StatusOr<std::string> Base45Decode(std::string_view text);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_BASE45_H_
