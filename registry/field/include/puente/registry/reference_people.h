// People the centre already knows, held on a field kit from its regional
// gallery snapshot (docs/field-kits.md, "Pull"): the kit deduplicates every
// enrollment against them offline. Applied by RegionalSnapshot (regional.h).
#ifndef PUENTE_REGISTRY_REFERENCE_PEOPLE_H_
#define PUENTE_REGISTRY_REFERENCE_PEOPLE_H_

#include <string>
#include <vector>

#include "puente/registry/model.h"

namespace puente::registry {

struct ReferencePerson {
  std::string registration_number;  // the centre's
  std::string case_number;          // the centre's
  NewApplicant applicant;           // data in request form (no photo)
  std::string face_template;        // biometrics::FaceTemplate::Serialize()
  std::string central_updated_at;   // when the centre last changed the record
};

// What applying one delta did.
struct ReferenceCounts {
  int added = 0, updated = 0, removed = 0;
  int unchanged = 0;  // sent again, already held as they are
  int skipped = 0;    // invalid data from the centre, or a number this kit holds itself
  std::vector<std::string> problems;
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_REFERENCE_PEOPLE_H_
