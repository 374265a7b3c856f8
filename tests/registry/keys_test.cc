#include "puente/registry/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "puente/crypto/encoding.h"
#include "test_support.h"

namespace puente::registry {
namespace {

namespace fs = std::filesystem;
using puente::testing::TestDatabase;

fs::path TempPath(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("puente-keys-" + crypto::HexEncode(*crypto::RandomBytes(4)));
  fs::create_directories(dir);
  return dir / name;
}

TEST(MasterKeyFileTest, CreatesPrivateFileAndNeverOverwrites) {
  unsetenv("PUENTE_MASTER_KEY");
  const fs::path p = TempPath("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(p.string()).ok());
  struct stat st;
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto k1 = LoadMasterKey(p.string());
  ASSERT_TRUE(k1.ok()) << k1.status();
  EXPECT_EQ(CreateMasterKeyFile(p.string()).code(), absl::StatusCode::kAlreadyExists);
  auto k2 = LoadMasterKey(p.string());
  EXPECT_EQ(k1->bytes(crypto::InsecureSecretKeyAccess::Get()),
            k2->bytes(crypto::InsecureSecretKeyAccess::Get()));
}

TEST(MasterKeyFileTest, ClearErrorsForMissingLooseOrMalformedFiles) {
  unsetenv("PUENTE_MASTER_KEY");
  auto missing = LoadMasterKey("/nonexistent/master.key");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("puente init"), std::string::npos);

  const fs::path loose = TempPath("loose.key");
  ASSERT_TRUE(CreateMasterKeyFile(loose.string()).ok());
  ::chmod(loose.c_str(), 0644);
  EXPECT_EQ(LoadMasterKey(loose.string()).status().code(), absl::StatusCode::kPermissionDenied);

  const fs::path junk = TempPath("junk.key");
  std::ofstream(junk) << "puente-master-key-v1 bm90IGEga2V5\n";
  ::chmod(junk.c_str(), 0600);
  EXPECT_EQ(LoadMasterKey(junk.string()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MasterKeyFileTest, EnvironmentVariableOverridesFile) {
  auto key = crypto::SecretKey::Generate();
  const std::string b64 = crypto::Base64Encode(key->bytes(crypto::InsecureSecretKeyAccess::Get()));
  setenv("PUENTE_MASTER_KEY", b64.c_str(), 1);
  auto loaded = LoadMasterKey("/nonexistent/ignored.key");
  unsetenv("PUENTE_MASTER_KEY");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->bytes(crypto::InsecureSecretKeyAccess::Get()),
            key->bytes(crypto::InsecureSecretKeyAccess::Get()));
}

class KeyRingTest : public ::testing::TestWithParam<Dialect> {
 protected:
  TestDatabase db_{GetParam()};
};

TEST_P(KeyRingTest, WrongMasterKeyIsAClearErrorNotGarbage) {
  PUENTE_REQUIRE_DB(db_);
  const auto right = puente::testing::NewMasterKey();
  {
    auto reg = puente::testing::OpenMigratedRegistry(db_, right);
    ASSERT_NE(reg, nullptr);
    ASSERT_TRUE(reg->AddApplicant("ana.officer", puente::testing::SampleApplicant()).ok());
  }
  auto wrong = Registry::Open(db_.url(), puente::testing::NewMasterKey());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(wrong.status().message()).find("master key does not match"),
            std::string::npos);
  // The right key still opens it.
  EXPECT_TRUE(Registry::Open(db_.url(), right).ok());
}

TEST_P(KeyRingTest, SealedValuesAreBoundToTheirPlace) {
  PUENTE_REQUIRE_DB(db_);
  auto reg = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey());
  ASSERT_NE(reg, nullptr);
  const KeyRing& keys = reg->keys();
  auto sealed = keys.Seal("Pérez", "applicants.surname1/abc");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*keys.Open(*sealed, "applicants.surname1/abc"), "Pérez");
  auto moved = keys.Open(*sealed, "applicants.surname1/other-record");
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kDataLoss);
  // Blind indexes are deterministic per domain, different across domains.
  EXPECT_EQ(*keys.BlindIndex("reg_no", "x"), *keys.BlindIndex("reg_no", "x"));
  EXPECT_NE(*keys.BlindIndex("reg_no", "x"), *keys.BlindIndex("document", "x"));
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyRingTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
