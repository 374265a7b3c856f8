// Enrollment: an officer submits an applicant's data and face photo; the
// photo must pass the quality gate; the applicant is checked against everyone
// already enrolled (1:N face search plus demographic matching) and is either
// cleared or held for a supervisor's adjudication.
//
//   auto service = EnrollmentService::Create(*registry, *capture);
//   auto e = (*service)->Enroll("ana.officer", applicant, photo_bytes);
//   if (e->status == EnrollmentStatus::kHeld) ... // candidates in e->candidates
//   (*service)->Decide("sara.supervisor", e->candidates[0].id, Decision::kDifferent, "...");
//
// Everything an enrollment writes (applicant, case, encrypted photo and
// template, match keys, candidates, audit events) is one transaction: a
// refused photo, an error or a crash leaves nothing behind. The face gallery
// (in memory, live_gallery.h) is loaded from the database by Create. The 1:N
// search runs inside the enrollment's transaction under the gallery lock,
// after the gallery has caught up with every change committed by anyone
// (other services, other processes on the same database): two enrollments
// of one person, at two servers at once, see each other.
//
// Not thread-safe (it uses its Registry's one connection); the gallery may be
// shared by several services, one per thread.
#ifndef PUENTE_REGISTRY_ENROLLMENT_H_
#define PUENTE_REGISTRY_ENROLLMENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/gallery.h"
#include "puente/registry/candidate_policy.h"
#include "puente/registry/live_gallery.h"
#include "puente/registry/registry.h"

namespace puente::registry {

// The candidate rule (candidate_policy.h) and how far the search looks.
// With `face.template_set` empty, the face score model measured for the
// capture's template set is used (DefaultFaceScoreModel, studio subset).
struct EnrollmentPolicy : CandidatePolicy {
  int max_face_hits = 20;          // nearest faces examined per enrollment
  int max_demographic_hits = 200;  // people sharing a match key examined
};

// Held: a candidate of the hold tier is undecided (no card until a
// supervisor decides). Flagged: cleared for a card, but a candidate of the
// flag tier waits in the lower-priority review list. Cleared, duplicate.
enum class EnrollmentStatus { kHeld, kFlagged, kCleared, kDuplicate };
// "held", "flagged", "cleared", "duplicate"
std::string_view ToString(EnrollmentStatus s);

enum class Decision { kSamePerson, kDifferent };
std::string_view ToString(Decision d);  // "same_person", "different"

struct DuplicateCandidate {
  std::string id;
  std::string registration_number;  // of the person already registered
  std::optional<float> face_score;  // absent when not compared
  double demographic_score = 0;
  // Face and demographic evidence together (candidate_policy.h); absent
  // for candidates found before fused scores existed.
  std::optional<double> fused_score;
  CandidateTier tier = CandidateTier::kHold;
  std::vector<std::string> reasons;
  std::optional<Decision> decision;
  std::string decided_by;
  std::string decided_at;
};

struct Enrollment {
  std::string id;
  Applicant applicant;
  EnrollmentStatus status = EnrollmentStatus::kHeld;
  std::vector<DuplicateCandidate> candidates;
  std::string created_at;
  std::string created_by;
};

struct FaceVerification {
  bool match = false;
  float similarity = 0;
  float threshold = 0;
  bool live_photo_passed_quality = false;
};

// A client's retry key for one enrollment (an HTTP Idempotency-Key). The
// first enrollment made under `key` is the answer to every later call with
// it until it expires; a later call whose `request` differs is refused.
struct RetryKey {
  // Unique per caller: the caller scopes it ("http:<user>:<header value>").
  std::string key;
  // The request as first sent, in a canonical form (compared through a
  // keyed blind index: nothing of it is stored in the clear).
  std::string request;
  // How long the key holds; afterwards it is forgotten and may be reused.
  absl::Duration lifetime = absl::Hours(24);
};

class EnrollmentService {
 public:
  // Searches and adds to `gallery` (another service's on the same database,
  // e.g. a server's other workers), or loads a new one (LiveGallery::Load).
  // `registry` and `capture` must outlive the service.
  static absl::StatusOr<std::unique_ptr<EnrollmentService>> Create(
      Registry& registry, biometrics::FaceCapture& capture, EnrollmentPolicy policy = {},
      std::shared_ptr<LiveGallery> gallery = nullptr);

