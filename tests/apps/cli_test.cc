// Runs the real `puente` binary as an officer would, checking output, JSON
// and exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <thread>

#include "apps/run_process.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"

namespace puente {
namespace {

namespace fs = std::filesystem;

using testing::Result;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("puente-cli-" + crypto::HexEncode(*crypto::RandomBytes(4)));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result Run(const std::string& args, const std::string& key = "master.key") {
    const std::string cmd = "cd '" + dir_.string() + "' && env -u PUENTE_MASTER_KEY -u PUENTE_DB " +
                            "PUENTE_ACTOR=ana.officer PUENTE_OFFICE=101 '" PUENTE_BIN "' --db " +
                            "sqlite:registry.db --key-file " + key + " " + args;
    return testing::RunShell(cmd, (dir_ / "stderr.txt").string());
  }

  fs::path dir_;
};

constexpr char kAdd[] =
    "applicant add --given-names 'Ana Lucía' --surname1 'Núñez' --sex F --dob 1990-05-02 "
    "--nationality col --language spa --document passport:COL:AB123456 ";

// Issue 15 item 9: `puente user ...` with passwords on standard input only;
// the password rule applies; every change is audited and the chain holds.
TEST_F(CliTest, UserCommandsManageAccountsWithPasswordsOnStandardInput) {
  ASSERT_EQ(Run("init").code, 0);
  auto file = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  };
  file("weak.txt", "aaaaaaaaaa\n");
  file("pw.txt", "password-of-luis\n");
  file("new.txt", "luis-got-a-new-one\n");
  file("change.txt", "luis-got-a-new-one\nluis-changed-it-again\n");
  std::string printed;
  auto run = [&](const std::string& args) {
    Result r = Run(args);
    printed += r.out + r.err;
    return r;
  };
  Result r = run("user add luis --role officer < weak.txt");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("password: needs at least 5 different characters"), std::string::npos)
      << r.err;
  r = run("--json user add luis --role officer < pw.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["role"], "officer");
  EXPECT_EQ(run("user add luis --role officer < pw.txt").code, 5);  // exists
  EXPECT_EQ(run("user add marta --role chief < pw.txt").code, 3);
  EXPECT_EQ(run("user add marta --role officer < /dev/null").code, 3);
  EXPECT_EQ(run("user disable luis").code, 0);
  EXPECT_EQ(run("user enable luis").code, 0);
  EXPECT_EQ(run("user disable nobody").code, 4);
  EXPECT_EQ(run("user reset-password luis < weak.txt").code, 3);
  EXPECT_EQ(run("user reset-password luis < new.txt").code, 0);
  r = run("user change-password luis < change.txt");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(run("user change-password luis < change.txt").code, 0);  // the current one changed
  r = run("--json user revoke-sessions luis");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["sessions_ended"], 0);  // change-password logged out
  EXPECT_EQ(run("user unlock luis").code, 0);
  EXPECT_EQ(run("user unlock --address 10.1.2.3").code, 0);
  EXPECT_EQ(run("user unlock").code, 3);
  r = run("--json user purge-sessions");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["purged"], 0);
  EXPECT_EQ(run("audit verify").code, 0);
  for (const char* secret : {"password-of-luis", "luis-got-a-new-one", "luis-changed-it-again"}) {
    EXPECT_EQ(printed.find(secret), std::string::npos) << secret;
  }
}

TEST_F(CliTest, InitCreatesPrivateKeyAndSchemaAndIsRepeatable) {
  Result r = Run("init");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("created master key"), std::string::npos);
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  r = Run("init");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("using existing master key"), std::string::npos);
  r = Run("--json db status");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["current_version"], j["latest_version"]);
  EXPECT_TRUE(j["pending"].empty());
}

