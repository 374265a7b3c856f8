#include "puente/credentials/lists.h"

#include <algorithm>

#include "absl/status/status.h"
#include "src/cbor.h"
#include "src/cose.h"

namespace puente::credentials {
namespace {

using internal::Cbor;

constexpr int64_t kTrustListType = 1;
constexpr int64_t kRevocationListType = 2;
// Map keys shared by both lists.
constexpr int64_t kKeyType = 0, kKeySequence = 1, kKeyIssuedAt = 2, kKeyNextUpdate = 3,
                  kKeyBody = 4;
// A national revocation list is at most a few MB.
constexpr size_t kMaxListBytes = 16 << 20;
// COSE allows any byte string as kid; 64 bytes is generous for real ones.
constexpr size_t kMaxKidBytes = 64;

absl::Status Bad(std::string_view list, const std::string& what) {
  return absl::InvalidArgumentError(std::string(list) + ": " + what);
}

Cbor Header(int64_t type, uint64_t sequence, int64_t issued_at, int64_t next_update) {
  Cbor m = Cbor::Map();
  m.Put(kKeyType, Cbor::Int(type));
  m.Put(kKeySequence, Cbor::Int(static_cast<int64_t>(sequence)));
  m.Put(kKeyIssuedAt, Cbor::Int(issued_at));
  m.Put(kKeyNextUpdate, Cbor::Int(next_update));
  return m;
}

absl::StatusOr<std::string> Sign(const Cbor& payload, const SigningIdentity& root) {
  return internal::SignCoseSign1(internal::EncodeCbor(payload), root.key(), root.kid());
}

struct Common {
  Cbor payload;
  uint64_t sequence = 0;
  int64_t issued_at = 0;
  int64_t next_update = 0;
};

// Signature first, then shape.
absl::StatusOr<Common> Open(std::string_view bytes, const crypto::VerifyingKey& root, int64_t type,
                            std::string_view name, const internal::CborLimits& limits) {
  if (bytes.size() > kMaxListBytes) return Bad(name, "file too large");
  auto item = internal::DecodeCbor(bytes, {.max_depth = 4, .max_items = 8});
  if (!item.ok())
    return Bad(name, "not a signed list (" + std::string(item.status().message()) + ")");
  auto sign1 = internal::ParseCoseSign1(*item);
  if (!sign1.ok()) return Bad(name, "not a signed list");
  if (!internal::VerifyCoseSign1(*sign1, root).ok()) {
    return Bad(name, "invalid signature: not signed by this root key");
  }
  auto payload = internal::DecodeCbor(sign1->payload, limits);
  if (!payload.ok()) return Bad(name, std::string(payload.status().message()));
  if (!payload->is_map()) return Bad(name, "payload is not a map");
  const Cbor* t = payload->Find(kKeyType);
  if (t != nullptr && t->is_int() && t->i != type &&
      (t->i == kTrustListType || t->i == kRevocationListType)) {
    return Bad(name, std::string("this is a ") +
                         (t->i == kTrustListType ? "trust list" : "revocation list") + ", not a " +
                         std::string(name) + " (were the two list files swapped?)");
  }
  if (t == nullptr || !t->is_int() || t->i != type) return Bad(name, "wrong list type");
  Common c;
  const Cbor* seq = payload->Find(kKeySequence);
  const Cbor* iat = payload->Find(kKeyIssuedAt);
  const Cbor* next = payload->Find(kKeyNextUpdate);
  if (seq == nullptr || !seq->is_int() || seq->i < 0 || iat == nullptr || !iat->is_int() ||
      next == nullptr || !next->is_int()) {
    return Bad(name, "sequence, issue date and next update are required");
  }
  if (next->i <= iat->i) return Bad(name, "next update is not after the issue date");
  c.sequence = static_cast<uint64_t>(seq->i);
  c.issued_at = iat->i;
  c.next_update = next->i;
  c.payload = std::move(*payload);
  return c;
}

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace

absl::StatusOr<TrustedIssuer> TrustedIssuerOf(const PublicKeyFile& file,
                                              std::vector<CardType> card_types) {
  if (file.kind != KeyKind::kIssuer) return absl::InvalidArgumentError("not an issuer key");
  if (!file.not_before || !file.not_after) {
    return absl::InvalidArgumentError(
        "the issuer key has no certified signing window (not_before, not_after)");
  }
  auto key = VerifyingKeyOf(file);
  if (!key.ok()) return key.status();
  TrustedIssuer t;
  t.kid = file.kid;
  t.alg = key->algorithm();
  t.public_key = file.public_key;
  t.name = file.name;
  t.not_before = *file.not_before;
  t.not_after = *file.not_after;
  t.plain_claim169 = file.plain_claim169;
  t.ca_certificate = file.ca_certificate;
  if (!file.plain_claim169) t.card_types = std::move(card_types);
  return t;
}

absl::StatusOr<std::string> SignTrustList(const TrustList& list, const SigningIdentity& root) {
  if (list.next_update <= list.issued_at) {
    return Bad("trust list", "next update must be after the issue date");
  }
  Cbor payload = Header(kTrustListType, list.sequence, list.issued_at, list.next_update);
  Cbor issuers = Cbor::Array();
  for (const TrustedIssuer& i : list.issuers) {
    auto key = crypto::VerifyingKey::FromRaw(i.alg, i.public_key);
    if (!key.ok())
      return Bad("trust list", "issuer " + i.name + ": " + std::string(key.status().message()));
    if (i.kid.empty() || i.kid.size() > kMaxKidBytes) {
      return Bad("trust list", "issuer " + i.name + ": kid must be 1 to 64 bytes");
    }
    if (i.not_after <= i.not_before) {
      return Bad("trust list", "issuer " + i.name + ": validity window is empty");
    }
    if (!i.ca_certificate.empty()) {
      auto ca_key = crypto::CertificateKey(i.ca_certificate);
      if (!ca_key.ok() || ca_key->raw() != i.public_key) {
        return Bad("trust list", "issuer " + i.name + ": the CA certificate is not of its key");
      }
    }
    Cbor e = Cbor::Map();
    e.Put(1, Cbor::Bytes(i.kid));
    e.Put(2, Cbor::Int(internal::CoseAlgorithm(i.alg)));
    e.Put(3, Cbor::Bytes(i.public_key));
    e.Put(4, Cbor::Text(i.name));
    e.Put(5, Cbor::Int(i.not_before));
    e.Put(6, Cbor::Int(i.not_after));
    Cbor types = Cbor::Array();
    for (CardType t : i.card_types) types.items.push_back(Cbor::Int(static_cast<int64_t>(t)));
    e.Put(7, std::move(types));
    e.Put(8, Cbor::Int(i.max_validity_seconds));
    e.Put(9, Cbor::Bool(i.provisional_only));
    if (i.plain_claim169) e.Put(10, Cbor::Bool(true));
    if (!i.ca_certificate.empty()) e.Put(11, Cbor::Bytes(i.ca_certificate));
    issuers.items.push_back(std::move(e));
  }
  payload.Put(kKeyBody, std::move(issuers));
  return Sign(payload, root);
}

absl::StatusOr<TrustList> VerifyTrustList(std::string_view bytes,
                                          const crypto::VerifyingKey& root) {
  constexpr std::string_view kName = "trust list";
  auto c = Open(bytes, root, kTrustListType, kName, {.max_depth = 5, .max_items = 100000});
  if (!c.ok()) return c.status();
  TrustList list{c->sequence, c->issued_at, c->next_update, {}};
  const Cbor* body = c->payload.Find(kKeyBody);
  if (body == nullptr || !body->is_array()) return Bad(kName, "issuers missing");
  for (const Cbor& e : body->items) {
    const Cbor* kid = e.Find(1);
    const Cbor* alg = e.Find(2);
    const Cbor* pub = e.Find(3);
    const Cbor* name = e.Find(4);
    const Cbor* nbf = e.Find(5);
    const Cbor* naf = e.Find(6);
    const Cbor* types = e.Find(7);
    const Cbor* max_validity = e.Find(8);
    const Cbor* provisional = e.Find(9);
    if (kid == nullptr || !kid->is_bytes() || alg == nullptr || !alg->is_int() || pub == nullptr ||
        !pub->is_bytes() || name == nullptr || !name->is_text() || nbf == nullptr ||
        !nbf->is_int() || naf == nullptr || !naf->is_int() || types == nullptr ||
        !types->is_array() || max_validity == nullptr || !max_validity->is_int() ||
        provisional == nullptr || provisional->type != Cbor::Type::kBool) {
      return Bad(kName, "malformed issuer entry");
    }
    TrustedIssuer i;
    if (alg->i == -8) {
      i.alg = crypto::SignatureAlgorithm::kEd25519;
    } else if (alg->i == -7) {
      i.alg = crypto::SignatureAlgorithm::kEs256;
    } else {
      return Bad(kName, "unsupported algorithm " + std::to_string(alg->i));
    }
    auto key = crypto::VerifyingKey::FromRaw(i.alg, pub->s);
    if (!key.ok()) return Bad(kName, "issuer key is malformed");
    if (kid->s.empty() || kid->s.size() > kMaxKidBytes) {
      return Bad(kName, "issuer kid must be 1 to 64 bytes");
    }
    if (const Cbor* plain = e.Find(10)) {
      if (plain->type != Cbor::Type::kBool) return Bad(kName, "malformed issuer entry");
      i.plain_claim169 = plain->i != 0;
    }
    if (const Cbor* ca = e.Find(11)) {
      auto ca_key =
          ca->is_bytes()
              ? crypto::CertificateKey(ca->s)
              : absl::StatusOr<crypto::VerifyingKey>(absl::InvalidArgumentError("not bytes"));
      if (!ca_key.ok() || ca_key->raw() != pub->s) {
        return Bad(kName, "issuer CA certificate is not of its key");
      }
      i.ca_certificate = ca->s;
    }
    i.kid = kid->s;
    i.public_key = pub->s;
    i.name = name->s;
    i.not_before = nbf->i;
    i.not_after = naf->i;
    for (const Cbor& t : types->items) {
      if (!t.is_int() || t.i < 1 || t.i > 3) return Bad(kName, "unknown card type");
      i.card_types.push_back(static_cast<CardType>(t.i));
    }
    i.max_validity_seconds = max_validity->i;
    i.provisional_only = provisional->i != 0;
    list.issuers.push_back(std::move(i));
  }
  return list;
}

absl::StatusOr<std::string> SignRevocationList(const RevocationList& list,
                                               const SigningIdentity& root) {
  if (list.next_update <= list.issued_at) {
    return Bad("revocation list", "next update must be after the issue date");
  }
  std::vector<uint64_t> serials = list.revoked;
  std::sort(serials.begin(), serials.end());
  serials.erase(std::unique(serials.begin(), serials.end()), serials.end());
  std::string gaps;
  uint64_t prev = 0;
  for (uint64_t s : serials) {
    PutVarint(s - prev, &gaps);
    prev = s;
  }
  Cbor payload = Header(kRevocationListType, list.sequence, list.issued_at, list.next_update);
  payload.Put(kKeyBody, Cbor::Array({Cbor::Int(static_cast<int64_t>(serials.size())),
                                     Cbor::Bytes(std::move(gaps))}));
  return Sign(payload, root);
}

absl::StatusOr<RevocationList> VerifyRevocationList(std::string_view bytes,
                                                    const crypto::VerifyingKey& root) {
  constexpr std::string_view kName = "revocation list";
  auto c = Open(bytes, root, kRevocationListType, kName, {.max_depth = 3, .max_items = 16});
  if (!c.ok()) return c.status();
  RevocationList list{c->sequence, c->issued_at, c->next_update, {}};
  const Cbor* body = c->payload.Find(kKeyBody);
  if (body == nullptr || !body->is_array() || body->items.size() != 2 || !body->items[0].is_int() ||
      !body->items[1].is_bytes()) {
    return Bad(kName, "revoked serials missing");
  }
  const std::string& gaps = body->items[1].s;
  const auto count = static_cast<uint64_t>(body->items[0].i);
  if (count > gaps.size()) return Bad(kName, "count exceeds the encoded serials");
  list.revoked.reserve(count);
  uint64_t value = 0;
  size_t pos = 0;
  for (uint64_t n = 0; n < count; ++n) {
    uint64_t gap = 0;
    int shift = 0;
    while (true) {
      if (pos >= gaps.size() || shift > 63) return Bad(kName, "truncated serials");
      const auto byte = static_cast<unsigned char>(gaps[pos++]);
      gap |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
      shift += 7;
    }
    if (gap == 0 && n > 0) return Bad(kName, "serials not strictly increasing");
    if (value + gap < value) return Bad(kName, "serial overflow");
    value += gap;
    list.revoked.push_back(value);
  }
  if (pos != gaps.size()) return Bad(kName, "trailing bytes after the serials");
  return list;
}

}  // namespace puente::credentials
