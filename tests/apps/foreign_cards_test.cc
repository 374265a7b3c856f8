// Cards puente did not make, from the independent Claim 169 encoder in
// tests/interop (`node claim169_interop.js forge DIR`): foreign issuers with
// any kid or none, ES256 and Ed25519, Brotli, headers where COSE allows them,
// and the cards an attacker would try (duplicate keys, bytes past the end,
// decompression bombs, a trusted kid under another algorithm, a changed
// byte). Each foreign issuer's public key is imported with `puente keys
// import`, the root signs them into a trust list, and the installed
// puente-verify must give every card the verdict its case names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "apps/run_process.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente {
namespace {

namespace fs = std::filesystem;
using testing::Result;

const std::string kInterop = std::string(PUENTE_SOURCE_DIR) + "/tests/interop";

// The cases issue 13 asks for; the encoder writes their expectations
// (cases.json). Listed here so that a case dropped there fails here.
const std::set<std::string> kCases = {
    "ed25519-kid16",       "es256-kid3",          "ed25519-no-kid",
    "es256-no-kid",        "unprotected-alg-kid", "brotli",
    "es256-kid64",         "duplicate-claim169",  "duplicate-iss",
    "duplicate-full-name", "trailing-after-cose", "trailing-after-zlib",
    "zlib-bomb",           "brotli-bomb",         "trusted-kid-wrong-alg",
    "untrusted-signer",    "tampered-payload",    "expired"};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class ForeignCardsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() /
           ("puente-foreign-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
    setup_error_ = Prepare();
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "setting up the forged cards failed"; }

  // Forges the cards, checks them with Node, trusts every issuer the cases
  // call trusted. Returns what went wrong, or "" when all went well.
  static std::string Prepare() {
    if (!fs::exists(kInterop + "/node_modules/cbor")) {
      return "run `npm ci --prefix tests/interop` (scripts/test.sh does)";
    }
    auto failed = [](const std::string& what, const Result& r) {
      return what + " exited " + std::to_string(r.code) + ":\n" + r.out + r.err;
    };
    Result r = Node("forge '" + dir_.string() + "'");
    if (r.code != 0) return failed("forge", r);
    // Node reads every card back and confirms it is what its case says.
    r = Node("check '" + dir_.string() + "'");
    if (r.code != 0) return failed("check", r);
    std::ifstream cases(dir_ / "cases.json");
    cases_ = nlohmann::json::parse(cases, nullptr, /*allow_exceptions=*/false);
    if (!cases_.is_array()) return "cases.json is not a JSON array";
    r = Puente("keys generate --kind root --out root");
    if (r.code != 0) return failed("keys generate", r);
    std::string issuers;
    for (const auto& c : cases_) {
      if (!c["trusted"].get<bool>()) continue;
      const std::string name = c["name"];
      std::string import = "keys import --alg " + c["alg"].get<std::string>() +
                           " --public-key-hex " + c["public_key_hex"].get<std::string>();
      if (!c["kid_hex"].is_null()) import += " --kid " + c["kid_hex"].get<std::string>();
      import += " --name 'Interop " + name +
                "' --not-before 2020-01-01 --not-after 2040-01-01 --out 'issuer-" + name + "'";
      r = Puente(import);
      if (r.code != 0) return failed(import, r);
      issuers += " --issuer 'issuer-" + name + ".pub.json'";
    }
    r = Puente("lists trust --root root.pem" + issuers + " --out trust.cbor");
    if (r.code != 0) return failed("lists trust", r);
    r = Puente("lists revocation --root root.pem --out revoked.cbor");
    if (r.code != 0) return failed("lists revocation", r);
    return "";
  }

  static Result Node(const std::string& args) {
    return testing::RunShell("cd '" + kInterop + "' && node claim169_interop.js " + args,
                             (dir_ / "stderr.txt").string());
  }
  static Result Puente(const std::string& args) {
    return testing::RunProgramIn(dir_.string(), PUENTE_BIN, args);
  }
  static Result Verify(const std::string& qr_file) {
    return testing::RunIn(dir_.string(), "'" PUENTE_VERIFY_BIN
                                         "' --root root.pub.json --trust-list trust.cbor "
                                         "--revocation-list revoked.cbor --text '@" +
                                             qr_file + "' --json");
  }

  static fs::path dir_;
  static std::string setup_error_;
  static nlohmann::json cases_;
};
fs::path ForeignCardsTest::dir_;
std::string ForeignCardsTest::setup_error_;
nlohmann::json ForeignCardsTest::cases_;

TEST_F(ForeignCardsTest, EncoderForgesEveryCaseOfTheIssue) {
  std::set<std::string> forged;
  for (const auto& c : cases_) forged.insert(c["name"].get<std::string>());
  EXPECT_EQ(forged, kCases);
}

TEST_F(ForeignCardsTest, EveryForgedCardGetsItsVerdict) {
  for (const auto& c : cases_) {
    SCOPED_TRACE(c["name"].get<std::string>() + ": " + c["about"].get<std::string>());
    const Result r = Verify(c["qr_file"]);
    const auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "exit " << r.code << "\n" << r.out << r.err;
    const std::string verdict = c["expected_verdict"];
    EXPECT_EQ(j.value("verdict", ""), verdict) << j.dump(2);
    // One documented exit code per verdict (apps/puente_verify/main.cc).
    const std::map<std::string, int> exit_codes{
        {"VALID", 0},   {"INVALID", 1},        {"EXPIRED", 5},    {"NOT YET VALID", 6},
        {"REVOKED", 7}, {"UNKNOWN ISSUER", 8}, {"STALE LISTS", 9}};
    EXPECT_EQ(r.code, exit_codes.at(verdict)) << "exit code " << r.code;
    if (!c["expected_reason"].is_null()) {
      const std::string reason = c["expected_reason"];
      EXPECT_NE(Lower(j.value("reason", "")).find(reason), std::string::npos)
          << "reason should mention \"" << reason << "\": " << j.dump(2);
    }
    if (!c["expected_profile"].is_null()) {
      EXPECT_EQ(j.value("profile", ""), c["expected_profile"].get<std::string>()) << j.dump(2);
    }
    if (verdict == "VALID") {
      const auto claim169 = j.value("claim169", nlohmann::json::object());
      for (const auto& [field, value] : c["expected_claim169"].items()) {
        EXPECT_EQ(claim169.value(field, nlohmann::json()), value) << field << "\n" << j.dump(2);
      }
    }
  }
}

}  // namespace
}  // namespace puente
