#include "puente/credentials/credential.h"

#include <array>

#include "absl/status/status.h"
#include "puente/common/error_detail.h"
#include "puente/credentials/base45.h"
#include "puente/crypto/hpke.h"
#include "src/cbor.h"
#include "src/claim169_cbor.h"
#include "src/cose.h"
#include "src/decode_stage.h"

namespace puente::credentials {
namespace {

using internal::Cbor;
using internal::InStage;
using internal::StageError;

constexpr uint64_t kCoseEncrypt0Tag = 16;
constexpr uint64_t kCwtTag = 61;
constexpr int64_t kClaim169 = 169;

constexpr std::array<std::string_view, 8> kStageNames{
    "Base45Decode",     "Decompress",      "CoseParse", "CwtParse",
    "Claim169NotFound", "Claim169Invalid", "Decrypt",   "Signature"};

absl::StatusOr<int64_t> OptionalInt(const Cbor& claims, int64_t key, std::optional<int64_t>* out) {
  const Cbor* v = claims.Find(key);
  if (v == nullptr) return 0;
  if (v->type == Cbor::Type::kFloat) {  // NumericDate may be a float (RFC 8392)
    *out = static_cast<int64_t>(v->f);
    return 0;
  }
  if (!v->is_int()) {
    return StageError(DecodeStage::kCwtParse,
                      "claim " + std::to_string(key) + " must be a NumericDate");
  }
  *out = v->i;
  return 0;
}

absl::Status OptionalText(const Cbor& claims, int64_t key, std::optional<std::string>* out) {
  const Cbor* v = claims.Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_text()) {
    return StageError(DecodeStage::kCwtParse, "claim " + std::to_string(key) + " must be text");
  }
  *out = v->s;
  return absl::OkStatus();
}

// COSE_Encrypt0 (RFC 9052 section 5.2) with AES-GCM: its plaintext is the
// serialized COSE_Sign1.
absl::StatusOr<Cbor> DecryptEncrypt0(const Cbor& tagged, const DecodeOptions& options) {
  const Cbor& arr = tagged.items[0];
  if (!arr.is_array() || arr.items.size() != 3 || !arr.items[0].is_bytes() ||
      !arr.items[1].is_map() || !arr.items[2].is_bytes()) {
    return StageError(DecodeStage::kCoseParse, "malformed COSE_Encrypt0");
  }
  if (!options.decryption_key) {
    return StageError(DecodeStage::kDecrypt, "credential is encrypted and no key was given");
  }
  auto prot = arr.items[0].s.empty() ? absl::StatusOr<Cbor>(Cbor::Map())
                                     : internal::DecodeCbor(arr.items[0].s);
  if (!prot.ok() || !prot->is_map()) {
    return StageError(DecodeStage::kCoseParse, "protected header is not a map");
  }
  const Cbor* alg = prot->Find(1);
  if (alg == nullptr || !alg->is_int() || (alg->i != kCoseA128Gcm && alg->i != kCoseA256Gcm)) {
    return StageError(DecodeStage::kDecrypt, "unsupported content encryption algorithm");
  }
  const Cbor* iv = arr.items[1].Find(5);
  if (iv == nullptr) iv = prot->Find(5);
  if (iv == nullptr || !iv->is_bytes()) return StageError(DecodeStage::kCoseParse, "no IV");
  const std::string enc_structure = internal::EncodeCbor(
      Cbor::Array({Cbor::Text("Encrypt0"), Cbor::Bytes(arr.items[0].s), Cbor::Bytes("")}));
  auto plain = crypto::AesGcmOpen(*options.decryption_key, iv->s, enc_structure, arr.items[2].s,
                                  crypto::InsecureSecretKeyAccess::Get());
  if (!plain.ok()) return StageError(DecodeStage::kDecrypt, "decryption failed");
  auto inner = internal::DecodeCbor(*plain);
  if (!inner.ok()) return InStage(DecodeStage::kCoseParse, inner.status());
  return inner;
}

// The key among the lookup's candidates that verifies `sign1`.
absl::StatusOr<const crypto::VerifyingKey*> VerifyWithLookup(const internal::CoseSign1& sign1,
                                                             const KeyLookup& lookup) {
  const std::vector<const crypto::VerifyingKey*> keys = lookup(sign1.kid, sign1.alg);
  if (keys.empty()) {
    return WithDetail(StageError(DecodeStage::kSignature, "unknown key id"), kDetailReason,
                      kReasonUnknownKid);
  }
  bool alg_matched = false;
  for (const crypto::VerifyingKey* key : keys) {
    if (internal::CoseAlgorithm(key->algorithm()) != sign1.alg) continue;
    alg_matched = true;
    if (internal::VerifyCoseSign1(sign1, *key).ok()) return key;
  }
  if (!alg_matched) {
    return WithDetail(
        StageError(DecodeStage::kSignature,
                   "algorithm " + std::to_string(sign1.alg) +
                       " is not the algorithm of the key "
                       "trusted under this kid (" +
                       std::string(crypto::SignatureAlgorithmName(keys[0]->algorithm())) + ")"),
        kDetailReason, kReasonWrongAlgorithm);
  }
  return StageError(DecodeStage::kSignature, "invalid signature");
}

}  // namespace

