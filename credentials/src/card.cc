#include "puente/credentials/card.h"

#include <array>
#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "puente/common/error_detail.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/mac.h"
#include "src/cbor.h"
#include "src/claim169_cbor.h"
#include "src/cose.h"
#include "src/decode_stage.h"

namespace puente::credentials {
namespace {

using internal::Cbor;

constexpr int64_t kCardClaim = -70001;
constexpr int64_t kSealedClaim = -70002;
constexpr char kSealedInfo[] = "puente/sealed-key/v1";
constexpr char kSealedAad[] = "puente/sealed/v1/";
constexpr size_t kContentKeySize = 32;
// The content key is fresh for every card and encrypts exactly one message,
// so a fixed nonce is safe and saves 14 bytes of QR.
constexpr std::string_view kContentNonce("\0\0\0\0\0\0\0\0\0\0\0\0", 12);

// The serial as cti: minimal big-endian bytes (at least one).
std::string SerialBytes(uint64_t serial) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>(serial & 0xff));
    serial >>= 8;
  } while (serial != 0);
  return out;
}

// Well-known entitlements travel as small integers (a byte instead of ~25);
// any other code travels as text.
constexpr std::array<std::string_view, 6> kEntitlementCodes{"asylum-application-active",
                                                            "asylum-application-certified",
                                                            "work-permit",
                                                            "health-care",
                                                            "education",
                                                            "social-assistance"};

Cbor EntitlementCode(const std::string& code) {
  for (size_t i = 0; i < kEntitlementCodes.size(); ++i) {
    if (kEntitlementCodes[i] == code) return Cbor::Int(static_cast<int64_t>(i + 1));
  }
  return Cbor::Text(code);
}

absl::Status Malformed(const std::string& what) {
  return internal::StageError(DecodeStage::kCwtParse, "card claims: " + what);
}

absl::StatusOr<Cbor> SealSection(const SealedSection& s, uint64_t serial,
                                 const std::vector<Recipient>& recipients) {
  Cbor plain = Cbor::Map();
  plain.Put(1, Cbor::Bytes(s.face_template));
  plain.Put(2, Cbor::Text(s.case_number));
  Cbor details = Cbor::Map();
  for (const auto& [k, v] : s.details) details.map.emplace_back(Cbor::Text(k), Cbor::Text(v));
  plain.Put(3, std::move(details));

  const std::string aad = kSealedAad + SerialBytes(serial);
  const std::string plaintext = internal::EncodeCbor(plain);
  Cbor wrapped = Cbor::Array();
  std::string ct;
  if (recipients.size() == 1) {
    // One institution: HPKE seals the content itself (48 bytes less).
    auto sealed = crypto::HpkeSeal(recipients[0].public_key, kSealedInfo, aad, plaintext);
    if (!sealed.ok()) return sealed.status();
    wrapped.items.push_back(
        Cbor::Array({Cbor::Bytes(recipients[0].kid), Cbor::Bytes(sealed->enc)}));
    ct = std::move(sealed->ciphertext);
  } else {
    auto cek = crypto::RandomBytes(kContentKeySize);
    if (!cek.ok()) return cek.status();
    for (const Recipient& r : recipients) {
      auto sealed = crypto::HpkeSeal(r.public_key, kSealedInfo, aad, *cek);
      if (!sealed.ok()) return sealed.status();
      wrapped.items.push_back(Cbor::Array(
          {Cbor::Bytes(r.kid), Cbor::Bytes(sealed->enc), Cbor::Bytes(sealed->ciphertext)}));
    }
    auto sealed_ct = crypto::AesGcmSeal(*cek, kContentNonce, aad, plaintext,
                                        crypto::InsecureSecretKeyAccess::Get());
    if (!sealed_ct.ok()) return sealed_ct.status();
    ct = std::move(*sealed_ct);
  }
  Cbor out = Cbor::Map();
  out.Put(1, std::move(wrapped));
  out.Put(3, Cbor::Bytes(std::move(ct)));
  return out;
}

