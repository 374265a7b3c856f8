// The credential authority's commands and the offline verifier, run as
// users run them: keys, lists, a card from a real photo, then puente-verify
// on the card's PNG with every verdict, the sealed section and the face.
#include <gtest/gtest.h>

#include <filesystem>
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
    return testing::RunShell("cd '" + dir_.string() +
                                 "' && PUENTE_KEY_PASSPHRASE=test-passphrase-1 '" PUENTE_BIN "' " +
                                 args,
                             (dir_ / "stderr.txt").string());
  }
  static Result Verify(const std::string& args) {
    return testing::RunShell("cd '" + dir_.string() +
                                 "' && PUENTE_KEY_PASSPHRASE=test-passphrase-1 '" PUENTE_VERIFY_BIN
                                 "' --root root.pub.json --trust-list trust.cbor --revocation-list "
                                 "revoked.cbor --models '" +
                                 testing::ModelsDirForTests() + "' " + args,
                             (dir_ / "stderr.txt").string());
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
  Result r = testing::RunShell("cd '" + dir_.string() +
                                   "' && env -u PUENTE_KEY_PASSPHRASE '" PUENTE_BIN
                                   "' keys generate --kind root --out other",
                               (dir_ / "stderr.txt").string());
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
  EXPECT_EQ(r.code, 1) << r.out << r.err;
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
  r = testing::RunShell("cd '" + dir_.string() +
                            "' && '" PUENTE_VERIFY_BIN
                            "' --text x --root onpar.pub.json --trust-list trust.cbor "
                            "--revocation-list revoked.cbor",
                        (dir_ / "stderr.txt").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("trust list: invalid signature"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace puente
