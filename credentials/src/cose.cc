#include "src/cose.h"

#include "absl/status/status.h"
#include "src/decode_stage.h"

namespace puente::credentials::internal {
namespace {

constexpr uint64_t kCoseSign1Tag = 18;
constexpr int64_t kHeaderAlg = 1;
constexpr int64_t kHeaderKid = 4;
constexpr int64_t kHeaderX5Chain = 33;
constexpr size_t kMaxChainCertificates = 8;

absl::Status CoseError(const std::string& what) {
  return StageError(DecodeStage::kCoseParse, what);
}

std::string SigStructure(std::string_view protected_bytes, std::string_view payload) {
  Cbor s = Cbor::Array({Cbor::Text("Signature1"), Cbor::Bytes(std::string(protected_bytes)),
                        Cbor::Bytes(""), Cbor::Bytes(std::string(payload))});
  return EncodeCbor(s);
}

}  // namespace

int64_t CoseAlgorithm(crypto::SignatureAlgorithm alg) {
  return alg == crypto::SignatureAlgorithm::kEd25519 ? -8 : -7;
}

absl::StatusOr<CoseSign1> ParseCoseSign1(const Cbor& item) {
  const Cbor* arr = &item;
  if (item.type == Cbor::Type::kTag) {
    if (item.tag != kCoseSign1Tag) {
      return CoseError("tag " + std::to_string(item.tag) + " is not COSE_Sign1 (18)");
    }
    arr = &item.items[0];
  }
  if (!arr->is_array() || arr->items.size() != 4) {
    return CoseError("not a COSE_Sign1 structure (expected a 4-element array)");
  }
  const Cbor& prot = arr->items[0];
  const Cbor& unprot = arr->items[1];
  const Cbor& payload = arr->items[2];
  const Cbor& signature = arr->items[3];
  if (!prot.is_bytes() || !unprot.is_map() || !payload.is_bytes() || !signature.is_bytes()) {
    return CoseError("COSE_Sign1 elements have the wrong types");
  }
  CoseSign1 out;
  out.protected_bytes = prot.s;
  out.payload = payload.s;
  out.signature = signature.s;
  Cbor prot_map = Cbor::Map();
  if (!prot.s.empty()) {
    auto decoded = DecodeCbor(prot.s);
    if (!decoded.ok() || !decoded->is_map()) return CoseError("protected header is not a map");
    prot_map = std::move(*decoded);
  }
  const Cbor* alg = prot_map.Find(kHeaderAlg);
  if (alg == nullptr) alg = unprot.Find(kHeaderAlg);
  if (alg == nullptr || !alg->is_int()) return CoseError("no algorithm in the header");
  out.alg = alg->i;
  const Cbor* kid = prot_map.Find(kHeaderKid);
  if (kid == nullptr) kid = unprot.Find(kHeaderKid);
  if (kid != nullptr) {
    if (!kid->is_bytes()) return CoseError("kid must be bytes");
    out.kid = kid->s;
  }
  const Cbor* chain = prot_map.Find(kHeaderX5Chain);
  if (chain == nullptr) chain = unprot.Find(kHeaderX5Chain);
  if (chain != nullptr) {
    if (chain->is_bytes()) {
      out.x5chain.push_back(chain->s);
    } else if (chain->is_array() && !chain->items.empty() &&
               chain->items.size() <= kMaxChainCertificates) {
      for (const Cbor& cert : chain->items) {
        if (!cert.is_bytes()) return CoseError("x5chain must hold certificates as bytes");
        out.x5chain.push_back(cert.s);
      }
    } else {
      return CoseError("x5chain must be bytes or an array of 1 to 8 byte strings");
    }
  }
  return out;
}

absl::Status VerifyCoseSign1(const CoseSign1& sign1, const crypto::VerifyingKey& key) {
  if (sign1.alg != CoseAlgorithm(key.algorithm())) {
    return absl::InvalidArgumentError("invalid signature");
  }
  return key.Verify(SigStructure(sign1.protected_bytes, sign1.payload), sign1.signature);
}

absl::StatusOr<std::string> SignCoseSign1(std::string_view payload, const crypto::SigningKey& key,
                                          std::string_view kid,
                                          const std::vector<std::string>& x5chain) {
  Cbor prot = Cbor::Map();
  prot.Put(kHeaderAlg, Cbor::Int(CoseAlgorithm(key.algorithm())));
  prot.Put(kHeaderKid, Cbor::Bytes(std::string(kid)));
  if (x5chain.size() == 1) prot.Put(kHeaderX5Chain, Cbor::Bytes(x5chain[0]));
  if (x5chain.size() > 1) {
    Cbor certs = Cbor::Array();
    for (const std::string& c : x5chain) certs.items.push_back(Cbor::Bytes(c));
    prot.Put(kHeaderX5Chain, std::move(certs));
  }
  const std::string prot_bytes = EncodeCbor(prot);
  auto sig = key.Sign(SigStructure(prot_bytes, payload));
  if (!sig.ok()) return sig.status();
  Cbor sign1 =
      Cbor::Tag(kCoseSign1Tag, Cbor::Array({Cbor::Bytes(prot_bytes), Cbor::Map(),
                                            Cbor::Bytes(std::string(payload)), Cbor::Bytes(*sig)}));
  return EncodeCbor(sign1);
}

}  // namespace puente::credentials::internal
