// Statistics releases on a registry built for the purpose, on SQLite and
// PostgreSQL: every figure against a count worked out by hand (threshold 1,
// so nothing is hidden), then the same release protected (threshold 5,
// offices below national level) and audited.
//
// The registry (period 2026-11-01..30, office days UTC-5; today 2026-11-22):
//   case A, office 101, by ana, 11-10: VEN F 1988-03-14 principal,
//           VEN M 2022-01-01 child, VEN F 2015-06-01 child;
//           admitted 11-12, recognized 11-20
//   case B, office 101, by ana, 11-10: COL M 1950 (year) principal,
//           XXA F 2009-12-01 spouse; admitted 11-15, rejected 11-21
//   case C, office 102, by ben, 11-20: HTI X 1990-11-20 principal
//   case D, office 101, by ana, 10-15: VEN M (outside the period);
//           admitted 10-20, closed 11-05
//   case E, office 101, by ana, 05-01: VEN F, still registered
#include "puente/registry/stats.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "puente/common/strings.h"
#include "puente/registry/births.h"
#include "registry/storage/internal/session.h"
#include "test_support.h"

namespace puente::registry::stats {
namespace {

using nlohmann::json;
using puente::testing::TestDatabase;

absl::Time At(const std::string& ts) { return *ParseTimestamp(ts); }

class StatsTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    PUENTE_REQUIRE_DB(db_);
    reg_ = puente::testing::OpenMigratedRegistry(db_, key_, clock_);
    ASSERT_NE(reg_, nullptr);
    Build();
  }

  Applicant Add(const std::string& actor, const std::string& when, const std::string& office,
                const std::string& nationality, Sex sex, DateOfBirth dob,
                const std::string& case_number = "", Relationship rel = Relationship::kPrincipal) {
    clock_.Set(At(when));
    NewApplicant a = puente::testing::SampleApplicant();
    a.documents.clear();
    a.office_code = office;
    a.officer = actor;
    a.nationality = nationality;
    a.sex = sex;
    a.date_of_birth = dob;
    a.case_number = case_number;
    a.relationship = rel;
    auto added = reg_->AddApplicant(actor, a);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.ok() ? *added : Applicant{};
  }

  void Status(const Applicant& a, CaseStatus to, const std::string& effective) {
    auto c = reg_->ChangeCaseStatus("sup", a.case_number, to, "decided", effective);
    ASSERT_TRUE(c.ok()) << c.status();
  }

  void Sql(const std::string& statement) { internal::Session(reg_->database()) << statement; }

