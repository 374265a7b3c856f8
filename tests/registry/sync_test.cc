// Sync between field kits (SQLite, as in the field) and the centre (SQLite
// and the real PostgreSQL), with the real face models: two kits enrolling the
// same person are flagged on import; an interrupted import resumes with no
// duplicates; the same bundle twice changes nothing; a tampered chunk, a
// truncated bundle and a foreign kit's bundle are refused with nothing
// imported; a kit clock an hour ahead is detected and recorded; a kit's
// provisional card verifies offline and shows REVOKED once the centre revokes it.
#include "puente/registry/sync.h"

#include <gtest/gtest.h>

#include <soci/soci.h>

#include <filesystem>
#include <fstream>

#include "biometrics/biometrics_test_support.h"
#include "puente/credentials/verifier.h"
#include "puente/registry/births.h"
#include "puente/registry/cards.h"
#include "test_support.h"

namespace puente::registry {
namespace {

namespace fs = std::filesystem;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;
using puente::testing::TestDatabase;

// A kit: its own SQLite registry, certified by the centre, identity installed.
struct Kit {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Registry> reg;
  std::unique_ptr<EnrollmentService> service;
  KitRecord record;
  credentials::SigningIdentity key =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
};

class SyncTest : public ::testing::TestWithParam<Dialect> {
 protected:
  static void SetUpTestSuite() {
    auto c = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
    ASSERT_TRUE(c.ok()) << c.status();
    capture_ = c->release();
  }
  static void TearDownTestSuite() {
    delete capture_;
    capture_ = nullptr;
  }
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    centre_ = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey());
    ASSERT_NE(centre_, nullptr);
    service_ = std::move(*EnrollmentService::Create(*centre_, *capture_));
    importer_ = std::make_unique<BundleImporter>(*centre_, *service_, centre_key_);
    out_ = ::testing::TempDir() + "/puente-sync-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(out_);
    fs::create_directories(out_);
  }
  void TearDown() override { fs::remove_all(out_); }

  std::unique_ptr<Kit> MakeKit(const std::string& kit_id, const Clock* clock = nullptr) {
    auto kit = std::make_unique<Kit>();
    kit->db = std::make_unique<TestDatabase>(Dialect::kSqlite);
    const crypto::SecretKey key = puente::testing::NewMasterKey();
    kit->reg = puente::testing::OpenMigratedRegistry(*kit->db, key);
    if (clock != nullptr) kit->reg = std::move(*Registry::Open(kit->db->url(), key, *clock));
    kit->service = std::move(*EnrollmentService::Create(*kit->reg, *capture_));
    auto rec = KitAuthority(*centre_).Certify("admin", kit_id, kit->key.key().verifying_key(), 60, 30);
    EXPECT_TRUE(rec.ok()) << rec.status();
    kit->record = *rec;
    KitIdentity id;
    id.kit_id = kit_id;
    id.office_code = rec->office_code;
    id.key = kit->key;
    id.not_after = rec->not_after;
    id.max_validity_days = 30;
    id.root_public_key = root_.key().verifying_key().raw();
    id.centre_bundle_key = centre_key_.key().public_key();
    id.centre_time_seen = absl::ToUnixSeconds(puente::testing::TestClock().Now()) - 3600;
    EXPECT_TRUE(InstallKitIdentity(*kit->reg, "admin", id).ok());
    return kit;
  }

  Enrollment EnrollAt(Kit& kit, const char* given, const char* surname, const char* person,
                      int photo) {
    NewApplicant a = puente::testing::SampleApplicant();
    a.given_names = given;
    a.surname1 = surname;
    a.surname2 = "";
    a.documents.clear();
    a.office_code = kit.record.office_code;
    auto e = kit.service->Enroll("kit.officer", a, ReadBytes(DevPhoto(person, photo)));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : Enrollment{};
  }

  BundleSummary Export(Kit& kit, size_t chunk = kDefaultChunkBytes) {
    auto b = ExportBundle(*kit.reg, "kit.officer", out_, chunk);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : BundleSummary{};
  }

  int Count(const std::string& table) {
    auto conn = db_.Connect();
    int n = -1;
    conn->session() << "SELECT count(*) FROM " + table, soci::into(n);
    return n;
  }

  static biometrics::FaceCapture* capture_;
  TestDatabase db_{GetParam()};
  std::unique_ptr<Registry> centre_;
  std::unique_ptr<EnrollmentService> service_;
  credentials::InstitutionKey centre_key_ = *credentials::InstitutionKey::Generate();
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  std::unique_ptr<BundleImporter> importer_;
  std::string out_;
};
biometrics::FaceCapture* SyncTest::capture_ = nullptr;