// The opened section, or nullopt when it is not addressed to `institution`.
absl::StatusOr<std::optional<SealedSection>> OpenSection(const Cbor& sealed, uint64_t serial,
                                                         const InstitutionKey& institution) {
  const Cbor* wrapped = sealed.Find(1);
  const Cbor* ct = sealed.Find(3);
  if (wrapped == nullptr || !wrapped->is_array() || ct == nullptr || !ct->is_bytes()) {
    return Malformed("sealed section has the wrong shape");
  }
  const std::string aad = kSealedAad + SerialBytes(serial);
  for (const Cbor& entry : wrapped->items) {
    const bool direct = entry.is_array() && entry.items.size() == 2;
    if (!entry.is_array() || (entry.items.size() != 3 && !direct) || !entry.items[0].is_bytes() ||
        !entry.items[1].is_bytes() || (!direct && !entry.items[2].is_bytes())) {
      return Malformed("sealed recipient has the wrong shape");
    }
    if (direct && wrapped->items.size() != 1) return Malformed("sealed recipients are mixed");
    if (entry.items[0].s != institution.kid()) continue;
    absl::StatusOr<std::string> plain;
    if (direct) {
      plain = crypto::HpkeOpen(institution.key(), entry.items[1].s, kSealedInfo, aad, ct->s);
    } else {
      auto cek =
          crypto::HpkeOpen(institution.key(), entry.items[1].s, kSealedInfo, aad, entry.items[2].s);
      if (!cek.ok()) return internal::StageError(DecodeStage::kDecrypt, "decryption failed");
      plain = crypto::AesGcmOpen(*cek, kContentNonce, aad, ct->s,
                                 crypto::InsecureSecretKeyAccess::Get());
    }
    if (!plain.ok()) return internal::StageError(DecodeStage::kDecrypt, "decryption failed");
    auto map = internal::DecodeCbor(*plain);
    if (!map.ok() || !map->is_map()) return Malformed("sealed content is not a map");
    SealedSection s;
    const Cbor* tmpl = map->Find(1);
    const Cbor* case_number = map->Find(2);
    const Cbor* details = map->Find(3);
    if (tmpl == nullptr || !tmpl->is_bytes() || case_number == nullptr || !case_number->is_text() ||
        details == nullptr || !details->is_map()) {
      return Malformed("sealed content has the wrong fields");
    }
    s.face_template = tmpl->s;
    s.case_number = case_number->s;
    for (const auto& [k, v] : details->map) {
      if (!k.is_text() || !v.is_text()) return Malformed("sealed details must be text");
      s.details[k.s] = v.s;
    }
    return std::optional<SealedSection>(std::move(s));
  }
  return std::optional<SealedSection>();
}

// Each recipient after the first adds its kid, HPKE encapsulated key and
// wrapped content key: about 93 bytes of QR (docs/credentials.md).
constexpr int kBytesPerRecipient = 93;

// `qr_text` when its QR fits the card's budget; otherwise InvalidArgument
// naming the version it needs and what the issuer could drop.
absl::StatusOr<std::string> WithinQrBudget(std::string qr_text, const Card& card,
                                           const std::vector<Recipient>& recipients) {
  // Base45 is alphanumeric: up to kMaxCardQrChars always fits. Longer text
  // may still fit when libqrencode packs digit runs in numeric mode.
  if (qr_text.size() <= kMaxCardQrChars) return qr_text;
  auto qr = EncodeQr(qr_text, kCardQrErrorCorrection);
  if (qr.ok() && qr->version <= kMaxCardQrVersion) return qr_text;
  std::vector<std::string> drop;
  if (card.sealed && !recipients.empty()) {
    drop.push_back(absl::StrFormat("sealed-section recipients (%d given; each costs ~%d bytes)",
                                   recipients.size(), kBytesPerRecipient));
  }
  if (card.sealed && !card.sealed->details.empty()) {
    drop.push_back(absl::StrFormat("sealed details (%d given)", card.sealed->details.size()));
  }
  if (!card.entitlements.empty()) {
    drop.push_back(absl::StrFormat("entitlements (%d given)", card.entitlements.size()));
  }
  const std::string needs =
      qr.ok() ? absl::StrFormat("version %d", qr->version) : std::string("more than version 40");
  std::string message = absl::StrFormat(
      "card: the QR needs %s at M (%d characters), the budget is version %d (%d characters)", needs,
      qr_text.size(), kMaxCardQrVersion, kMaxCardQrChars);
  if (drop.empty()) {
    size_t name_chars = 0;
    for (unsigned char c : card.holder.full_name.value_or("")) name_chars += (c & 0xc0) != 0x80;
    message += absl::StrFormat(": the holder's claims alone are too long (name %d characters)",
                               name_chars);
  } else {
    message += ": drop " + absl::StrJoin(drop, " or ");
  }
  return WithDetail(absl::InvalidArgumentError(message), kDetailReason, "card.qr_over_budget");
}

}  // namespace