  void Build() {
    using DP = DatePrecision;
    a_ = Add("ana", "2026-11-10T15:00:00Z", "101", "VEN", Sex::kFemale, {1988, 3, 14, DP::kExact});
    a_child1_ = Add("ana", "2026-11-10T15:05:00Z", "101", "VEN", Sex::kMale,
                    {2022, 1, 1, DP::kExact}, a_.case_number, Relationship::kChild);
    Add("ana", "2026-11-10T15:06:00Z", "101", "VEN", Sex::kFemale, {2015, 6, 1, DP::kEstimated},
        a_.case_number, Relationship::kChild);
    b_ = Add("ana", "2026-11-10T16:00:00Z", "101", "COL", Sex::kMale, {1950, 0, 0, DP::kYearOnly});
    Add("ana", "2026-11-10T16:05:00Z", "101", "XXA", Sex::kFemale, {2009, 12, 1, DP::kExact},
        b_.case_number, Relationship::kSpouse);
    c_ = Add("ben", "2026-11-20T15:00:00Z", "102", "HTI", Sex::kUnspecified,
             {1990, 11, 20, DP::kExact});
    d_ = Add("ana", "2026-10-15T15:00:00Z", "101", "VEN", Sex::kMale, {1980, 1, 1, DP::kExact});
    e_ = Add("ana", "2026-05-01T15:00:00Z", "101", "VEN", Sex::kFemale, {2000, 1, 1, DP::kExact});
    clock_.Set(At("2026-11-22T15:00:00Z"));
    Status(a_, CaseStatus::kAdmitted, "2026-11-12");
    Status(a_, CaseStatus::kRecognized, "2026-11-20");
    Status(b_, CaseStatus::kAdmitted, "2026-11-15");
    Status(b_, CaseStatus::kRejected, "2026-11-21");
    Status(d_, CaseStatus::kAdmitted, "2026-10-20");
    Status(d_, CaseStatus::kClosed, "2026-11-05");

    // Enrollments and candidates as deduplication leaves them.
    auto enrollment = [&](const std::string& id, const Applicant& a, const std::string& status,
                          const std::string& at) {
      Sql(
          puente::StrCat("INSERT INTO enrollments (id, applicant_id, status, photo_enc, "
                         "template_enc, model_id, quality, created_at, created_by, updated_at) "
                         "VALUES ('",
                         id, "', '", a.id, "', '", status, "', 'x', 'x', 'm', '{}', '", at,
                         "', 'ana', '", at, "')"));
    };
    enrollment("e1", a_, "held", "2026-11-10T15:00:00.000000Z");
    enrollment("e2", a_child1_, "cleared", "2026-11-10T15:05:00.000000Z");
    enrollment("e3", b_, "duplicate", "2026-11-10T16:00:00.000000Z");
    enrollment("e4", c_, "cleared", "2026-11-20T15:00:00.000000Z");
    enrollment("e5", d_, "cleared", "2026-10-15T15:00:00.000000Z");  // outside
    auto candidate = [&](const std::string& id, const std::string& enrollment,
                         const Applicant& other, const std::string& tier,
                         const std::string& decision, const std::string& at) {
      Sql(
          puente::StrCat("INSERT INTO duplicate_candidates (id, enrollment_id, "
                         "candidate_applicant_id, demographic_score, reasons_enc, decision, "
                         "decided_by, decided_at, tier) VALUES ('",
                         id, "', '", enrollment, "', '", other.id, "', 0.5, 'x', '", decision,
                         "', 'sup', '", at, "', '", tier, "')"));
    };
    candidate("d1", "e1", d_, "hold", "different", "2026-11-11T03:00:00.000000Z");    // 12 h
    candidate("d2", "e3", e_, "hold", "same_person", "2026-11-12T16:00:00.000000Z");  // 48 h
    candidate("d3", "e4", e_, "flag", "different", "2026-11-20T16:00:00.000000Z");    // a flag

    // Cards: 1 lost and replaced by 2, which was renewed as 3; 4 a refugee
    // card; 5 revoked; 6 from October.
    auto card = [&](int serial, const Applicant& a, const std::string& type,
                    const std::string& issued, const std::string& expires,
                    const std::string& status, const std::string& revoked,
                    const std::string& reason, const std::string& replaces) {
      Sql(puente::StrCat(
          "INSERT INTO cards (serial, applicant_id, card_type, issuer_kid, issued_at, "
          "expires_at, status, revoked_at, revoke_reason, replaces, qr_enc, created_by) VALUES (",
          serial, ", '", a.id, "', '", type, "', 'kid', '", issued, "', '", expires, "', '", status,
          "', ", revoked.empty() ? "NULL" : "'" + revoked + "'", ", ",
          reason.empty() ? "NULL" : "'" + reason + "'", ", ", replaces.empty() ? "NULL" : replaces,
          ", 'x', 'ana')"));
    };
    card(1, a_, "asylum-seeker", "2026-11-10T16:00:00.000000Z", "2027-11-10T16:00:00.000000Z",
         "revoked", "2026-11-15T15:00:00.000000Z", "lost", "");
    card(2, a_, "asylum-seeker", "2026-11-15T15:00:00.000000Z", "2027-11-15T15:00:00.000000Z",
         "revoked", "2026-11-18T15:00:00.000000Z", "renewed", "1");
    card(3, a_, "asylum-seeker", "2026-11-18T15:00:00.000000Z", "2027-01-10T00:00:00.000000Z",
         "active", "", "", "2");
    card(4, b_, "refugee", "2026-11-12T15:00:00.000000Z", "2026-12-01T15:00:00.000000Z", "active",
         "", "", "");
    card(5, c_, "asylum-seeker", "2026-11-20T15:00:00.000000Z", "2027-11-20T15:00:00.000000Z",
         "revoked", "2026-11-21T15:00:00.000000Z", "fraud", "");
    card(6, d_, "asylum-seeker", "2026-10-15T15:00:00.000000Z", "2027-02-10T15:00:00.000000Z",
         "active", "", "", "");

    // Births: two at a jornada of kit-1 in Darién, one at office 102 whose
    // father is C (enrolled: HTI).
    Sql("INSERT INTO jornadas (id, kit_id, location_code, starts_on, ends_on, officers, status, "
        "created_at, created_by) VALUES ('j1', 'kit-1', 'PA-5-DAR-01', '2026-11-08', "
        "'2026-11-09', 'ana', 'closed', '2026-11-08T12:00:00.000000Z', 'ana')");
    auto birth = [&](const std::string& id, const std::string& born, const std::string& place,
                     BirthParent parent, const std::string& office, const std::string& jornada,
                     const std::string& at, bool attested) {
      NewBirth b;
      b.given_names = "Niña";
      b.sex = Sex::kFemale;
      b.born_on = born;
      b.place_code = place;
      b.parents = {parent};
      b.office_code = office;
      b.jornada_id = jornada;
      auto sealed = reg_->keys().Seal(BirthRecordToJson(b), "births.record/" + id);
      ASSERT_TRUE(sealed.ok());
      Sql(
          puente::StrCat("INSERT INTO births (id, birth_no_bidx, birth_no_enc, record_enc, "
                         "office_code, jornada_id, attestation_serial, created_at, created_by) "
                         "VALUES ('",
                         id, "', 'bidx-", id, "', 'x', '", *sealed, "', '", office, "', ",
                         jornada.empty() ? "NULL" : "'" + jornada + "'", ", ",
                         attested ? "77" : "NULL", ", '", at, "', 'ana')"));
    };
    BirthParent mother_ven{ParentRole::kMother, "", "", "", "Ana Pérez", "VEN", std::nullopt};
    BirthParent mother_xxa{ParentRole::kMother, "", "", "", "Eva Luna", "XXA", std::nullopt};
    BirthParent father_c{
        ParentRole::kFather, c_.registration_number, "registration_number", "", "", "",
        std::nullopt};
    birth("b1", "2026-11-01", "PA-5-DAR-01", mother_ven, "101", "j1", "2026-11-09T15:00:00.000000Z",
          true);
    birth("b2", "2026-10-30", "PA-5-DAR-02", mother_xxa, "101", "j1", "2026-11-09T16:00:00.000000Z",
          false);
    birth("b3", "2026-11-15", "PA-8-PAN-01", father_c, "102", "", "2026-11-20T15:00:00.000000Z",
          true);
  }

