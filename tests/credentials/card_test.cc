// Cards end to end through the library: issue, trust and revocation lists,
// every verdict, rotation, tampering, the encrypted section.
#include "puente/credentials/card.h"

#include <gtest/gtest.h>

#include "puente/common/error_detail.h"
#include "puente/credentials/base45.h"
#include "puente/credentials/credential.h"
#include "puente/credentials/lists.h"
#include "puente/credentials/verifier.h"

namespace puente::credentials {
namespace {

using crypto::SignatureAlgorithm;

constexpr int64_t kNow = 1795363200;  // 2026-11-22 12:00Z
constexpr int64_t kDay = 86400;
constexpr int64_t kYear = 365 * kDay;

Card SampleCard(uint64_t serial) {
  Card c;
  c.type = CardType::kAsylumSeeker;
  c.serial = serial;
  c.issuer = "PA-ONPAR";
  c.issued_at = kNow - kDay;
  c.not_before = kNow - kDay;
  c.expires_at = kNow + kYear;
  c.holder.id = "ONP-2026-000123-7";
  c.holder.full_name = "María José Núñez Peña";
  c.holder.date_of_birth = "19900214";
  c.holder.gender = 2;
  c.holder.nationality = "VE";
  c.holder.legal_status = "asylum-seeker";
  c.entitlements = {{"asylum-application-active", kNow + 180 * kDay},
                    {"work-permit", kNow + 90 * kDay}};
  return c;
}

TrustedIssuer Trusted(const SigningIdentity& id, std::string name,
                      std::vector<CardType> types = {CardType::kAsylumSeeker, CardType::kRefugee,
                                                     CardType::kBirthAttestation}) {
  TrustedIssuer t;
  t.kid = id.kid();
  t.alg = id.key().algorithm();
  t.public_key = id.key().verifying_key().raw();
  t.name = std::move(name);
  t.not_before = kNow - 2 * kYear;
  t.not_after = kNow + 2 * kYear;
  t.card_types = std::move(types);
  return t;
}

class CardTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
    issuer_ = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
    hospital_ = *InstitutionKey::Generate();
    police_ = *InstitutionKey::Generate();
    trust_.sequence = 1;
    trust_.issued_at = kNow - kDay;
    trust_.next_update = kNow + 6 * kDay;
    trust_.issuers = {Trusted(*issuer_, "ONPAR 2026-A")};
    revocation_.sequence = 1;
    revocation_.issued_at = kNow - kDay;
    revocation_.next_update = kNow + kDay;
  }

  CardVerifier Verifier() {
    auto v = CardVerifier::Create(root_->key().verifying_key(), *SignTrustList(trust_, *root_),
                                  *SignRevocationList(revocation_, *root_));
    EXPECT_TRUE(v.ok()) << v.status();
    return *v;
  }

  std::string Issue(const Card& card, const SigningIdentity& by,
                    const std::vector<Recipient>& to = {}) {
    auto qr = IssueCard(card, by, to);
    EXPECT_TRUE(qr.ok()) << qr.status();
    return qr.ok() ? *qr : "";
  }

  Recipient To(const InstitutionKey& k) { return {k.kid(), k.key().public_key()}; }

  std::optional<SigningIdentity> root_, issuer_;
  std::optional<InstitutionKey> hospital_, police_;
  TrustList trust_;
  RevocationList revocation_;
};

TEST_F(CardTest, ValidCardDisclosesItsPublicClaims) {
  const std::string qr = Issue(SampleCard(42), *issuer_);
  auto r = Verifier().Verify(qr, kNow);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  ASSERT_TRUE(r.card.has_value());
  EXPECT_EQ(r.card->serial, 42u);
  EXPECT_EQ(*r.card->holder.full_name, "María José Núñez Peña");
  EXPECT_EQ(*r.card->holder.id, "ONP-2026-000123-7");
  EXPECT_EQ(r.card->type, CardType::kAsylumSeeker);
  EXPECT_EQ(r.card->entitlements, SampleCard(42).entitlements);
  EXPECT_EQ(r.issuer_name, "ONPAR 2026-A");
  EXPECT_EQ(r.sealed_status, "absent");
  // Any Claim 169 reader decodes the same public claims without our code.
  auto plain = DecodeCredential(qr);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->claim169.full_name, SampleCard(42).holder.full_name);
  EXPECT_EQ(plain->meta.issuer, "PA-ONPAR");
  EXPECT_EQ(plain->algorithm, kCoseEdDsa);
}