TEST_P(SyncTest, TheSamePersonEnrolledByTwoKitsIsFlaggedOnImport) {
  auto darien = MakeKit("darien-01");
  auto chiriqui = MakeKit("chiriqui-01");
  const Enrollment first = EnrollAt(*darien, "Ashanti", "Douglas", "Ashanti", 1);
  EnrollAt(*darien, "Alberto", "Costa", "Albert_Costa", 1);
  // Days later, another kit, another name: the same face.
  const Enrollment again = EnrollAt(*chiriqui, "Rosa", "Martínez", "Ashanti", 4);
  EXPECT_EQ(first.applicant.registration_number.substr(0, 4), "901-");
  EXPECT_EQ(again.applicant.registration_number.substr(0, 4), "902-");

  auto a = importer_->Import("sync", Export(*darien).directory);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->complete);
  EXPECT_EQ(a->enrolled_cleared, 2) << (a->problems.empty() ? "" : a->problems[0]);
  auto b = importer_->Import("sync", Export(*chiriqui).directory);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->held_for_adjudication, 1);
  ASSERT_EQ(b->held, std::vector<std::string>{again.applicant.registration_number});
  auto held = service_->GetEnrollment("sara", again.applicant.registration_number);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->candidates.size(), 1u);
  EXPECT_EQ(held->candidates[0].registration_number, first.applicant.registration_number);
  // Two records, never a merged or second identity without a decision.
  EXPECT_EQ(Count("applicants"), 3);
}

TEST_P(SyncTest, InterruptedImportResumesAndTheSameBundleTwiceChangesNothing) {
  auto kit = MakeKit("darien-01");
  const Enrollment principal = EnrollAt(*kit, "Ashanti", "Douglas", "Ashanti", 1);
  NewApplicant child = puente::testing::SampleApplicant();
  child.given_names = "Alberto";
  child.surname1 = "Douglas";
  child.surname2 = "";
  child.documents.clear();
  child.office_code = kit->record.office_code;
  child.relationship = Relationship::kChild;
  child.date_of_birth = {2015, 3, 4, DatePrecision::kExact};
  child.case_number = principal.applicant.case_number;
  ASSERT_TRUE(kit->service->Enroll("kit.officer", child, ReadBytes(DevPhoto("Albert_Costa", 1))).ok());
  NewBirth birth;
  birth.given_names = "Luz";
  birth.surname1 = "Douglas";
  birth.born_on = "2026-11-20";
  birth.place_code = "PA-5-DAR-01";
  birth.facility = "partera comunitaria";
  birth.office_code = kit->record.office_code;
  BirthParent mother;
  mother.registration_number = principal.applicant.registration_number;
  birth.parents = {mother};
  BirthRegistry births(*kit->reg, *kit->service);
  auto born = births.Register("kit.officer", birth);
  ASSERT_TRUE(born.ok()) << born.status();
  CardAuthority kit_authority{kit->key, "PA-KIT-DARIEN-01", {}, 30, true,
                              kit->record.office_code};
  ASSERT_TRUE(births.Attest("kit.officer", born->birth_number, kit_authority).ok());

  const BundleSummary bundle = Export(*kit, 4 * 1024);  // small chunks: a slow link
  ASSERT_GE(bundle.chunks, 4);
  // The link drops after two chunks: nothing is imported yet.
  auto partial = importer_->Import("sync", bundle.directory, nullptr, 2);
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_FALSE(partial->complete);
  EXPECT_EQ(partial->chunks_staged_now, 2);
  EXPECT_EQ(Count("applicants"), 0);
  // Resumed: only the missing chunks move, and everything comes in.
  auto resumed = importer_->Import("sync", bundle.directory);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE(resumed->complete);
  EXPECT_EQ(resumed->chunks_staged_now, bundle.chunks - 2);
  EXPECT_EQ(resumed->enrolled_cleared, 2) << (resumed->problems.empty() ? "" : resumed->problems[0]);
  EXPECT_EQ(resumed->births, 1);
  EXPECT_EQ(Count("applicants"), 2);
  EXPECT_EQ(Count("births"), 1);
  EXPECT_EQ(Count("sync_chunks"), 0);
  // The dependant joined the kit's case at the centre too.
  auto c = centre_->GetCase("auditor", principal.applicant.case_number);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->members.size(), 2u);
  // The attestation came with the birth.
  auto stored = BirthRegistry(*centre_, *service_).Get("auditor", born->birth_number);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->attestation_serial.has_value());
  EXPECT_FALSE(stored->attestation_qr.empty());

  // Twice: nothing changes.
  const int events = Count("audit_events");
  auto twice = importer_->Import("sync", bundle.directory);
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_TRUE(twice->already_imported);
  EXPECT_EQ(Count("applicants"), 2);
  EXPECT_EQ(Count("births"), 1);
  EXPECT_EQ(Count("audit_events"), events);
  // A new export of the same kit (the same records plus nothing new) is a new
  // bundle, but every record is already present.
  auto later = importer_->Import("sync", Export(*kit).directory);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->already_present, 2);
  EXPECT_EQ(later->births, 0);
  EXPECT_EQ(Count("applicants"), 2);
}

