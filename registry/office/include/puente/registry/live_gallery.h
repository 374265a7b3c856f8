// The registry's face gallery held in memory (biometrics::FaceGallery) and
// kept in step with the database, the one shared truth when several
// puente-server processes (replicas) run on one PostgreSQL, or a server and
// the `puente` CLI on one SQLite file (docs/deployment.md).
//
// The gallery feed: every transaction that changes who is in the gallery (an
// enrollment, a "same person" decision that retires the newer record,
// re-templating, a field kit's reference people) takes the gallery lock
// (a PostgreSQL advisory lock; SQLite's write lock), advances the feed's head
// by one and stamps the enrollment rows it changed with that number
// (enrollments.gallery_seq). Those transactions are serialised, so the
// numbers are committed in order: a gallery that has applied every change up
// to N is brought up to date by the rows numbered above N, read in their
// current state (held or cleared: in the gallery with their template;
// duplicate: out of it).
//
//   auto live = LiveGallery::Load(registry, capture.template_set());
//   ...                       // other processes enroll and decide
//   (*live)->CatchUp(registry);  // now holds what they committed
//
// Thread-safe: CatchUp may run from several threads (each with its own
// registry connection); changes are applied in order, once. Searches of
// faces() run concurrently with it.
#ifndef PUENTE_REGISTRY_LIVE_GALLERY_H_
#define PUENTE_REGISTRY_LIVE_GALLERY_H_

#include <memory>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/gallery.h"
#include "puente/registry/registry.h"

namespace soci {
class session;
}  // namespace soci

namespace puente::registry {

namespace internal {
class Tx;
}  // namespace internal

class LiveGallery {
 public:
  // Loads every enrolled template of `set` (except confirmed duplicates) and
  // the feed position they correspond to. FailedPrecondition, naming the
  // sets and `puente face retemplate`, if the registry holds own enrollments
  // of another template set.
  static absl::StatusOr<std::shared_ptr<LiveGallery>> Load(Registry& registry,
                                                           const biometrics::TemplateSetInfo& set);

  // Applies every change committed since the last catch-up, over
  // `registry`'s connection (outside any transaction: one consistent read).
  // A row re-templated into another set than this gallery's keeps its old
  // template here (counted in other_set_changes()) until a restart with the
  // new set. Errors: the database cannot be read (the gallery is unchanged
  // and the next call tries again).
  absl::Status CatchUp(Registry& registry);

  biometrics::FaceGallery& faces() { return *faces_; }
  const biometrics::FaceGallery& faces() const { return *faces_; }
  std::shared_ptr<biometrics::FaceGallery> shared_faces() const { return faces_; }

  // The last feed number applied.
  long long position() const;
  // Changes seen whose template was of another set (re-templating while this
  // gallery runs); they were left as they were.
  long long other_set_changes() const;

  // Registry-internal: CatchUp inside the open transaction `tx` (an
  // enrollment's, holding the gallery lock, so the gallery is then exactly
  // what is committed).
  absl::Status CatchUpIn(internal::Tx& tx);

 private:
  explicit LiveGallery(std::shared_ptr<biometrics::FaceGallery> faces) : faces_(std::move(faces)) {}
  absl::Status CatchUpLocked(soci::session& sql, const KeyRing& keys)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<biometrics::FaceGallery> faces_;
  mutable std::mutex mu_;  // serialises catch-ups: each change applied once, in order
  long long position_ ABSL_GUARDED_BY(mu_) = 0;
  long long other_set_changes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_LIVE_GALLERY_H_
