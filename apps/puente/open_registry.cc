#include "puente/open_registry.h"

#include "puente/common/status_macros.h"
#include "puente/registry/keys.h"

namespace puente::cli {

absl::StatusOr<std::unique_ptr<registry::Registry>> OpenRegistry(const Globals& g) {
  PUENTE_ASSIGN_OR_RETURN(crypto::SecretKey master, registry::LoadMasterKey(g.key_file));
  return registry::Registry::Open(g.db, master);
}

absl::StatusOr<RegistryWithFaces> OpenRegistryWithFaces(const Globals& g) {
  RegistryWithFaces r;
  PUENTE_ASSIGN_OR_RETURN(r.reg, OpenRegistry(g));
  PUENTE_ASSIGN_OR_RETURN(r.capture, biometrics::FaceCapture::Create(g.models_dir));
  PUENTE_ASSIGN_OR_RETURN(r.service, registry::EnrollmentService::Create(*r.reg, *r.capture));
  return r;
}

}  // namespace puente::cli
