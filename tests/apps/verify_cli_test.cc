// The credential authority's commands and the offline verifier, run as
// users run them: keys, lists, a card from a real photo, then puente-verify
// on the card's PNG with every verdict, the sealed section and the face.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/run_process.h"
#include "biometrics/biometrics_test_support.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente {
namespace {

namespace fs = std::filesystem;
using testing::Result;

class VerifyCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        fs::temp_directory_path() / ("puente-verify-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
    auto ok = [](const Result& r) {
      if (r.code != 0) ADD_FAILURE() << r.out << r.err;
    };
    ok(Puente("keys generate --kind root --out root"));
    ok(Puente("keys generate --kind issuer --out onpar"));
    ok(Puente("keys generate --kind issuer --alg ES256 --out retired"));
    ok(Puente("keys generate --kind institution --out hospital"));
    ok(Puente("keys generate --kind institution --out bank"));
    ok(
        Puente("lists trust --root root.pem --issuer onpar.pub.json --name 'ONPAR 2026-A' "
               "--out trust.cbor"));
    ok(Puente("lists revocation --root root.pem --serial 13 --out revoked.cbor"));
    ok(Puente("--models '" + testing::ModelsDirForTests() +
              "' card issue --issuer-key onpar.pem --serial 12 --registration-number "
              "ONP-2026-000012-4 --name 'María José Núñez Peña' --dob 1990-02-14 --sex F "
              "--nationality VE --entitlement asylum-application-active=2027-05-01 --photo '" +
              testing::DevPhoto("Ashanti", 1) +
              "' --recipient hospital.pub.json --case-number CPA-2026-000031 --out card12"));
    ok(
        Puente("card issue --issuer-key onpar.pem --serial 13 --registration-number "
               "ONP-2026-000013-2 --name 'Pedro Pérez' --out card13"));
    ok(
        Puente("card issue --issuer-key retired.pem --serial 14 --registration-number "
               "ONP-2026-000014-0 --name 'Ana Ruiz' --out card14"));
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static Result Puente(const std::string& args) {
    return testing::RunProgramIn(dir_.string(), PUENTE_BIN, args);
  }
  static Result Verify(const std::string& args) {
    return testing::RunProgramIn(dir_.string(), PUENTE_VERIFY_BIN,
                                 "--root root.pub.json --trust-list trust.cbor --revocation-list "
                                 "revoked.cbor --models '" +
                                     testing::ModelsDirForTests() + "' " + args);
  }
  static std::string Read(const std::string& name) {
    return testing::ReadBytes((dir_ / name).string());
  }

  static fs::path dir_;
};
fs::path VerifyCliTest::dir_;

TEST_F(VerifyCliTest, IssuesPrintableFilesWithPrivateKeys) {
  EXPECT_EQ(fs::status(dir_ / "onpar.pem").permissions() & fs::perms::others_read, fs::perms::none);
  EXPECT_NE(Read("onpar.pem").find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(Read("card12.pdf").substr(0, 5), "%PDF-");
  EXPECT_EQ(Read("card12.png").substr(1, 3), "PNG");
  // Refuses to overwrite a key, and refuses without a passphrase.
  EXPECT_EQ(Puente("keys generate --kind root --out root").code, 5);
  Result r = testing::RunIn(dir_.string(), "env -u PUENTE_KEY_PASSPHRASE '" PUENTE_BIN
                                           "' keys generate --kind root --out other");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("PUENTE_KEY_PASSPHRASE"), std::string::npos);
}

// Past the card's QR budget (version 18 at M) the card is refused with what
// to drop, and nothing is written.
TEST_F(VerifyCliTest, CardIssueRefusesAQrPastTheBudget) {
  ASSERT_EQ(Puente("keys generate --kind institution --out police").code, 0);
  ASSERT_EQ(Puente("keys generate --kind institution --out school").code, 0);
  Result r = Puente(
      "card issue --issuer-key onpar.pem --serial 15 --registration-number ONP-2026-000015-9 "
      "--name 'María Fernanda de los Ángeles Núñez Peña' --entitlement "
      "asylum-application-active=2027-05-01 --recipient hospital.pub.json --recipient "
      "bank.pub.json --recipient police.pub.json --recipient school.pub.json --case-number "
      "CPA-2026-000032 --out card15");
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("the budget is version 18 (816 characters): drop sealed-section "
                       "recipients (4 given; each costs ~93 bytes) or entitlements (1 given)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "card15.png"));
  EXPECT_FALSE(fs::exists(dir_ / "card15.qr.txt"));
}

TEST_F(VerifyCliTest, PhotoOfTheCardVerifiesOpensAndMatchesTheFace) {
  Result r = Verify("card12.png --institution-key hospital.pem --face '" +
                    testing::DevPhoto("Ashanti", 2) + "' --json");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "VALID");
  EXPECT_EQ(j["claim169"]["fullName"], "María José Núñez Peña");
  EXPECT_EQ(j["sealed"]["status"], "opened");
  EXPECT_EQ(j["sealed"]["case_number"], "CPA-2026-000031");
  EXPECT_EQ(j["face"]["match"], true);
  EXPECT_EQ(j["entitlements"][0]["code"], "asylum-application-active");
  EXPECT_EQ(j["entitlements"][0]["active"], true);
}

TEST_F(VerifyCliTest, AnotherPersonsFaceDoesNotMatch) {
  const std::string other = fs::directory_iterator(testing::DevFacesDir())->path().string();
  Result r = Verify("card12.png --institution-key hospital.pem --face '" + other + "/1.jpg'");
  EXPECT_EQ(r.code, 10) << r.out << r.err;  // a VALID card, another face
  EXPECT_NE(r.out.find("NO MATCH"), std::string::npos) << r.out;
}

TEST_F(VerifyCliTest, OtherInstitutionsSeeOnlyThePublicPart) {
  Result r = Verify("card12.png --institution-key bank.pem");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("not for this institution"), std::string::npos);
  EXPECT_EQ(r.out.find("CPA-2026"), std::string::npos);
  r = Verify("card12.png");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("sealed         no key"), std::string::npos) << r.out;
}

