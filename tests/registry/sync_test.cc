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

#include "absl/strings/str_join.h"
#include "biometrics/biometrics_test_support.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/verifier.h"
#include "puente/registry/births.h"
#include "puente/registry/cards.h"
#include "puente/registry/regional.h"
#include "registry/storage/internal/session.h"
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

// The centre is the fixture's registry (reg_, master key key_, database db_).
class SyncTest : public puente::testing::EnrollmentServiceTest {
 protected:
  void SetUp() override {
    EnrollmentServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    importer_ = std::make_unique<BundleImporter>(centre(), *service_, centre_key_);
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
    auto rec =
        KitAuthority(centre()).Certify("admin", kit_id, kit->key.key().verifying_key(), 60, 30);
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

  // Someone enrolled at the centre by office `office`.
  Enrollment EnrollAtCentre(const char* given, const char* surname, const char* person, int photo,
                            const char* office) {
    NewApplicant a = puente::testing::SampleApplicant();
    a.given_names = given;
    a.surname1 = surname;
    a.surname2 = "";
    a.documents.clear();
    a.office_code = office;
    auto e = service_->Enroll("ana.officer", a, ReadBytes(DevPhoto(person, photo)));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : Enrollment{};
  }

  // One pull of `kit` from the centre, as over HTTP: request, answer, apply.
  absl::StatusOr<PullReport> Pull(Kit& kit, size_t page = RegionalSnapshot::kDefaultPageSize) {
    const int64_t now = absl::ToUnixSeconds(puente::testing::TestClock().Now());
    auto tl = credentials::SignTrustList({7, now, now + 86400, {TrustEntryOf(kit.record)}}, root_);
    auto rl = credentials::SignRevocationList({7, now, now + 86400, {42}}, root_);
    PUENTE_ASSIGN_OR_RETURN(PullRequest req, RegionalSnapshot::MakeRequest(*kit.reg));
    PUENTE_ASSIGN_OR_RETURN(std::string answer,
                            RegionalSnapshot::Answer(centre(), req.text, root_, *tl, *rl, page));
    return RegionalSnapshot::Apply(*kit.reg, *kit.service, "kit.officer", req, answer);
  }

  // Rows of `from` in a kit's database (see puente::testing::CountRows).
  static long long KitCount(Kit& kit, const std::string& from) {
    return puente::testing::CountRows(*kit.db, from);
  }

  Registry& centre() { return *reg_; }

  credentials::InstitutionKey centre_key_ = *credentials::InstitutionKey::Generate();
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  std::unique_ptr<BundleImporter> importer_;
  std::string out_;
};

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
  // Held on the one it shares a face with, listed first.
  ASSERT_GE(held->candidates.size(), 1u);
  EXPECT_EQ(held->candidates[0].registration_number, first.applicant.registration_number);
  EXPECT_EQ(held->candidates[0].tier, CandidateTier::kHold);
  for (size_t i = 1; i < held->candidates.size(); ++i) {
    EXPECT_EQ(held->candidates[i].tier, CandidateTier::kFlag) << i;
  }
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
  ASSERT_TRUE(
      kit->service->Enroll("kit.officer", child, ReadBytes(DevPhoto("Albert_Costa", 1))).ok());
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
  CardAuthority kit_authority{kit->key, "PA-KIT-DARIEN-01", {}, 30, true, kit->record.office_code};
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
  EXPECT_EQ(resumed->enrolled_cleared, 2)
      << (resumed->problems.empty() ? "" : resumed->problems[0]);
  EXPECT_EQ(resumed->births, 1);
  EXPECT_EQ(Count("applicants"), 2);
  EXPECT_EQ(Count("births"), 1);
  EXPECT_EQ(Count("sync_chunks"), 0);
  // The dependant joined the kit's case at the centre too.
  auto c = centre().GetCase("auditor", principal.applicant.case_number);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->members.size(), 2u);
  // The attestation came with the birth.
  auto stored = BirthRegistry(centre(), *service_).Get("auditor", born->birth_number);
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
  puente::registry::internal::Session(*conn) << "SELECT clock_skew_seconds FROM sync_imports",
      soci::into(recorded);
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
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519),
      "PA-ONPAR",
      {},
      365,
      false,
      ""};
  CardOffice centre_office(centre(), *service_, centre_authority);
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