TEST_F(CardTest, EveryVerdict) {
  CardVerifier v = Verifier();
  EXPECT_EQ(v.Verify(Issue(SampleCard(1), *issuer_), kNow + kYear + 1).verdict, Verdict::kExpired);
  Card future = SampleCard(2);
  future.not_before = kNow + kDay;
  EXPECT_EQ(v.Verify(Issue(future, *issuer_), kNow).verdict, Verdict::kNotYetValid);
  auto stranger = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  EXPECT_EQ(v.Verify(Issue(SampleCard(3), stranger), kNow).verdict, Verdict::kUnknownIssuer);
  EXPECT_EQ(v.Verify("NOT A CARD", kNow).verdict, Verdict::kInvalid);
  // Lists past their next update, or older than the policy allows.
  EXPECT_EQ(v.Verify(Issue(SampleCard(4), *issuer_), kNow + 2 * kDay).verdict,
            Verdict::kStaleLists);
  revocation_.next_update = kNow + 30 * kDay;
  trust_.next_update = kNow + 30 * kDay;
  auto r = Verifier().Verify(Issue(SampleCard(4), *issuer_), kNow + 8 * kDay);
  EXPECT_EQ(r.verdict, Verdict::kStaleLists);
  EXPECT_EQ(r.reason, "a list is older than the policy allows");
  // Revoked.
  revocation_.revoked = {7, 99, 5};
  CardVerifier with_revocations = Verifier();
  r = with_revocations.Verify(Issue(SampleCard(99), *issuer_), kNow);
  EXPECT_EQ(r.verdict, Verdict::kRevoked);
  EXPECT_EQ(VerdictName(r.verdict), "REVOKED");
  EXPECT_EQ(with_revocations.Verify(Issue(SampleCard(98), *issuer_), kNow).verdict,
            Verdict::kValid);
}

TEST_F(CardTest, TrustListLimitsWhatAKeyMaySign) {
  auto kit = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  TrustedIssuer t = Trusted(kit, "kit darien-03", {CardType::kBirthAttestation});
  t.max_validity_seconds = 30 * kDay;
  t.provisional_only = true;
  trust_.issuers.push_back(t);
  CardVerifier v = Verifier();
  auto r = v.Verify(Issue(SampleCard(5), kit), kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "issuer may not sign asylum-seeker cards");
  Card birth = SampleCard(6);
  birth.type = CardType::kBirthAttestation;
  birth.holder.guardian = "ONP-2026-000123-7";
  birth.provisional = true;
  EXPECT_EQ(v.Verify(Issue(birth, kit), kNow).verdict, Verdict::kInvalid);  // a year is too long
  birth.expires_at = kNow + 20 * kDay;
  r = v.Verify(Issue(birth, kit), kNow);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_TRUE(r.card->provisional);
  EXPECT_EQ(*r.card->holder.guardian, "ONP-2026-000123-7");
  birth.provisional = false;
  EXPECT_EQ(v.Verify(Issue(birth, kit), kNow).reason, "issuer may sign provisional cards only");
}

TEST_F(CardTest, RotationKeepsOldCardsValidUntilTheKeyIsRetired) {
  auto old_key = *issuer_;
  const std::string old_card = Issue(SampleCard(10), old_key);
  // Rotation: a new primary key joins; the old one stays listed.
  auto new_key = *SigningIdentity::Generate(SignatureAlgorithm::kEs256);
  trust_.issuers.push_back(Trusted(new_key, "ONPAR 2026-B"));
  CardVerifier both = Verifier();
  EXPECT_EQ(both.Verify(old_card, kNow).verdict, Verdict::kValid);
  auto r = both.Verify(Issue(SampleCard(11), new_key), kNow);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.issuer_name, "ONPAR 2026-B");
  // Retired: the old key leaves the list.
  trust_.issuers.erase(trust_.issuers.begin());
  EXPECT_EQ(Verifier().Verify(old_card, kNow).verdict, Verdict::kUnknownIssuer);
  // A key that signed outside its window.
  trust_.issuers[0].not_before = kNow;
  EXPECT_EQ(Verifier().Verify(Issue(SampleCard(12), new_key), kNow).reason,
            "issued outside the signing key's validity window");
}