TEST_F(VerifyCliTest, EveryVerdictFromTheCommandLine) {
  const std::string qr13 = "--text \"$(cat card13.qr.txt)\"";
  EXPECT_EQ(Verify(qr13).out.substr(0, 7), "REVOKED");
  const std::string qr12 = "--text \"$(cat card12.qr.txt)\"";
  EXPECT_EQ(Verify(qr12 + " --at 2031-01-01").out.substr(0, 7), "EXPIRED");
  EXPECT_EQ(Verify(qr12 + " --at 2020-01-01").out.substr(0, 13), "NOT YET VALID");
  EXPECT_EQ(Verify("--text \"$(cat card14.qr.txt)\"").out.substr(0, 14), "UNKNOWN ISSUER");
  EXPECT_EQ(Verify(qr12 + " --max-list-age-days 0").out.substr(0, 11), "STALE LISTS");
  Result r = Verify("--text 6BFXYZ");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out.substr(0, 7), "INVALID");
  // Not a card at all, a missing file, a forged list.
  EXPECT_EQ(Verify("root.pub.json").code, 3);
  EXPECT_EQ(Verify("nothing-here.jpg").code, 4);
  r = testing::RunIn(dir_.string(), "'" PUENTE_VERIFY_BIN
                                    "' --text x --root onpar.pub.json --trust-list trust.cbor "
                                    "--revocation-list revoked.cbor");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("trust list: invalid signature"), std::string::npos) << r.err;
}

TEST_F(VerifyCliTest, QrTextFromStdinOrFileAndEmptyTextIsInvalid) {
  Result r = Verify("--text - < card13.qr.txt");
  EXPECT_EQ(r.code, 7) << r.out << r.err;  // REVOKED
  EXPECT_EQ(r.out.substr(0, 7), "REVOKED");
  r = Verify("--text @card12.qr.txt --at now --json");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["profile"], "puente");
  r = Verify("--text ''");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "INVALID (the QR text is empty)\n");
  r = Verify("--text @no-such-file.txt");
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  // Per-verdict exit codes.
  EXPECT_EQ(Verify("--text @card12.qr.txt --at 2031-01-01").code, 5);
  EXPECT_EQ(Verify("--text @card12.qr.txt --at 2020-01-01").code, 6);
  EXPECT_EQ(Verify("--text @card14.qr.txt").code, 8);
  EXPECT_EQ(Verify("--text @card12.qr.txt --max-list-age-days 0").code, 9);
  // The card's iss is the default URI; a configured one must be a URI too.
  EXPECT_EQ(nlohmann::json::parse(Verify("--text @card12.qr.txt --json").out)["card"]["issuer"],
            "https://onpar.gob.pa");
  r = Puente(
      "card issue --issuer-key onpar.pem --issuer-name PA-ONPAR --serial 99 "
      "--registration-number ONP-2026-000099-1 --name 'Ana' --out card99");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("is not a URI"), std::string::npos) << r.err;
}

