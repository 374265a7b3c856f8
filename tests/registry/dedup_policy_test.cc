// Deduplication against an FPIR with the real face models and dev photos, on
// SQLite and the real PostgreSQL: candidates in fused-score order, the two
// tiers, a registry of another template set refused, re-templating.
#include <gtest/gtest.h>

#include <algorithm>

#include "biometrics/biometrics_test_support.h"
#include "puente/registry/adjudication.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/retemplate.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

NewApplicant Person(std::string given, std::string s1, DateOfBirth dob, Sex sex = Sex::kFemale) {
  NewApplicant a = puente::testing::SampleApplicant();
  a.given_names = std::move(given);
  a.surname1 = std::move(s1);
  a.surname2 = "";
  a.date_of_birth = dob;
  a.sex = sex;
  a.documents.clear();
  return a;
}

class DedupPolicyTest : public puente::testing::EnrollmentServiceTest {
 protected:
  Enrollment Enroll(EnrollmentService& s, NewApplicant a, const char* person, int photo) {
    auto e = s.Enroll("ana.officer", std::move(a), ReadBytes(DevPhoto(person, photo)));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : Enrollment{};
  }
};

TEST_P(DedupPolicyTest, CandidatesAreListedByFusedScoreEverywhere) {
  // A permissive policy, so that weak candidates are kept too and the order
  // shows.
  EnrollmentPolicy permissive;
  permissive.hold_fpir = 0.5;
  permissive.flag_fpir = 0.9;
  permissive.min_hold_score = permissive.min_flag_score = -100;
  auto s = EnrollmentService::Create(*reg_, *capture_, permissive);
  ASSERT_TRUE(s.ok()) << s.status();
  const Enrollment ashanti = Enroll(
      **s, Person("Ashanti", "Douglas", {1980, 10, 13, DatePrecision::kExact}), "Ashanti", 1);
  // Someone else whose data resembles the newcomer's (the example,
  // demographic score 0.82): more demographic score than the face match
  // below, weaker evidence.
  const Enrollment namesake =
      Enroll(**s, Person("Luisa", "Campos Escobar", {1979, 6, 4, DatePrecision::kExact}),
             "Rose_Leslie", 1);
  Enroll(**s, Person("Alberto", "Costa", {1975, 6, 25, DatePrecision::kExact}, Sex::kMale),
         "Albert_Costa", 1);
  const Enrollment again = Enroll(
      **s, Person("Lucía", "Restrepo Campos", {1979, 5, 14, DatePrecision::kExact}), "Ashanti", 4);
  ASSERT_GE(again.candidates.size(), 2u);
  EXPECT_EQ(again.candidates[0].registration_number, ashanti.applicant.registration_number);
  EXPECT_EQ(again.candidates[0].tier, CandidateTier::kHold);
  const auto by_namesake =
      std::find_if(again.candidates.begin(), again.candidates.end(), [&](const auto& c) {
        return c.registration_number == namesake.applicant.registration_number;
      });
  ASSERT_NE(by_namesake, again.candidates.end());
  EXPECT_GT(by_namesake->demographic_score, again.candidates[0].demographic_score);
  for (size_t i = 1; i < again.candidates.size(); ++i) {
    ASSERT_TRUE(again.candidates[i].fused_score && again.candidates[i - 1].fused_score);
    EXPECT_GE(*again.candidates[i - 1].fused_score, *again.candidates[i].fused_score) << i;
  }
  // The same order when read back, in the review list and one by one (the
  // review list ordered by demographic score before).
  auto held = (*s)->ListHeld("sara.supervisor", 10);
  ASSERT_TRUE(held.ok()) << held.status();
  auto read = (*s)->GetEnrollment("sara.supervisor", again.applicant.registration_number);
  ASSERT_TRUE(read.ok()) << read.status();
  const Enrollment* listed = nullptr;
  for (const Enrollment& e : *held) {
    if (e.id == again.id) listed = &e;
  }
  ASSERT_NE(listed, nullptr);
  for (const Enrollment* e : {listed, static_cast<const Enrollment*>(&*read)}) {
    ASSERT_EQ(e->candidates.size(), again.candidates.size());
    for (size_t i = 0; i < e->candidates.size(); ++i) {
      EXPECT_EQ(e->candidates[i].id, again.candidates[i].id) << i;
    }
  }
}