namespace internal {

absl::Status StageError(DecodeStage stage, std::string_view what) {
  return WithDetail(
      absl::InvalidArgumentError(std::string(DecodeStageName(stage)) + ": " + std::string(what)),
      kDetailStage, DecodeStageName(stage));
}

absl::Status InStage(DecodeStage stage, const absl::Status& st) {
  if (DecodeStageOf(st).has_value()) return st;
  return StageError(stage, std::string(st.message()));
}

}  // namespace internal

std::string_view DecodeStageName(DecodeStage stage) {
  return kStageNames[static_cast<size_t>(stage)];
}

std::optional<DecodeStage> DecodeStageOf(const absl::Status& status) {
  const std::optional<std::string> stage = DetailOf(status, kDetailStage);
  if (!stage) return std::nullopt;
  for (size_t i = 0; i < kStageNames.size(); ++i) {
    if (*stage == kStageNames[i]) return static_cast<DecodeStage>(i);
  }
  return std::nullopt;
}

std::string_view VerificationStatusName(VerificationStatus status) {
  switch (status) {
    case VerificationStatus::kVerified:
      return "verified";
    case VerificationStatus::kSkipped:
      return "skipped";
    case VerificationStatus::kFailed:
      return "failed";
  }
  return "failed";
}

absl::StatusOr<DecodedCredential> DecodeCredential(std::string_view qr_text,
                                                   const DecodeOptions& options) {
  if (qr_text.size() > options.limits.max_text_chars) {
    return StageError(
        DecodeStage::kBase45Decode,
        "text longer than " + std::to_string(options.limits.max_text_chars) + " characters");
  }
  auto compressed = Base45Decode(qr_text);
  if (!compressed.ok()) return InStage(DecodeStage::kBase45Decode, compressed.status());
  // Claim 169 1.2.2: zlib or Brotli; zlib is recognised by its header.
  const bool zlib = crypto::LooksLikeZlib(*compressed);
  auto raw = zlib ? internal::Inflate(*compressed, options.limits.max_inflated_bytes)
                  : crypto::BrotliDecompress(*compressed, options.limits.max_inflated_bytes);
  // crypto's errors already start with "Decompress: " (crypto/encoding.h)
  // but know nothing of credentials: only the typed stage is added here.
  if (!raw.ok()) {
    return WithDetail(raw.status(), kDetailStage, DecodeStageName(DecodeStage::kDecompress));
  }
  auto top = internal::DecodeCbor(*raw);
  if (!top.ok()) return InStage(DecodeStage::kCoseParse, top.status());

  DecodedCredential out;
  out.compression = zlib ? "zlib" : "brotli";
  Cbor item = std::move(*top);
  if (item.type == Cbor::Type::kTag && item.tag == kCoseEncrypt0Tag) {
    auto inner = DecryptEncrypt0(item, options);
    if (!inner.ok()) return inner.status();
    item = std::move(*inner);
    out.was_encrypted = true;
  }
  // The plaintext of COSE_Encrypt0 is a COSE_Sign1, or (unsigned) the CWT
  // claims map itself, as in the published encrypted-aes256 vector.
  absl::StatusOr<Cbor> claims;
  if (out.was_encrypted && item.is_map()) {
    if (options.key_lookup) {
      return StageError(DecodeStage::kSignature, "credential is not signed");
    }
    claims = std::move(item);
  } else {
    auto sign1 = internal::ParseCoseSign1(item);
    if (!sign1.ok()) return sign1.status();
    out.algorithm = sign1->alg;
    out.kid = sign1->kid;
    out.x5chain = sign1->x5chain;
    if (options.key_lookup) {
      auto verified = VerifyWithLookup(*sign1, options.key_lookup);
      if (!verified.ok()) return verified.status();
      out.verified_by = *verified;
      out.verification = VerificationStatus::kVerified;
    }
    claims = internal::DecodeCbor(sign1->payload);
    if (!claims.ok()) return InStage(DecodeStage::kCwtParse, claims.status());
    out.cwt_claims_cbor = sign1->payload;
  }
  if (claims->type == Cbor::Type::kTag && claims->tag == kCwtTag) {
    Cbor inner = std::move(claims->items[0]);
    *claims = std::move(inner);
  }
  if (!claims->is_map()) return StageError(DecodeStage::kCwtParse, "CWT claims are not a map");
  if (auto st = OptionalText(*claims, 1, &out.meta.issuer); !st.ok()) return st;
  if (auto st = OptionalText(*claims, 2, &out.meta.subject); !st.ok()) return st;
  for (auto [key, field] : {std::pair{4, &out.meta.expires_at}, std::pair{5, &out.meta.not_before},
                            std::pair{6, &out.meta.issued_at}}) {
    if (auto st = OptionalInt(*claims, key, field); !st.ok()) return st.status();
  }
  if (const Cbor* cti = claims->Find(7)) {
    if (!cti->is_bytes()) return StageError(DecodeStage::kCwtParse, "claim 7 (cti) must be bytes");
    out.meta.cwt_id = cti->s;
  }
  const Cbor* c169 = claims->Find(kClaim169);
  if (c169 == nullptr) return StageError(DecodeStage::kClaim169NotFound, "no claim 169");
  auto claim = internal::Claim169FromCbor(*c169);
  if (!claim.ok()) return claim.status();
  out.claim169 = std::move(*claim);
  if (out.cwt_claims_cbor.empty()) out.cwt_claims_cbor = internal::EncodeCbor(*claims);
  if (options.now) {
    if (out.meta.expires_at && *options.now >= *out.meta.expires_at) {
      out.warnings.push_back("expired");
    }
    if (out.meta.not_before && *options.now < *out.meta.not_before) {
      out.warnings.push_back("not yet valid");
    }
  }
  return out;
}

