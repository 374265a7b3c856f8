// The trust list a centre publishes (server and `puente lists trust` alike):
// the configured issuers as given, then the registry's active field kits
// whose keys are still valid, signed by the root; without a registry, the
// issuers only. On SQLite and the real PostgreSQL.
#include "puente/registry/trust_publication.h"

#include <gtest/gtest.h>

#include "puente/registry/kits.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

constexpr int64_t kDay = 86400;

credentials::TrustedIssuer OfficeIssuer(const credentials::SigningIdentity& key, int64_t now) {
  credentials::TrustedIssuer t;
  t.kid = key.kid();
  t.alg = key.key().algorithm();
  t.public_key = key.key().verifying_key().raw();
  t.name = "ONPAR 2026-A";
  t.not_before = now - kDay;
  t.not_after = now + 730 * kDay;
  t.card_types = {credentials::CardType::kAsylumSeeker};
  return t;
}

class TrustPublicationTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    reg_ = puente::testing::OpenMigratedRegistry(db_, key_);
    ASSERT_NE(reg_, nullptr);
  }
  // The published list, checked with the root's public key.
  credentials::TrustList Published(Registry* reg, const TrustPublication& p) {
    auto published = PublishTrustList(reg, p, root_);
    EXPECT_TRUE(published.ok()) << published.status();
    if (!published.ok()) return {};
    auto verified =
        credentials::VerifyTrustList(published->signed_bytes, root_.key().verifying_key());
    EXPECT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(published->list.issuers.size(), verified.ok() ? verified->issuers.size() : 0u);
    return verified.ok() ? *verified : credentials::TrustList{};
  }

  TestDatabase db_{GetParam()};
  crypto::SecretKey key_ = puente::testing::NewMasterKey();
  std::unique_ptr<Registry> reg_;
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::SigningIdentity issuer_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
};

TEST_P(TrustPublicationTest, WithoutARegistryPublishesTheIssuersOnly) {
  const int64_t now = std::time(nullptr);
  KitAuthority centre(*reg_);
  auto kit = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  ASSERT_TRUE(centre.Certify("admin", "darien-01", kit.verifying_key(), 60, 30).ok());
  const credentials::TrustList list =
      Published(nullptr, {now, now + 7 * kDay, {OfficeIssuer(issuer_, now)}});
  EXPECT_EQ(list.sequence, static_cast<uint64_t>(now));
  EXPECT_EQ(list.issued_at, now);
  EXPECT_EQ(list.next_update, now + 7 * kDay);
  ASSERT_EQ(list.issuers.size(), 1u);
  EXPECT_EQ(list.issuers[0].name, "ONPAR 2026-A");
  EXPECT_EQ(list.issuers[0].not_after, now + 730 * kDay);
}

TEST_P(TrustPublicationTest, AddsTheActiveKitsWithTheirNarrowRights) {
  const int64_t now = std::time(nullptr);
  KitAuthority centre(*reg_);
  auto k1 = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto k2 = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  ASSERT_TRUE(centre.Certify("admin", "darien-01", k1.verifying_key(), 60, 30).ok());
  ASSERT_TRUE(centre.Certify("admin", "chiriqui-01", k2.verifying_key(), 60, 30).ok());
  ASSERT_TRUE(centre.Retire("admin", "chiriqui-01").ok());
  const credentials::TrustList list =
      Published(reg_.get(), {now, now + kDay, {OfficeIssuer(issuer_, now)}});
  ASSERT_EQ(list.issuers.size(), 2u);  // the office's issuer, then the active kit
  EXPECT_EQ(list.issuers[0].kid, issuer_.kid());
  EXPECT_FALSE(list.issuers[0].provisional_only);
  EXPECT_EQ(list.issuers[1].name, "kit darien-01");
  EXPECT_EQ(list.issuers[1].kid, credentials::KeyIdOf(k1.verifying_key()));
  EXPECT_TRUE(list.issuers[1].provisional_only);
  EXPECT_EQ(list.issuers[1].max_validity_seconds, 30 * kDay);
}

TEST_P(TrustPublicationTest, LeavesOutKitsWhoseKeysExpiredByTheIssueTime) {
  const int64_t now = std::time(nullptr);
  KitAuthority centre(*reg_);
  auto k1 = *crypto::SigningKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto record = centre.Certify("admin", "darien-01", k1.verifying_key(), 60, 30);
  ASSERT_TRUE(record.ok()) << record.status();
  const int64_t later = record->not_after;  // the key's last second: no longer valid after it
  const credentials::TrustList list =
      Published(reg_.get(), {later, later + kDay, {OfficeIssuer(issuer_, later)}});
  ASSERT_EQ(list.issuers.size(), 1u);
  EXPECT_EQ(list.issuers[0].kid, issuer_.kid());
  EXPECT_EQ(Published(reg_.get(), {later - 1, later, {}}).issuers.size(), 1u);  // still valid
}

INSTANTIATE_TEST_SUITE_P(Backends, TrustPublicationTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
