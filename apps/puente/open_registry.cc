#include "puente/open_registry.h"

#include "puente/common/status_macros.h"
#include "puente/registry/keys.h"

namespace puente::cli {

absl::StatusOr<std::unique_ptr<registry::Registry>> OpenRegistry(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(crypto::SecretKey master, registry::LoadMasterKey(g.key_file));
  return registry::Registry::Open(g.db, master);
}

absl::StatusOr<std::unique_ptr<biometrics::FaceCapture>> OpenFaceCapture(const Globals& g) {
  biometrics::CaptureOptions options;
  if (!g.template_set.empty()) {
    PUENTE_ASSIGN_OR_RETURN(options.templates, biometrics::ParseTemplateSet(g.template_set));
  }
  return biometrics::FaceCapture::Create(g.models_dir, options);
}

absl::StatusOr<RegistryWithFaces> OpenRegistryWithFaces(const Globals& g) {
  RegistryWithFaces r;
  PUENTE_ASSIGN_OR_RETURN(r.reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(r.capture, OpenFaceCapture(g));
  PUENTE_ASSIGN_OR_RETURN(r.service, registry::EnrollmentService::Create(*r.reg, *r.capture));
  return r;
}

}  // namespace puente::cli
