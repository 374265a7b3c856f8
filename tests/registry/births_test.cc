// Birth registration on SQLite and the real PostgreSQL, with the real face
// models: parents linked by registration number and by a 1:1 face check, or
// recorded from their documents; the attestation signed by a field kit's key
// verifies offline as a provisional birth attestation naming the guardian;
// bad input and a face mismatch store nothing.
#include "puente/registry/births.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "biometrics/biometrics_test_support.h"
#include "puente/credentials/keys.h"
#include "puente/credentials/lists.h"
#include "puente/credentials/verifier.h"
#include "puente/registry/registration_number.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using credentials::CardType;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

class BirthTest : public puente::testing::EnrollmentServiceTest {
 protected:
  void SetUp() override {
    EnrollmentServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    births_ = std::make_unique<BirthRegistry>(*reg_, *service_);
    NewApplicant mother = puente::testing::SampleApplicant();
    mother.given_names = "Ashanti";
    mother.surname1 = "Douglas";
    mother.surname2 = "";
    mother.documents.clear();
    auto m = service_->Enroll("ana.officer", mother, ReadBytes(DevPhoto("Ashanti", 1)));
    ASSERT_TRUE(m.ok()) << m.status();
    mother_ = m->applicant.registration_number;
    NewApplicant father = puente::testing::SampleApplicant();
    father.given_names = "Alberto";
    father.surname1 = "Costa";
    father.sex = Sex::kMale;
    father.documents.clear();
    auto f = service_->Enroll("ana.officer", father, ReadBytes(DevPhoto("Albert_Costa", 1)));
    ASSERT_TRUE(f.ok()) << f.status();
    father_ = f->applicant.registration_number;
  }

  NewBirth Baby() {
    NewBirth b;
    b.given_names = "Luz";
    b.surname1 = "Douglas";
    b.surname2 = "Costa";
    b.sex = Sex::kFemale;
    b.born_on = "2026-11-20";
    b.born_at = "04:35";
    b.place_code = "PA-5-DAR-01";
    b.place = "Bajo Chiquito, río Turquesa";
    b.facility = "partera comunitaria Elena Caisamo";
    b.office_code = "901";  // field kit darien-01
    BirthParent mother;
    mother.role = ParentRole::kMother;
    mother.registration_number = mother_;
    b.parents.push_back(mother);
    return b;
  }

  std::unique_ptr<BirthRegistry> births_;
  std::string mother_, father_;
};