TEST_P(SyncTest, TamperedTruncatedAndForeignBundlesAreRefusedWithNothingImported) {
  auto kit = MakeKit("darien-01");
  EnrollAt(*kit, "Ashanti", "Douglas", "Ashanti", 1);
  const BundleSummary bundle = Export(*kit, 4 * 1024);
  std::vector<fs::path> chunks;
  for (const auto& f : fs::directory_iterator(bundle.directory)) {
    if (f.path().extension() == ".chunk") chunks.push_back(f.path());
  }
  ASSERT_GE(chunks.size(), 2u);
  // One flipped byte in one chunk.
  const fs::path victim = chunks[1];
  const std::string original = ReadBytes(victim.string());
  std::string altered = original;
  altered[altered.size() / 2] ^= 0x01;
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << altered;
  auto tampered = importer_->Import("sync", bundle.directory);
  ASSERT_EQ(tampered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(tampered.status().message().find("altered"), std::string::npos) << tampered.status();
  EXPECT_EQ(Count("applicants"), 0);
  // Truncated: the chunk is missing; the import waits for it.
  fs::remove(victim);
  auto truncated = importer_->Import("sync", bundle.directory);
  ASSERT_TRUE(truncated.ok()) << truncated.status();
  EXPECT_FALSE(truncated->complete);
  EXPECT_EQ(Count("applicants"), 0);
  // The manifest edited (a chunk hash replaced): its signature fails.
  std::string manifest = ReadBytes(bundle.directory + "/manifest.json");
  const std::string name = victim.stem().string();
  manifest.replace(manifest.find(name), 4, "0000");
  std::ofstream(bundle.directory + "/manifest.json", std::ios::trunc) << manifest;
  auto forged = importer_->Import("sync", bundle.directory);
  ASSERT_EQ(forged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(forged.status().message().find("signature"), std::string::npos) << forged.status();
  // A kit this centre never certified.
  TestDatabase other_db(Dialect::kSqlite);
  auto other = puente::testing::OpenMigratedRegistry(other_db, puente::testing::NewMasterKey());
  auto other_service = std::move(*EnrollmentService::Create(*other, *capture_));
  BundleImporter other_centre(*other, *other_service, centre_key_);
  auto fresh = Export(*kit);
  auto foreign = other_centre.Import("sync", fresh.directory);
  ASSERT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(foreign.status().message().find("foreign"), std::string::npos) << foreign.status();
  EXPECT_EQ(Count("applicants"), 0);
}

TEST_P(SyncTest, AKitClockAnHourAheadIsDetectedAndRecorded) {
  FixedClock ahead(puente::testing::TestClock().Now() + absl::Hours(1));
  auto kit = MakeKit("darien-01", &ahead);
  EnrollAt(*kit, "Ashanti", "Douglas", "Ashanti", 1);
  auto r = importer_->Import("sync", Export(*kit).directory);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->clock_skewed);
  EXPECT_EQ(r->clock_skew_seconds, 3600);
  auto conn = db_.Connect();
  long long recorded = 0;
  conn->session() << "SELECT clock_skew_seconds FROM sync_imports", soci::into(recorded);
  EXPECT_EQ(recorded, 3600);
  // An hour behind a centre time the kit had already seen.
  FixedClock behind(puente::testing::TestClock().Now() - absl::Hours(2));
  auto late = MakeKit("chiriqui-01", &behind);
  auto r2 = importer_->Import("sync", Export(*late).directory);
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_TRUE(r2->clock_skewed);
  EXPECT_EQ(r2->clock_skew_seconds, -3600);
}

TEST_P(SyncTest, AProvisionalCardVerifiesOfflineThenShowsRevokedAfterTheCentreRevokesIt) {
  auto kit = MakeKit("darien-01");
  const Enrollment e = EnrollAt(*kit, "Ashanti", "Douglas", "Ashanti", 1);
  CardAuthority kit_authority{kit->key, "PA-KIT-DARIEN-01", {}, 30, true, kit->record.office_code};
  CardOffice kit_office(*kit->reg, *kit->service, kit_authority);
  auto card = kit_office.Issue("kit.officer", e.applicant.registration_number,
                               credentials::CardType::kAsylumSeeker);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_TRUE(card->card.provisional);
  EXPECT_EQ(card->serial / 10000000000ULL, 901u);

  CardAuthority centre_authority{
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519), "PA-ONPAR",
      {}, 365, false, ""};
  CardOffice centre_office(*centre_, *service_, centre_authority);
  auto verify = [&]() {
    const int64_t now = absl::ToUnixSeconds(puente::testing::TestClock().Now());
    credentials::RevocationList revoked{1, now - 60, now + 86400, *centre_office.RevokedSerials()};
    auto v = credentials::CardVerifier::Create(
        root_.key().verifying_key(),
        *credentials::SignTrustList({1, now - 60, now + 86400, {TrustEntryOf(kit->record)}}, root_),
        *credentials::SignRevocationList(revoked, root_));
    EXPECT_TRUE(v.ok());
    return v->Verify(card->qr_text, now + 60);
  };
  auto before = verify();
  ASSERT_EQ(before.verdict, credentials::Verdict::kValid) << before.reason;
  EXPECT_TRUE(before.card->provisional);

  auto r = importer_->Import("sync", Export(*kit).directory);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->provisional_cards, 1);
  ASSERT_TRUE(centre_office.Revoke("sara", card->serial, "identity not confirmed").ok());
  EXPECT_EQ(verify().verdict, credentials::Verdict::kRevoked);
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