TEST_F(CliTest, RegistersShowsListsAndUpdates) {
  ASSERT_EQ(Run("init").code, 0);
  Result r = Run(std::string("--json ") + kAdd);
  ASSERT_EQ(r.code, 0) << r.err;
  auto added = nlohmann::json::parse(r.out);
  const std::string reg_no = added["registration_number"];
  EXPECT_EQ(added["nationality"], "COL");

  r = Run("--json applicant show " + reg_no);
  ASSERT_EQ(r.code, 0) << r.err;
  auto shown = nlohmann::json::parse(r.out);
  EXPECT_EQ(shown["given_names"], "Ana Lucía");
  EXPECT_EQ(shown["documents"][0]["number"], "AB123456");

  r = Run("applicant update " + reg_no + " --phone '+507 6000 1111' --expected-version 1");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Run("applicant update " + reg_no + " --phone '+507 6000 2222' --expected-version 1");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.err.find("changed by someone else"), std::string::npos);

  r = Run("applicant list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Ana Lucía Núñez"), std::string::npos);
  EXPECT_NE(r.out.find("1 applicant(s)"), std::string::npos);
}

TEST_F(CliTest, BadInputNamesEveryFieldExitsThreeAndWritesNothing) {
  ASSERT_EQ(Run("init").code, 0);
  Result r = Run("applicant add --given-names 'R2D2' --sex Q --dob 2031-02-30 --nationality ABC");
  EXPECT_EQ(r.code, 3);
  for (const char* field : {"sex:", "date_of_birth:", "given_names:", "nationality:"}) {
    EXPECT_NE(r.err.find(field), std::string::npos) << field << " missing in: " << r.err;
  }
  r = Run("--json applicant list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out).empty());
  r = Run("--json applicant show 101-2026-000001-4");
  EXPECT_EQ(r.code, 3);  // wrong check digit
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["code"], "INVALID_ARGUMENT");
}

TEST_F(CliTest, IllegalTransitionAndWrongKeyHaveTheirExitCodes) {
  ASSERT_EQ(Run("init").code, 0);
  Result r = Run(std::string("--json ") + kAdd);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string case_no = nlohmann::json::parse(r.out)["case_number"];
  r = Run("case status " + case_no + " --to recognized --reason 'no'");
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("cannot go from registered to recognized"), std::string::npos);
  r = Run("case status " + case_no + " --to admitted --reason 'Admitida'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("registered -> admitted"), std::string::npos);

  // A different master key cannot open the registry.
  r = Run("init", "other.key");  // creates other.key; the schema already exists
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("master key does not match"), std::string::npos);
  r = Run("applicant list", "missing.key");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("puente init"), std::string::npos);
}

TEST_F(CliTest, AuditVerifyReportsIntactChain) {
  ASSERT_EQ(Run("init").code, 0);
  ASSERT_EQ(Run(kAdd).code, 0);
  Result r = Run("--json audit verify");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["intact"].get<bool>());
  EXPECT_EQ(j["events_checked"], 2);
}

// " --models DIR ": the models scripts/setup.sh placed.
std::string ModelsArg() {
  const char* env = std::getenv("PUENTE_MODELS_DIR");
  return std::string(" --models ") +
         (env != nullptr && *env ? env : PUENTE_SOURCE_DIR "/var/models") + " ";
}

std::string Shared() {
  const char* env = std::getenv("PUENTE_SHARED");
  return env != nullptr && *env ? env : std::string(PUENTE_SOURCE_DIR) + "/../shared";
}

// `lists trust` works without a registry (the given issuers only) and, where
// the CLI's registry exists, adds its active field kits as the server does.
TEST_F(CliTest, ListsTrustAddsTheRegistrysActiveKits) {
  auto run = [&](const std::string& args) {
    return testing::RunShell("cd '" + dir_.string() +
                                 "' && env -u PUENTE_MASTER_KEY -u PUENTE_DB "
                                 "PUENTE_KEY_PASSPHRASE=test-pass-123 '" PUENTE_BIN
                                 "' --db sqlite:registry.db --key-file master.key " +
                                 args,
                             (dir_ / "stderr.txt").string());
  };
  for (const char* k : {"root --out root", "issuer --out onpar", "institution --out bundle-key"}) {
    ASSERT_EQ(run(std::string("keys generate --kind ") + k).code, 0);
  }
  const std::string trust =
      "--json lists trust --root root.pem --issuer onpar.pub.json "
      "--out trust.cbor";
  Result before = run(trust);
  ASSERT_EQ(before.code, 0) << before.err;
  EXPECT_EQ(nlohmann::json::parse(before.out)["issuers"], 1);
  EXPECT_FALSE(fs::exists(dir_ / "registry.db"));  // no database made on the way
  ASSERT_EQ(run("init").code, 0);
  Result cert =
      run("kit certify darien-01 --out pkg --centre-key bundle-key.pem "
          "--root-pub root.pub.json");
  ASSERT_EQ(cert.code, 0) << cert.err;
  Result after = run(trust);
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out)["issuers"], 2);  // onpar and the kit
}