  json Release(int threshold, const std::string& offices = "") {
    auto q =
        ParseReleaseQuery("2026-11-01", "2026-11-30", offices, std::to_string(threshold), "", "");
    EXPECT_TRUE(q.ok()) << q.status();
    auto r = ComputeRelease(*reg_, "analyst", *q);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? ReleaseToJson(*r) : json::object();
  }

  static const json& TableOf(const json& release, const std::string& name) {
    for (const json& t : release["tables"]) {
      if (t["name"] == name) return t;
    }
    ADD_FAILURE() << "no table " << name;
    static const json kNone = json::object();
    return kNone;
  }

  // The table as {row: {column: value}} plus "Total" row and column; a
  // hidden value reads -1.
  static std::map<std::string, std::map<std::string, int64_t>> Grid(const json& release,
                                                                    const std::string& name) {
    const json& t = TableOf(release, name);
    std::map<std::string, std::map<std::string, int64_t>> g;
    auto v = [](const json& x) {
      return x["value"].is_null() ? int64_t{-1} : x["value"].get<int64_t>();
    };
    const json& rows = t["rows"]["labels"];
    const json& cols = t["columns"]["labels"];
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string row = rows[i].get<std::string>();
      for (size_t j = 0; j < cols.size(); ++j) {
        g[row][cols[j].get<std::string>()] = v(t["cells"][i][j]);
      }
      if (!t["row_totals"].is_null()) g[row]["Total"] = v(t["row_totals"][i]);
    }
    for (size_t j = 0; j < cols.size(); ++j) {
      g["Total"][cols[j].get<std::string>()] = v(t["column_totals"][j]);
    }
    g["Total"]["Total"] = v(t["total"]);
    return g;
  }

  static const json& Durations(const json& release, const std::string& name,
                               const std::string& label) {
    for (const json& t : release["durations"]) {
      if (t["name"] != name) continue;
      for (const json& r : t["rows"]) {
        if (r["label"] == label) return r;
      }
    }
    ADD_FAILURE() << "no duration " << name << " " << label;
    static const json kNone = json::object();
    return kNone;
  }

  static json RateOf(const json& release, const std::string& name, const std::string& label) {
    for (const json& t : release["rates"]) {
      if (t["name"] != name) continue;
      for (const json& r : t["rows"]) {
        if (r["label"] == label) return r["value"];
      }
    }
    ADD_FAILURE() << "no rate " << name << " " << label;
    return nullptr;
  }

  TestDatabase db_{GetParam()};
  crypto::SecretKey key_ = puente::testing::NewMasterKey();
  FixedClock clock_{At("2026-11-22T15:00:00Z")};
  std::unique_ptr<Registry> reg_;
  Applicant a_, a_child1_, b_, c_, d_, e_;
};

