// The signed trust list a centre publishes: the issuer keys it is configured
// with plus the field kits it certified that may still sign. The server's
// GET /api/v1/lists/trust (and the lists a kit pulls) and the CLI's
// `puente lists trust` both publish through PublishTrustList, so a verifier
// gets the same kinds of entries from either.
#ifndef PUENTE_REGISTRY_TRUST_PUBLICATION_H_
#define PUENTE_REGISTRY_TRUST_PUBLICATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/keys.h"
#include "puente/credentials/lists.h"
#include "puente/registry/registry.h"

namespace puente::registry {

// What to publish besides the registry's kits.
struct TrustPublication {
  // Unix seconds. `issued_at` is also the list's sequence number (lists
  // issued later supersede earlier ones).
  int64_t issued_at = 0;
  int64_t next_update = 0;
  // The configured issuer keys, published as given (their windows, card
  // types and limits are the caller's choice).
  std::vector<credentials::TrustedIssuer> issuers;
};

// A published list: what was signed, and the signed bytes (binary COSE_Sign1).
struct PublishedTrustList {
  credentials::TrustList list;
  std::string signed_bytes;
};

// Signs with `root` a trust list of `publication.issuers` followed by every
// field kit of `registry` that is active and whose key is valid after
// `issued_at` (TrustEntryOf: provisional cards, short validity). `registry`
// may be null (no database at hand): the list then holds the issuers only.
//
// Errors: reading the kits (the database's status), or InvalidArgument from
// credentials::SignTrustList (dates out of order, a kid that does not match
// its key). Uses `registry` as any of its callers does (one thread at a time).
absl::StatusOr<PublishedTrustList> PublishTrustList(Registry* registry,
                                                    const TrustPublication& publication,
                                                    const credentials::SigningIdentity& root);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_TRUST_PUBLICATION_H_
