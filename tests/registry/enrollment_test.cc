// Enrollment with the real face models and dev photos, on SQLite and the real
// PostgreSQL: quality gate, 1:N face and demographic deduplication, holds,
// adjudication, the gallery reloaded at start, 1:1 verification.
#include "puente/registry/enrollment.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "biometrics/biometrics_test_support.h"
#include "puente/common/error_detail.h"
#include "test_support.h"

namespace puente::registry {
namespace {

using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

NewApplicant Person(std::string given, std::string s1, std::string s2, DateOfBirth dob,
                    std::string passport = "") {
  NewApplicant a = puente::testing::SampleApplicant();
  a.given_names = std::move(given);
  a.surname1 = std::move(s1);
  a.surname2 = std::move(s2);
  a.date_of_birth = dob;
  a.documents.clear();
  if (!passport.empty()) a.documents = {{DocumentType::kPassport, "VEN", passport, ""}};
  return a;
}

class EnrollmentTest : public puente::testing::EnrollmentServiceTest {};

TEST_P(EnrollmentTest, NewPeopleAreClearedAndTheSamePersonAgainIsHeld) {
  auto first = service_->Enroll(
      "ana.officer", Person("Ashanti", "Douglas", "", {1980, 10, 13, DatePrecision::kExact}),
      ReadBytes(DevPhoto("Ashanti", 1)));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, EnrollmentStatus::kCleared);
  EXPECT_TRUE(first->candidates.empty());
  auto other = service_->Enroll(
      "ana.officer", Person("Alberto", "Costa", "Ruiz", {1975, 6, 25, DatePrecision::kExact}),
      ReadBytes(DevPhoto("Albert_Costa", 1)));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->status, EnrollmentStatus::kCleared);
  EXPECT_EQ(service_->gallery().size(), 2u);

  // The same face under another name and birth date: held on the face alone.
  auto again = service_->Enroll("ana.officer",
                                Person("Rosa", "Martínez", "", {1991, 5, 2, DatePrecision::kExact}),
                                ReadBytes(DevPhoto("Ashanti", 4)));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->status, EnrollmentStatus::kHeld);
  ASSERT_EQ(again->candidates.size(), 1u);
  const DuplicateCandidate& c = again->candidates[0];
  EXPECT_EQ(c.registration_number, first->applicant.registration_number);
  ASSERT_TRUE(c.face_score.has_value());
  EXPECT_GE(*c.face_score, 0.43f);
  EXPECT_EQ(c.reasons[0].substr(0, 15), "face similarity");

  // Someone else's face with the same person's data spelled otherwise:
  // held on demographics (surnames swapped, accents, the same passport).
  auto data_twin = service_->Enroll(
      "ana.officer", Person("ALBERTO", "RUÍZ", "COSTA", {1975, 6, 25, DatePrecision::kExact}),
      ReadBytes(DevPhoto("Al_Sharpton", 1)));
  ASSERT_TRUE(data_twin.ok()) << data_twin.status();
  ASSERT_EQ(data_twin->status, EnrollmentStatus::kHeld);
  ASSERT_EQ(data_twin->candidates.size(), 1u);
  EXPECT_EQ(data_twin->candidates[0].registration_number, other->applicant.registration_number);
  EXPECT_GE(data_twin->candidates[0].demographic_score, 0.8);
  const auto& reasons = data_twin->candidates[0].reasons;
  EXPECT_NE(std::find(reasons.begin(), reasons.end(), "surnames swapped"), reasons.end());

  auto held = service_->ListHeld("sara.supervisor", 10);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->size(), 2u);
}

TEST_P(EnrollmentTest, RefusedPhotoStoresNothing) {
  const long long applicants = Count("applicants");
  const long long audit = Count("audit_events");
  auto r = service_->Enroll("ana.officer", puente::testing::SampleApplicant(), "not a photo");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_EQ(r.status().message().substr(0, 7), "photo: ");
  // A blurry photo is refused with the gate's reason.
  auto blurry = service_->Enroll("ana.officer", puente::testing::SampleApplicant(),
                                 ReadBytes(DevPhoto("Jesse_Jackson", 4)));
  ASSERT_FALSE(blurry.ok());
  EXPECT_NE(blurry.status().message().find("refused by the quality check"), std::string::npos)
      << blurry.status();
  // ... and typed details callers switch on (never the message text).
  EXPECT_EQ(puente::DetailOf(blurry.status(), puente::kDetailField), "photo");
  EXPECT_EQ(puente::DetailOf(blurry.status(), puente::kDetailReason), "face.too_blurry");
  EXPECT_EQ(puente::DetailOf(r.status(), puente::kDetailField), "photo");
  // Bad data is refused before the photo is even looked at.
  NewApplicant bad = puente::testing::SampleApplicant();
  bad.given_names = "";
  EXPECT_TRUE(absl::IsInvalidArgument(
      service_->Enroll("ana.officer", bad, ReadBytes(DevPhoto("Ashanti", 1))).status()));
  EXPECT_EQ(Count("applicants"), applicants);
  EXPECT_EQ(Count("enrollments"), 0);
  EXPECT_EQ(Count("audit_events"), audit);
  EXPECT_EQ(service_->gallery().size(), 0u);
}