TEST_F(VerifyCliTest, SwappedOrForeignListFilesAreNamed) {
  Result r =
      testing::RunIn(dir_.string(), "'" PUENTE_VERIFY_BIN
                                    "' --text @card12.qr.txt --root root.pub.json --trust-list "
                                    "revoked.cbor --revocation-list trust.cbor");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("revoked.cbor: trust list: this is a revocation list, not a trust list "
                       "(were the two list files swapped?)"),
            std::string::npos)
      << r.err;
  r = testing::RunIn(dir_.string(),
                     "'" PUENTE_VERIFY_BIN
                     "' --text @card12.qr.txt --root root.pub.json --trust-list trust.cbor");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("go together"), std::string::npos) << r.err;
}

TEST_F(VerifyCliTest, IssuerWindowIsCertifiedOnceInTheKeyFile) {
  auto pub = nlohmann::json::parse(Read("onpar.pub.json"));
  ASSERT_TRUE(pub.contains("not_before")) << pub.dump();
  EXPECT_EQ(pub["not_after"].get<int64_t>() - pub["not_before"].get<int64_t>(), 730 * 86400);
  // A key file from before windows existed: refused until certified, once.
  pub.erase("not_before");
  pub.erase("not_after");
  std::ofstream(dir_ / "legacy.pub.json") << pub.dump(2);
  Result r = Puente("lists trust --root root.pem --issuer legacy.pub.json --out legacy.cbor");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("puente keys certify legacy.pub.json"), std::string::npos) << r.err;
  r = Puente("keys certify legacy.pub.json --not-before 2026-01-01 --not-after 2028-01-01");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(Puente("keys certify legacy.pub.json --not-before 2026-06-01").code, 5);
  ASSERT_EQ(
      Puente("--json lists trust --root root.pem --issuer legacy.pub.json --out legacy.cbor").code,
      0);
  // The list says what the file says, whatever day it is signed.
  r = Puente(
      "--json keys import --alg Ed25519 --public-key-hex " + pub["public_key"].get<std::string>() +
      " --kid 0102 --name Foreign --not-before 2026-01-01 --not-after 2027-01-01 --out foreign");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto imported = nlohmann::json::parse(Read("foreign.pub.json"));
  EXPECT_EQ(imported["kid"], "0102");
  EXPECT_EQ(imported["kid_source"], "declared");
  EXPECT_EQ(imported["profile"], "claim169");
  EXPECT_EQ(imported["not_before"], 1767225600);
  // Refusals name what is wrong.
  r = Puente("keys import --public-key-hex abcd --name X --out y");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("needs its algorithm"), std::string::npos) << r.err;
  r = Puente("keys import --alg Ed25519 --public-key-hex 00 --kid " + std::string(130, 'a') +
             " --name X --out y");
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(Puente("keys import --alg Ed25519 --public-key-hex " +
                   pub["public_key"].get<std::string>() + " --name F --out foreign")
                .code,
            5);  // never overwrites a key file
  // A certificate authority, from its X.509 certificate, anchors x5chain issuers.
  ASSERT_EQ(testing::RunIn(dir_.string(),
                           "openssl req -x509 -newkey ed25519 -nodes -keyout ca.key "
                           "-subj '/CN=Example CA' -days 30 -out ca.pem")
                .code,
            0);
  r = Puente("keys import --ca-certificate ca.pem --name 'Example CA' --out ca");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("a certificate authority"), std::string::npos) << r.out;
  EXPECT_TRUE(nlohmann::json::parse(Read("ca.pub.json")).contains("ca_certificate"));
  EXPECT_EQ(Puente("lists trust --root root.pem --issuer ca.pub.json --out ca-trust.cbor").code, 0);
  EXPECT_EQ(Puente("keys import --ca-certificate root.pub.json --name X --out ca2").code, 3);
}

}  // namespace
}  // namespace puente
