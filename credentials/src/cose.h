// COSE_Sign1 (RFC 9052) and zlib, shared by credentials and the signed lists.
#ifndef PUENTE_CREDENTIALS_SRC_COSE_H_
#define PUENTE_CREDENTIALS_SRC_COSE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/signature.h"
#include "src/cbor.h"

namespace puente::credentials::internal {

struct CoseSign1 {
  std::string protected_bytes;  // the serialized protected header map
  int64_t alg = 0;
  std::string kid;  // protected kid, else unprotected kid, else empty
  // x5chain (header 33, RFC 9360): DER certificates, leaf first; empty if absent.
  std::vector<std::string> x5chain;
  std::string payload;
  std::string signature;
};

int64_t CoseAlgorithm(crypto::SignatureAlgorithm alg);

// Accepts tag 18 or an untagged 4-element array. InvalidArgument
// ("CoseParse: ...", stage kCoseParse) for any other shape.
absl::StatusOr<CoseSign1> ParseCoseSign1(const Cbor& item);

// OK, or InvalidArgument("invalid signature") when the signature, the
// algorithm or the key does not match.
absl::Status VerifyCoseSign1(const CoseSign1& sign1, const crypto::VerifyingKey& key);

// A tagged COSE_Sign1 over `payload`, alg and kid (and x5chain, if given)
// in the protected header.
absl::StatusOr<std::string> SignCoseSign1(std::string_view payload, const crypto::SigningKey& key,
                                          std::string_view kid,
                                          const std::vector<std::string>& x5chain = {});

// zlib (RFC 1950). Inflate refuses output beyond `max_output` bytes and any
// bytes after the end of the stream: InvalidArgument("Decompress: ...").
inline absl::StatusOr<std::string> Inflate(std::string_view compressed, size_t max_output) {
  return crypto::ZlibDecompress(compressed, max_output);
}
inline std::string Deflate(std::string_view data) { return crypto::ZlibCompress(data); }

}  // namespace puente::credentials::internal

#endif  // PUENTE_CREDENTIALS_SRC_COSE_H_
