// Field kits on SQLite and the real PostgreSQL: certification assigns each
// kit an office code of its own and narrow trust-list rights; a kit's
// installed identity survives reopening (its key sealed in the database);
// jornadas open, count what was registered and close.
#include "puente/registry/kits.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "biometrics/biometrics_test_support.h"
#include "puente/registry/births.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

class KitsTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    reg_ = puente::testing::OpenMigratedRegistry(db_, key_);
    ASSERT_NE(reg_, nullptr);
  }
  TestDatabase db_{GetParam()};
  crypto::SecretKey key_ = puente::testing::NewMasterKey();
  std::unique_ptr<Registry> reg_;
};

TEST_P(KitsTest, CertificationGivesEachKitItsOwnOfficeAndNarrowRights) {
  KitAuthority centre(*reg_);
  auto k1 = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto k2 = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto a = centre.Certify("admin", "darien-01", k1.verifying_key(), 60, 30);
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = centre.Certify("admin", "chiriqui-01", k2.verifying_key(), 60, 30);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->office_code, "901");
  EXPECT_EQ(b->office_code, "902");
  EXPECT_EQ(centre.Certify("admin", "darien-01", k2.verifying_key(), 60, 30).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(centre.Certify("admin", "Darién 1", k2.verifying_key(), 60, 30).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(centre.Certify("admin", "bocas-01", k2.verifying_key(), 60, 365).status().code(),
            absl::StatusCode::kInvalidArgument);
  const credentials::TrustedIssuer t = TrustEntryOf(*a);
  EXPECT_TRUE(t.provisional_only);
  EXPECT_EQ(t.max_validity_seconds, 30 * 86400);
  EXPECT_EQ(t.kid, credentials::KeyIdOf(k1.verifying_key()));
  EXPECT_EQ(t.not_after - t.not_before, 61 * 86400);
  // Retired kits stay listed (their bundles are refused), once.
  ASSERT_TRUE(centre.Retire("admin", "chiriqui-01").ok());
  EXPECT_EQ(centre.Retire("admin", "chiriqui-01").code(), absl::StatusCode::kFailedPrecondition);
  auto all = centre.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].status, "retired");
  EXPECT_EQ(centre.Get("nowhere-01").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(KitsTest, InstalledIdentitySurvivesReopeningAndIsSealed) {
  auto none = LoadKitIdentity(*reg_);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());  // the centre has no kit identity
  KitIdentity id;
  id.kit_id = "darien-01";
  id.office_code = "901";
  id.key = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  id.not_after = 2000000000;
  id.max_validity_days = 30;
  id.root_public_key = std::string(32, 'r');
  id.centre_bundle_key = std::string(32, 'c');
  ASSERT_TRUE(InstallKitIdentity(*reg_, "admin", id).ok());
  EXPECT_EQ(InstallKitIdentity(*reg_, "admin", id).code(), absl::StatusCode::kAlreadyExists);
  reg_.reset();
  auto reopened = Registry::Open(db_.url(), key_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto loaded = LoadKitIdentity(**reopened);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->has_value());
  const KitIdentity& k = **loaded;
  EXPECT_EQ(k.office_code, "901");
  EXPECT_EQ(k.key->kid(), id.key->kid());
  auto sig = k.key->key().Sign("attestation");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(id.key->key().verifying_key().Verify("attestation", *sig).ok());
  EXPECT_EQ(k.centre_bundle_key, id.centre_bundle_key);
  // The private key is not in the database in the clear.
  auto conn = db_.Connect();
  std::string stored;
  puente::registry::internal::Session(*conn) << "SELECT signing_key_enc FROM kit_identity",
      soci::into(stored);
  EXPECT_EQ(stored.find("PRIVATE KEY"), std::string::npos);
}

TEST_P(KitsTest, JornadaCountsWhatWasRegisteredAndCloses) {
  Jornadas jornadas(*reg_);
  auto bad = jornadas.Open("ana", "darien-01", "", "2026-11-23", "2026-11-20", {});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"location_code", "ends_on", "officers"}) {
    EXPECT_NE(bad.status().message().find(field), std::string::npos) << bad.status();
  }
  auto j =
      jornadas.Open("ana", "darien-01", "PA-5-DAR-01", "2026-11-22", "2026-11-24", {"ana", "luis"});
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->status, "open");
  // A birth during the jornada (the parent from documents: no enrollment here).
  auto c = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
  ASSERT_TRUE(c.ok()) << c.status();
  auto service = EnrollmentService::Create(*reg_, **c);
  ASSERT_TRUE(service.ok());
  BirthRegistry births(*reg_, **service);
  NewBirth b;
  b.given_names = "Luz";
  b.surname1 = "Caisamo";
  b.born_on = "2026-11-21";
  b.place_code = "PA-5-DAR-01";
  b.facility = "partera";
  b.office_code = "901";
  b.jornada_id = j->id;
  BirthParent mother;
  mother.full_name = "Elena Caisamo";
  b.parents = {mother};
  ASSERT_TRUE(births.Register("ana", b).ok());
  auto closed = jornadas.Close("ana", j->id);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, "closed");
  const auto counts = nlohmann::json::parse(closed->counts);
  EXPECT_EQ(counts["births"], 1);
  EXPECT_EQ(counts["enrollments"], 0);
  EXPECT_EQ(jornadas.Close("ana", j->id).status().code(), absl::StatusCode::kFailedPrecondition);
  // No more births on a closed jornada.
  EXPECT_EQ(births.Register("ana", b).status().code(), absl::StatusCode::kFailedPrecondition);
  auto list = jornadas.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).officers, (std::vector<std::string>{"ana", "luis"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, KitsTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
