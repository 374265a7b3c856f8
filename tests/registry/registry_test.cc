#include "puente/registry/registry.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "puente/registry/registration_number.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::SampleApplicant;
using puente::testing::TestDatabase;

constexpr char kOfficer[] = "ana.officer";

class RegistryTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (!db_.ready()) GTEST_SKIP();
    reg_ = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey());
    ASSERT_NE(reg_, nullptr);
  }
  // Rows of `table` (matching `where`, if given), over the registry's connection.
  long long Count(const std::string& table, const std::string& where = "") {
    return puente::testing::CountRows(reg_->database(),
                                      where.empty() ? table : table + " WHERE " + where);
  }
  // Rows in every table that registration writes to.
  std::vector<long long> Footprint() {
    return {Count("applicants"), Count("cases"), Count("identity_documents"),
            Count("case_status_history"), Count("audit_events")};
  }
  Applicant AddOrDie(NewApplicant a) {
    auto r = reg_->AddApplicant(kOfficer, std::move(a));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : Applicant{};
  }
  void InstallFailingTrigger(const std::string& table) {
    auto& sql = puente::registry::internal::Session(reg_->database());
    if (GetParam() == Dialect::kSqlite) {
      sql << "CREATE TRIGGER test_fail BEFORE INSERT ON " + table +
                 " BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
    } else {
      sql << "CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
             "EXCEPTION 'injected failure'; END; $$";
      sql << "CREATE TRIGGER test_fail BEFORE INSERT ON " + table +
                 " FOR EACH ROW EXECUTE FUNCTION test_fail()";
    }
  }

  TestDatabase db_{GetParam()};
  std::unique_ptr<Registry> reg_;
};

TEST_P(RegistryTest, RegistersAndReadsBackEveryField) {
  const Applicant added = AddOrDie(SampleApplicant());
  EXPECT_TRUE(ParseRegistrationNumber(added.registration_number).ok());
  EXPECT_EQ(added.registration_number.substr(0, 9), "101-2026-");
  auto got = reg_->GetApplicant(kOfficer, added.registration_number);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->given_names, "María José");
  EXPECT_EQ(got->surname1, "Pérez");
  EXPECT_EQ(got->surname2, "de la Cruz");
  EXPECT_EQ(got->sex, Sex::kFemale);
  EXPECT_EQ(got->date_of_birth, (DateOfBirth{1988, 3, 14, DatePrecision::kExact}));
  EXPECT_EQ(got->nationality, "VEN");
  EXPECT_EQ(got->place_of_birth, "Maracaibo");
  EXPECT_EQ(got->languages, std::vector<std::string>{"spa"});
  EXPECT_EQ(got->phone, "+50761234567");
  EXPECT_EQ(got->address, "Calle 50, Bella Vista, Panamá");
  ASSERT_EQ(got->documents.size(), 1u);
  EXPECT_EQ(got->documents[0],
            (IdentityDocument{DocumentType::kPassport, "VEN", "A1234567", "2029-05-31"}));
  EXPECT_EQ(got->relationship, Relationship::kPrincipal);
  EXPECT_EQ(got->case_number, added.case_number);
  EXPECT_EQ(got->officer, "ana.officer");
  EXPECT_EQ(got->version, 1);
}

TEST_P(RegistryTest, NumbersAreSequentialPerOfficeAndYear) {
  const Applicant a = AddOrDie(SampleApplicant());
  const Applicant b = AddOrDie(SampleApplicant());
  NewApplicant other = SampleApplicant();
  other.office_code = "301";
  const Applicant c = AddOrDie(other);
  EXPECT_EQ(a.registration_number.substr(0, 15), "101-2026-000001");
  EXPECT_EQ(b.registration_number.substr(0, 15), "101-2026-000002");
  EXPECT_EQ(c.registration_number.substr(0, 15), "301-2026-000001");
  EXPECT_NE(a.case_number, b.case_number);
}