// Pull: the kit's region (offices 101 and 102) comes down sealed; the kit then
// holds an offline enrollment of someone the centre knows for adjudication,
// never exports the centre's people back, and later pulls bring only the
// delta: a changed name, a new person, someone found to be a duplicate.
TEST_P(SyncTest, PullBringsTheRegionalSnapshotAndItsDeltas) {
  const Enrollment ashanti = EnrollAtCentre("Ashanti", "Douglas", "Ashanti", 1, "101");
  const Enrollment albert = EnrollAtCentre("Alberto", "Costa", "Albert_Costa", 1, "102");
  EnrollAtCentre("Thomas", "Fargo", "Thomas_Fargo", 1, "103");  // another region
  auto kit = MakeKit("darien-01");
  ASSERT_TRUE(KitAuthority(centre()).SetRegion("admin", "darien-01", {"101", "102"}).ok());

  auto first = Pull(*kit);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->people.added, 2) << absl::StrJoin(first->people.problems, "; ");
  EXPECT_FALSE(first->more);
  EXPECT_EQ(first->trusted_issuers, 1);
  EXPECT_EQ(first->revoked_serials, 1);
  EXPECT_EQ(first->clock_skew_seconds, 0);
  EXPECT_EQ(kit->service->gallery().size(), 2u);
  EXPECT_EQ(KitCount(*kit, "regional_refs"), 2);
  // Sealed on the kit like its own records.
  {
    auto conn = kit->db->Connect();
    std::string given;
    puente::registry::internal::Session(*conn) << "SELECT given_names_enc FROM applicants LIMIT 1",
        soci::into(given);
    EXPECT_EQ(given.find("Ashanti"), std::string::npos);
    EXPECT_EQ(given.find("Alberto"), std::string::npos);
  }

  // Offline, Ashanti comes to the kit under another name: held, with the
  // centre's record as the candidate.
  const Enrollment again = EnrollAt(*kit, "Ashanty", "Duglas", "Ashanti", 2);
  EXPECT_EQ(again.status, EnrollmentStatus::kHeld);
  ASSERT_FALSE(again.candidates.empty());
  EXPECT_EQ(again.candidates[0].registration_number, ashanti.applicant.registration_number);
  ASSERT_TRUE(again.candidates[0].face_score.has_value());
  // A 1:1 check against a centrally known person works on the kit too.
  auto v = kit->service->VerifyFace("kit.officer", albert.applicant.registration_number,
                                    ReadBytes(DevPhoto("Albert_Costa", 2)));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->match);
  // The bundle carries the kit's own enrollment only.
  EXPECT_EQ(Export(*kit).applicants, 1);

  // Nothing changed at the centre: nothing to apply.
  auto same = Pull(*kit);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->people.added + same->people.updated + same->people.removed, 0);

  // Deltas: a name corrected, a new person, a duplicate found.
  FixedClock later(puente::testing::TestClock().Now() + absl::Minutes(5));
  auto centre_later = Registry::Open(db_.url(), key_, later);
  ASSERT_TRUE(centre_later.ok()) << centre_later.status();
  ApplicantUpdate fix;
  fix.given_names = "Alberto José";
  ASSERT_TRUE((*centre_later)
                  ->UpdateApplicant("ana.officer", albert.applicant.registration_number, fix)
                  .ok());
  auto later_service = EnrollmentService::Create(**centre_later, *capture_);
  ASSERT_TRUE(later_service.ok());
  NewApplicant sophia = puente::testing::SampleApplicant();
  sophia.given_names = "Sophia";
  sophia.surname1 = "Loren";
  sophia.documents.clear();
  sophia.office_code = "101";
  ASSERT_TRUE(
      (*later_service)->Enroll("ana.officer", sophia, ReadBytes(DevPhoto("Sophia_Loren", 1))).ok());
  auto delta = Pull(*kit);
  ASSERT_TRUE(delta.ok()) << delta.status();
  EXPECT_EQ(delta->people.added, 1);
  EXPECT_EQ(delta->people.updated, 1);
  auto fixed = kit->reg->GetApplicant("kit.officer", albert.applicant.registration_number);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->given_names, "Alberto José");
  EXPECT_EQ(kit->service->gallery().size(), 4u);  // 3 from the centre + the kit's own

  // Sophia enrolled twice at the centre; the supervisor links them: the
  // duplicate reaches the kit, then is withdrawn by the next pull.
  NewApplicant twice = sophia;
  twice.given_names = "Sofia";
  auto dup = (*later_service)->Enroll("ana.officer", twice, ReadBytes(DevPhoto("Sophia_Loren", 2)));
  ASSERT_TRUE(dup.ok()) << dup.status();
  ASSERT_EQ(dup->status, EnrollmentStatus::kHeld);
  ASSERT_TRUE(Pull(*kit).ok());
  EXPECT_EQ(kit->service->gallery().size(), 5u);
  FixedClock even_later(puente::testing::TestClock().Now() + absl::Minutes(10));
  auto centre_even_later = Registry::Open(db_.url(), key_, even_later);
  auto svc3 = EnrollmentService::Create(**centre_even_later, *capture_);
  ASSERT_TRUE((*svc3)
                  ->Decide("sara.supervisor", dup->candidates[0].id, Decision::kSamePerson,
                           "the same woman")
                  .ok());
  auto withdrawn = Pull(*kit);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->people.removed, 1);
  EXPECT_EQ(kit->service->gallery().size(), 4u);
}