TEST_F(CliTest, FaceCheckReportsQualityWithExitCodes) {
  const std::string models_env = ModelsArg();
  Result r =
      Run("--json" + models_env + "face check " + Shared() + "/faces/dev/Barack_Obama/1.jpg");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["passed"].get<bool>());
  EXPECT_EQ(j["metrics"]["face_count"], 1);
  EXPECT_EQ(j["remarks"], nlohmann::json::array());

  // The same photo cut through the face box (not the eyes): it passes, with
  // a remark, in JSON and in text.
  const int cut = j["metrics"]["box"][0].get<int>() + j["metrics"]["box"][2].get<int>() * 15 / 100;
  const cv::Mat photo = cv::imread(Shared() + "/faces/dev/Barack_Obama/1.jpg");
  ASSERT_FALSE(photo.empty());
  ASSERT_TRUE(cv::imwrite((dir_ / "cut.jpg").string(), photo.colRange(cut, photo.cols)));
  r = Run("--json" + models_env + "face check cut.jpg");
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["passed"].get<bool>());
  ASSERT_EQ(j["remarks"].size(), 1u) << r.out;
  EXPECT_EQ(j["remarks"][0]["code"], "face_cut_off");
  r = Run(models_env + "face check cut.jpg");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("PASSED\n  note face_cut_off: the face is cut off at the edge of the photo"),
            std::string::npos)
      << r.out;

  std::ofstream(dir_ / "note.jpg") << "not a photo";
  r = Run("--json" + models_env + "face check note.jpg");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("image.not_an_image"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["code"], "INVALID_ARGUMENT");

  // A refused photo: exactly one JSON document, the report.
  r = Run("--json" + models_env + "face check " + Shared() + "/faces/dev/Jesse_Jackson/4.jpg");
  EXPECT_EQ(r.code, 3);
  auto refused = nlohmann::json::parse(r.out);
  EXPECT_FALSE(refused["passed"].get<bool>());
  EXPECT_EQ(refused["issues"][0]["code"], "too_blurry");
}

TEST_F(CliTest, FaceCompareDecidesWithTheCalibratedThreshold) {
  const std::string models_env = ModelsArg();
  const std::string dev = Shared() + "/faces/dev/";
  Result r =
      Run("--json" + models_env + "face compare " + dev + "Ashanti/1.jpg " + dev + "Ashanti/3.jpg");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["same_person"].get<bool>());
  r = Run("--json" + models_env + "face compare " + dev + "Ashanti/1.jpg " + dev +
          "Al_Sharpton/1.jpg");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["same_person"].get<bool>());
  EXPECT_LT(j["score"].get<double>(), j["threshold"].get<double>());
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run("").code, 2);
  EXPECT_EQ(Run("applicant frobnicate").code, 2);
  EXPECT_EQ(Run("applicant add --given-names X").code, 2);  // required options missing
}

}  // namespace
}  // namespace puente

