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
// The URL-safe alphabet without padding (RFC 4648 section 5), as JWK uses.
absl::StatusOr<std::string> Base64UrlDecode(std::string_view b64url);

// zlib (RFC 1950), level 9. ZlibDecompress refuses output beyond
// `max_output` bytes (a decompression bomb) and any bytes after the end of
// the stream: InvalidArgument("Decompress: ...").
std::string ZlibCompress(std::string_view data);
absl::StatusOr<std::string> ZlibDecompress(std::string_view compressed, size_t max_output);

// Brotli (RFC 7932), quality 11. BrotliDecompress has the same limits and
// errors as ZlibDecompress ("Decompress: ...").
std::string BrotliCompress(std::string_view data);
absl::StatusOr<std::string> BrotliDecompress(std::string_view compressed, size_t max_output);

// True when `data` starts with a zlib header (RFC 1950 section 2.2: deflate,
// window at most 32 KB, header checksum): how a Claim 169 reader tells zlib
// from Brotli, which has no header.
bool LooksLikeZlib(std::string_view data);

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_ENCODING_H_
