// Cards end to end through the library: issue, trust and revocation lists,
// every verdict, rotation, tampering, the encrypted section.
#include "puente/credentials/card.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/run_process.h"
#include "puente/common/error_detail.h"
#include "puente/credentials/base45.h"
#include "puente/credentials/credential.h"
#include "puente/credentials/lists.h"
#include "puente/credentials/verifier.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

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

class CardTest : public ::testing::Test {
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
  options.key_lookup = [](std::string_view, int64_t) {
    return std::vector<const crypto::VerifyingKey*>{};
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
  EXPECT_EQ(forged.status().message(),
            "trust list: invalid signature: not signed by this root key");
  std::string rl = *SignRevocationList(revocation_, *root_);
  rl[rl.size() - 3] ^= 1;
  EXPECT_FALSE(VerifyRevocationList(rl, root_->key().verifying_key()).ok());
  EXPECT_FALSE(VerifyTrustList("", root_->key().verifying_key()).ok());
  // A revocation list cannot pass as a trust list.
  EXPECT_EQ(VerifyTrustList(*SignRevocationList(revocation_, *root_), root_->key().verifying_key())
                .status()
                .message(),
            "trust list: this is a revocation list, not a trust list (were the two list files "
            "swapped?)");
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

// Another issuer's Claim 169 credential: no cti, no puente claim.
std::string ForeignCwt(int64_t iat, std::optional<int64_t> exp) {
  CwtMeta meta;
  meta.issuer = "https://id.example.org";
  meta.issued_at = iat;
  meta.expires_at = exp;
  Claim169 c;
  c.id = "EX-0001";
  c.full_name = "Jean Exemple";
  c.nationality = "HT";
  return EncodeCwtClaims(meta, c);
}

TrustedIssuer ForeignTrusted(const SigningIdentity& id, std::string kid) {
  TrustedIssuer t = Trusted(id, "Example ID Authority", {});
  t.kid = std::move(kid);
  t.plain_claim169 = true;
  return t;
}

TEST_F(CardTest, ForeignClaim169CardFromATrustedIssuerIsValid) {
  auto foreign = *SigningIdentity::Generate(SignatureAlgorithm::kEs256);
  const std::string kid = "issuer-2026-key-A";  // any byte string the issuer declares
  trust_.issuers.push_back(ForeignTrusted(foreign, kid));
  const std::string qr =
      *EncodeSignedCredential(ForeignCwt(kNow - 3 * kDay, kNow + kYear), foreign.key(), kid);
  auto r = Verifier().Verify(qr, kNow);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_TRUE(r.signature_verified);
  EXPECT_EQ(r.card->profile, CardProfile::kClaim169);
  EXPECT_EQ(r.card->holder.full_name, "Jean Exemple");
  EXPECT_EQ(r.card->issuer, "https://id.example.org");
  EXPECT_EQ(r.issuer_name, "Example ID Authority");
  EXPECT_EQ(r.kid, crypto::HexEncode(kid));
  EXPECT_EQ(r.compression, "zlib");
  // Its own exp holds; a missing exp means no expiry; a missing iat cannot be
  // placed in the key's window.
  EXPECT_EQ(Verifier().Verify(qr, kNow + 2 * kYear).verdict, Verdict::kExpired);
  EXPECT_EQ(Verifier()
                .Verify(*EncodeSignedCredential(ForeignCwt(kNow, std::nullopt), foreign.key(), kid),
                        kNow + 1)
                .verdict,
            Verdict::kValid);
  CwtMeta no_iat;
  no_iat.issuer = "https://id.example.org";
  Claim169 who;
  who.id = "EX-2";
  r = Verifier().Verify(*EncodeSignedCredential(EncodeCwtClaims(no_iat, who), foreign.key(), kid),
                        kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "no issue date (iat): the signing key's validity window cannot be checked");
}

TEST_F(CardTest, PuenteIssuerKeysDoNotVouchForPlainCredentials) {
  const std::string qr =
      *EncodeSignedCredential(ForeignCwt(kNow, kNow + kYear), issuer_->key(), issuer_->kid());
  auto r = Verifier().Verify(qr, kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason,
            "issuer signs puente cards only, and this credential has no puente card claim");
  // And a foreign issuer may not sign puente cards.
  auto foreign = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  trust_.issuers.push_back(ForeignTrusted(foreign, foreign.kid()));
  r = Verifier().Verify(Issue(SampleCard(5), foreign), kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "issuer may not sign asylum-seeker cards");
}

TEST_F(CardTest, CardWithoutKidIsTriedAgainstTheKeysOfItsAlgorithm) {
  auto es = *SigningIdentity::Generate(SignatureAlgorithm::kEs256);
  auto ed = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  trust_.issuers.push_back(ForeignTrusted(es, "es"));
  trust_.issuers.push_back(ForeignTrusted(ed, "ed"));
  auto r = Verifier().Verify(*EncodeSignedCredential(ForeignCwt(kNow, kNow + kYear), ed.key(), ""),
                             kNow);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.kid, "");
  // Signed by nobody trusted: unknown issuer, with the claims shown unverified.
  auto stranger = *SigningIdentity::Generate(SignatureAlgorithm::kEd25519);
  r = Verifier().Verify(*EncodeSignedCredential(ForeignCwt(kNow, kNow + kYear), stranger.key(), ""),
                        kNow);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
  ASSERT_TRUE(r.card.has_value());
  EXPECT_FALSE(r.signature_verified);
  EXPECT_EQ(r.card->holder.full_name, "Jean Exemple");
}

TEST_F(CardTest, TrustedKidWithTheWrongAlgorithmIsAForgery) {
  // The attacker signs with a P-256 key of its own under our Ed25519 kid.
  auto attacker = *SigningIdentity::Generate(SignatureAlgorithm::kEs256);
  Card card = SampleCard(77);
  auto cwt = DecodeCredential(Issue(card, *issuer_));
  ASSERT_TRUE(cwt.ok());
  const std::string qr =
      *EncodeSignedCredential(cwt->cwt_claims_cbor, attacker.key(), issuer_->kid());
  auto r = Verifier().Verify(qr, kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("is not the algorithm of the key trusted under this kid (Ed25519)"),
            std::string::npos)
      << r.reason;
  EXPECT_FALSE(r.card.has_value());
}

TEST(IssuerUriTest, ConfiguredIssuersAreUris) {
  EXPECT_TRUE(CheckIssuerUri(kDefaultIssuerUri).ok());
  EXPECT_TRUE(CheckIssuerUri("urn:pa:onpar").ok());
  EXPECT_TRUE(CheckIssuerUri("did:web:onpar.gob.pa").ok());
  for (const char* bad : {"PA-ONPAR", "", ":x", "https:", "1http://x", "https://a b"}) {
    EXPECT_FALSE(CheckIssuerUri(bad).ok()) << bad;
  }
  EXPECT_EQ(CheckIssuerUri("PA-ONPAR").message(),
            "issuer \"PA-ONPAR\" is not a URI; Claim 169 1.2.2 asks for one, e.g. "
            "https://onpar.gob.pa");
}

TEST_F(CardTest, EmptyQrTextIsInvalid) {
  auto r = Verifier().Verify("", kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "the QR text is empty");
}

TEST_F(CardTest, BrotliCompressedCardVerifiesAndUnknownIssuerShowsUnverifiedClaims) {
  Card card = SampleCard(88);
  const std::string zlib_qr = Issue(card, *issuer_);
  const std::string cose = *crypto::ZlibDecompress(*Base45Decode(zlib_qr), 65536);
  const std::string brotli_qr = Base45Encode(crypto::BrotliCompress(cose));
  auto r = Verifier().Verify(brotli_qr, kNow);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.compression, "brotli");
  EXPECT_EQ(r.card->serial, 88u);
  // A Brotli bomb stops at the same limit as zlib's.
  const std::string bomb = Base45Encode(crypto::BrotliCompress(std::string(1 << 20, '\0')));
  r = Verifier().Verify(bomb, kNow);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "Decompress: inflated payload exceeds 65536 bytes");
  // The same card under a key the list does not know.
  trust_.issuers.clear();
  trust_.issuers.push_back(Trusted(*root_, "someone else"));
  r = Verifier().Verify(zlib_qr, kNow);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
  ASSERT_TRUE(r.card.has_value());
  EXPECT_FALSE(r.signature_verified);
  EXPECT_EQ(r.card->profile, CardProfile::kPuente);
  EXPECT_EQ(r.card->serial, 88u);
}

