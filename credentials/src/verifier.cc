#include "puente/credentials/verifier.h"

#include <algorithm>

#include "puente/common/error_detail.h"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"
#include "src/cose.h"

namespace puente::credentials {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return "VALID";
    case Verdict::kInvalid:
      return "INVALID";
    case Verdict::kExpired:
      return "EXPIRED";
    case Verdict::kNotYetValid:
      return "NOT YET VALID";
    case Verdict::kRevoked:
      return "REVOKED";
    case Verdict::kUnknownIssuer:
      return "UNKNOWN ISSUER";
    case Verdict::kStaleLists:
      return "STALE LISTS";
  }
  return "INVALID";
}

CardVerifier::CardVerifier(TrustList trust, RevocationList revocation, VerifierPolicy policy)
    : trust_(std::move(trust)), revocation_(std::move(revocation)), policy_(policy) {}

absl::StatusOr<CardVerifier> CardVerifier::Create(const crypto::VerifyingKey& root,
                                                  std::string_view trust_list,
                                                  std::string_view revocation_list,
                                                  VerifierPolicy policy) {
  auto trust = VerifyTrustList(trust_list, root);
  if (!trust.ok()) return trust.status();
  auto revocation = VerifyRevocationList(revocation_list, root);
  if (!revocation.ok()) return revocation.status();
  CardVerifier v(std::move(*trust), std::move(*revocation), policy);
  for (const TrustedIssuer& i : v.trust_.issuers) {
    auto key = crypto::VerifyingKey::FromRaw(i.alg, i.public_key);
    if (!key.ok()) return key.status();
    v.keys_.push_back(std::move(*key));
  }
  return v;
}

namespace {

// The holder's claims of an unverified credential, for UNKNOWN ISSUER.
std::optional<Card> UnverifiedCard(const absl::StatusOr<DecodedCredential>& decoded) {
  if (!decoded.ok()) return std::nullopt;
  auto card =
      internal::CardFromClaims(decoded->cwt_claims_cbor, decoded->claim169, decoded->meta, nullptr);
  if (!card.ok()) return std::nullopt;
  return *card;
}

// The trust list's conditions on the key for this card: empty when met.
std::string IssuerRuleBroken(const TrustedIssuer& issuer, const Card& card) {
  if (card.profile == CardProfile::kClaim169) {
    if (!issuer.plain_claim169) {
      return "issuer signs puente cards only, and this credential has no puente card claim";
    }
    if (card.issued_at == 0) {
      return "no issue date (iat): the signing key's validity window cannot be checked";
    }
  }
  if (card.issued_at < issuer.not_before || card.issued_at > issuer.not_after) {
    return "issued outside the signing key's validity window";
  }
  if (card.profile == CardProfile::kPuente &&
      std::find(issuer.card_types.begin(), issuer.card_types.end(), card.type) ==
          issuer.card_types.end()) {
    return "issuer may not sign " + std::string(CardTypeName(card.type)) + " cards";
  }
  if (issuer.max_validity_seconds > 0 &&
      (card.expires_at == kNoExpiry ||
       card.expires_at - card.issued_at > issuer.max_validity_seconds)) {
    return "validity longer than the issuer may grant";
  }
  if (issuer.provisional_only && !card.provisional) {
    return "issuer may sign provisional cards only";
  }
  return "";
}

}  // namespace

std::optional<absl::StatusOr<DecodedCredential>> CardVerifier::DecodeByChain(
    std::string_view qr_text, const DecodedCredential& unverified, int64_t now,
    size_t* issuer_index, std::optional<crypto::VerifyingKey>* leaf, std::string* problem) const {
  if (unverified.x5chain.empty()) return std::nullopt;
  // The chain must have been valid when the card was signed.
  const int64_t at = unverified.meta.issued_at.value_or(now);
  for (size_t i = 0; i < trust_.issuers.size(); ++i) {
    if (trust_.issuers[i].ca_certificate.empty()) continue;
    auto key =
        crypto::VerifyCertificateChain(unverified.x5chain, trust_.issuers[i].ca_certificate, at);
    if (!key.ok()) {
      *problem = std::string(key.status().message());
      continue;
    }
    *issuer_index = i;
    *leaf = std::move(*key);
    DecodeOptions options;
    options.key_lookup = [leaf](std::string_view, int64_t) {
      return std::vector<const crypto::VerifyingKey*>{&**leaf};
    };
    return DecodeCredential(qr_text, options);
  }
  if (problem->empty()) *problem = "no certificate authority in the trust list";
  return std::nullopt;
}

