#include "puente/registry/trust_publication.h"

#include "puente/common/status_macros.h"
#include "puente/registry/kits.h"

namespace puente::registry {

absl::StatusOr<PublishedTrustList> PublishTrustList(Registry* registry,
                                                    const TrustPublication& publication,
                                                    const credentials::SigningIdentity& root) {
  PublishedTrustList out;
  out.list = {static_cast<uint64_t>(publication.issued_at), publication.issued_at,
              publication.next_update, publication.issuers};
  if (registry != nullptr) {
    // Active field kits, with their narrow rights.
    PUENTE_ASSIGN_OR_RETURN(std::vector<KitRecord> kits, KitAuthority(*registry).List());
    for (const KitRecord& k : kits) {
      if (k.status == "active" && k.not_after > publication.issued_at) {
        out.list.issuers.push_back(TrustEntryOf(k));
      }
    }
  }
  PUENTE_ASSIGN_OR_RETURN(out.signed_bytes, credentials::SignTrustList(out.list, root));
  return out;
}

}  // namespace puente::registry