TEST_F(CardTest, DeclaredKidsAreOneToSixtyFourBytes) {
  TrustList list = trust_;
  list.issuers[0].kid = std::string(64, 'k');
  auto signed_list = SignTrustList(list, *root_);
  ASSERT_TRUE(signed_list.ok()) << signed_list.status();
  EXPECT_EQ(VerifyTrustList(*signed_list, root_->key().verifying_key())->issuers[0].kid,
            std::string(64, 'k'));
  list.issuers[0].kid = std::string(65, 'k');
  EXPECT_EQ(SignTrustList(list, *root_).status().message(),
            "trust list: issuer ONPAR 2026-A: kid must be 1 to 64 bytes");
  list.issuers[0].kid = "";
  EXPECT_FALSE(SignTrustList(list, *root_).ok());
}

TEST_F(CardTest, IssuerKeyFilesCarryTheirCertifiedWindowAndDeclaredKid) {
  PublicKeyFile f = PublicFileOf(*issuer_, KeyKind::kIssuer);
  EXPECT_FALSE(TrustedIssuerOf(f, {CardType::kRefugee}).ok());  // no window yet
  f.not_before = kNow - kYear;
  f.not_after = kNow + kYear;
  auto back = ParsePublicKeyFile(PublicKeyFileJson(f));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->not_before, kNow - kYear);
  auto t = TrustedIssuerOf(*back, {CardType::kRefugee});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->not_after, kNow + kYear);
  EXPECT_EQ(t->card_types, std::vector<CardType>{CardType::kRefugee});
  EXPECT_FALSE(t->plain_claim169);
  // A declared kid is kept as declared; an undeclared one must follow puente's rule.
  f.kid = "their-kid";
  EXPECT_FALSE(ParsePublicKeyFile(PublicKeyFileJson(f)).ok());
  f.declared_kid = true;
  f.plain_claim169 = true;
  back = ParsePublicKeyFile(PublicKeyFileJson(f));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->kid, "their-kid");
  t = TrustedIssuerOf(*back, {CardType::kRefugee});
  EXPECT_TRUE(t->plain_claim169);
  EXPECT_TRUE(t->card_types.empty());
  // An empty window is refused.
  f.not_after = f.not_before;
  EXPECT_EQ(ParsePublicKeyFile(PublicKeyFileJson(f)).status().message(),
            "public key file: the signing window is empty");
}