namespace puente {
namespace {

// Bulk import with the real models and dev photos: refused rows reported
// with reasons, a duplicate held, and a second run after an interruption
// (--limit) enrolls nobody twice.
TEST_F(CliTest, ImportIsResumableAndReportsEveryRow) {
  ASSERT_EQ(Run("init").code, 0);
  const std::string shared = std::getenv("PUENTE_SHARED") != nullptr
                                 ? std::getenv("PUENTE_SHARED")
                                 : std::string(PUENTE_SOURCE_DIR) + "/../shared";
  const std::string models = std::getenv("PUENTE_MODELS_DIR") != nullptr
                                 ? std::getenv("PUENTE_MODELS_DIR")
                                 : std::string(PUENTE_SOURCE_DIR) + "/var/models";
  std::ofstream(dir_ / "people.csv")
      << "id,given_names,surname1,surname2,sex,date_of_birth,dob_precision,nationality,"
         "office_code,photo,documents\n"
         "r1,María "
         "José,Pérez,Núñez,F,1988-03-14,exact,VEN,101,Ashanti/1.jpg,passport:VEN:A1234567\n"
         "r2,Alberto,Costa,,M,1975,year,ESP,101,Albert_Costa/1.jpg,\n"
         "r3,\"Al\",Sharpton,,M,1954-10-03,exact,USA,101,Al_Sharpton/1.jpg,\n"
         "r4,Maria Jose,Nunez,Perez,F,1988-03-14,exact,VEN,101,Ashanti/4.jpg,\n"
         "r5,Blurry,Photo,,F,1990-01-01,exact,VEN,101,Jesse_Jackson/4.jpg,\n"
         "r6,No,Photo,,F,1990-01-01,exact,VEN,101,nobody.jpg,\n";
  const std::string cmd =
      "--models '" + models + "' --json import people.csv '" + shared + "/faces/dev'";
  Result first = Run(cmd + " --limit 2");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["enrolled_cleared"], 2);
  Result second = Run(cmd + " --report report.json");
  ASSERT_EQ(second.code, 0) << second.err;
  auto j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["already_imported"], 2);
  EXPECT_EQ(j["enrolled_cleared"], 1);
  EXPECT_EQ(j["held_for_adjudication"], 1);
  EXPECT_EQ(j["refused"], 2);
  EXPECT_NE(j["refused_rows"][0]["reason"].get<std::string>().find("quality check"),
            std::string::npos);
  EXPECT_EQ(j["refused_rows"][1]["line"], 7);
  EXPECT_NE(second.err.find("6/6"), std::string::npos);  // the progress bar
  EXPECT_TRUE(fs::exists(dir_ / "report.json"));
  // Nothing new a third time; four people in the registry.
  EXPECT_EQ(nlohmann::json::parse(Run(cmd).out)["already_imported"], 4);
  auto list = nlohmann::json::parse(Run("--json applicant list").out);
  EXPECT_EQ(list.size(), 4u);
  // A malformed CSV names the line.
  std::ofstream(dir_ / "bad.csv") << "id,given_names\nr1,\"unterminated\n";
  Result bad = Run("import bad.csv .");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
}