TEST_F(CardTest, SealedSectionOnlyForItsInstitutions) {
  Card card = SampleCard(20);
  card.sealed = SealedSection{
      std::string(128, '\x05'), "CPA-2026-000031", {{"asylum", "admitted 2026-03-01"}}};
  const std::string qr = Issue(card, *issuer_, {To(*hospital_)});
  CardVerifier v = Verifier();
  auto opened = v.Verify(qr, kNow, &*hospital_);
  ASSERT_EQ(opened.verdict, Verdict::kValid) << opened.reason;
  EXPECT_EQ(opened.sealed_status, "opened");
  EXPECT_EQ(opened.card->sealed, card.sealed);
  auto other = v.Verify(qr, kNow, &*police_);
  EXPECT_EQ(other.verdict, Verdict::kValid);
  EXPECT_EQ(other.sealed_status, "not for this institution");
  EXPECT_FALSE(other.card->sealed.has_value());
  auto none = v.Verify(qr, kNow);
  EXPECT_EQ(none.verdict, Verdict::kValid);
  EXPECT_EQ(none.sealed_status, "no key");
  // The case number is nowhere in the clear.
  auto raw = DecodeCredential(qr);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->cwt_claims_cbor.find("CPA-2026"), std::string::npos);
  // Several recipients (a small sealed section: a 128-byte one sealed to two
  // would exceed the card's QR budget).
  card.sealed = SealedSection{"tmpl", "CPA-2026-000031", {}};
  const std::string both = Issue(card, *issuer_, {To(*hospital_), To(*police_)});
  EXPECT_EQ(v.Verify(both, kNow, &*police_).sealed_status, "opened");
  EXPECT_EQ(v.Verify(both, kNow, &*hospital_).sealed_status, "opened");
}

TEST_F(CardTest, SealedSectionThatDoesNotOpenIsInvalid) {
  // Sealed to the police's key but labelled with the hospital's kid: the
  // hospital's key is chosen and the decryption fails.
  Card card = SampleCard(21);
  card.sealed = SealedSection{"tmpl", "CPA-2", {}};
  const std::string qr =
      Issue(card, *issuer_, {Recipient{hospital_->kid(), police_->key().public_key()}});
  auto r = Verifier().Verify(qr, kNow, &*hospital_);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "encrypted section: decryption failed");
  // The card claims' own error names the stage as a message prefix and as
  // the typed detail the verifier reads.
  auto decoded = DecodeCredential(qr);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  auto claims = internal::CardFromClaims(decoded->cwt_claims_cbor, decoded->claim169, decoded->meta,
                                         &*hospital_);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().message(), "Decrypt: decryption failed");
  EXPECT_EQ(DecodeStageOf(claims.status()), DecodeStage::kDecrypt);
  EXPECT_EQ(DetailOf(claims.status(), kDetailStage), "Decrypt");
}

TEST_F(CardTest, UnknownIssuerIsTheTypedReasonNotTheMessage) {
  auto stranger = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  const std::string qr = Issue(SampleCard(22), stranger);
  auto r = Verifier().Verify(qr, kNow);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
  EXPECT_EQ(r.reason, "the signing key is not in the trust list");
  DecodeOptions options;
  options.key_lookup = [](std::string_view, int64_t) -> const crypto::VerifyingKey* {
    return nullptr;
  };
  auto decoded = DecodeCredential(qr, options);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "Signature: unknown key id");
  EXPECT_EQ(DecodeStageOf(decoded.status()), DecodeStage::kSignature);
  EXPECT_EQ(DetailOf(decoded.status(), kDetailReason), kReasonUnknownKid);
}

TEST(DecodeStageOfTest, ReadsTheDetailNeverTheMessage) {
  EXPECT_EQ(DecodeStageOf(absl::InvalidArgumentError("Signature: unknown key id")), std::nullopt);
  EXPECT_EQ(DecodeStageOf(WithDetail(absl::InvalidArgumentError("x"), kDetailStage, "CwtParse")),
            DecodeStage::kCwtParse);
  EXPECT_EQ(DecodeStageOf(WithDetail(absl::InvalidArgumentError("x"), kDetailStage, "Nonsense")),
            std::nullopt);
  EXPECT_EQ(DecodeStageOf(absl::OkStatus()), std::nullopt);
}