TEST(ImportVerifyingKeyTest, ReadsPemJwkAndHexAndRefusesPrivateOrMismatched) {
  auto es = *crypto::SigningKey::Generate(SignatureAlgorithm::kEs256);
  const std::string raw = es.verifying_key().raw();
  auto hex = ImportVerifyingKey(crypto::HexEncode(raw), SignatureAlgorithm::kEs256);
  ASSERT_TRUE(hex.ok()) << hex.status();
  EXPECT_EQ(hex->raw(), raw);
  EXPECT_EQ(ImportVerifyingKey(crypto::HexEncode(raw), std::nullopt).status().message(),
            "public key: a raw hex key needs its algorithm (--alg)");
  // A JWK: base64url of x and y.
  auto b64url = [](std::string_view bytes) {
    std::string b = crypto::Base64Encode(bytes);
    for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!b.empty() && b.back() == '=') b.pop_back();
    return b;
  };
  const std::string jwk = R"({"kty":"EC","crv":"P-256","x":")" + b64url(raw.substr(1, 32)) +
                          R"(","y":")" + b64url(raw.substr(33, 32)) + R"("})";
  auto from_jwk = ImportVerifyingKey(jwk, std::nullopt);
  ASSERT_TRUE(from_jwk.ok()) << from_jwk.status();
  EXPECT_EQ(from_jwk->raw(), raw);
  EXPECT_EQ(ImportVerifyingKey(jwk, SignatureAlgorithm::kEd25519).status().message(),
            "public key: the key is ES256, not Ed25519");
  EXPECT_EQ(
      ImportVerifyingKey(R"({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"})", std::nullopt)
          .status()
          .message(),
      "public key: this JWK holds a private key; give the public key only");
  // A PEM SubjectPublicKeyInfo (RFC 8410 example Ed25519 key).
  const std::string pem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      "-----END PUBLIC KEY-----\n";
  auto from_pem = ImportVerifyingKey(pem, std::nullopt);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status();
  EXPECT_EQ(from_pem->algorithm(), SignatureAlgorithm::kEd25519);
  EXPECT_EQ(crypto::HexEncode(from_pem->raw()),
            "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1");
  EXPECT_FALSE(
      ImportVerifyingKey("-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n", std::nullopt)
          .ok());
  EXPECT_FALSE(ImportVerifyingKey("", SignatureAlgorithm::kEd25519).ok());
}

