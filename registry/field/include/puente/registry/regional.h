// Pull (docs/field-kits.md, "Pull"): when a field kit has a link, it fetches
// from the centre the latest trust list, revocation list and the delta of its
// regional gallery snapshot (the people the centre knows in the offices of
// the kit's region), so enrollments made offline are deduplicated against
// them too.
//
//   kit:    RegionalSnapshot::MakeRequest   a request signed by the kit key,
//                                           with a fresh reply key
//   centre: RegionalSnapshot::Answer        checks the kit (certified here,
//                                           active, its signature), reads the
//                                           delta since the kit's cursor and
//                                           seals it to the reply key; the
//                                           answer is signed by the root key
//   kit:    RegionalSnapshot::Apply         checks the root signature, that the
//                                           answer is for this request, the
//                                           lists; applies the delta in one
//                                           transaction with the new cursor
//
// The people travel sealed (HPKE to a key that lives only for this pull) and
// are stored on the kit sealed like its own records. An interrupted pull
// changes nothing; pulling again fetches the same delta.
#ifndef PUENTE_REGISTRY_REGIONAL_H_
#define PUENTE_REGISTRY_REGIONAL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/keys.h"
#include "puente/crypto/hpke.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/reference_people.h"
#include "puente/registry/registry.h"

namespace puente::registry {

struct PullRequest {
  std::string text;  // JSON: {"format":"puente-pull/1","request":"...","signature":"..."}
  crypto::HpkePrivateKey reply_key;  // opens the answer; never leaves the kit
};

struct PullReport {
  ReferenceCounts people;
  bool more = false;               // the centre has more: pull again
  std::string cursor;              // where the next pull starts
  int64_t centre_time = 0;         // the centre's clock when it answered
  int64_t clock_skew_seconds = 0;  // kit clock minus centre clock
  std::string trust_list;          // signed bytes, checked with the kit's root key
  std::string revocation_list;     // same
  int trusted_issuers = 0;
  int revoked_serials = 0;
};

// Strict parsers of pull messages (untrusted input from the network; fuzzed
// by fuzz/pull_fuzz.cc). A request or answer envelope: the signed inner text,
// its signature and the inner JSON object. InvalidArgument ("pull: ...").
struct PullEnvelope {
  std::string inner;
  std::string signature;
  nlohmann::json body;
};
absl::StatusOr<PullEnvelope> ParsePullRequest(std::string_view text);
absl::StatusOr<PullEnvelope> ParsePullAnswer(std::string_view text);
// The opened content of an answer: the people and the numbers withdrawn.
struct RegionalDelta {
  std::vector<ReferencePerson> people;
  std::vector<std::string> removed;
};
absl::StatusOr<RegionalDelta> ParseRegionalDelta(std::string_view plain);

class RegionalSnapshot {
 public:
  // At most this many people per answer; the kit pulls again while `more`.
  static constexpr size_t kDefaultPageSize = 2000;

  // On the kit. FailedPrecondition if this installation is not a kit.
  static absl::StatusOr<PullRequest> MakeRequest(Registry& kit);

  // At the centre. `trust_list` and `revocation_list` are the signed lists
  // the centre publishes. PermissionDenied for a kit that is not certified
  // here, retired or expired, or a signature that is not the kit's;
  // InvalidArgument for a malformed request. The disclosure is audited.
  static absl::StatusOr<std::string> Answer(Registry& centre, std::string_view request,
                                            const credentials::SigningIdentity& root,
                                            std::string_view trust_list,
                                            std::string_view revocation_list,
                                            size_t page_size = kDefaultPageSize);

  // On the kit. InvalidArgument ("pull: ...") for an answer that is not
  // signed by the root key the kit was given, not for this request, or whose
  // lists or content do not check; nothing is written then.
  static absl::StatusOr<PullReport> Apply(Registry& kit, EnrollmentService& service,
                                          const std::string& actor, const PullRequest& request,
                                          std::string_view answer);
};

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_REGIONAL_H_
