// The card office on SQLite and PostgreSQL with real faces: no card before
// adjudication, the card policy on case status, replace, renew, revoke, and
// the revocation list an offline verifier uses.
#include "puente/registry/cards.h"

#include <gtest/gtest.h>

#include "biometrics/biometrics_test_support.h"
#include "puente/credentials/verifier.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using credentials::CardType;
using credentials::Verdict;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

class CardOfficeTest : public puente::testing::EnrollmentServiceTest {
 protected:
  void SetUp() override {
    EnrollmentServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    authority_.recipients = {{hospital_.kid(), hospital_.key().public_key()}};
    office_ = std::make_unique<CardOffice>(*reg_, *service_, authority_);
  }

  Enrollment Enroll(const char* person, std::string surname) {
    NewApplicant a = puente::testing::SampleApplicant();
    a.surname1 = std::move(surname);
    a.documents.clear();
    auto e = service_->Enroll("ana.officer", a, ReadBytes(DevPhoto(person, 1)));
    EXPECT_TRUE(e.ok()) << e.status();
    return *e;
  }

  // An offline verifier with today's lists, as a hospital would hold them.
  credentials::VerificationResult VerifyOffline(const std::string& qr) {
    const int64_t now = absl::ToUnixSeconds(puente::testing::TestClock().Now());
    credentials::TrustedIssuer t;
    t.kid = authority_.issuer.kid();
    t.public_key = authority_.issuer.key().verifying_key().raw();
    t.name = "ONPAR";
    t.not_before = now - 86400;
    t.not_after = now + 86400;
    t.card_types = {CardType::kAsylumSeeker, CardType::kRefugee};
    credentials::RevocationList revoked{1, now - 60, now + 86400, *office_->RevokedSerials()};
    auto v = credentials::CardVerifier::Create(
        root_.key().verifying_key(),
        *credentials::SignTrustList({1, now - 60, now + 86400, {t}}, root_),
        *credentials::SignRevocationList(revoked, root_));
    EXPECT_TRUE(v.ok());
    return v->Verify(qr, now + 60, &hospital_);
  }

  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::InstitutionKey hospital_ = *credentials::InstitutionKey::Generate();
  CardAuthority authority_{
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519),
      "PA-ONPAR",
      {},
      365,
      false,
      ""};
  std::unique_ptr<CardOffice> office_;
};

TEST_P(CardOfficeTest, NoCardBeforeAdjudicationThenAVerifiableOne) {
  const Enrollment first = Enroll("Ashanti", "Douglas");
  NewApplicant twin = puente::testing::SampleApplicant();
  twin.surname1 = "Douglas";
  twin.documents.clear();
  auto held = service_->Enroll("ana.officer", twin, ReadBytes(DevPhoto("Albert_Costa", 1)));
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->status, EnrollmentStatus::kHeld);
  auto refused =
      office_->Issue("ana.officer", held->applicant.registration_number, CardType::kAsylumSeeker);
  ASSERT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("held"), std::string::npos);
  ASSERT_TRUE(service_
                  ->Decide("sara.supervisor", held->candidates[0].id, Decision::kDifferent,
                           "Different people with the same data")
                  .ok());
  auto card =
      office_->Issue("ana.officer", held->applicant.registration_number, CardType::kAsylumSeeker);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->serial, 2026000001u);
  EXPECT_FALSE(card->photo.empty());
  EXPECT_EQ(card->face_box.size(), 4u);

  auto r = VerifyOffline(card->qr_text);
  ASSERT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.card->holder.id, held->applicant.registration_number);
  EXPECT_EQ(r.card->holder.full_name, "María José Douglas de la Cruz");
  EXPECT_EQ(r.sealed_status, "opened");
  EXPECT_EQ(r.card->sealed->case_number, held->applicant.case_number);
  EXPECT_EQ(r.card->sealed->face_template.size(), 74u);
  // One active card of a type at a time.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      office_->Issue("ana.officer", held->applicant.registration_number, CardType::kAsylumSeeker)
          .status()));
  // A refugee card needs a recognized case.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      office_->Issue("ana.officer", first.applicant.registration_number, CardType::kRefugee)
          .status()));
}