TEST_P(EnrollmentTest, AdjudicationClearsOrLinks) {
  auto a = service_->Enroll("ana.officer",
                            Person("Ashanti", "Douglas", "", {1980, 10, 13, DatePrecision::kExact}),
                            ReadBytes(DevPhoto("Ashanti", 1)));
  auto b = service_->Enroll("ana.officer",
                            Person("Shanti", "Dawson", "", {1982, 1, 1, DatePrecision::kEstimated}),
                            ReadBytes(DevPhoto("Ashanti", 3)));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(b->status, EnrollmentStatus::kHeld);
  EXPECT_FALSE(service_->Decide("sara.supervisor", b->candidates[0].id, Decision::kDifferent, "")
                   .ok());  // a reason is required
  auto decided = service_->Decide("sara.supervisor", b->candidates[0].id, Decision::kSamePerson,
                                  "Same woman; registered twice under two names");
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->status, EnrollmentStatus::kDuplicate);
  ASSERT_TRUE(decided->candidates[0].decision.has_value());
  EXPECT_EQ(*decided->candidates[0].decision, Decision::kSamePerson);
  EXPECT_EQ(decided->candidates[0].decided_by, "sara.supervisor");
  EXPECT_EQ(Count("identity_links"), 1);
  // A duplicate no longer answers searches; a decision is final.
  EXPECT_EQ(service_->gallery().size(), 1u);
  EXPECT_TRUE(absl::IsFailedPrecondition(
      service_->Decide("sara.supervisor", b->candidates[0].id, Decision::kDifferent, "x")
          .status()));

  // Different: cleared.
  auto c = service_->Enroll("ana.officer",
                            Person("Ashley", "Douglas", "", {1980, 10, 13, DatePrecision::kExact}),
                            ReadBytes(DevPhoto("Albert_Costa", 1)));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->status, EnrollmentStatus::kHeld);
  auto cleared = service_->Decide("sara.supervisor", c->candidates[0].id, Decision::kDifferent,
                                  "Different faces; similar names only");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->status, EnrollmentStatus::kCleared);
  auto fetched = service_->GetEnrollment("auditor", c->applicant.registration_number);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched->status, EnrollmentStatus::kCleared);
  EXPECT_EQ(fetched->candidates[0].registration_number, a->applicant.registration_number);
}

TEST_P(EnrollmentTest, GalleryReloadsAtStartAndVerifiesOneToOne) {
  for (const char* who : {"Ashanti", "Albert_Costa", "Al_Sharpton"}) {
    std::string name = who;
    std::replace(name.begin(), name.end(), '_', ' ');
    auto e = service_->Enroll("ana.officer",
                              Person(name, "Apellido", "", {1970, 1, 1, DatePrecision::kExact}),
                              ReadBytes(DevPhoto(who, 1)));
    ASSERT_TRUE(e.ok()) << e.status();
  }
  auto restarted = EnrollmentService::Create(*reg_, *capture_);
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ((*restarted)->gallery().size(), 3u);
  auto enrolled = (*restarted)->GetEnrollment("auditor", "101-2026-000001-5");
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  const std::string reg_no = enrolled->applicant.registration_number;
  auto same = (*restarted)->VerifyFace("ana.officer", reg_no, ReadBytes(DevPhoto("Ashanti", 2)));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_TRUE(same->match) << same->similarity;
  auto other =
      (*restarted)->VerifyFace("ana.officer", reg_no, ReadBytes(DevPhoto("Al_Sharpton", 2)));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->match) << other->similarity;
  auto photo = (*restarted)->GetPhoto("ana.supervisor", reg_no);
  ASSERT_TRUE(photo.ok());
  EXPECT_EQ(*photo, ReadBytes(DevPhoto("Ashanti", 1)));
}