absl::Status CheckIssuerUri(std::string_view iss) {
  const size_t colon = iss.find(':');
  bool ok = colon != std::string_view::npos && colon > 0 && colon + 1 < iss.size() &&
            std::isalpha(static_cast<unsigned char>(iss[0]));
  for (size_t i = 0; ok && i < colon; ++i) {
    const char c = iss[i];
    ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  }
  for (char c : iss) ok = ok && c > ' ' && c != 0x7f;
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError("issuer \"" + std::string(iss) +
                                    "\" is not a URI; Claim 169 1.2.2 asks for one, e.g. " +
                                    kDefaultIssuerUri);
}

std::string_view CardProfileName(CardProfile profile) {
  return profile == CardProfile::kPuente ? "puente" : "claim169";
}

std::string_view CardTypeName(CardType type) {
  switch (type) {
    case CardType::kAsylumSeeker:
      return "asylum-seeker";
    case CardType::kRefugee:
      return "refugee";
    case CardType::kBirthAttestation:
      return "birth-attestation";
  }
  return "unknown";
}

absl::StatusOr<CardType> ParseCardType(std::string_view name) {
  for (CardType t : {CardType::kAsylumSeeker, CardType::kRefugee, CardType::kBirthAttestation}) {
    if (CardTypeName(t) == name) return t;
  }
  return absl::InvalidArgumentError("card type \"" + std::string(name) +
                                    "\" is not one of asylum-seeker, refugee, birth-attestation");
}

absl::StatusOr<std::string> IssueCard(const Card& card, const SigningIdentity& issuer,
                                      const std::vector<Recipient>& recipients) {
  if (!card.holder.id || card.holder.id->empty()) {
    return absl::InvalidArgumentError("card: holder id (registration number) is required");
  }
  if (!card.holder.full_name || card.holder.full_name->empty()) {
    return absl::InvalidArgumentError("card: holder full name is required");
  }
  if (card.expires_at <= card.issued_at) {
    return absl::InvalidArgumentError("card: expires_at must be after issued_at");
  }
  if (card.type == CardType::kBirthAttestation && !card.holder.guardian) {
    return absl::InvalidArgumentError("card: a birth attestation names its guardian");
  }
  if (card.sealed && recipients.empty()) {
    return absl::InvalidArgumentError("card: a sealed section needs at least one recipient");
  }
  CwtMeta meta;
  meta.issuer = card.issuer;
  meta.issued_at = card.issued_at;
  // nbf only when it differs from iat: 6 bytes of QR.
  if (card.not_before != card.issued_at) meta.not_before = card.not_before;
  meta.expires_at = card.expires_at;
  meta.cwt_id = SerialBytes(card.serial);
  auto claims = internal::DecodeCbor(EncodeCwtClaims(meta, card.holder));
  if (!claims.ok()) return claims.status();

  Cbor card_claim = Cbor::Map();
  card_claim.Put(1, Cbor::Int(static_cast<int64_t>(card.type)));
  Cbor ents = Cbor::Array();
  for (const Entitlement& e : card.entitlements) {
    if (e.code.empty()) return absl::InvalidArgumentError("card: entitlement code is empty");
    ents.items.push_back(Cbor::Array({EntitlementCode(e.code), Cbor::Int(e.expires_at)}));
  }
  card_claim.Put(2, std::move(ents));
  if (card.provisional) card_claim.Put(3, Cbor::Bool(true));
  claims->Put(kCardClaim, std::move(card_claim));
  if (card.sealed) {
    auto sealed = SealSection(*card.sealed, card.serial, recipients);
    if (!sealed.ok()) return sealed.status();
    claims->Put(kSealedClaim, std::move(*sealed));
  }
  auto text = EncodeSignedCredential(internal::EncodeCbor(*claims), issuer.key(), issuer.kid());
  if (!text.ok()) return text.status();
  return WithinQrBudget(std::move(*text), card, recipients);
}