  // InvalidArgument naming the field for bad data; InvalidArgument
  // "photo: refused by the quality check: <code>: <message>; ..." for a photo
  // that fails the gate. In both cases nothing is stored.
  //
  // With an `idempotency_key` (an import row's id, a client's retry key), an
  // enrollment already made with that key is returned instead of enrolling
  // the person again (`*replayed` is set), so an interrupted import can be
  // run again without duplicating anyone.
  absl::StatusOr<Enrollment> Enroll(const std::string& actor, NewApplicant applicant,
                                    std::string_view photo, const std::string& idempotency_key = "",
                                    bool* replayed = nullptr);

  // Enroll under a client's retry key: the enrollment first made with
  // `retry.key` (and not expired) is returned (`*replayed` set), re-read as
  // it now stands. FailedPrecondition (kDetailReason
  // "idempotency_key_reused") if that key was first used for a different
  // request. Expired keys are purged here.
  absl::StatusOr<Enrollment> EnrollWithRetryKey(const std::string& actor, NewApplicant applicant,
                                                std::string_view photo, const RetryKey& retry,
                                                bool* replayed = nullptr);

  // The enrollment of an applicant, with its candidates (audited as read).
  absl::StatusOr<Enrollment> GetEnrollment(const std::string& actor,
                                           const std::string& registration_number);
  // Enrollments held for adjudication, oldest first; with `flagged`, the
  // enrollments flagged for the lower-priority review instead.
  absl::StatusOr<std::vector<Enrollment>> ListHeld(const std::string& actor, int limit,
                                                   bool flagged = false);
  // The stored face photo (audited as read), for side-by-side review.
  absl::StatusOr<std::string> GetPhoto(const std::string& actor,
                                       const std::string& registration_number);

  // A supervisor's decision on one candidate. Same person: the records are
  // linked (a possible multiple registration) and the enrollment becomes a
  // duplicate. Different: the candidate is cleared; when every candidate is
  // cleared, so is the enrollment. FailedPrecondition if already decided.
  absl::StatusOr<Enrollment> Decide(const std::string& actor, const std::string& candidate_id,
                                    Decision decision, const std::string& note);

  // 1:1 at renewal: a live photo against the enrolled template.
  absl::StatusOr<FaceVerification> VerifyFace(const std::string& actor,
                                              const std::string& registration_number,
                                              std::string_view live_photo);

  const biometrics::FaceGallery& gallery() const { return gallery_->faces(); }
  const EnrollmentPolicy& policy() const { return policy_; }
  // The gallery this service searches and adds to (shared with the
  // service's other instances on one database); also updated by field/'s
  // reference people.
  std::shared_ptr<LiveGallery> live_gallery() const { return gallery_; }
  std::shared_ptr<biometrics::FaceGallery> shared_gallery() const {
    return gallery_->shared_faces();
  }

 private:
  EnrollmentService(Registry& registry, biometrics::FaceCapture& capture, EnrollmentPolicy policy,
                    std::shared_ptr<LiveGallery> gallery)
      : registry_(registry), capture_(capture), policy_(policy), gallery_(std::move(gallery)) {}
  absl::StatusOr<Enrollment> EnrollKeyed(const std::string& actor, NewApplicant applicant,
                                         std::string_view photo, const RetryKey* retry,
                                         bool* replayed);

  Registry& registry_;
  biometrics::FaceCapture& capture_;
  EnrollmentPolicy policy_;
  std::shared_ptr<LiveGallery> gallery_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_ENROLLMENT_H_