TEST_P(DedupPolicyTest, FlaggedEnrollmentsDoNotBlockTheCardAndAreReviewedApart) {
  // A policy whose hold tier is out of reach: the duplicate falls in the
  // flag band.
  EnrollmentPolicy flag_only;
  flag_only.hold_fpir = 1e-15;
  flag_only.flag_fpir = 0.03;
  flag_only.min_hold_score = 1000;
  auto s = EnrollmentService::Create(*reg_, *capture_, flag_only);
  ASSERT_TRUE(s.ok()) << s.status();
  const Enrollment first = Enroll(
      **s, Person("Ashanti", "Douglas", {1980, 10, 13, DatePrecision::kExact}), "Ashanti", 1);
  const Enrollment again =
      Enroll(**s, Person("Rosa", "Martínez", {1991, 5, 2, DatePrecision::kExact}), "Ashanti", 4);
  ASSERT_EQ(again.status, EnrollmentStatus::kFlagged);
  ASSERT_EQ(again.candidates.size(), 1u);
  EXPECT_EQ(again.candidates[0].tier, CandidateTier::kFlag);
  EXPECT_EQ(again.candidates[0].registration_number, first.applicant.registration_number);
  // Not in the held list; in the flagged one.
  auto held = (*s)->ListHeld("sara.supervisor", 10);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->empty());
  auto flagged = (*s)->ListHeld("sara.supervisor", 10, /*flagged=*/true);
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  ASSERT_EQ(flagged->size(), 1u);
  EXPECT_EQ((*flagged)[0].status, EnrollmentStatus::kFlagged);
  // Decided "different": cleared, off the list.
  auto decided = (*s)->Decide("sara.supervisor", again.candidates[0].id, Decision::kDifferent,
                              "checked the photos: two people");
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->status, EnrollmentStatus::kCleared);
  flagged = (*s)->ListHeld("sara.supervisor", 10, true);
  ASSERT_TRUE(flagged.ok());
  EXPECT_TRUE(flagged->empty());
  // A second flagged duplicate decided "same person" becomes a duplicate.
  const Enrollment third =
      Enroll(**s, Person("Inés", "Quispe", {1987, 1, 9, DatePrecision::kExact}), "Ashanti", 2);
  ASSERT_EQ(third.status, EnrollmentStatus::kFlagged);
  auto same = (*s)->Decide("sara.supervisor", third.candidates[0].id, Decision::kSamePerson,
                           "same face, same scar");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->status, EnrollmentStatus::kDuplicate);
}

TEST_P(DedupPolicyTest, AnotherTemplateSetIsRefusedUntilRetemplated) {
  // A registry enrolled with the old template set (fr_feature fed RGB).
  biometrics::CaptureOptions v1;
  v1.templates = biometrics::TemplateSet::kFrFeatureV1;
  auto old_capture = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests(), v1);
  ASSERT_TRUE(old_capture.ok()) << old_capture.status();
  auto old_service = EnrollmentService::Create(*reg_, **old_capture);
  ASSERT_TRUE(old_service.ok()) << old_service.status();
  const Enrollment ashanti =
      Enroll(**old_service, Person("Ashanti", "Douglas", {1980, 10, 13, DatePrecision::kExact}),
             "Ashanti", 1);
  Enroll(**old_service,
         Person("Alberto", "Costa", {1975, 6, 25, DatePrecision::kExact}, Sex::kMale),
         "Albert_Costa", 1);

  // The default set refuses to search a gallery of another set, and says
  // what to do.
  auto refused = EnrollmentService::Create(*reg_, *capture_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("2 of fr_feature/1"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("puente face retemplate --to fr_feature+reid_0095/1"),
            std::string::npos)
      << refused.status().message();

  std::vector<long long> seen;
  RetemplateOptions options;
  options.batch_size = 1;
  options.progress = [&](const RetemplateProgress& p) { seen.push_back(p.done); };
  auto run = Retemplate(*reg_, *capture_, "admin", options);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->to_do, 2);
  EXPECT_EQ(run->done, 2);
  EXPECT_EQ(run->failed, 0);
  EXPECT_EQ(seen, (std::vector<long long>{0, 1, 2}));
  EXPECT_EQ(Count("audit_events WHERE action = 'face.retemplate'"), 2);
  EXPECT_EQ(Count("enrollments WHERE template_set = 'fr_feature+reid_0095/1'"), 2);

  // The old service, still running, enrolls one more with the old set; a
  // second run does only that row.
  Enroll(**old_service, Person("Lucía", "Restrepo", {1979, 5, 14, DatePrecision::kExact}),
         "Rose_Leslie", 1);
  // Its gallery caught up with the re-templated rows before that search (the
  // gallery feed) and kept their old-set templates: nobody left it.
  EXPECT_EQ((*old_service)->live_gallery()->other_set_changes(), 2);
  EXPECT_EQ((*old_service)->gallery().size(), 3u);
  auto again = Retemplate(*reg_, *capture_, "admin");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->to_do, 1);
  EXPECT_EQ(again->done, 1);
  EXPECT_EQ(again->already, 2);
  auto nothing = Retemplate(*reg_, *capture_, "admin");
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->to_do, 0);

  // Now the default set loads, and finds the same person again.
  auto service = EnrollmentService::Create(*reg_, *capture_);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ((*service)->gallery().size(), 3u);
  const Enrollment dup = Enroll(
      **service, Person("Rosa", "Martínez", {1991, 5, 2, DatePrecision::kExact}), "Ashanti", 4);
  ASSERT_EQ(dup.status, EnrollmentStatus::kHeld);
  EXPECT_EQ(dup.candidates[0].registration_number, ashanti.applicant.registration_number);
  // A gallery handed over from another set is refused too.
  auto mismatched = EnrollmentService::Create(*reg_, **old_capture, {}, (*service)->live_gallery());
  EXPECT_EQ(mismatched.status().code(), absl::StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Backends, DedupPolicyTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
