// The gallery feed's writing side (live_gallery.h explains the feed).
// Internal to registry/: every transaction that changes who is in the face
// gallery, or which template stands for them, calls LockGallery before its
// first other statement and stamps the enrollment rows it changes with the
// number NextGallerySeq gives it.
#ifndef PUENTE_REGISTRY_OFFICE_INTERNAL_GALLERY_FEED_H_
#define PUENTE_REGISTRY_OFFICE_INTERNAL_GALLERY_FEED_H_

#include "absl/status/statusor.h"
#include "storage/internal/tx.h"

namespace puente::registry::internal {

// Takes the gallery lock until `tx` ends: on PostgreSQL a transaction-level
// advisory lock (pg_advisory_xact_lock, keyed by the schema, so registries in
// other schemas of one database do not wait for each other); on SQLite the
// database's write lock (a write statement, whatever mode the transaction
// began in). Taken first, before any row lock, so that it cannot deadlock
// with the audit log's head row.
absl::Status LockGallery(Tx& tx);

// Advances the feed's head and returns it: the number this transaction
// stamps on the enrollment rows it changes (gallery_seq). Requires
// LockGallery earlier in `tx`; call it once per transaction.
absl::StatusOr<long long> NextGallerySeq(Tx& tx);

}  // namespace puente::registry::internal

#endif  // PUENTE_REGISTRY_OFFICE_INTERNAL_GALLERY_FEED_H_