TEST_P(BirthTest, KitAttestationVerifiesOfflineAndNamesTheGuardian) {
  NewBirth b = Baby();
  BirthParent father;
  father.role = ParentRole::kFather;
  father.registration_number = father_;
  father.identified_by = "face";
  father.live_photo = ReadBytes(DevPhoto("Albert_Costa", 2));
  b.parents.push_back(father);
  auto birth = births_->Register("kit.officer", b);
  ASSERT_TRUE(birth.ok()) << birth.status();
  EXPECT_EQ(birth->birth_number.substr(0, 9), "901-2026-");
  ASSERT_EQ(birth->record.parents.size(), 2u);
  EXPECT_EQ(birth->record.parents[0].full_name, "Ashanti Douglas");
  EXPECT_EQ(birth->record.parents[1].identified_by, "face");
  EXPECT_TRUE(birth->record.parents[1].live_photo.empty());  // never kept

  // The kit's key, as the centre lists it: birth attestations and
  // provisional cards only, 30 days at most.
  auto kit_key = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  CardAuthority kit{kit_key, "PA-KIT-DARIEN-01", {}, 30, /*provisional=*/true, "901"};
  auto att = births_->Attest("kit.officer", birth->birth_number, kit);
  ASSERT_TRUE(att.ok()) << att.status();
  EXPECT_GE(att->serial, 901u * 10000000000ULL);  // the kit's serial range
  EXPECT_LT(att->serial, 902u * 10000000000ULL);

  const int64_t now = absl::ToUnixSeconds(puente::testing::TestClock().Now());
  auto root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::TrustedIssuer t;
  t.kid = kit_key.kid();
  t.public_key = kit_key.key().verifying_key().raw();
  t.name = "kit darien-01";
  t.not_before = now - 86400;
  t.not_after = now + 60 * 86400;
  t.card_types = {CardType::kAsylumSeeker, CardType::kRefugee, CardType::kBirthAttestation};
  t.max_validity_seconds = 30 * 86400;
  t.provisional_only = true;
  auto v = credentials::CardVerifier::Create(
      root.key().verifying_key(),
      *credentials::SignTrustList({1, now - 60, now + 86400, {t}}, root),
      *credentials::SignRevocationList({1, now - 60, now + 86400, {}}, root));
  ASSERT_TRUE(v.ok()) << v.status();
  auto r = v->Verify(att->qr_text, now + 60);
  ASSERT_EQ(r.verdict, credentials::Verdict::kValid) << r.reason;
  EXPECT_EQ(r.card->type, CardType::kBirthAttestation);
  EXPECT_TRUE(r.card->provisional);
  EXPECT_EQ(*r.card->holder.id, birth->birth_number);
  EXPECT_EQ(*r.card->holder.full_name, "Luz Douglas Costa");
  EXPECT_EQ(*r.card->holder.date_of_birth, "20261120");
  EXPECT_EQ(*r.card->holder.guardian, "Ashanti Douglas (madre, " + mother_ + ")");
  EXPECT_EQ(r.issuer_name, "kit darien-01");

  // One attestation per birth; the stored birth knows its serial.
  auto again = births_->Attest("kit.officer", birth->birth_number, kit);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  auto stored = births_->Get("auditor", birth->birth_number);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->attestation_serial, att->serial);
  EXPECT_EQ(stored->record.facility, "partera comunitaria Elena Caisamo");
  // Nothing about the child is stored in plaintext.
  auto conn = db_.Connect();
  std::string record, number;
  puente::registry::internal::Session(*conn) << "SELECT record_enc, birth_no_enc FROM births",
      soci::into(record), soci::into(number);
  // (Quotes and spaces never occur in base64, so these cannot match a
  // ciphertext by chance, as a bare "Luz" sometimes did.)
  EXPECT_EQ(record.find("\"Luz\""), std::string::npos);
  EXPECT_EQ(record.find("partera comunitaria"), std::string::npos);
  EXPECT_EQ(number.find("901-"), std::string::npos);
}

TEST_P(BirthTest, ParentsFromTheirDocumentsWhenNotEnrolled) {
  NewBirth b = Baby();
  b.parents.clear();
  BirthParent guardian;
  guardian.role = ParentRole::kGuardian;
  guardian.full_name = "Marta  Caisamo";
  guardian.nationality = "col";
  guardian.document = IdentityDocument{DocumentType::kNationalId, "COL", "1-234-567", ""};
  b.parents.push_back(guardian);
  auto birth = births_->Register("kit.officer", b);
  ASSERT_TRUE(birth.ok()) << birth.status();
  const BirthParent& g = birth->record.parents[0];
  EXPECT_EQ(g.full_name, "Marta Caisamo");
  EXPECT_EQ(g.nationality, "COL");
  EXPECT_EQ(g.identified_by, "documents");
  EXPECT_EQ(g.document->number, "1234567");
  auto list = ListBirths(*reg_, "auditor", 10, 0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].birth_number, birth->birth_number);
}

