// The one way into a Registry's private operations, for the registry's own
// libraries (office/, births/, field/). Internal to registry/: nothing
// outside it includes this header (the layering test checks).
#ifndef PUENTE_REGISTRY_OFFICE_INTERNAL_REGISTRY_ACCESS_H_
#define PUENTE_REGISTRY_OFFICE_INTERNAL_REGISTRY_ACCESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "puente/registry/registry.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

class RegistryAccess {
 public:
  // A transaction context on `registry`'s connection for `actor`; run it
  // inside InTransaction(registry.database(), ...).
  static Tx Context(Registry& registry, const std::string& actor) {
    return Tx(registry.database(), registry.keys(), registry.clock(), actor);
  }

  // Registry::AddApplicant's work inside the caller's transaction: `in` is
  // already validated; `wanted_reg_no` (canonical) is kept if not empty.
  static absl::StatusOr<Applicant> InsertNewApplicant(Registry& registry, Tx& tx,
                                                      const std::string& actor,
                                                      const NewApplicant& in,
                                                      const std::string& wanted_reg_no) {
    return registry.InsertNewApplicant(tx, actor, in, wanted_reg_no);
  }
};

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_OFFICE_INTERNAL_REGISTRY_ACCESS_H_