TEST_P(EnrollmentTest, PhotosTemplatesAndReasonsAreNotStoredInClear) {
  auto a = service_->Enroll(
      "ana.officer",
      Person("Wilmarys", "Quintanilla", "", {1991, 7, 23, DatePrecision::kExact}, "ZX9876543"),
      ReadBytes(DevPhoto("Ashanti", 1)));
  auto b = service_->Enroll(
      "ana.officer",
      Person("Wilmary", "Quintanila", "", {1991, 7, 23, DatePrecision::kExact}, "ZX9876543"),
      ReadBytes(DevPhoto("Albert_Costa", 1)));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(b->status, EnrollmentStatus::kHeld);
  const std::string stored = db_.DumpAllStoredBytes();
  for (const char* secret : {"Quintanil", "Wilmary", "ZX9876543", "same passport", "JFIF"}) {
    EXPECT_EQ(stored.find(secret), std::string::npos) << secret;
  }
}

// Two officers submit the same person at the same moment, on two connections
// sharing one gallery as puente-server's workers do: the second to commit is
// held with the first as its candidate, never two cleared identities.
TEST_P(EnrollmentTest, TheSamePersonEnrolledTwiceAtOnceIsHeld) {
  auto capture2 = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
  ASSERT_TRUE(capture2.ok()) << capture2.status();
  auto reg2 = Registry::Open(db_.url(), key_);
  ASSERT_TRUE(reg2.ok()) << reg2.status();
  auto service2 = EnrollmentService::Create(**reg2, **capture2, {}, service_->live_gallery());
  ASSERT_TRUE(service2.ok()) << service2.status();
  int round = 0;
  for (const char* person : {"Ashanti", "Albert_Costa", "Thomas_Fargo", "Sophia_Loren"}) {
    const std::string photo = ReadBytes(DevPhoto(person, 1));
    std::atomic<int> ready{0};
    absl::StatusOr<Enrollment> a = absl::UnknownError(""), b = absl::UnknownError("");
    auto go = [&](EnrollmentService& s, absl::StatusOr<Enrollment>& out, NewApplicant p) {
      ++ready;
      while (ready.load() < 2) {
      }
      out = s.Enroll("ana.officer", std::move(p), photo);
    };
    // Names and dates that share nothing: only the face can connect them.
    const char* const given[] = {"Xavier", "Bernardo", "Ignacio", "Wilfredo",
                                 "Olga",   "Fernanda", "Yolanda", "Kenia"};
    const char* const surname[] = {"Quintero",   "Ulloa",  "Zambrano",   "Pacheco",
                                   "Betancourt", "Ibarra", "Echeverría", "Solórzano"};
    std::thread t1(go, std::ref(*service_), std::ref(a),
                   Person(given[2 * round], surname[2 * round], "",
                          {1941 + 10 * round, 1, 2, DatePrecision::kExact}));
    std::thread t2(go, std::ref(**service2), std::ref(b),
                   Person(given[2 * round + 1], surname[2 * round + 1], "",
                          {1946 + 10 * round, 7, 8, DatePrecision::kExact}));
    t1.join();
    t2.join();
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    const bool a_held = a->status == EnrollmentStatus::kHeld;
    const bool b_held = b->status == EnrollmentStatus::kHeld;
    ASSERT_NE(a_held, b_held) << person << ": exactly one of the two must be held";
    const Enrollment& held = a_held ? *a : *b;
    const Enrollment& first = a_held ? *b : *a;
    ASSERT_EQ(held.candidates.size(), 1u) << person;
    EXPECT_EQ(held.candidates[0].registration_number, first.applicant.registration_number);
    ++round;
  }
}

// Two servers on one database, each with its own connection, face models
// and gallery (two puente-server processes): what one enrolls and decides,
// the other's gallery holds after its next catch-up, and its enrollments
// catch up by themselves before they search.
TEST_P(EnrollmentTest, ServicesWithTheirOwnGalleriesSeeEachOther) {
  auto capture2 = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
  ASSERT_TRUE(capture2.ok()) << capture2.status();
  auto reg2 = Registry::Open(db_.url(), key_);
  ASSERT_TRUE(reg2.ok()) << reg2.status();
  auto other = EnrollmentService::Create(**reg2, **capture2);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_NE((*other)->live_gallery(), service_->live_gallery());

  auto first = service_->Enroll(
      "ana.officer", Person("Ashanti", "Douglas", "", {1980, 10, 13, DatePrecision::kExact}),
      ReadBytes(DevPhoto("Ashanti", 1)));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->status, EnrollmentStatus::kCleared);
  // The other server's next enrollment searches everything committed.
  auto again = (*other)->Enroll("ana.officer",
                                Person("Rosa", "Martínez", "", {1991, 5, 2, DatePrecision::kExact}),
                                ReadBytes(DevPhoto("Ashanti", 3)));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->status, EnrollmentStatus::kHeld);
  ASSERT_EQ(again->candidates.size(), 1u);
  EXPECT_EQ(again->candidates[0].registration_number, first->applicant.registration_number);
  EXPECT_EQ((*other)->gallery().size(), 2u);

  // A catch-up brings the other server's enrollment here.
  ASSERT_TRUE(service_->live_gallery()->CatchUp(*reg_).ok());
  EXPECT_EQ(service_->gallery().size(), 2u);
  auto scores = service_->gallery().ScoresOf(
      *(*capture_->AnalyzeBytes(ReadBytes(DevPhoto("Ashanti", 3)))).face_template,
      std::vector<std::string>{again->applicant.id});
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->size(), 1u);

  // "Same person" decided over there retires the duplicate here too.
  auto decided = (*other)->Decide("sara.supervisor", again->candidates[0].id, Decision::kSamePerson,
                                  "the same woman");
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ((*other)->gallery().size(), 1u);
  const long long before = service_->live_gallery()->position();
  ASSERT_TRUE(service_->live_gallery()->CatchUp(*reg_).ok());
  EXPECT_GT(service_->live_gallery()->position(), before);
  EXPECT_EQ(service_->gallery().size(), 1u);
  scores = service_->gallery().ScoresOf(
      *(*capture_->AnalyzeBytes(ReadBytes(DevPhoto("Ashanti", 3)))).face_template,
      std::vector<std::string>{again->applicant.id, first->applicant.id});
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].subject_id, first->applicant.id);

  // A gallery loaded now starts where the feed is, with the same people.
  auto fresh = LiveGallery::Load(*reg_, capture_->template_set());
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ((*fresh)->position(), service_->live_gallery()->position());
  EXPECT_EQ((*fresh)->faces().size(), 1u);
}

