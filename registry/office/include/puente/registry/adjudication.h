// Adjudication of possible duplicates: the review queue and a supervisor's
// decisions. Needs no face models, so a supervisor can review on a field kit
// or at the centre with nothing but the registry (`puente review`).
//
// EnrollmentService offers the same calls and keeps its face gallery in
// step; used alone, a "same person" decision updates `gallery` if one is
// given (a one-shot CLI holds none). Either way the decision is in the
// gallery feed (live_gallery.h): every server on the database drops the
// duplicate from its gallery at its next catch-up. Not thread-safe (it
// shares its Registry's connection).
#ifndef PUENTE_REGISTRY_ADJUDICATION_H_
#define PUENTE_REGISTRY_ADJUDICATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/live_gallery.h"
#include "puente/registry/registry.h"

namespace puente::registry {

class Adjudication {
 public:
  explicit Adjudication(Registry& registry, LiveGallery* gallery = nullptr)
      : registry_(registry), gallery_(gallery) {}

  // The enrollment of an applicant, with its candidates (audited as read).
  absl::StatusOr<Enrollment> GetEnrollment(const std::string& actor,
                                           const std::string& registration_number);
  // Held enrollments, oldest first; with `flagged`, those flagged for the
  // lower-priority review instead (EnrollmentStatus::kFlagged).
  absl::StatusOr<std::vector<Enrollment>> ListHeld(const std::string& actor, int limit,
                                                   bool flagged = false);
  // The stored face photo (audited as read), for side-by-side review.
  absl::StatusOr<std::string> GetPhoto(const std::string& actor,
                                       const std::string& registration_number);
  // A supervisor's decision on one candidate (see EnrollmentService::Decide).
  absl::StatusOr<Enrollment> Decide(const std::string& actor, const std::string& candidate_id,
                                    Decision decision, const std::string& note);

 private:
  Registry& registry_;
  LiveGallery* gallery_;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_ADJUDICATION_H_