// An issuer that others trust through X.509: its certificate, issued by a
// certificate authority the trust list anchors, travels in the card's COSE
// x5chain header. Certificates made with the openssl command, as a CA would.
class CertificateChainTest : public CardTest {
 protected:
  void SetUp() override {
    CardTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("puente-x5-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(
        Shell("openssl genpkey -algorithm ed25519 -out ca.key && "
              "openssl req -x509 -new -key ca.key -subj '/CN=Example Root CA' -days 3650 "
              "-addext basicConstraints=critical,CA:TRUE "
              "-addext keyUsage=critical,keyCertSign,cRLSign -out ca.pem && "
              "openssl genpkey -algorithm ed25519 -out leaf.key && "
              "openssl req -new -key leaf.key -subj '/CN=Example Issuer' -out leaf.csr && "
              "printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,"
              "digitalSignature\\n' > ext && "
              "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 2 "
              "-days 365 -extfile ext -out leaf.pem && "
              "openssl req -x509 -new -key leaf.key -subj '/CN=Self' -days 30 -out self.pem && "
              "openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc "
              "-passout pass:leaf-passphrase -out leaf.enc.pem"),
        0);
    // Cards are signed after the certificates' notBefore (the second they were made).
    now_ = std::time(nullptr) + 2;
    ca_der_ = *crypto::CertificateDer(Read("ca.pem"));
    leaf_der_ = *crypto::CertificateDer(Read("leaf.pem"));
    leaf_ = *crypto::SigningKey::FromEncryptedPem(Read("leaf.enc.pem"), "leaf-passphrase");
    TrustedIssuer ca;
    ca.kid = "example-root-ca";
    ca.alg = SignatureAlgorithm::kEd25519;
    ca.public_key = crypto::CertificateKey(ca_der_)->raw();
    ca.name = "Example Root CA";
    ca.not_before = now_ - kYear;
    ca.not_after = now_ + kYear;
    ca.plain_claim169 = true;
    ca.ca_certificate = ca_der_;
    trust_.issuers.push_back(ca);
    trust_.issued_at = revocation_.issued_at = now_ - kDay;
    trust_.next_update = revocation_.next_update = now_ + kDay;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int Shell(const std::string& cmd) { return puente::testing::RunIn(dir_.string(), cmd).code; }
  std::string Read(const std::string& name) {
    std::ifstream f(dir_ / name);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  int64_t now_ = 0;
  std::filesystem::path dir_;
  std::string ca_der_, leaf_der_;
  std::optional<crypto::SigningKey> leaf_;
};

TEST_F(CertificateChainTest, CardSignedUnderATrustedAuthorityVerifies) {
  const std::string qr =
      *EncodeSignedCredential(ForeignCwt(now_, now_ + kYear), *leaf_, "issuer-leaf-1", {leaf_der_});
  auto r = Verifier().Verify(qr, now_ + 60);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.issuer_name, "Example Root CA");
  EXPECT_EQ(r.card->profile, CardProfile::kClaim169);
  EXPECT_EQ(r.card->holder.full_name, "Jean Exemple");
  // The authority itself is not a card signer: its kid alone trusts nothing.
  auto decoded = DecodeCredential(qr);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->x5chain, std::vector<std::string>{leaf_der_});
}