TEST_P(RegistryTest, DependantsJoinThePrincipalsCase) {
  const Applicant p = AddOrDie(SampleApplicant());
  NewApplicant child = SampleApplicant();
  child.given_names = "Sofía";
  child.date_of_birth = {2019, 0, 0, DatePrecision::kYearOnly};
  child.documents.clear();
  child.case_number = p.case_number;
  child.relationship = Relationship::kChild;
  const Applicant c = AddOrDie(child);
  EXPECT_EQ(c.case_number, p.case_number);
  auto kase = reg_->GetCase(kOfficer, p.case_number);
  ASSERT_TRUE(kase.ok()) << kase.status();
  ASSERT_EQ(kase->members.size(), 2u);
  EXPECT_EQ(kase->members[0].registration_number, p.registration_number);
  EXPECT_EQ(kase->members[0].relationship, Relationship::kPrincipal);
  EXPECT_EQ(kase->members[1].registration_number, c.registration_number);
  EXPECT_EQ(kase->members[1].relationship, Relationship::kChild);
  EXPECT_EQ(kase->status, CaseStatus::kRegistered);
  ASSERT_EQ(kase->history.size(), 1u);
  EXPECT_FALSE(kase->history[0].from.has_value());
}

TEST_P(RegistryTest, UnknownOrClosedCaseRefusesDependants) {
  NewApplicant child = SampleApplicant();
  child.case_number = "C101-2026-999999";
  child.relationship = Relationship::kChild;
  EXPECT_EQ(reg_->AddApplicant(kOfficer, child).status().code(), absl::StatusCode::kNotFound);

  const Applicant p = AddOrDie(SampleApplicant());
  ASSERT_TRUE(reg_->ChangeCaseStatus(kOfficer, p.case_number, CaseStatus::kClosed,
                                     "withdrawn by the applicant")
                  .ok());
  child.case_number = p.case_number;
  const auto before = Footprint();
  auto r = reg_->AddApplicant(kOfficer, child);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Footprint(), before);
}

TEST_P(RegistryTest, DuplicateRegistrationNumberIsRefusedAndSkippedBySequence) {
  NewApplicant imported = SampleApplicant();
  imported.registration_number = FormatRegistrationNumber("101", 2026, 1);
  AddOrDie(imported);
  const auto before = Footprint();
  auto dup = reg_->AddApplicant(kOfficer, imported);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(std::string(dup.status().message()).find("is already registered"), std::string::npos);
  EXPECT_EQ(Footprint(), before);
  // The next assigned number skips the imported one.
  const Applicant next = AddOrDie(SampleApplicant());
  EXPECT_EQ(next.registration_number.substr(0, 15), "101-2026-000002");
}

TEST_P(RegistryTest, InvalidInputWritesNothing) {
  AddOrDie(SampleApplicant());
  const auto before = Footprint();
  NewApplicant bad = SampleApplicant();
  bad.nationality = "ABC";
  bad.date_of_birth = {2023, 2, 30};
  auto r = reg_->AddApplicant(kOfficer, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint(), before);
}

TEST_P(RegistryTest, FailureHalfWayRollsBackEveryRow) {
  AddOrDie(SampleApplicant());
  const auto before = Footprint();
  const long long seq_before = Count("registration_sequences");
  // The applicant, case, history and audit rows are written before the
  // document row; a failure there must take them all back.
  InstallFailingTrigger("identity_documents");
  auto r = reg_->AddApplicant(kOfficer, SampleApplicant());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(Count("registration_sequences"), seq_before);
  auto audit = reg_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->intact) << audit->problem;
}