TEST_P(CardOfficeTest, ReplaceRenewRevoke) {
  const Enrollment e = Enroll("Ashanti", "Douglas");
  auto card =
      office_->Issue("ana.officer", e.applicant.registration_number, CardType::kAsylumSeeker);
  ASSERT_TRUE(card.ok()) << card.status();
  auto replaced = office_->Replace("ana.officer", card->serial, "lost");
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(replaced->replaces, card->serial);
  EXPECT_EQ(VerifyOffline(card->qr_text).verdict, Verdict::kRevoked);
  EXPECT_EQ(VerifyOffline(replaced->qr_text).verdict, Verdict::kValid);
  auto old = office_->Get("auditor", card->serial);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->status, "revoked");
  EXPECT_EQ(old->revoke_reason, "replaced: lost");

  // Renewal needs the holder's face.
  auto stranger =
      office_->Renew("ana.officer", replaced->serial, ReadBytes(DevPhoto("Al_Sharpton", 1)));
  EXPECT_TRUE(absl::IsPermissionDenied(stranger.status())) << stranger.status();
  auto renewed = office_->Renew("ana.officer", replaced->serial, ReadBytes(DevPhoto("Ashanti", 4)));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(VerifyOffline(renewed->qr_text).verdict, Verdict::kValid);
  EXPECT_EQ(VerifyOffline(replaced->qr_text).verdict, Verdict::kRevoked);

  ASSERT_TRUE(office_->Revoke("ana.supervisor", renewed->serial, "fraud suspected").ok());
  EXPECT_TRUE(
      absl::IsFailedPrecondition(office_->Revoke("ana.supervisor", renewed->serial, "again")));
  EXPECT_EQ(*office_->RevokedSerials(),
            (std::vector<uint64_t>{card->serial, replaced->serial, renewed->serial}));
}

TEST_P(CardOfficeTest, CaseStatusPolicy) {
  const Enrollment e = Enroll("Ashanti", "Douglas");
  const std::string reg_no = e.applicant.registration_number;
  auto asylum = office_->Issue("ana.officer", reg_no, CardType::kAsylumSeeker);
  ASSERT_TRUE(asylum.ok()) << asylum.status();
  const std::string case_no = e.applicant.case_number;
  ASSERT_TRUE(reg_->ChangeCaseStatus("ana.officer", case_no, CaseStatus::kAdmitted, "ok").ok());
  ASSERT_TRUE(reg_->ChangeCaseStatus("ana.officer", case_no, CaseStatus::kRecognized, "ok").ok());
  // Recognition: the asylum-seeker card stays valid until the refugee card.
  EXPECT_EQ(VerifyOffline(asylum->qr_text).verdict, Verdict::kValid);
  auto refugee = office_->Issue("ana.officer", reg_no, CardType::kRefugee);
  ASSERT_TRUE(refugee.ok()) << refugee.status();
  EXPECT_EQ(VerifyOffline(asylum->qr_text).verdict, Verdict::kRevoked);
  EXPECT_EQ(office_->Get("auditor", asylum->serial)->revoke_reason, "superseded by a refugee card");
  // Closing the case revokes every active card of its members.
  ASSERT_TRUE(reg_->ChangeCaseStatus("ana.officer", case_no, CaseStatus::kClosed, "left").ok());
  EXPECT_EQ(VerifyOffline(refugee->qr_text).verdict, Verdict::kRevoked);
  EXPECT_EQ(office_->Get("auditor", refugee->serial)->revoke_reason,
            "case closed (from recognized)");
  EXPECT_TRUE(reg_->VerifyAudit()->intact);
}

INSTANTIATE_TEST_SUITE_P(Backends, CardOfficeTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
