// The institution key file for the phone verifier (puente keys export-web):
// PBKDF2-HMAC-SHA256 + AES-256-GCM over the key's PKCS#8. It opens with its
// passphrase to the same key, and with nothing else: a wrong passphrase, or
// any altered salt, nonce, ciphertext, public key or kid byte, gets the one
// same refusal. web/test/verify_sealed.test.mjs imports the CLI's file in
// WebCrypto.
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "puente/credentials/keys.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/hpke.h"

namespace puente::credentials {
namespace {

constexpr char kPassphrase[] = "clinica-san-fernando-2026";
constexpr char kRefusal[] = "wrong passphrase or damaged key file";

class WebKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = InstitutionKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status();
    key_.emplace(*std::move(key));
    auto file = InstitutionKeyWebFile(*key_, kPassphrase);
    ASSERT_TRUE(file.ok()) << file.status();
    file_ = *file;
  }

  std::optional<InstitutionKey> key_;
  std::string file_;
};

TEST_F(WebKeyFileTest, RoundTripGivesTheSameKey) {
  const nlohmann::json j = nlohmann::json::parse(file_);
  EXPECT_EQ(j["format"], "puente-institution-key-web-v1");
  EXPECT_EQ(j["kid"], crypto::HexEncode(key_->kid()));
  EXPECT_EQ(j["public_key"], crypto::HexEncode(key_->key().public_key()));
  EXPECT_EQ(j["kdf"], "PBKDF2-HMAC-SHA256");
  EXPECT_EQ(j["iterations"], 600000);
  EXPECT_EQ(j["cipher"], "AES-256-GCM");
  EXPECT_EQ(j["salt"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["nonce"].get<std::string>().size(), 24u);
  // RFC 8410's X25519 PrivateKeyInfo: 48 bytes, + the 16-byte tag.
  EXPECT_EQ(j["wrapped_key"].get<std::string>().size(), 2u * (48 + 16));

  auto opened = InstitutionKeyFromWebFile(file_, kPassphrase);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->kid(), key_->kid());
  EXPECT_EQ(opened->key().public_key(), key_->key().public_key());
  // The same private key: what is sealed to the original opens with it.
  auto sealed = crypto::HpkeSeal(key_->key().public_key(), "info", "aad", "case CPA-2026-000031");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  auto plain = crypto::HpkeOpen(opened->key(), sealed->enc, "info", "aad", sealed->ciphertext);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, "case CPA-2026-000031");
}

TEST_F(WebKeyFileTest, FreshSaltAndNonceEachTime) {
  auto again = InstitutionKeyWebFile(*key_, kPassphrase);
  ASSERT_TRUE(again.ok()) << again.status();
  const nlohmann::json a = nlohmann::json::parse(file_), b = nlohmann::json::parse(*again);
  EXPECT_NE(a["salt"], b["salt"]);
  EXPECT_NE(a["nonce"], b["nonce"]);
  EXPECT_NE(a["wrapped_key"], b["wrapped_key"]);
}

TEST_F(WebKeyFileTest, WrongPassphraseIsRefused) {
  for (const char* wrong : {"clinica-san-fernando-2025", "", "Clinica-san-fernando-2026"}) {
    auto opened = InstitutionKeyFromWebFile(file_, wrong);
    ASSERT_FALSE(opened.ok()) << wrong;
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(opened.status().message(), kRefusal);
  }
}

// One hex digit changed in each byte field, at its start, middle and end:
// always the same refusal, never a key.
TEST_F(WebKeyFileTest, AnyAlteredByteIsRefused) {
  for (const char* field : {"salt", "nonce", "wrapped_key", "public_key", "kid"}) {
    const std::string value = nlohmann::json::parse(file_)[field];
    for (size_t i : {size_t{0}, value.size() / 2, value.size() - 1}) {
      nlohmann::json j = nlohmann::json::parse(file_);
      std::string altered = value;
      altered[i] = altered[i] == '0' ? '1' : '0';
      j[field] = altered;
      auto opened = InstitutionKeyFromWebFile(j.dump(), kPassphrase);
      ASSERT_FALSE(opened.ok()) << field << " at " << i;
      EXPECT_EQ(opened.status().message(), kRefusal) << field << " at " << i;
    }
  }
}

TEST_F(WebKeyFileTest, MalformedFilesNameTheField) {
  struct Case {
    const char* field;
    nlohmann::json value;  // null: removed
    const char* message;
  };
  const Case cases[] = {
      {"format", "puente-public-key-v1",
       "web key file: format is not puente-institution-key-web-v1"},
      {"iterations", 1000, "web key file: iterations is out of range"},
      {"iterations", "600000", "web key file: iterations is missing or not an integer"},
      {"kdf", "scrypt", "web key file: kdf is not PBKDF2-HMAC-SHA256"},
      {"nonce", "00", "web key file: nonce is not 12 bytes"},
      {"salt", "zz", "web key file: salt is not hex"},
      {"wrapped_key", nullptr, "web key file: wrapped_key is missing or not a string"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = nlohmann::json::parse(file_);
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    auto opened = InstitutionKeyFromWebFile(j.dump(), kPassphrase);
    ASSERT_FALSE(opened.ok()) << c.field;
    EXPECT_EQ(opened.status().message(), c.message);
  }
  EXPECT_EQ(InstitutionKeyFromWebFile("not json", kPassphrase).status().message(),
            "web key file: not a JSON object");
}

TEST_F(WebKeyFileTest, WeakSettingsAreRefused) {
  EXPECT_EQ(InstitutionKeyWebFile(*key_, "short").status().message(),
            "web key file passphrase: at least 10 characters");
  EXPECT_EQ(InstitutionKeyWebFile(*key_, kPassphrase, 100000).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HpkePkcs8Test, RoundTripsAndRefusesOtherDer) {
  auto key = crypto::HpkePrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const auto access = crypto::InsecureSecretKeyAccess::Get();
  auto der = key->ToPkcs8Der(access);
  ASSERT_TRUE(der.ok()) << der.status();
  // RFC 8410 section 10.3: SEQUENCE { 0, { 1.3.101.110 }, OCTET STRING { OCTET STRING (32) } }.
  EXPECT_EQ(crypto::HexEncode(der->substr(0, 16)), "302e020100300506032b656e04220420");
  auto back = crypto::HpkePrivateKey::FromPkcs8Der(*der, access);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->public_key(), key->public_key());
  EXPECT_FALSE(crypto::HpkePrivateKey::FromPkcs8Der(*der + "x", access).ok());
  EXPECT_FALSE(crypto::HpkePrivateKey::FromPkcs8Der(der->substr(0, 40), access).ok());
}

}  // namespace
}  // namespace puente::credentials