TEST_F(CertificateChainTest, ChainsThatDoNotLeadToTheAuthorityAreNotTrusted) {
  // A self-signed certificate of the same key: not issued by the authority.
  const std::string self = *crypto::CertificateDer(Read("self.pem"));
  auto r = Verifier().Verify(
      *EncodeSignedCredential(ForeignCwt(now_, now_ + kYear), *leaf_, "k", {self}), now_ + 60);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
  EXPECT_NE(r.reason.find("its certificate chain: certificate chain:"), std::string::npos)
      << r.reason;
  EXPECT_FALSE(r.signature_verified);
  // Signed when the certificate had expired (iat two years on).
  r = Verifier().Verify(*EncodeSignedCredential(ForeignCwt(now_ + 2 * kYear, now_ + 3 * kYear),
                                                *leaf_, "k", {leaf_der_}),
                        now_ + 2 * kYear);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
  EXPECT_NE(r.reason.find("expired"), std::string::npos) << r.reason;
  // A good chain on a card signed by another key: a forgery.
  auto other = *crypto::SigningKey::Generate(SignatureAlgorithm::kEd25519);
  r = Verifier().Verify(
      *EncodeSignedCredential(ForeignCwt(now_, now_ + kYear), other, "k", {leaf_der_}), now_ + 60);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.reason, "Signature: invalid signature");
  // Garbage in the chain.
  r = Verifier().Verify(
      *EncodeSignedCredential(ForeignCwt(now_, now_ + kYear), *leaf_, "k", {"not a cert"}),
      now_ + 60);
  EXPECT_EQ(r.verdict, Verdict::kUnknownIssuer);
}

TEST_F(CertificateChainTest, AuthorityEntriesSurviveTheSignedListAndKeyFiles) {
  auto list = VerifyTrustList(*SignTrustList(trust_, *root_), root_->key().verifying_key());
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->issuers.back().ca_certificate, ca_der_);
  // An entry whose certificate is not of its key is refused.
  TrustList bad = trust_;
  bad.issuers.back().public_key = issuer_->key().verifying_key().raw();
  EXPECT_EQ(SignTrustList(bad, *root_).status().message(),
            "trust list: issuer Example Root CA: the CA certificate is not of its key");
  PublicKeyFile f{KeyKind::kIssuer, "Ed25519", "example-root-ca",
                  crypto::CertificateKey(ca_der_)->raw()};
  f.declared_kid = true;
  f.plain_claim169 = true;
  f.ca_certificate = ca_der_;
  f.not_before = now_;
  f.not_after = now_ + kYear;
  auto back = ParsePublicKeyFile(PublicKeyFileJson(f));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ca_certificate, ca_der_);
  EXPECT_EQ(TrustedIssuerOf(*back, {})->ca_certificate, ca_der_);
}

}  // namespace
}  // namespace puente::credentials
