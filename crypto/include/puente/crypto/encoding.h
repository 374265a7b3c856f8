// Byte encodings (no secrets involved): hex and standard base64 (RFC 4648).
#ifndef PUENTE_CRYPTO_ENCODING_H_
#define PUENTE_CRYPTO_ENCODING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::crypto {

std::string HexEncode(std::string_view bytes);
// InvalidArgument for odd length or a non-hex character.
absl::StatusOr<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view bytes);
// Strict: padded standard alphabet only; InvalidArgument otherwise.
absl::StatusOr<std::string> Base64Decode(std::string_view b64);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_ENCODING_H_
