#include <gtest/gtest.h>

#include "puente/crypto/encoding.h"
#include "puente/crypto/hpke.h"
#include "puente/crypto/signature.h"

namespace puente::crypto {
namespace {

std::string Hex(std::string_view h) { return *HexDecode(h); }

// RFC 8032 section 7.1, TEST 1.
constexpr char kRfc8032Secret[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8032Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8032Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
    "46bd25bf5f0595bbe24655141438e7a100b";

TEST(SignatureTest, Ed25519MatchesRfc8032) {
  auto key = SigningKey::FromRawPrivate(SignatureAlgorithm::kEd25519, Hex(kRfc8032Secret),
                                        InsecureSecretKeyAccess::Get());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(HexEncode(key->verifying_key().raw()), kRfc8032Public);
  auto sig = key->Sign("");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexEncode(*sig), kRfc8032Signature);
  auto pub = VerifyingKey::FromRaw(SignatureAlgorithm::kEd25519, Hex(kRfc8032Public));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify("", *sig).ok());
}

class SignatureRoundTrip : public testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(SignatureRoundTrip, SignsVerifiesAndRejectsEveryAlteration) {
  auto key = SigningKey::Generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->algorithm(), GetParam());
  const std::string msg = "tarjeta de solicitante de asilo";
  auto sig = key->Sign(msg);
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->size(), 64u);
  const VerifyingKey& pub = key->verifying_key();
  EXPECT_TRUE(pub.Verify(msg, *sig).ok());
  // A verifier built from the raw public key alone agrees.
  auto again = VerifyingKey::FromRaw(GetParam(), pub.raw());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->Verify(msg, *sig).ok());
  for (size_t i = 0; i < sig->size(); i += 7) {
    std::string bad = *sig;
    bad[i] ^= 0x01;
    auto st = pub.Verify(msg, bad);
    EXPECT_EQ(st.message(), "invalid signature") << i;
  }
  EXPECT_EQ(pub.Verify(msg + ".", *sig).message(), "invalid signature");
  EXPECT_EQ(pub.Verify(msg, sig->substr(0, 63)).message(), "invalid signature");
  EXPECT_EQ(pub.Verify(msg, "").message(), "invalid signature");
  auto other = SigningKey::Generate(GetParam());
  EXPECT_EQ(other->verifying_key().Verify(msg, *sig).message(), "invalid signature");
}

TEST_P(SignatureRoundTrip, EncryptedPemNeedsThePassphrase) {
  auto key = SigningKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->ToEncryptedPem("short").ok());
  auto pem = key->ToEncryptedPem("correct horse battery");
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_NE(pem->find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
  auto back = SigningKey::FromEncryptedPem(*pem, "correct horse battery");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->verifying_key().raw(), key->verifying_key().raw());
  auto sig = back->Sign("x");
  EXPECT_TRUE(key->verifying_key().Verify("x", *sig).ok());
  auto wrong = SigningKey::FromEncryptedPem(*pem, "wrong horse battery");
  EXPECT_EQ(wrong.status().message(), "wrong passphrase or not an encrypted private key");
  EXPECT_FALSE(SigningKey::FromEncryptedPem("not a pem", "correct horse battery").ok());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignatureRoundTrip,
                         testing::Values(SignatureAlgorithm::kEd25519, SignatureAlgorithm::kEs256),
                         [](const auto& info) {
                           return std::string(SignatureAlgorithmName(info.param));
                         });

TEST(SignatureTest, RejectsMalformedPublicKeys) {
  EXPECT_FALSE(VerifyingKey::FromRaw(SignatureAlgorithm::kEd25519, "short").ok());
  EXPECT_FALSE(VerifyingKey::FromRaw(SignatureAlgorithm::kEs256, std::string(65, '\x04')).ok());
  std::string not_on_curve(65, '\x01');
  not_on_curve[0] = 0x04;
  EXPECT_FALSE(VerifyingKey::FromRaw(SignatureAlgorithm::kEs256, not_on_curve).ok());
  EXPECT_FALSE(ParseSignatureAlgorithm("RS256").ok());
  EXPECT_EQ(*ParseSignatureAlgorithm("EdDSA"), SignatureAlgorithm::kEd25519);
}

