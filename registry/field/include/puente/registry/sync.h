// Sync between a field kit and the centre (docs/field-kits.md).
//
// A bundle is a directory (a USB stick, or files sent over a slow link):
//   manifest.json   signed by the kit key: bundle id (SHA-256 of the
//                   ciphertext), kit id, kit clock, the chunks' hashes
//   <sha256>.chunk  the ciphertext in pieces (content-addressed)
// The ciphertext is the kit's records (applicants with their photos, births,
// jornadas, provisional cards) as JSON, sealed with HPKE to the centre's
// bundle key, so only the centre reads it and only the kit could have made it.
//
// Import stages each chunk in the database as it is checked, so an
// interrupted transfer resumes where it stopped. Nothing is written to the
// registry until every chunk is there and the manifest signature, every hash
// and the decryption have passed: a tampered, truncated or foreign bundle is
// refused with a clear message and leaves no record. Every record is then
// imported under an idempotency key, with the full 1:N and demographic
// deduplication of a counter enrollment: the same person enrolled by two kits,
// or already known at the centre, is held for adjudication, never a second
// identity. Importing the same bundle again changes nothing.
#ifndef PUENTE_REGISTRY_SYNC_H_
#define PUENTE_REGISTRY_SYNC_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/keys.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/kits.h"
#include "puente/registry/registry.h"

namespace puente::registry {

inline constexpr size_t kDefaultChunkBytes = 256 * 1024;
// A kit clock further than this from the centre's is recorded as skewed.
inline constexpr int64_t kClockSkewTolerance = 300;

struct BundleSummary {
  std::string bundle_id;  // hex SHA-256 of the ciphertext
  std::string directory;
  int chunks = 0;
  size_t bytes = 0;          // sealed and compressed, as it travels
  size_t payload_bytes = 0;  // the records' JSON before compression
  int applicants = 0, births = 0, jornadas = 0, cards = 0;
};

// Writes everything this kit has recorded into a new bundle directory under
// `out_dir` (created). FailedPrecondition on an installation without a kit
// identity. `progress(done, total)` is called per chunk written.
absl::StatusOr<BundleSummary> ExportBundle(Registry& kit, const std::string& actor,
                                           const std::string& out_dir,
                                           size_t chunk_bytes = kDefaultChunkBytes,
                                           const std::function<void(int, int)>& progress = nullptr);

struct ImportReport {
  std::string bundle_id;
  std::string kit_id;
  bool complete = false;          // every record is in (false: chunks missing)
  bool already_imported = false;  // nothing changed
  int chunks_total = 0;
  int chunks_staged_now = 0;       // this run; the rest were staged before
  int64_t clock_skew_seconds = 0;  // kit clock minus centre clock at export (estimate)
  bool clock_skewed = false;
  int enrolled_cleared = 0, held_for_adjudication = 0, already_present = 0, refused = 0;
  int births = 0, jornadas = 0, provisional_cards = 0;
  std::vector<std::string> held;      // registration numbers held for adjudication
  std::vector<std::string> problems;  // refused records, with the reason
};

class BundleImporter {
 public:
  // `centre_key` opens bundles sealed to the centre's bundle key.
  BundleImporter(Registry& centre, EnrollmentService& enrollment,
                 const credentials::InstitutionKey& centre_key)
      : registry_(centre), enrollment_(enrollment), centre_key_(centre_key) {}

  // Stages the chunks found in `dir` and imports the bundle once all are
  // there. With `max_new_chunks` >= 0 at most that many chunks are staged in
  // this run (a transfer cut short); the report then says how many are in.
  // InvalidArgument with the reason for a tampered, truncated or foreign
  // bundle; Unavailable ("N of M chunks staged") while chunks are missing.
  absl::StatusOr<ImportReport> Import(const std::string& actor, const std::string& dir,
                                      const std::function<void(int, int)>& progress = nullptr,
                                      int max_new_chunks = -1);

 private:
  class Run;  // one import, stage by stage (sync.cc)
  Registry& registry_;
  EnrollmentService& enrollment_;
  const credentials::InstitutionKey& centre_key_;
};

// Strict parsing of an untrusted manifest (fuzzed). InvalidArgument naming
// what is wrong.
struct BundleManifest {
  std::string format, bundle_id, kit_id, kid_hex, created_at, centre_time_seen, enc_b64;
  struct Chunk {
    std::string sha256;
    size_t size = 0;
  };
  std::vector<Chunk> chunks;
  size_t total_size = 0;
  std::string signature_b64;
  std::string signed_text;  // the manifest without its signature, as signed
};
absl::StatusOr<BundleManifest> ParseBundleManifest(std::string_view json_text);

// The report as JSON (the CLI's --json and the HTTP API).
nlohmann::json ToJson(const ImportReport& r);

// ---- the kit's sync status (docs/field-kits.md, "Sync status") --------------
//
// What the kit's officers need to know before a link or a USB stick comes
// by: what is recorded here that no bundle has carried yet, when the kit last
// exported, pushed and pulled, and how old the lists it verifies cards with
// are. Export and pull record themselves (ExportBundle, RegionalSnapshot::
// Apply); `kit push` records the centre's answer with RecordPush.

struct SyncEvent {
  int64_t at = 0;         // Unix seconds
  std::string bundle_id;  // export, push: the bundle; pull: ""
  nlohmann::json detail;  // export: counts; push: the centre's report; pull: counts, lists
};

struct ListAge {
  uint64_t sequence = 0;
  int64_t issued_at = 0, next_update = 0;  // Unix seconds, as the centre signed them
  int entries = 0;                         // issuers, or revoked serials
  bool stale = false;                      // now is past next_update: pull again
};

struct SyncStatus {
  std::string kit_id, office_code;
  int64_t now = 0;
  // Recorded since the last export began (everything before the first): the
  // kit's own enrollments, births, jornadas opened or closed, provisional
  // cards. Each export carries everything, so these are what no bundle holds.
  int waiting_enrollments = 0, waiting_births = 0, waiting_jornadas = 0, waiting_cards = 0;
  std::optional<SyncEvent> last_export, last_push, last_pull;
  std::optional<ListAge> trust_list, revocation_list;  // of the last pull; none before
};

// FailedPrecondition on an installation that is not a kit.
absl::StatusOr<SyncStatus> KitSyncStatus(Registry& kit);
// {kit_id, office_code, now, waiting: {enrollments, births, jornadas,
// provisional_cards, total}, last_export, last_push, last_pull (each null or
// {at, bundle_id, detail}), lists: {trust, revocation} (each null or
// {sequence, issued_at, next_update, entries, stale}); times RFC 3339.
nlohmann::json ToJson(const SyncStatus& s);

// Records on the kit what the centre answered to `kit push` of `bundle_id`
// (its import report, with `complete` and `missing`), audited as kit.push.
// FailedPrecondition outside a kit.
absl::Status RecordPush(Registry& kit, const std::string& actor, const std::string& bundle_id,
                        const nlohmann::json& centre_answer);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_SYNC_H_