VerificationResult CardVerifier::Verify(std::string_view qr_text, int64_t now,
                                        const InstitutionKey* institution) const {
  VerificationResult r;
  auto fail = [&r](Verdict v, std::string reason) {
    r.verdict = v;
    r.reason = std::move(reason);
    return r;
  };
  if (qr_text.empty()) return fail(Verdict::kInvalid, "the QR text is empty");
  DecodeOptions options;
  bool without_kid = false;
  options.key_lookup = [&](std::string_view kid, int64_t alg) {
    r.kid = crypto::HexEncode(kid);
    without_kid = kid.empty();
    std::vector<const crypto::VerifyingKey*> keys;
    for (size_t i = 0; i < trust_.issuers.size(); ++i) {
      if (!trust_.issuers[i].ca_certificate.empty()) continue;  // anchors chains only
      const bool match = kid.empty() ? internal::CoseAlgorithm(keys_[i].algorithm()) == alg
                                     : trust_.issuers[i].kid == kid;
      if (match) keys.push_back(&keys_[i]);
    }
    return keys;
  };
  auto decoded = DecodeCredential(qr_text, options);
  size_t issuer_index = 0;
  std::optional<crypto::VerifyingKey> leaf;  // a chain's leaf key, once verified
  if (decoded.ok()) {
    issuer_index = static_cast<size_t>(decoded->verified_by - keys_.data());
  } else {
    // Without a kid nothing names the signer: when no trusted key of its
    // algorithm verifies the signature, an issuer we do not know signed it.
    const bool unknown =
        DetailOf(decoded.status(), kDetailReason) == kReasonUnknownKid ||
        (without_kid && DecodeStageOf(decoded.status()) == DecodeStage::kSignature &&
         !DetailOf(decoded.status(), kDetailReason).has_value());
    if (!unknown) return fail(Verdict::kInvalid, std::string(decoded.status().message()));
    // Not trusted by kid: perhaps by its certificate chain (x5chain). The
    // text is read once more without a key, for the chain and for the claims
    // an UNKNOWN ISSUER verdict shows.
    const absl::StatusOr<DecodedCredential> unverified = DecodeCredential(qr_text);
    std::string chain_problem;
    std::optional<absl::StatusOr<DecodedCredential>> chained;
    if (unverified.ok()) {
      chained = DecodeByChain(qr_text, *unverified, now, &issuer_index, &leaf, &chain_problem);
    }
    if (!chained) {
      r.card = UnverifiedCard(unverified);
      std::string reason = without_kid ? "no key in the trust list verifies this card, which "
                                         "names no key id (kid)"
                                       : "the signing key is not in the trust list";
      if (!chain_problem.empty()) reason += "; its certificate chain: " + chain_problem;
      return fail(Verdict::kUnknownIssuer, std::move(reason));
    }
    if (!chained->ok()) return fail(Verdict::kInvalid, std::string(chained->status().message()));
    decoded = std::move(*chained);
  }
  r.compression = decoded->compression;
  const TrustedIssuer& issuer = trust_.issuers[issuer_index];
  r.issuer_name = issuer.name;
  auto card = internal::CardFromClaims(decoded->cwt_claims_cbor, decoded->claim169, decoded->meta,
                                       institution);
  if (!card.ok()) {
    if (DecodeStageOf(card.status()) == DecodeStage::kDecrypt) {
      return fail(Verdict::kInvalid, "encrypted section: decryption failed");
    }
    return fail(Verdict::kInvalid, std::string(card.status().message()));
  }
  r.card = *card;
  r.signature_verified = true;
  if (!card->has_sealed_section) {
    r.sealed_status = "absent";
  } else if (institution == nullptr) {
    r.sealed_status = "no key";
  } else {
    r.sealed_status = card->sealed ? "opened" : "not for this institution";
  }
  if (std::string broken = IssuerRuleBroken(issuer, *card); !broken.empty()) {
    return fail(Verdict::kInvalid, std::move(broken));
  }
  if (card->profile == CardProfile::kPuente &&
      std::binary_search(revocation_.revoked.begin(), revocation_.revoked.end(), card->serial)) {
    return fail(Verdict::kRevoked, "card serial " + std::to_string(card->serial) + " is revoked");
  }
  if (now >= card->expires_at) return fail(Verdict::kExpired, "card expired");
  if (now < card->not_before) return fail(Verdict::kNotYetValid, "card not valid yet");
  for (const auto* list : {&trust_.next_update, &revocation_.next_update}) {
    if (now >= *list) return fail(Verdict::kStaleLists, "a list is past its next update");
  }
  if (now - trust_.issued_at > policy_.max_list_age_seconds ||
      now - revocation_.issued_at > policy_.max_list_age_seconds) {
    return fail(Verdict::kStaleLists, "a list is older than the policy allows");
  }
  r.verdict = Verdict::kValid;
  return r;
}

}  // namespace puente::credentials