namespace internal {

absl::StatusOr<Card> CardFromClaims(std::string_view cwt_claims_cbor, const Claim169& holder,
                                    const CwtMeta& meta, const InstitutionKey* institution) {
  auto claims = DecodeCbor(cwt_claims_cbor);
  if (!claims.ok() || !claims->is_map()) return Malformed("not a map");
  Card card;
  card.holder = holder;
  card.cwt_id = meta.cwt_id.value_or("");
  if (card.cwt_id.size() <= 8) {
    for (unsigned char ch : card.cwt_id) card.serial = (card.serial << 8) | ch;
  }
  const Cbor* c = claims->Find(kCardClaim);
  if (c == nullptr) {
    // Another issuer's Claim 169 credential: its identity claims only.
    card.profile = CardProfile::kClaim169;
    card.issuer = meta.issuer.value_or("");
    card.issued_at = meta.issued_at.value_or(0);
    card.not_before = meta.not_before.value_or(card.issued_at);
    card.expires_at = meta.expires_at.value_or(kNoExpiry);
    return card;
  }
  if (!meta.issuer || !meta.issued_at || !meta.expires_at || card.cwt_id.empty() ||
      card.cwt_id.size() > 8) {
    return Malformed("iss, iat, exp and a cti of 1 to 8 bytes are required");
  }
  card.issuer = *meta.issuer;
  card.issued_at = *meta.issued_at;
  card.not_before = meta.not_before.value_or(*meta.issued_at);
  card.expires_at = *meta.expires_at;
  if (!c->is_map()) return Malformed("not a puente card (claim -70001)");
  const Cbor* type = c->Find(1);
  if (type == nullptr || !type->is_int() || type->i < 1 || type->i > 3) {
    return Malformed("unknown card type");
  }
  card.type = static_cast<CardType>(type->i);
  const Cbor* ents = c->Find(2);
  if (ents == nullptr || !ents->is_array()) return Malformed("entitlements missing");
  for (const Cbor& e : ents->items) {
    if (!e.is_array() || e.items.size() != 2 || !e.items[1].is_int()) {
      return Malformed("entitlement must be [code, expiry]");
    }
    if (e.items[0].is_text()) {
      card.entitlements.push_back({e.items[0].s, e.items[1].i});
    } else if (e.items[0].is_int() && e.items[0].i >= 1 &&
               e.items[0].i <= static_cast<int64_t>(kEntitlementCodes.size())) {
      card.entitlements.push_back(
          {std::string(kEntitlementCodes[static_cast<size_t>(e.items[0].i - 1)]), e.items[1].i});
    } else {
      return Malformed("unknown entitlement code");
    }
  }
  if (const Cbor* p = c->Find(3)) {
    if (p->type != Cbor::Type::kBool) return Malformed("provisional must be a boolean");
    card.provisional = p->i != 0;
  }
  if (const Cbor* sealed = claims->Find(kSealedClaim)) {
    if (!sealed->is_map()) return Malformed("sealed section has the wrong shape");
    card.has_sealed_section = true;
    if (institution != nullptr) {
      auto opened = OpenSection(*sealed, card.serial, *institution);
      if (!opened.ok()) return opened.status();
      card.sealed = std::move(*opened);
    }
  }
  return card;
}

}  // namespace internal
}  // namespace puente::credentials
