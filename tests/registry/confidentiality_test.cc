// Reads what is really stored (the raw SQLite file, every PostgreSQL column)
// and proves that no personal data is there in clear.
#include <gtest/gtest.h>

#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::TestDatabase;

class ConfidentialityTest : public ::testing::TestWithParam<Dialect> {
 protected:
  TestDatabase db_{GetParam()};
};

TEST_P(ConfidentialityTest, NoPlaintextPersonalDataIsStored) {
  PUENTE_REQUIRE_DB(db_);
  std::string reg_no, case_no;
  {
    auto reg = puente::testing::OpenMigratedRegistry(db_, puente::testing::NewMasterKey());
    ASSERT_NE(reg, nullptr);
    NewApplicant a = puente::testing::SampleApplicant();
    a.given_names = "Wilmarys Yuleisy";
    a.surname1 = "Quintanilla";
    a.surname2 = "Barboza";
    a.place_of_birth = "Ciudad Bolívar";
    a.phone = "+507 6555 1234";
    a.address = "Urbanización Los Ángeles, casa 77";
    a.date_of_birth = {1991, 7, 23, DatePrecision::kExact};
    a.documents = {{DocumentType::kPassport, "VEN", "ZX9876543", ""},
                   {DocumentType::kNationalId, "VEN", "V-18765432", ""}};
    auto added = reg->AddApplicant("ana.officer", a);
    ASSERT_TRUE(added.ok()) << added.status();
    reg_no = added->registration_number;
    case_no = added->case_number;
    ASSERT_TRUE(reg->ChangeCaseStatus("ana.officer", case_no, CaseStatus::kAdmitted,
                                      "Persecución política documentada")
                    .ok());
    ASSERT_TRUE(reg->GetApplicant("ana.officer", reg_no).ok());
  }
  const std::string stored = db_.DumpAllStoredBytes();
  ASSERT_GT(stored.size(), 1000u);                                // the scan really read the data
  EXPECT_NE(stored.find("applicant.create"), std::string::npos);  // and sees clear metadata
  for (const std::string& needle :
       std::vector<std::string>{"Wilmarys", "Yuleisy", "Quintanilla", "Barboza", "Bolívar",
                                "Bolivar", "65551234", "6555 1234", "Urbanización", "Ángeles",
                                "1991-07-23", "ZX9876543", "18765432", "Persecución", reg_no}) {
    EXPECT_EQ(stored.find(needle), std::string::npos) << "found '" << needle << "' in clear";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfidentialityTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