using Cells = std::map<std::string, std::map<std::string, int64_t>>;

TEST_P(StatsTest, RegistrationFiguresMatchTheHandCount) {
  const json r = Release(1);
  EXPECT_EQ(r["release"]["national"], true);
  EXPECT_EQ(Grid(r, "registration.nationality_by_sex"),
            (Cells{{"COL", {{"F", 0}, {"M", 1}, {"X", 0}, {"Total", 1}}},
                   {"HTI", {{"F", 0}, {"M", 0}, {"X", 1}, {"Total", 1}}},
                   {"VEN", {{"F", 2}, {"M", 1}, {"X", 0}, {"Total", 3}}},
                   {"XXA", {{"F", 1}, {"M", 0}, {"X", 0}, {"Total", 1}}},
                   {"Total", {{"F", 3}, {"M", 2}, {"X", 1}, {"Total", 6}}}}));
  EXPECT_EQ(Grid(r, "registration.age_by_sex"),
            (Cells{{"0-4", {{"F", 0}, {"M", 1}, {"X", 0}, {"Total", 1}}},
                   {"5-11", {{"F", 1}, {"M", 0}, {"X", 0}, {"Total", 1}}},
                   {"12-17", {{"F", 1}, {"M", 0}, {"X", 0}, {"Total", 1}}},
                   {"18-59", {{"F", 1}, {"M", 0}, {"X", 1}, {"Total", 2}}},
                   {"60+", {{"F", 0}, {"M", 1}, {"X", 0}, {"Total", 1}}},
                   {"unknown", {{"F", 0}, {"M", 0}, {"X", 0}, {"Total", 0}}},
                   {"Total", {{"F", 3}, {"M", 2}, {"X", 1}, {"Total", 6}}}}));
  EXPECT_EQ(Grid(r, "registration.office_by_sex"),
            (Cells{{"101", {{"F", 3}, {"M", 2}, {"X", 0}, {"Total", 5}}},
                   {"102", {{"F", 0}, {"M", 0}, {"X", 1}, {"Total", 1}}},
                   {"Total", {{"F", 3}, {"M", 2}, {"X", 1}, {"Total", 6}}}}));
  EXPECT_EQ(Grid(r, "registration.relationship_by_sex"),
            (Cells{{"child", {{"F", 1}, {"M", 1}, {"X", 0}, {"Total", 2}}},
                   {"principal", {{"F", 1}, {"M", 1}, {"X", 1}, {"Total", 3}}},
                   {"spouse", {{"F", 1}, {"M", 0}, {"X", 0}, {"Total", 1}}},
                   {"Total", {{"F", 3}, {"M", 2}, {"X", 1}, {"Total", 6}}}}));
  EXPECT_FALSE(r["notes"].empty());
}