TEST_P(RegistryTest, LookupChecksTheCheckDigitFirst) {
  const Applicant a = AddOrDie(SampleApplicant());
  std::string typo = a.registration_number;
  typo[10] = typo[10] == '9' ? '8' : typo[10] + 1;
  EXPECT_EQ(reg_->GetApplicant(kOfficer, typo).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->GetApplicant(kOfficer, FormatRegistrationNumber("101", 2026, 77)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(RegistryTest, UpdateChangesOnlyGivenFieldsAndBumpsVersion) {
  const Applicant a = AddOrDie(SampleApplicant());
  ApplicantUpdate u;
  u.phone = "+507 6999 0000";
  u.address = "Metetí, Darién";
  u.add_documents = {{DocumentType::kNationalId, "COL", "1020304050", ""}};
  auto updated = reg_->UpdateApplicant(kOfficer, a.registration_number, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version, 2);
  auto got = reg_->GetApplicant(kOfficer, a.registration_number);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->phone, "+50769990000");
  EXPECT_EQ(got->address, "Metetí, Darién");
  EXPECT_EQ(got->given_names, a.given_names);
  EXPECT_EQ(got->documents.size(), 2u);
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(Count("audit_events", "action = 'applicant.update'"), 1);
}

TEST_P(RegistryTest, UpdateRefusesStaleVersionInvalidValuesAndEmptyChanges) {
  const Applicant a = AddOrDie(SampleApplicant());
  ApplicantUpdate u;
  u.phone = "+507 6999 0000";
  ASSERT_TRUE(reg_->UpdateApplicant(kOfficer, a.registration_number, u).ok());

  ApplicantUpdate stale;
  stale.address = "elsewhere";
  stale.expected_version = 1;
  EXPECT_EQ(reg_->UpdateApplicant(kOfficer, a.registration_number, stale).status().code(),
            absl::StatusCode::kAborted);

  ApplicantUpdate bad;
  bad.nationality = "QQQ";
  auto r = reg_->UpdateApplicant(kOfficer, a.registration_number, bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->GetApplicant(kOfficer, a.registration_number)->nationality, "VEN");

  EXPECT_EQ(
      reg_->UpdateApplicant(kOfficer, a.registration_number, ApplicantUpdate{}).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->GetApplicant(kOfficer, a.registration_number)->version, 2);
}

TEST_P(RegistryTest, CaseFollowsTheLifecycleWithDatedReasonedChanges) {
  const Applicant a = AddOrDie(SampleApplicant());
  const std::string c = a.case_number;
  auto illegal = reg_->ChangeCaseStatus(kOfficer, c, CaseStatus::kRecognized, "too early");
  EXPECT_EQ(illegal.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(illegal.status().message()).find("cannot go from registered to recognized"),
            std::string::npos);
  EXPECT_EQ(reg_->ChangeCaseStatus(kOfficer, c, CaseStatus::kAdmitted, "  ").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->ChangeCaseStatus(kOfficer, c, CaseStatus::kAdmitted, "ok", "2027-01-01")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(reg_->ChangeCaseStatus("sup.rivera", c, CaseStatus::kAdmitted, "Admitida a trámite",
                                     "2026-11-20")
                  .ok());
  ASSERT_TRUE(reg_->ChangeCaseStatus("sup.rivera", c, CaseStatus::kRejected, "Resolución 12").ok());
  ASSERT_TRUE(reg_->ChangeCaseStatus(kOfficer, c, CaseStatus::kAppeal, "Recurso presentado").ok());
  auto done = reg_->ChangeCaseStatus("sup.rivera", c, CaseStatus::kRecognized, "Apelación acogida");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->status, CaseStatus::kRecognized);
  ASSERT_EQ(done->history.size(), 5u);
  EXPECT_EQ(done->history[1].from, CaseStatus::kRegistered);
  EXPECT_EQ(done->history[1].to, CaseStatus::kAdmitted);
  EXPECT_EQ(done->history[1].effective, "2026-11-20");
  EXPECT_EQ(done->history[1].changed_by, "sup.rivera");
  EXPECT_EQ(done->history[1].reason, "Admitida a trámite");
  EXPECT_EQ(done->history[4].to, CaseStatus::kRecognized);
  EXPECT_EQ(Count("audit_events", "action = 'case.status'"), 4);
}

TEST_P(RegistryTest, ListPagesInRegistrationOrderAndAuditsEachRead) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 5; ++i) {
    numbers.push_back(AddOrDie(SampleApplicant()).registration_number);
    puente::testing::TestClock().Advance(absl::Seconds(1));
  }
  const long long reads_before = Count("audit_events", "action = 'applicant.read'");
  auto page1 = reg_->ListApplicants(kOfficer, 3, 0);
  auto page2 = reg_->ListApplicants(kOfficer, 3, 3);
  ASSERT_TRUE(page1.ok() && page2.ok());
  ASSERT_EQ(page1->size(), 3u);
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page1)[0].registration_number, numbers[0]);
  EXPECT_EQ((*page2)[1].registration_number, numbers[4]);
  EXPECT_EQ(Count("audit_events", "action = 'applicant.read'"), reads_before + 5);
  EXPECT_EQ(reg_->ListApplicants(kOfficer, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(RegistryTest, EveryCreateReadAndUpdateIsAudited) {
  const Applicant a = AddOrDie(SampleApplicant());
  ASSERT_TRUE(reg_->GetApplicant("auditor.x", a.registration_number).ok());
  EXPECT_EQ(Count("audit_events", "action = 'applicant.create' AND actor = 'ana.officer'"), 1);
  EXPECT_EQ(Count("audit_events",
                  "action = 'applicant.read' AND actor = 'auditor.x' AND "
                  "entity_id = '" +
                      a.id + "'"),
            1);
  EXPECT_EQ(Count("audit_events", "action = 'case.create'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
