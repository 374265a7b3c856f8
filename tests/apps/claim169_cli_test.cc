// Every published Claim 169 vector through the installed programs, as an
// institution meets them: `puente card decode` shows each valid one with its
// fields and says whether the signature was checked; invalid ones fail at
// their stage. A signed vector's key, imported with `puente keys import` and
// put in a trust list, makes puente-verify say VALID (profile claim169).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/run_process.h"
#include "credentials/claim169_vectors.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente {
namespace {

namespace fs = std::filesystem;
using testing::Result;

class Claim169Cli : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        fs::temp_directory_path() / ("puente-c169-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
    for (const std::string& args :
         {std::string("keys generate --kind root --out root"),
          std::string("lists revocation --root root.pem --out revoked.cbor")}) {
      const Result r = Puente(args);
      if (r.code != 0) ADD_FAILURE() << args << ": " << r.out << r.err;
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static Result Puente(const std::string& args) {
    return testing::RunProgramIn(dir_.string(), PUENTE_BIN, args);
  }
  static Result Verify(const std::string& args) {
    return testing::RunIn(dir_.string(), "'" PUENTE_VERIFY_BIN
                                         "' --root root.pub.json --revocation-list revoked.cbor " +
                                             args);
  }
  static fs::path dir_;
};
fs::path Claim169Cli::dir_;

TEST_P(Claim169Cli, DecodesAndVerifiesThroughTheCommandLine) {
  const nlohmann::json v = testing::Load(GetParam());
  const std::string name = v.at("name");
  const std::string qr_file = name + ".qr.txt";
  std::ofstream(dir_ / qr_file) << v.at("qr_data").get<std::string>() << "\n";
  std::string decrypt;
  if (v.contains("encryption_key")) {
    decrypt = " --decryption-key " + v["encryption_key"]["symmetric_key_hex"].get<std::string>();
  }
  Result r = Puente("--json card decode --text @" + qr_file + decrypt);
  if (v.at("category") == "invalid") {
    EXPECT_EQ(r.code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find(v.at("expected_error").get<std::string>() + ": "), std::string::npos)
        << r.err;
    return;
  }
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["signature"], "not checked");
  EXPECT_EQ(j["profile"], "claim169");
  nlohmann::json expected = v.at("expected_claim169");
  if (name == "with-face") expected["face"][0].erase("data");  // see claim169_vectors_test.cc
  testing::ExpectSubset(expected, j["claim169"], "claim169");
  testing::ExpectSubset(v.at("expected_cwt_meta"), j["cwt"], "cwt");
  // Text output leads with the warning.
  r = Puente("card decode --text @" + qr_file + decrypt);
  EXPECT_EQ(r.out.substr(0, 21), "SIGNATURE NOT CHECKED") << r.out;
  if (!v.contains("signing_key")) return;

  // The issuer's key, imported as an institution would, with no kid: the
  // vectors carry none.
  const std::string alg = v["signing_key"]["algorithm"] == "EdDSA" ? "Ed25519" : "ES256";
  const std::string key_hex = v["signing_key"]["public_key_hex"];
  r = Puente("keys import --alg " + alg + " --public-key-hex " + key_hex +
             " --name 'Vector issuer' --not-before 2023-01-01 --not-after 2030-01-01 --out " +
             name);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = Puente("--json card decode --text @" + qr_file + decrypt + " --issuer-key " + name +
             ".pub.json");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["signature"], "verified");
  ASSERT_EQ(Puente("lists trust --root root.pem --issuer " + name + ".pub.json --out " + name +
                   ".trust.cbor")
                .code,
            0);
  if (!decrypt.empty()) return;  // puente-verify reads signed cards, not encrypted wrappers
  const int64_t iat = v["expected_cwt_meta"]["issuedAt"];
  const std::string at = " --at " + std::to_string(iat + 60) + " --max-list-age-days 100000";
  r = Verify("--trust-list " + name + ".trust.cbor --json --text @" + qr_file + at);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "VALID") << r.out << r.err;
  EXPECT_EQ(j["profile"], "claim169");
  EXPECT_EQ(j["signature_verified"], true);
  testing::ExpectSubset(v.at("expected_claim169"), j["claim169"], "claim169");
  EXPECT_EQ(r.code, 0);
  // Against another key, decode says the signature is not valid.
  ASSERT_EQ(Puente("keys generate --kind issuer --alg " + alg + " --out " + name + "-other").code,
            0);
  r = Puente("card decode --text @" + qr_file + " --issuer-key " + name + "-other.pub.json");
  EXPECT_EQ(r.code, 7) << r.out << r.err;
  EXPECT_NE(r.err.find("signature NOT valid"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Published, Claim169Cli, ::testing::ValuesIn(testing::VectorFiles()),
                         testing::VectorTestName);

TEST(Claim169CliUnknownIssuer, ClaimsShownButMarkedNotVerified) {
  const nlohmann::json v = testing::Load(testing::VectorsDir() + "/valid/ed25519-signed.json");
  const fs::path dir =
      fs::temp_directory_path() / ("puente-c169u-" + crypto::HexEncode(*crypto::RandomBytes(4)));
  fs::create_directories(dir);
  std::ofstream(dir / "card.txt") << v.at("qr_data").get<std::string>();
  auto run = [&](const std::string& cmd) {
    return testing::RunIn(dir.string(), std::string("PUENTE_KEY_PASSPHRASE=") +
                                            testing::kTestKeyPassphrase + " " + cmd);
  };
  ASSERT_EQ(run("'" PUENTE_BIN "' keys generate --kind root --out root").code, 0);
  ASSERT_EQ(run("'" PUENTE_BIN "' keys generate --kind issuer --out other").code, 0);
  ASSERT_EQ(
      run("'" PUENTE_BIN "' lists trust --root root.pem --issuer other.pub.json --out t.cbor").code,
      0);
  ASSERT_EQ(run("'" PUENTE_BIN "' lists revocation --root root.pem --out r.cbor").code, 0);
  Result r = run("'" PUENTE_VERIFY_BIN
                 "' --root root.pub.json --trust-list t.cbor "
                 "--revocation-list r.cbor --text - < card.txt");
  EXPECT_EQ(r.code, 8) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, 14), "UNKNOWN ISSUER") << r.out;
  EXPECT_NE(r.out.find("NOT VERIFIED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Signed Test Person"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace puente