TEST_P(StatsTest, CaseFiguresMatchTheHandCount) {
  const json r = Release(1);
  EXPECT_EQ(Grid(r, "cases.by_status"), (Cells{{"registered", {{"cases", 1}}},
                                               {"admitted", {{"cases", 0}}},
                                               {"recognized", {{"cases", 1}}},
                                               {"rejected", {{"cases", 1}}},
                                               {"appeal", {{"cases", 0}}},
                                               {"closed", {{"cases", 0}}},
                                               {"Total", {{"cases", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "cases.by_office"), (Cells{{"101", {{"cases", 2}}},
                                               {"102", {{"cases", 1}}},
                                               {"Total", {{"cases", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "cases.by_officer"), (Cells{{"ana", {{"cases", 2}}},
                                                {"ben", {{"cases", 1}}},
                                                {"Total", {{"cases", 3}, {"Total", 3}}}}));
  // Today 2026-11-22: C has waited 2 days, E 205 (both still registered).
  EXPECT_EQ(Grid(r, "cases.backlog_by_age"),
            (Cells{{"0-30", {{"registered", 1}, {"admitted", 0}, {"appeal", 0}, {"Total", 1}}},
                   {"31-90", {{"registered", 0}, {"admitted", 0}, {"appeal", 0}, {"Total", 0}}},
                   {"91-180", {{"registered", 0}, {"admitted", 0}, {"appeal", 0}, {"Total", 0}}},
                   {"over 180", {{"registered", 1}, {"admitted", 0}, {"appeal", 0}, {"Total", 1}}},
                   {"Total", {{"registered", 2}, {"admitted", 0}, {"appeal", 0}, {"Total", 2}}}}));
  EXPECT_EQ(Grid(r, "cases.decisions_by_month"),
            (Cells{{"2026-11", {{"recognized", 1}, {"rejected", 1}, {"closed", 1}, {"Total", 3}}},
                   {"Total", {{"recognized", 1}, {"rejected", 1}, {"closed", 1}, {"Total", 3}}}}));
  EXPECT_DOUBLE_EQ(RateOf(r, "cases.recognition_rate", "period").get<double>(), 0.5);
  // Stays ended in November: registered A 2 d, B 5 d; admitted A 8, B 6, D 16.
  const json& reg = Durations(r, "cases.time_in_status", "registered");
  EXPECT_EQ(reg["mark"], "published");
  EXPECT_FALSE(reg.contains("n")) << "a group's size is a count the tables may hide";
  EXPECT_EQ(reg["median"], 2.0);
  EXPECT_EQ(reg["p90"], 5.0);
  const json& adm = Durations(r, "cases.time_in_status", "admitted");
  EXPECT_EQ(adm["median"], 8.0);
  EXPECT_EQ(adm["p90"], 16.0);
  EXPECT_EQ(Durations(r, "cases.time_in_status", "recognized")["median"], nullptr);
  EXPECT_EQ(Durations(r, "cases.time_in_status", "recognized")["mark"], "primary");
  EXPECT_EQ(Durations(r, "cases.time_to_decision", "recognized")["median"], 10.0);
  EXPECT_EQ(Durations(r, "cases.time_to_decision", "rejected")["median"], 11.0);
  EXPECT_EQ(Durations(r, "cases.time_to_decision", "closed")["median"], 21.0);
}

TEST_P(StatsTest, DedupCardAndBirthFiguresMatchTheHandCount) {
  const json r = Release(1);
  EXPECT_EQ(Grid(r, "dedup.enrollments_by_status"),
            (Cells{{"held", {{"enrollments", 1}}},
                   {"cleared", {{"enrollments", 2}}},
                   {"duplicate", {{"enrollments", 1}}},
                   {"Total", {{"enrollments", 4}, {"Total", 4}}}}));
  EXPECT_EQ(Grid(r, "dedup.decisions_by_month"),
            (Cells{{"2026-11", {{"same_person", 1}, {"different", 1}, {"Total", 2}}},
                   {"Total", {{"same_person", 1}, {"different", 1}, {"Total", 2}}}}));
  EXPECT_DOUBLE_EQ(RateOf(r, "dedup.false_hold_rate", "period").get<double>(), 0.5);
  const json& waited = Durations(r, "dedup.time_to_decision", "all decisions");
  EXPECT_DOUBLE_EQ(waited["median"].get<double>(), 0.5);  // 12 h
  EXPECT_DOUBLE_EQ(waited["p90"].get<double>(), 2.0);     // 48 h

  EXPECT_EQ(
      Grid(r, "cards.events_by_type"),
      (Cells{{"asylum-seeker",
              {{"issued", 2}, {"replaced", 1}, {"renewed", 1}, {"revoked", 1}, {"Total", 5}}},
             {"refugee",
              {{"issued", 1}, {"replaced", 0}, {"renewed", 0}, {"revoked", 0}, {"Total", 1}}},
             {"birth-attestation",
              {{"issued", 0}, {"replaced", 0}, {"renewed", 0}, {"revoked", 0}, {"Total", 0}}},
             {"Total",
              {{"issued", 3}, {"replaced", 1}, {"renewed", 1}, {"revoked", 1}, {"Total", 6}}}}));
  EXPECT_EQ(
      Grid(r, "cards.expiring"),
      (Cells{
          {"0-30", {{"asylum-seeker", 0}, {"refugee", 1}, {"birth-attestation", 0}, {"Total", 1}}},
          {"31-60", {{"asylum-seeker", 1}, {"refugee", 0}, {"birth-attestation", 0}, {"Total", 1}}},
          {"61-90", {{"asylum-seeker", 1}, {"refugee", 0}, {"birth-attestation", 0}, {"Total", 1}}},
          {"Total",
           {{"asylum-seeker", 2}, {"refugee", 1}, {"birth-attestation", 0}, {"Total", 3}}}}));

  EXPECT_EQ(Grid(r, "births.by_month"),
            (Cells{{"2026-11", {{"not attested", 1}, {"attested", 2}, {"Total", 3}}},
                   {"Total", {{"not attested", 1}, {"attested", 2}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "births.by_province"), (Cells{{"PA-5", {{"births", 2}}},
                                                  {"PA-8", {{"births", 1}}},
                                                  {"Total", {{"births", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "births.by_jornada"), (Cells{{"(none)", {{"births", 1}}},
                                                 {"PA-5-DAR-01 2026-11-08", {{"births", 2}}},
                                                 {"Total", {{"births", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "births.by_kit"), (Cells{{"(office)", {{"births", 1}}},
                                             {"kit-1", {{"births", 2}}},
                                             {"Total", {{"births", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "births.by_parent_nationality"),
            (Cells{{"HTI", {{"births", 1}}},
                   {"VEN", {{"births", 1}}},
                   {"XXA", {{"births", 1}}},
                   {"Total", {{"births", 3}, {"Total", 3}}}}));
  EXPECT_EQ(Grid(r, "births.statelessness_risk"),
            (Cells{{"not at risk", {{"births", 2}}},
                   {"at risk", {{"births", 1}}},
                   {"Total", {{"births", 3}, {"Total", 3}}}}));
  // 8, 10 and 5 days from birth to registration.
  const json& late = Durations(r, "births.time_to_registration", "all births");
  EXPECT_EQ(late["median"], 8.0);
  EXPECT_EQ(late["p90"], 10.0);
}

TEST_P(StatsTest, AnOfficeReleaseCountsThatOfficeOnlyAndHidesSensitiveGroups) {
  const json r = Release(1, "101");
  EXPECT_EQ(r["release"]["national"], false);
  EXPECT_EQ(r["release"]["sensitive_suppressed"], true);
  const json& nat = TableOf(r, "registration.nationality_by_sex");
  EXPECT_EQ(nat["rows"]["labels"], json({"COL", "VEN", "XXA"}));
  for (const json& cell : nat["cells"][2]) {
    EXPECT_EQ(cell["mark"], "sensitive");
    EXPECT_TRUE(cell["value"].is_null());
  }
  EXPECT_EQ(nat["row_totals"][2]["mark"], "sensitive");
  // Office 101 alone: five people, two cases opened in November.
  EXPECT_EQ(Grid(r, "cases.by_office"),
            (Cells{{"101", {{"cases", 2}}}, {"Total", {{"cases", 2}, {"Total", 2}}}}));
  const json& risk = TableOf(r, "births.statelessness_risk");
  EXPECT_EQ(risk["cells"][1][0]["mark"], "sensitive");
  EXPECT_EQ(Grid(r, "births.by_kit")["kit-1"]["births"], 2);
}

TEST_P(StatsTest, APublishedReleaseShowsNoSmallValueAndMarksWhatItHides) {
  const json r = Release(5);
  int hidden = 0;
  auto check = [&](const json& v) {
    if (v["value"].is_null()) {
      ++hidden;
      EXPECT_NE(v["mark"], "published");
    } else {
      const int64_t x = v["value"];
      EXPECT_TRUE(x == 0 || x >= 5) << v;
      EXPECT_EQ(v["mark"], "published");
    }
  };
  for (const json& t : r["tables"]) {
    for (const json& row : t["cells"]) {
      for (const json& v : row) check(v);
    }
    if (!t["row_totals"].is_null()) {
      for (const json& v : t["row_totals"]) check(v);
    }
    for (const json& v : t["column_totals"]) check(v);
    check(t["total"]);
  }
  EXPECT_GT(hidden, 20);
  // 6 people, all in cells below 5: the grand total (6) is published, every
  // cell hidden.
  const Cells nat = Grid(r, "registration.nationality_by_sex");
  EXPECT_EQ(nat.at("Total").at("Total"), 6);
  EXPECT_EQ(nat.at("VEN").at("F"), -1);
  // Durations of fewer than 5 are hidden; so is a rate of hidden counts.
  EXPECT_TRUE(Durations(r, "cases.time_in_status", "admitted")["median"].is_null());
  EXPECT_TRUE(RateOf(r, "cases.recognition_rate", "period").is_null());
  // The CSV says the same: every hidden value empty and marked.
  auto q = ParseReleaseQuery("2026-11-01", "2026-11-30", "", "5", "", "registration");
  ASSERT_TRUE(q.ok());
  auto rel = ComputeRelease(*reg_, "analyst", *q);
  ASSERT_TRUE(rel.ok());
  const std::string csv = ReleaseToCsv(*rel);
  EXPECT_EQ(csv.rfind("table,row,column,value,mark\n", 0), 0u);
  EXPECT_NE(csv.find("registration.nationality_by_sex,VEN,F,,primary\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("registration.nationality_by_sex,Total,Total,6,published\n"),
            std::string::npos);
  EXPECT_EQ(csv.find("cases."), std::string::npos) << "only the families asked for";
}

TEST_P(StatsTest, ComputingAReleaseIsAuditedAndWritesNothingElse) {
  const long long before = puente::testing::CountRows(db_, "audit_events");
  const long long applicants = puente::testing::CountRows(db_, "applicants");
  const json r = Release(5, "101,102");
  EXPECT_EQ(puente::testing::CountRows(db_, "audit_events"), before + 1);
  EXPECT_EQ(puente::testing::CountRows(
                db_, puente::StrCat("audit_events WHERE action = 'stats.release' AND actor = "
                                    "'analyst' AND entity_id = '",
                                    r["release"]["id"].get<std::string>(), "'")),
            1);
  EXPECT_EQ(puente::testing::CountRows(db_, "applicants"), applicants);
  EXPECT_EQ(r["release"]["offices"], json({"101", "102"}));
}

TEST_P(StatsTest, BadQueriesAreRefusedNamingTheArgument) {
  auto refused = [&](const std::string& from, const std::string& to, const std::string& offices,
                     const std::string& threshold, const std::string& method,
                     const std::string& tables, const std::string& field) {
    auto q = ParseReleaseQuery(from, to, offices, threshold, method, tables);
    absl::Status s = q.status();
    if (q.ok()) s = ComputeRelease(*reg_, "analyst", *q).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(std::string(s.message()).rfind(field + ":", 0), 0u) << s;
  };
  refused("2026-13-01", "2026-11-30", "", "", "", "", "from");
  refused("2026-02-30", "2026-11-30", "", "", "", "", "from");
  refused("2026-11-01", "", "", "", "", "", "to");
  refused("2026-11-30", "2026-11-01", "", "", "", "", "to");
  refused("2026-11-01", "2026-11-30", "1O1", "", "", "", "offices");
  refused("2026-11-01", "2026-11-30", "101' OR '1'='1", "", "", "", "offices");
  refused("2026-11-01", "2026-11-30", "", "0", "", "", "threshold");
  refused("2026-11-01", "2026-11-30", "", "five", "", "", "threshold");
  refused("2026-11-01", "2026-11-30", "", "", "round10", "", "method");
  refused("2026-11-01", "2026-11-30", "", "", "", "people", "tables");
  EXPECT_EQ(puente::testing::CountRows(db_, "audit_events WHERE action = 'stats.release'"), 0);
}

TEST_P(StatsTest, TheWorkListNamesThePendingCasesPastTheirTarget) {
  // Today 2026-11-22: E registered since 05-01 (205 days), C since 11-20 (2).
  auto list = OverdueCases(*reg_, "sup", {}, {});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].case_number, e_.case_number);
  EXPECT_EQ((*list)[0].status, "registered");
  EXPECT_EQ((*list)[0].since, "2026-05-01");
  EXPECT_EQ((*list)[0].days_in_status, 205);
  EXPECT_EQ((*list)[0].target_days, 30);

  StatusTargets strict;
  strict.registered = 1;
  list = OverdueCases(*reg_, "sup", strict, {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].case_number, e_.case_number) << "longest over first";
  EXPECT_EQ((*list)[1].case_number, c_.case_number);
  EXPECT_EQ((*list)[1].days_in_status, 2);
  list = OverdueCases(*reg_, "sup", strict, {"102"});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].case_number, c_.case_number);
  EXPECT_EQ(puente::testing::CountRows(
                db_, "audit_events WHERE action = 'stats.worklist' AND actor = 'sup'"),
            3);

  strict.admitted = 0;
  EXPECT_EQ(OverdueCases(*reg_, "sup", strict, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OverdueCases(*reg_, "sup", {}, {"10"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Dialects, StatsTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry::stats
