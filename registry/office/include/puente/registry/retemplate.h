// Re-templating: rebuilds every enrolled face template with another
// template set, from the encrypted photos (docs/biometrics.md,
// "Re-templating").
//
// Row by row in batches, each batch one transaction with its audit event, so
// an interrupted run loses nothing and the next run carries on where it
// stopped (rows already in the target set are skipped). A photo the capture
// can no longer embed is left as it was and reported. The centre's rows get
// a new updated_at, so field kits pull the new templates; on a field kit,
// the reference people from the centre (no photo there) are marked to be
// pulled again instead.
//
// Safe while a server runs on the same database (each batch is short), but
// that server keeps searching its loaded gallery and enrolling with the old
// set: stop it, run this again (it only does the rows enrolled meanwhile),
// and start it with the new set.
#ifndef PUENTE_REGISTRY_RETEMPLATE_H_
#define PUENTE_REGISTRY_RETEMPLATE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/registry/registry.h"

namespace puente::registry {

struct RetemplateProgress {
  std::string target;                 // the template set rows move to
  long long to_do = 0;                // rows not in the target set when the run began
  long long done = 0;                 // moved by this run
  long long failed = 0;               // left as they were (see `failures`)
  long long already = 0;              // rows in the target set when the run began
  long long regional_reset = 0;       // field kit: reference people marked to pull again
  std::vector<std::string> failures;  // "enrollment <id>: <why>" (first 100)
};

struct RetemplateOptions {
  int batch_size = 50;
  // Called after each batch (and once at the start).
  std::function<void(const RetemplateProgress&)> progress;
};

// Moves every enrollment's template to `capture`'s template set. Errors
// stop the run (what was committed stays); photos that cannot be embedded
// do not.
absl::StatusOr<RetemplateProgress> Retemplate(Registry& registry, biometrics::FaceCapture& capture,
                                              const std::string& actor,
                                              const RetemplateOptions& options = {});

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_RETEMPLATE_H_