TEST_F(CardTest, AnyAlteredByteFails) {
  Card card = SampleCard(30);
  card.sealed = SealedSection{"tmpl", "CPA-1", {}};
  const std::string qr = Issue(card, *issuer_, {To(*hospital_)});
  CardVerifier v = Verifier();
  const std::string bytes = *Base45Decode(qr);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  // Change every character of the text in turn: never VALID.
  for (size_t i = 0; i < qr.size(); ++i) {
    std::string bad = qr;
    bad[i] = alphabet[(alphabet.find(qr[i]) + 1) % alphabet.size()];
    auto r = v.Verify(bad, kNow, &*hospital_);
    EXPECT_NE(r.verdict, Verdict::kValid) << "position " << i;
  }
  // Truncated anywhere, or extended.
  for (size_t n = 0; n < qr.size(); n += 5) {
    EXPECT_EQ(v.Verify(qr.substr(0, n), kNow).verdict, Verdict::kInvalid) << n;
  }
  EXPECT_EQ(v.Verify(qr + "00", kNow).verdict, Verdict::kInvalid);
  EXPECT_EQ(v.Verify(std::string(10000, 'A'), kNow).verdict, Verdict::kInvalid);
}

TEST_F(CardTest, ListsMustBeSignedByTheRoot) {
  auto other_root = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  auto forged =
      CardVerifier::Create(root_->key().verifying_key(), *SignTrustList(trust_, other_root),
                           *SignRevocationList(revocation_, *root_));
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.status().message(), "trust list: invalid signature");
  std::string rl = *SignRevocationList(revocation_, *root_);
  rl[rl.size() - 3] ^= 1;
  EXPECT_FALSE(VerifyRevocationList(rl, root_->key().verifying_key()).ok());
  EXPECT_FALSE(VerifyTrustList("", root_->key().verifying_key()).ok());
  // A revocation list cannot pass as a trust list.
  EXPECT_EQ(VerifyTrustList(*SignRevocationList(revocation_, *root_), root_->key().verifying_key())
                .status()
                .message(),
            "trust list: wrong list type");
}

TEST_F(CardTest, RevocationListRoundTripsLargeSetsCompactly) {
  std::vector<uint64_t> serials;
  for (uint64_t s = 1; s <= 1000000; s += 10) serials.push_back(s);  // 100,000 revoked
  revocation_.revoked = serials;
  const std::string signed_list = *SignRevocationList(revocation_, *root_);
  EXPECT_LT(signed_list.size(), 110000u);
  auto back = VerifyRevocationList(signed_list, root_->key().verifying_key());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->revoked, serials);
}

TEST_F(CardTest, IssueRefusesIncompleteCards) {
  Card c = SampleCard(1);
  c.holder.id.reset();
  EXPECT_FALSE(IssueCard(c, *issuer_).ok());
  c = SampleCard(1);
  c.expires_at = c.issued_at;
  EXPECT_FALSE(IssueCard(c, *issuer_).ok());
  c = SampleCard(1);
  c.type = CardType::kBirthAttestation;
  EXPECT_EQ(IssueCard(c, *issuer_).status().message(),
            "card: a birth attestation names its guardian");
  c = SampleCard(1);
  c.sealed = SealedSection{};
  EXPECT_FALSE(IssueCard(c, *issuer_).ok());
}

TEST_F(CardTest, KeysSurviveTheirFiles) {
  auto pem = issuer_->ToPem("passphrase-1234");
  ASSERT_TRUE(pem.ok());
  auto back = SigningIdentity::FromPem(*pem, "passphrase-1234");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->kid(), issuer_->kid());
  const std::string json = PublicKeyFileJson(PublicFileOf(*issuer_, KeyKind::kIssuer));
  auto parsed = ParsePublicKeyFile(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kid, issuer_->kid());
  std::string tampered = json;
  tampered[tampered.find("\"kid\": \"") + 9] ^= 1;
  EXPECT_FALSE(ParsePublicKeyFile(tampered).ok());
  EXPECT_FALSE(ParsePublicKeyFile("{").ok());
  auto inst = ParsePublicKeyFile(PublicKeyFileJson(PublicFileOf(*hospital_)));
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(inst->public_key, hospital_->key().public_key());
}

}  // namespace
}  // namespace puente::credentials
