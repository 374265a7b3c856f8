// Applying a regional snapshot delta on a field kit. Internal to registry/
// (regional.cc is its caller).
#ifndef PUENTE_REGISTRY_FIELD_INTERNAL_APPLY_REFERENCES_H_
#define PUENTE_REGISTRY_FIELD_INTERNAL_APPLY_REFERENCES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/reference_people.h"
#include "puente/registry/registry.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

// Applies a delta in one transaction. Each person is added or updated as a
// cleared reference enrollment (data sealed like any other, no photo, listed
// in regional_refs, never exported back), so every enrollment on the kit is
// deduplicated against them and their faces answer 1:1 checks; `remove`
// withdraws people the centre no longer lists (they leave the gallery and
// the match keys). `also` runs in the same transaction (the caller's
// bookkeeping: cursor, clock). The face gallery of `service` is updated
// after the commit. FailedPrecondition if the templates are of another face
// model than the kit's; Aborted if a record changed meanwhile.
absl::StatusOr<ReferenceCounts> ApplyReferences(Registry& registry, EnrollmentService& service,
                                                const std::string& actor,
                                                const std::vector<ReferencePerson>& upsert,
                                                const std::vector<std::string>& remove,
                                                const std::function<absl::Status(Tx&)>& also);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_FIELD_INTERNAL_APPLY_REFERENCES_H_