TEST_P(BirthTest, BadInputAndFaceMismatchStoreNothing) {
  NewBirth bad = Baby();
  bad.born_on = "2027-01-01";
  bad.born_at = "25:00";
  bad.facility = "";
  bad.parents.clear();
  auto r = births_->Register("kit.officer", bad);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(r.status().message());
  for (const char* field : {"born_on:", "born_at:", "facility:", "parents:"}) {
    EXPECT_NE(msg.find(field), std::string::npos) << field << " in " << msg;
  }
  NewBirth unknown = Baby();
  unknown.parents[0].registration_number = "101-2026-999999-";
  EXPECT_EQ(births_->Register("kit.officer", unknown).status().code(),
            absl::StatusCode::kInvalidArgument);
  NewBirth missing = Baby();  // a well-formed number nobody holds
  missing.parents[0].registration_number = FormatRegistrationNumber("101", 2026, 999);
  EXPECT_EQ(births_->Register("kit.officer", missing).status().code(), absl::StatusCode::kNotFound);
  // Someone else's face for the father: refused before anything is written.
  NewBirth wrong = Baby();
  BirthParent father;
  father.role = ParentRole::kFather;
  father.registration_number = father_;
  father.identified_by = "face";
  father.live_photo = ReadBytes(DevPhoto("Ashanti", 2));
  wrong.parents.push_back(father);
  auto denied = births_->Register("kit.officer", wrong);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied) << denied.status();
  EXPECT_EQ(Count("births"), 0);
  auto conn = db_.Connect();
  int registered = -1;  // the face check itself is audited; no registration is
  puente::registry::internal::Session(*conn)
      << "SELECT count(*) FROM audit_events WHERE action = 'birth.register'",
      soci::into(registered);
  EXPECT_EQ(registered, 0);
}

TEST_P(BirthTest, CivilRegistryBatchIsSignedAndOnlyTheRegistryOpensIt) {
  ASSERT_TRUE(births_->Register("kit.officer", Baby()).ok());
  NewBirth second = Baby();
  second.given_names = "Sol";
  second.born_on = "2026-11-21";
  ASSERT_TRUE(births_->Register("kit.officer", second).ok());
  auto kit_key = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto civil = *credentials::InstitutionKey::Generate();
  auto batch =
      ExportBirthBatch(*reg_, "kit.officer", kit_key, "PA-KIT-DARIEN-01", civil.key().public_key());
  ASSERT_TRUE(batch.ok()) << batch.status();
  // Sealed, not readable in transit (a quoted name cannot match base64 by chance).
  EXPECT_EQ(batch->find("\"Luz\""), std::string::npos);
  EXPECT_EQ(batch->find("partera comunitaria"), std::string::npos);

  auto opened = OpenBirthBatch(*batch, kit_key.key().verifying_key(), civil);
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ((*opened)["births"].size(), 2u);
  const nlohmann::json& first = (*opened)["births"][0];
  EXPECT_EQ(first["birth_number"].get<std::string>().substr(0, 9), "901-2026-");
  EXPECT_EQ(first["registering_office"], "901");
  EXPECT_EQ(first["record"]["given_names"], "Luz");
  EXPECT_EQ(first["record"]["facility"], "partera comunitaria Elena Caisamo");
  EXPECT_EQ(first["record"]["parents"][0]["registration_number"], mother_);
  EXPECT_EQ((*opened)["issuer"], "PA-KIT-DARIEN-01");

  // Since a date: only the births registered from then on (both were registered today).
  auto none = ExportBirthBatch(*reg_, "kit.officer", kit_key, "PA-KIT-DARIEN-01",
                               civil.key().public_key(), "2026-11-23");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ((*OpenBirthBatch(*none, kit_key.key().verifying_key(), civil))["births"].size(), 0u);
  EXPECT_EQ(
      ExportBirthBatch(*reg_, "kit.officer", kit_key, "x", civil.key().public_key(), "2026-13-01")
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);

  // Another key, a changed count, a different signer: refused with a clear message.
  auto other = *credentials::InstitutionKey::Generate();
  auto wrong_key = OpenBirthBatch(*batch, kit_key.key().verifying_key(), other);
  ASSERT_EQ(wrong_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_key.status().message().find("cannot be opened"), std::string::npos);
  nlohmann::json tampered = nlohmann::json::parse(*batch);
  tampered["count"] = 1;
  auto t = OpenBirthBatch(tampered.dump(), kit_key.key().verifying_key(), civil);
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("signature"), std::string::npos);
  auto stranger = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  EXPECT_EQ(OpenBirthBatch(*batch, stranger.key().verifying_key(), civil).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBirthBatch("{not json", kit_key.key().verifying_key(), civil).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The export is audited.
  auto conn = db_.Connect();
  int exports = -1;
  puente::registry::internal::Session(*conn)
      << "SELECT count(*) FROM audit_events WHERE action = 'birth.export'",
      soci::into(exports);
  EXPECT_EQ(exports, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, BirthTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