// The same person enrolled at two servers at the same moment, each server
// with its own gallery and connection (two processes): the gallery lock
// serialises the search-then-add across them, so exactly one is held, with
// the other as its candidate.
TEST_P(EnrollmentTest, TheSamePersonAtTwoServersAtOnceIsHeldOnce) {
  auto capture2 = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
  ASSERT_TRUE(capture2.ok()) << capture2.status();
  auto reg2 = Registry::Open(db_.url(), key_);
  ASSERT_TRUE(reg2.ok()) << reg2.status();
  auto other = EnrollmentService::Create(**reg2, **capture2);
  ASSERT_TRUE(other.ok()) << other.status();
  int round = 0;
  for (const char* person : {"Ashanti", "Albert_Costa", "Thomas_Fargo", "Sophia_Loren"}) {
    const std::string photo1 = ReadBytes(DevPhoto(person, 1));
    const std::string photo2 = ReadBytes(DevPhoto(person, 2));
    std::atomic<int> ready{0};
    absl::StatusOr<Enrollment> a = absl::UnknownError(""), b = absl::UnknownError("");
    auto go = [&](EnrollmentService& s, absl::StatusOr<Enrollment>& out, NewApplicant p,
                  const std::string& photo) {
      ++ready;
      while (ready.load() < 2) {
      }
      out = s.Enroll("ana.officer", std::move(p), photo);
    };
    // Names and dates that share nothing: only the face can connect them.
    const char* const given[] = {"Xavier", "Bernardo", "Ignacio", "Wilfredo",
                                 "Olga",   "Fernanda", "Yolanda", "Kenia"};
    const char* const surname[] = {"Quintero",   "Ulloa",  "Zambrano",   "Pacheco",
                                   "Betancourt", "Ibarra", "Echeverría", "Solórzano"};
    std::thread t1(go, std::ref(*service_), std::ref(a),
                   Person(given[2 * round], surname[2 * round], "",
                          {1941 + 10 * round, 1, 2, DatePrecision::kExact}),
                   std::cref(photo1));
    std::thread t2(go, std::ref(**other), std::ref(b),
                   Person(given[2 * round + 1], surname[2 * round + 1], "",
                          {1946 + 10 * round, 7, 8, DatePrecision::kExact}),
                   std::cref(photo2));
    t1.join();
    t2.join();
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    const bool a_held = a->status == EnrollmentStatus::kHeld;
    const bool b_held = b->status == EnrollmentStatus::kHeld;
    ASSERT_NE(a_held, b_held) << person << ": exactly one of the two must be held";
    const Enrollment& held = a_held ? *a : *b;
    const Enrollment& first = a_held ? *b : *a;
    ASSERT_EQ(held.candidates.size(), 1u) << person;
    EXPECT_EQ(held.candidates[0].registration_number, first.applicant.registration_number);
    ++round;
  }
  ASSERT_TRUE(service_->live_gallery()->CatchUp(*reg_).ok());
  ASSERT_TRUE((*other)->live_gallery()->CatchUp(**reg2).ok());
  EXPECT_EQ(service_->gallery().size(), 8u);
  EXPECT_EQ((*other)->gallery().size(), 8u);
}

INSTANTIATE_TEST_SUITE_P(Backends, EnrollmentTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::registry