TEST_P(SyncTest, PullPagesThroughALargeRegion) {
  EnrollAtCentre("Ashanti", "Douglas", "Ashanti", 1, "101");
  EnrollAtCentre("Alberto", "Costa", "Albert_Costa", 1, "101");
  EnrollAtCentre("Thomas", "Fargo", "Thomas_Fargo", 1, "101");
  auto kit = MakeKit("darien-01");
  ASSERT_TRUE(KitAuthority(centre()).SetRegion("admin", "darien-01", {"101"}).ok());
  int pulls = 0, added = 0;
  for (bool more = true; more && pulls < 10; ++pulls) {
    auto r = Pull(*kit, /*page=*/2);
    ASSERT_TRUE(r.ok()) << r.status();
    added += r->people.added;
    more = r->more;
  }
  EXPECT_EQ(pulls, 2);
  EXPECT_EQ(added, 3);
  EXPECT_EQ(kit->service->gallery().size(), 3u);
  EXPECT_EQ(KitAuthority(centre()).SetRegion("admin", "darien-01", {"901"}).code(),
            absl::StatusCode::kInvalidArgument);  // a kit's code is not a region
}

TEST_P(SyncTest, ForeignTamperedAndReplayedPullsAreRefusedAndChangeNothing) {
  EnrollAtCentre("Ashanti", "Douglas", "Ashanti", 1, "101");
  auto kit = MakeKit("darien-01");
  ASSERT_TRUE(KitAuthority(centre()).SetRegion("admin", "darien-01", {"101"}).ok());
  const int64_t now = absl::ToUnixSeconds(puente::testing::TestClock().Now());
  const std::string tl = *credentials::SignTrustList({1, now, now + 86400, {}}, root_);
  const std::string rl = *credentials::SignRevocationList({1, now, now + 86400, {}}, root_);

  // A kit the centre has retired.
  auto stranger = MakeKit("chiriqui-09");
  ASSERT_TRUE(KitAuthority(centre()).Retire("admin", "chiriqui-09").ok());
  auto retired_req = RegionalSnapshot::MakeRequest(*stranger->reg);
  ASSERT_TRUE(retired_req.ok());
  EXPECT_EQ(RegionalSnapshot::Answer(centre(), retired_req->text, root_, tl, rl).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A request whose signed part was changed (another cursor).
  auto req = RegionalSnapshot::MakeRequest(*kit->reg);
  ASSERT_TRUE(req.ok());
  nlohmann::json forged = nlohmann::json::parse(req->text);
  std::string inner = forged["request"];
  inner.replace(inner.find("\"cursor\":\"\""), 11, "\"cursor\":\"x|y\"");
  forged["request"] = inner;
  auto denied = RegionalSnapshot::Answer(centre(), forged.dump(), root_, tl, rl);
  ASSERT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.status().message().find("signature"), std::string::npos);
  EXPECT_EQ(RegionalSnapshot::Answer(centre(), "{]", root_, tl, rl).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto answer = RegionalSnapshot::Answer(centre(), req->text, root_, tl, rl);
  ASSERT_TRUE(answer.ok()) << answer.status();
  // The answer altered in transit, signed by another root, or replayed to
  // another request: refused, nothing written on the kit.
  nlohmann::json altered = nlohmann::json::parse(*answer);
  std::string a_inner = altered["answer"];
  a_inner.replace(a_inner.find("\"more\":false"), 12, "\"more\":true ");
  altered["answer"] = a_inner;
  auto bad = RegionalSnapshot::Apply(*kit->reg, *kit->service, "kit.officer", *req, altered.dump());
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("root key"), std::string::npos) << bad.status();
  auto other_root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto forged_answer = RegionalSnapshot::Answer(centre(), req->text, other_root, tl, rl);
  ASSERT_TRUE(forged_answer.ok());
  EXPECT_EQ(RegionalSnapshot::Apply(*kit->reg, *kit->service, "kit.officer", *req, *forged_answer)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  auto req2 = RegionalSnapshot::MakeRequest(*kit->reg);
  auto replay = RegionalSnapshot::Apply(*kit->reg, *kit->service, "kit.officer", *req2, *answer);
  ASSERT_EQ(replay.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(replay.status().message().find("not for this kit's request"), std::string::npos);
  EXPECT_EQ(KitCount(*kit, "regional_refs"), 0);
  EXPECT_EQ(kit->service->gallery().size(), 0u);
  // The genuine answer, once: applied.
  auto ok = RegionalSnapshot::Apply(*kit->reg, *kit->service, "kit.officer", *req, *answer);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->people.added, 1);
}

TEST_P(SyncTest, PullDetectsAKitClockAnHourAhead) {
  FixedClock ahead(puente::testing::TestClock().Now() + absl::Hours(1));
  auto kit = MakeKit("darien-01", &ahead);
  auto r = Pull(*kit);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->clock_skew_seconds, 3600);
  EXPECT_EQ(r->people.added, 0);  // no region set: no snapshot, lists only
  EXPECT_EQ(r->trusted_issuers, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