// RFC 9180 appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM, base mode, sequence number 0.
TEST(HpkeTest, MatchesRfc9180AppendixA1) {
  const std::string info = Hex("4f6465206f6e2061204772656369616e2055726e");
  auto ephemeral = HpkePrivateKey::FromRaw(
      Hex("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736"),
      InsecureSecretKeyAccess::Get());
  auto recipient = HpkePrivateKey::FromRaw(
      Hex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"),
      InsecureSecretKeyAccess::Get());
  ASSERT_TRUE(ephemeral.ok() && recipient.ok());
  EXPECT_EQ(HexEncode(recipient->public_key()),
            "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
  const std::string pt = Hex("4265617574792069732074727574682c20747275746820626561757479");
  const std::string aad = Hex("436f756e742d30");
  auto sealed = internal::HpkeSealWithEphemeralForTesting(recipient->public_key(), *ephemeral, info,
                                                          aad, pt, HpkeAead::kAes128Gcm);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(HexEncode(sealed->enc),
            "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  EXPECT_EQ(HexEncode(sealed->ciphertext),
            "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e1"
            "3c512a");
  auto opened =
      HpkeOpen(*recipient, sealed->enc, info, aad, sealed->ciphertext, HpkeAead::kAes128Gcm);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, pt);
}

TEST(HpkeTest, OnlyTheRecipientOpensAndTamperingFails) {
  auto institution = HpkePrivateKey::Generate();
  auto other = HpkePrivateKey::Generate();
  ASSERT_TRUE(institution.ok() && other.ok());
  auto sealed = HpkeSeal(institution->public_key(), "puente card", "serial-1", "template bytes");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*HpkeOpen(*institution, sealed->enc, "puente card", "serial-1", sealed->ciphertext),
            "template bytes");
  EXPECT_EQ(HpkeOpen(*other, sealed->enc, "puente card", "serial-1", sealed->ciphertext)
                .status()
                .message(),
            "decryption failed");
  EXPECT_FALSE(
      HpkeOpen(*institution, sealed->enc, "puente card", "serial-2", sealed->ciphertext).ok());
  std::string bad = sealed->ciphertext;
  bad[0] ^= 1;
  EXPECT_FALSE(HpkeOpen(*institution, sealed->enc, "puente card", "serial-1", bad).ok());
  std::string bad_enc = sealed->enc;
  bad_enc[5] ^= 1;
  EXPECT_FALSE(HpkeOpen(*institution, bad_enc, "puente card", "serial-1", sealed->ciphertext).ok());
  EXPECT_FALSE(HpkeOpen(*institution, "", "puente card", "serial-1", sealed->ciphertext).ok());
  EXPECT_FALSE(HpkeSeal("short", "", "", "x").ok());

  auto pem = institution->ToEncryptedPem("hospital passphrase");
  ASSERT_TRUE(pem.ok());
  auto back = HpkePrivateKey::FromEncryptedPem(*pem, "hospital passphrase");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key(), institution->public_key());
}

}  // namespace
}  // namespace puente::crypto

#include "puente/crypto/password.h"

namespace puente::crypto {
namespace {

TEST(PasswordTest, ScryptHashesVerifyAndResistTampering) {
  const ScryptParams fast{10, 8, 1};  // small N keeps the test quick
  EXPECT_FALSE(HashPassword("short", fast).ok());
  auto h = HashPassword("correct horse battery", fast);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->substr(0, 12), "scrypt$10$8$");
  EXPECT_TRUE(VerifyPassword("correct horse battery", *h));
  EXPECT_FALSE(VerifyPassword("correct horse batterz", *h));
  EXPECT_NE(*h, *HashPassword("correct horse battery", fast));  // salted
  std::string bad = *h;
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyPassword("correct horse battery", bad));
  EXPECT_FALSE(VerifyPassword("x", "scrypt$99$8$1$AA==$AA=="));
  EXPECT_FALSE(VerifyPassword("x", "plain"));
}

}  // namespace
}  // namespace puente::crypto