std::string EncodeCwtClaims(const CwtMeta& meta, const Claim169& claim) {
  Cbor claims = Cbor::Map();
  if (meta.issuer) claims.Put(1, Cbor::Text(*meta.issuer));
  if (meta.subject) claims.Put(2, Cbor::Text(*meta.subject));
  if (meta.expires_at) claims.Put(4, Cbor::Int(*meta.expires_at));
  if (meta.not_before) claims.Put(5, Cbor::Int(*meta.not_before));
  if (meta.issued_at) claims.Put(6, Cbor::Int(*meta.issued_at));
  if (meta.cwt_id) claims.Put(7, Cbor::Bytes(*meta.cwt_id));
  claims.Put(kClaim169, internal::Claim169ToCbor(claim));
  return internal::EncodeCbor(claims);
}

absl::StatusOr<std::string> EncodeSignedCredential(std::string_view cwt_claims_cbor,
                                                   const crypto::SigningKey& key,
                                                   std::string_view kid,
                                                   const std::vector<std::string>& x5chain) {
  auto sign1 = internal::SignCoseSign1(cwt_claims_cbor, key, kid, x5chain);
  if (!sign1.ok()) return sign1.status();
  return Base45Encode(internal::Deflate(*sign1));
}

}  // namespace puente::credentials
