// Opening the registry for a command: the one place that reads --db,
// --key-file and --models (see Globals in cli.h).
#ifndef PUENTE_APPS_PUENTE_OPEN_REGISTRY_H_
#define PUENTE_APPS_PUENTE_OPEN_REGISTRY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/cli.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/registry.h"

namespace puente::cli {

// The registry at --db, its data keys unwrapped with the master key from
// --key-file (or $PUENTE_MASTER_KEY). Needs no face models.
// Errors: those of registry::LoadMasterKey and registry::Registry::Open
// (e.g. FailedPrecondition for a schema not migrated or the wrong key).
absl::StatusOr<std::unique_ptr<registry::Registry>> OpenRegistry(const Globals& g);

// The face capture of --models and --template-set.
absl::StatusOr<std::unique_ptr<biometrics::FaceCapture>> OpenFaceCapture(const Globals& g);

// The registry with the face models from --models loaded and the enrollment
// service (quality gate, dedup gallery) over both. The service refers to the
// registry and the capture, so it is declared last (destroyed first).
struct RegistryWithFaces {
  std::unique_ptr<registry::Registry> reg;
  std::unique_ptr<biometrics::FaceCapture> capture;
  std::unique_ptr<registry::EnrollmentService> service;
};

// Opens the registry first (its errors come first), then the models (NotFound
// or DataLoss for a missing or altered model file), then loads the gallery.
absl::StatusOr<RegistryWithFaces> OpenRegistryWithFaces(const Globals& g);

}  // namespace puente::cli

#endif  // PUENTE_APPS_PUENTE_OPEN_REGISTRY_H_