// A field kit and the centre through the CLI, as in Darién: certify, install,
// enroll and register a birth offline with its attestation, export a chunked
// bundle, import it at the centre (progress bar, report), import it again
// (nothing changes).
TEST_F(CliTest, FieldKitRegistersABirthAndSyncsWithTheCentre) {
  const std::string shared = std::getenv("PUENTE_SHARED") != nullptr
                                 ? std::getenv("PUENTE_SHARED")
                                 : std::string(PUENTE_SOURCE_DIR) + "/../shared";
  const std::string models = std::getenv("PUENTE_MODELS_DIR") != nullptr
                                 ? std::getenv("PUENTE_MODELS_DIR")
                                 : std::string(PUENTE_SOURCE_DIR) + "/var/models";
  auto at = [&](const std::string& db, const std::string& args) {
    const std::string cmd = "cd '" + dir_.string() + "' && env -u PUENTE_MASTER_KEY -u PUENTE_DB " +
                            "PUENTE_ACTOR=luis.officer PUENTE_KEY_PASSPHRASE=field-pass-123 '" +
                            PUENTE_BIN "' --models '" + models + "' --db sqlite:" + db +
                            ".db --key-file " + db + ".key " + args;
    return testing::RunShell(cmd, (dir_ / "stderr.txt").string());
  };
  ASSERT_EQ(at("centre", "init").code, 0);
  ASSERT_EQ(at("centre", "keys generate --kind root --out root").code, 0);
  ASSERT_EQ(at("centre", "keys generate --kind institution --out bundle-key").code, 0);
  Result cert = at("centre",
                   "--json kit certify darien-01 --out pkg --centre-key bundle-key.pem "
                   "--root-pub root.pub.json");
  ASSERT_EQ(cert.code, 0) << cert.err;
  EXPECT_EQ(nlohmann::json::parse(cert.out)["office_code"], "901");
  ASSERT_EQ(at("kit", "init").code, 0);
  Result init = at("kit", "kit init pkg");
  ASSERT_EQ(init.code, 0) << init.err;
  EXPECT_EQ(at("kit", "kit init pkg").code, 5);  // once only (a conflict)

  // Offline: two people enrolled, a registration day, a birth.
  std::ofstream(dir_ / "people.csv")
      << "id,given_names,surname1,sex,date_of_birth,nationality,office_code,photo\n"
         "k1,Ashanti,Douglas,F,1990-02-03,VEN,901,Ashanti/1.jpg\n"
         "k2,Alberto,Costa,M,1975-06-25,COL,901,Albert_Costa/1.jpg\n";
  Result enrolled = at("kit", "--json import people.csv '" + shared + "/faces/dev'");
  ASSERT_EQ(enrolled.code, 0) << enrolled.err;
  Result open = at("kit",
                   "--json jornada open --location PA-5-DAR-01 --from 2026-11-22 "
                   "--to 2026-11-24 --officers luis.officer");
  ASSERT_EQ(open.code, 0) << open.err;
  const std::string jornada = nlohmann::json::parse(open.out)["id"];
  Result birth = at("kit",
                    "--json birth register --given-names Luz --surname1 Caisamo "
                    "--born-on 2026-11-21 --place-code PA-5-DAR-01 --facility partera "
                    "--mother-name 'Elena Caisamo' --mother-nationality COL --jornada " +
                        jornada + " --attest --out luz");
  ASSERT_EQ(birth.code, 0) << birth.err;
  auto b = nlohmann::json::parse(birth.out);
  EXPECT_EQ(b["birth_number"].get<std::string>().substr(0, 9), "901-2026-");
  EXPECT_EQ(b["attestation"]["provisional"], true);
  EXPECT_TRUE(fs::exists(dir_ / "luz.png"));
  EXPECT_TRUE(fs::exists(dir_ / "luz.pdf"));
  Result bad = at("kit",
                  "birth register --given-names Luz --surname1 Caisamo --born-on 2030-01-01 "
                  "--place-code X --facility y");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.err.find("born_on"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("parents"), std::string::npos) << bad.err;
  ASSERT_EQ(at("kit", "jornada close " + jornada).code, 0);
  // The civil registry's batch: signed by the kit, only the registry opens it.
  ASSERT_EQ(at("centre", "keys generate --kind institution --out civil").code, 0);
  Result batch = at("kit", "--json birth export --to civil.pub.json --out births.batch");
  ASSERT_EQ(batch.code, 0) << batch.err;
  EXPECT_EQ(nlohmann::json::parse(batch.out)["count"], 1);
  Result opened =
      at("kit", "--json birth open births.batch --key civil.pem --signer pkg/kit.pub.json");
  ASSERT_EQ(opened.code, 0) << opened.err;
  auto ob = nlohmann::json::parse(opened.out);
  ASSERT_EQ(ob["births"].size(), 1u);
  EXPECT_EQ(ob["births"][0]["birth_number"], b["birth_number"]);
  EXPECT_EQ(ob["births"][0]["record"]["parents"][0]["full_name"], "Elena Caisamo");
  Result not_ours =
      at("kit", "birth open births.batch --key bundle-key.pem --signer pkg/kit.pub.json");
  EXPECT_EQ(not_ours.code, 3);
  EXPECT_NE(not_ours.err.find("cannot be opened"), std::string::npos) << not_ours.err;

  Result exported = at("kit", "--json kit export usb --chunk-kib 4");
  ASSERT_EQ(exported.code, 0) << exported.err;
  auto e = nlohmann::json::parse(exported.out);
  EXPECT_EQ(e["applicants"], 2);
  EXPECT_EQ(e["births"], 1);
  EXPECT_GT(e["chunks"].get<int>(), 2);
  const std::string bundle = e["directory"];
  Result imported = at("centre", "kit import " + bundle + " --centre-key bundle-key.pem");
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_NE(imported.out.find("2 cleared"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("1 births"), std::string::npos) << imported.out;
  EXPECT_NE(imported.err.find("chunks"), std::string::npos);  // the progress bar
  Result again = at("centre", "kit import " + bundle + " --centre-key bundle-key.pem");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing changed"), std::string::npos) << again.out;
  auto births = nlohmann::json::parse(at("centre", "--json birth list").out);
  ASSERT_EQ(births["births"].size(), 1u);
  EXPECT_EQ(births["births"][0]["birth_number"], b["birth_number"]);
  // Without the centre's key a new bundle cannot be read.
  ASSERT_EQ(at("centre", "keys generate --kind institution --out other-key").code, 0);
  const std::string fresh =
      nlohmann::json::parse(at("kit", "--json kit export usb2").out)["directory"];
  Result wrong = at("centre", "kit import " + fresh + " --centre-key other-key.pem");
  EXPECT_EQ(wrong.code, 3);
  EXPECT_NE(wrong.err.find("cannot be opened"), std::string::npos) << wrong.err;
}

// Before leaving, the kit pulls over HTTP from a real puente-server: the trust
// and revocation lists and the people the centre knows in its region; offline,
// someone the centre knows is then held for adjudication on the kit itself, a
// guardian is identified by his card; back in range, the bundle is pushed over
// HTTP a chunk at a time and imported.
TEST_F(CliTest, KitPullsAndPushesOverHttp) {
  const std::string shared = std::getenv("PUENTE_SHARED") != nullptr
                                 ? std::getenv("PUENTE_SHARED")
                                 : std::string(PUENTE_SOURCE_DIR) + "/../shared";
  const std::string models = std::getenv("PUENTE_MODELS_DIR") != nullptr
                                 ? std::getenv("PUENTE_MODELS_DIR")
                                 : std::string(PUENTE_SOURCE_DIR) + "/var/models";
  const std::string env = "cd '" + dir_.string() + "' && env -u PUENTE_MASTER_KEY -u PUENTE_DB " +
                          "PUENTE_ACTOR=luis.officer PUENTE_KEY_PASSPHRASE=field-pass-123 ";
  auto at = [&](const std::string& db, const std::string& args) {
    return testing::RunShell(env + "'" + PUENTE_BIN + "' --models '" + models +
                                 "' --db sqlite:" + db + ".db --key-file " + db + ".key " + args,
                             (dir_ / "stderr.txt").string());
  };
  ASSERT_EQ(at("centre", "init").code, 0);
  for (const char* k : {"--kind root --out root", "--kind issuer --out issuer",
                        "--kind institution --out bundle-key"}) {
    ASSERT_EQ(at("centre", std::string("keys generate ") + k).code, 0);
  }
  std::ofstream(dir_ / "centre.csv")
      << "id,given_names,surname1,sex,date_of_birth,nationality,office_code,photo\n"
         "c1,Thomas,Fargo,M,1960-04-11,USA,101,Thomas_Fargo/1.jpg\n"
         "c2,Sophia,Loren,F,1950-09-20,ITA,105,Sophia_Loren/1.jpg\n";
  ASSERT_EQ(at("centre", "import centre.csv '" + shared + "/faces/dev'").code, 0);
  Result cert = at("centre",
                   "kit certify darien-01 --region 101 --out pkg --centre-key "
                   "bundle-key.pem --root-pub root.pub.json");
  ASSERT_EQ(cert.code, 0) << cert.err;
  ASSERT_EQ(at("kit", "init").code, 0);
  ASSERT_EQ(at("kit", "kit init pkg").code, 0);

  // The centre's service, on a free port.
  // "cd; env ... &": the background job is env, which execs the server, so
  // $! is the server's pid.
  std::string server_env = env;
  server_env.replace(server_env.find("' && env"), 8, "'; env");
  ASSERT_EQ(testing::RunShell(server_env + "'" + PUENTE_SERVER_BIN + "' --db sqlite:centre.db " +
                                  "--key-file centre.key --models '" + models +
                                  "' --port 0 --root-key root.pem --issuer-key issuer.pem "
                                  "--bundle-key bundle-key.pem "
                                  "> server.log 2>&1 & echo $! > server.pid",
                              (dir_ / "stderr.txt").string())
                .code,
            0);
  int port = 0;
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::ifstream f(dir_ / "server.log");
    std::string line;
    while (std::getline(f, line)) {
      const size_t colon = line.rfind(':');
      if (line.find("listening on") != std::string::npos && colon != std::string::npos) {
        port = std::stoi(line.substr(colon + 1));
      }
    }
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string pid;
  std::ifstream(dir_ / "server.pid") >> pid;
  struct Killer {
    std::string pid;
    ~Killer() {
      if (!pid.empty()) std::system(("kill -9 " + pid + " 2>/dev/null").c_str());
    }
  } killer{pid};
  ASSERT_GT(port, 0) << "puente-server did not start";

  Result pulled = at("kit", "--json kit pull --server http://127.0.0.1:" + std::to_string(port) +
                                " --lists-dir lists");
  ASSERT_EQ(pulled.code, 0) << pulled.err;
  auto p = nlohmann::json::parse(pulled.out);
  EXPECT_EQ(p["added"], 1);            // Thomas (office 101); not Sophia (105)
  EXPECT_EQ(p["trusted_issuers"], 2);  // the office's issuer key and this kit's
  EXPECT_TRUE(fs::exists(dir_ / "lists/trust.cbor"));
  EXPECT_TRUE(fs::exists(dir_ / "lists/revoked.cbor"));
  Result again = at("kit", "--json kit pull --server http://127.0.0.1:" + std::to_string(port));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["added"], 0);

  // Offline: Thomas comes to the kit with another spelling: held on the kit.
  std::ofstream(dir_ / "kit.csv")
      << "id,given_names,surname1,sex,date_of_birth,nationality,office_code,photo\n"
         "k1,Tomas,Fargo,M,1960-04-11,USA,901,Thomas_Fargo/2.jpg\n";
  Result held = at("kit", "--json import kit.csv '" + shared + "/faces/dev'");
  ASSERT_EQ(held.code, 0) << held.err;
  EXPECT_EQ(nlohmann::json::parse(held.out)["held_for_adjudication"], 1) << held.out;

  // A birth whose guardian is identified by scanning his card (the office's
  // card, checked with the pulled lists); a card of an unknown issuer is refused.
  std::string thomas;
  for (const auto& a : nlohmann::json::parse(at("centre", "--json applicant list").out)) {
    if (a["given_names"] == "Thomas") thomas = a["registration_number"];
  }
  ASSERT_FALSE(thomas.empty());
  ASSERT_EQ(at("centre",
               "card issue --issuer-key issuer.pem --serial 2026000001 "
               "--registration-number " +
                   thomas + " --name 'Thomas Fargo' --out thomas")
                .code,
            0);
  Result born = at("kit",
                   "--json birth register --given-names Ana --surname1 Fargo "
                   "--born-on 2026-11-21 --place-code PA-5-DAR-01 --facility partera "
                   "--guardian-card thomas.png --lists-dir lists --attest --out ana");
  ASSERT_EQ(born.code, 0) << born.err;
  Result shown = at("kit", "--json birth list");
  EXPECT_NE(shown.out.find(thomas), std::string::npos) << shown.out;
  ASSERT_EQ(at("centre", "keys generate --kind issuer --out rogue").code, 0);
  ASSERT_EQ(at("centre",
               "card issue --issuer-key rogue.pem --serial 2026000002 "
               "--registration-number " +
                   thomas + " --name 'Thomas Fargo' --out fake")
                .code,
            0);
  Result fake = at("kit",
                   "birth register --given-names Eva --surname1 Fargo --born-on 2026-11-21 "
                   "--place-code PA-5-DAR-01 --facility partera --guardian-card fake.qr.txt "
                   "--lists-dir lists");
  EXPECT_EQ(fake.code, 3);
  EXPECT_NE(fake.err.find("does not verify"), std::string::npos) << fake.err;

  // Reviewing needs no face models: the queue lists with an empty models folder.
  std::filesystem::create_directories(dir_ / "no-models");
  Result bare =
      testing::RunShell("cd '" + dir_.string() + "' && env -u PUENTE_MASTER_KEY -u PUENTE_DB " +
                            "PUENTE_ACTOR=luis.officer '" + PUENTE_BIN "' --models '" +
                            (dir_ / "no-models").string() +
                            "' --db sqlite:kit.db --key-file kit.key --json review list",
                        (dir_ / "stderr.txt").string());
  ASSERT_EQ(bare.code, 0) << bare.err;
  EXPECT_EQ(nlohmann::json::parse(bare.out)["held"].size(), 1u);

  // The supervisor adjudicates on the kit: Tomas is Thomas.
  Result review = at("kit", "--json review list");
  ASSERT_EQ(review.code, 0) << review.err;
  auto held_list = nlohmann::json::parse(review.out)["held"];
  ASSERT_EQ(held_list.size(), 1u);
  ASSERT_FALSE(held_list[0]["candidates"].empty());
  EXPECT_EQ(held_list[0]["candidates"][0]["registration_number"], thomas);
  const std::string candidate = held_list[0]["candidates"][0]["id"];
  EXPECT_EQ(at("kit", "review decide " + candidate + " maybe --note x").code, 3);
  Result decided =
      at("kit", "--json review decide " + candidate + " same_person --note 'same face, same dob'");
  ASSERT_EQ(decided.code, 0) << decided.err;
  EXPECT_EQ(nlohmann::json::parse(decided.out)["status"], "duplicate");
  EXPECT_EQ(nlohmann::json::parse(at("kit", "--json review list").out)["held"].size(), 0u);

  // Back in range: the bundle goes over HTTP, on a metered link one chunk
  // at a time; each run resumes, and the centre imports once all are in.
  const std::string url = " --server http://127.0.0.1:" + std::to_string(port);
  Result exported = at("kit", "--json kit export usb --chunk-kib 1");
  ASSERT_EQ(exported.code, 0) << exported.err;
  // Compressed before sealing: smaller than the records' JSON.
  EXPECT_LT(nlohmann::json::parse(exported.out)["bytes"].get<size_t>(),
            nlohmann::json::parse(exported.out)["payload_bytes"].get<size_t>());
  const std::string bundle = nlohmann::json::parse(exported.out)["directory"];
  const int chunks = nlohmann::json::parse(exported.out)["chunks"];
  ASSERT_GT(chunks, 2);
  Result part = at("kit", "--json kit push " + bundle + url + " --max-chunks 1");
  EXPECT_EQ(part.code, 7) << part.err;
  auto pj = nlohmann::json::parse(part.out);
  EXPECT_EQ(pj["complete"], false);
  EXPECT_EQ(pj["missing"].size(), static_cast<size_t>(chunks - 1));
  Result rest = at("kit", "--json kit push " + bundle + url);
  ASSERT_EQ(rest.code, 0) << rest.err;
  auto rj = nlohmann::json::parse(rest.out);
  EXPECT_EQ(rj["complete"], true);
  EXPECT_EQ(rj["chunks_sent_now"], chunks - 1);
  EXPECT_EQ(rj["births"], 1);
  Result twice = at("kit", "kit push " + bundle + url);
  ASSERT_EQ(twice.code, 0) << twice.err;
  EXPECT_NE(twice.out.find("nothing changed"), std::string::npos) << twice.out;
  // An edited manifest is refused by the centre, which keeps nothing of it.
  const std::string fresh =
      nlohmann::json::parse(at("kit", "--json kit export usb2").out)["directory"];
  {
    std::ifstream in(dir_ / fresh / "manifest.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at_pos = text.find("\"created_at\"");
    ASSERT_NE(at_pos, std::string::npos);
    text.replace(text.find("2026", at_pos), 4, "2025");
    std::ofstream(dir_ / fresh / "manifest.json") << text;
  }
  Result forged = at("kit", "kit push " + fresh + url);
  EXPECT_EQ(forged.code, 3) << forged.err;
  EXPECT_NE(forged.err.find("tampered"), std::string::npos) << forged.err;

  // No link: a clear error, exit 7, nothing changed.
  Result down = at("kit", "kit pull --server http://127.0.0.1:1");
  EXPECT_EQ(down.code, 7);
  EXPECT_NE(down.err.find("no answer"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace puente
