#include "puente/registry/live_gallery.h"

#include <map>
#include <string>

#include "office/internal/enrollment_rows.h"
#include "office/internal/gallery_feed.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "storage/internal/session.h"
#include "storage/internal/tx.h"

namespace puente::registry {

namespace internal {

namespace {
bool IsPostgresql(soci::session& sql) { return sql.get_backend_name() == "postgresql"; }
}  // namespace

absl::Status LockGallery(Tx& tx) {
  if (IsPostgresql(tx.sql())) {
    // 7283641: puente's gallery (7283640 is its migrations' lock, in the
    // one-key space); the second key tells schemas apart. Never NULL (a
    // strict function given NULL would return without locking).
    tx.sql() << "SELECT pg_advisory_xact_lock(7283641, hashtext(COALESCE(current_schema(), '')))";
  } else {
    // A write statement takes SQLite's write lock (waiting up to the busy
    // timeout), also in a transaction that began DEFERRED.
    tx.sql() << "UPDATE gallery_feed SET head = head WHERE id = 1";
  }
  return absl::OkStatus();
}

absl::StatusOr<long long> NextGallerySeq(Tx& tx) {
  tx.sql() << "UPDATE gallery_feed SET head = head + 1 WHERE id = 1";
  long long head = 0;
  tx.sql() << "SELECT head FROM gallery_feed WHERE id = 1", soci::into(head);
  if (!tx.sql().got_data()) return absl::DataLossError("gallery_feed: its row is missing");
  return head;
}

}  // namespace internal

namespace {

// The feed's head, outside or inside a transaction.
long long ReadHead(soci::session& sql) {
  long long head = 0;
  sql << "SELECT head FROM gallery_feed WHERE id = 1", soci::into(head);
  return head;
}

bool SameSet(const biometrics::FaceTemplate& t, const biometrics::FaceGallery& g) {
  return t.model_id() == g.model_id() && t.model_version() == g.model_version() &&
         t.dimension() == g.dimension();
}

}  // namespace

absl::StatusOr<std::shared_ptr<LiveGallery>> LiveGallery::Load(
    Registry& registry, const biometrics::TemplateSetInfo& set) {
  auto faces = std::make_shared<biometrics::FaceGallery>(
      std::string(set.model_id), set.version, set.dimension,
      // Stored templates are int8: ranking on them is exact without floats.
      biometrics::GalleryOptions{.keep_float = false});
  std::shared_ptr<LiveGallery> live(new LiveGallery(faces));
  Database& db = registry.database();
  // Templates of another set, by set name: a registry is searched with one
  // set only, so any of these stops the load.
  std::map<std::string, long long> other_sets;
  long long head = 0;
  PUENTE_RETURN_IF_ERROR(InTransaction(db, [&]() -> absl::Status {
    soci::session& sql = internal::Session(db);
    // The head first: PostgreSQL reads each statement at its own moment, so
    // rows read after it are at least as new. Changes committed between the
    // two reads are read again by the first catch-up (applying a row's
    // current state twice changes nothing).
    head = ReadHead(sql);
    long long count = 0;
    sql << "SELECT COUNT(*) FROM enrollments WHERE status <> 'duplicate'", soci::into(count);
    faces->Reserve(static_cast<size_t>(count));
    // Rows are streamed straight into the gallery (one applicant has at most
    // one enrollment, so the order does not matter and is not sorted for).
    std::string applicant_id, enrollment_id, template_enc;
    int regional = 0;
    soci::statement q =
        (sql.prepare << "SELECT e.applicant_id, e.id, e.template_enc, CASE WHEN r.applicant_id "
                        "IS NULL THEN 0 ELSE 1 END FROM enrollments e LEFT JOIN regional_refs r "
                        "ON r.applicant_id = e.applicant_id WHERE e.status <> 'duplicate'",
         soci::into(applicant_id), soci::into(enrollment_id), soci::into(template_enc),
         soci::into(regional));
    q.execute();
    while (q.fetch()) {
      PUENTE_ASSIGN_OR_RETURN(
          std::string bytes,
          registry.keys().Open(template_enc, internal::TemplateCtx(enrollment_id)));
      PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate t, biometrics::FaceTemplate::Parse(bytes));
      if (!SameSet(t, *faces)) {
        // A field kit's reference people from the centre (no photo here to
        // re-template) wait for the next pull to bring their new template.
        if (regional == 0) ++other_sets[puente::StrCat(t.model_id(), "/", t.model_version())];
        continue;
      }
      PUENTE_RETURN_IF_ERROR(faces->Upsert(applicant_id, t));
    }
    return absl::OkStatus();
  }));
  if (!other_sets.empty()) {
    std::string others;
    for (const auto& [name, n] : other_sets) {
      others += puente::StrCat(others.empty() ? "" : ", ", n, " of ", name);
    }
    return absl::FailedPreconditionError(puente::StrCat(
        "the registry holds face templates of another template set than this one (", set.name,
        "): ", others, "; re-template them first with `puente face retemplate --to ", set.name,
        "` (docs/biometrics.md), or run with the set they were made by"));
  }
  std::lock_guard<std::mutex> l(live->mu_);
  live->position_ = head;
  return live;
}

absl::Status LiveGallery::CatchUp(Registry& registry) {
  std::lock_guard<std::mutex> l(mu_);
  try {
    return CatchUpLocked(internal::Session(registry.database()), registry.keys());
  } catch (const soci::soci_error& e) {
    return internal::FromSociError(e, "face gallery catch-up");
  }
}

absl::Status LiveGallery::CatchUpIn(internal::Tx& tx) {
  std::lock_guard<std::mutex> l(mu_);
  return CatchUpLocked(tx.sql(), tx.keys());
}

absl::Status LiveGallery::CatchUpLocked(soci::session& sql, const KeyRing& keys) {
  // Head first, then the rows numbered above the position (see Load): every
  // number up to the head was committed before it was read, so the rows read
  // next hold each of those changes, or a newer one.
  const long long head = ReadHead(sql);
  if (head < position_) {
    // Numbers this gallery applied are gone: the database was restored, or
    // a replica that had not received them was promoted. What this gallery
    // holds can no longer be told apart from what is committed.
    return absl::FailedPreconditionError(puente::StrCat(
        "the face gallery feed went back from ", position_, " to ", head,
        " (a restored or failed-over database?): restart the server to reload the gallery"));
  }
  if (head == position_) return absl::OkStatus();
  struct Row {
    std::string applicant_id, enrollment_id, status, template_enc;
    long long seq = 0;
  };
  std::vector<Row> rows;
  Row r;
  soci::statement q =
      (sql.prepare << "SELECT applicant_id, id, status, template_enc, gallery_seq FROM "
                      "enrollments WHERE gallery_seq > :p ORDER BY gallery_seq",
       soci::use(position_), soci::into(r.applicant_id), soci::into(r.enrollment_id),
       soci::into(r.status), soci::into(r.template_enc), soci::into(r.seq));
  q.execute();
  while (q.fetch()) rows.push_back(r);
  // Decrypted and checked before the gallery changes: a failure leaves it
  // (and the position) as it was.
  struct Apply {
    const Row* row;
    std::optional<biometrics::FaceTemplate> face;  // none: leaves the gallery
    bool keep = false;                             // another set: left as it is
  };
  std::vector<Apply> plan;
  long long newest = head;
  for (const Row& row : rows) {
    newest = std::max(newest, row.seq);
    Apply a{&row, std::nullopt, false};
    if (row.status != "duplicate") {
      PUENTE_ASSIGN_OR_RETURN(
          std::string bytes, keys.Open(row.template_enc, internal::TemplateCtx(row.enrollment_id)));
      PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate t, biometrics::FaceTemplate::Parse(bytes));
      if (SameSet(t, *faces_)) {
        a.face = std::move(t);
      } else {
        a.keep = true;
      }
    }
    plan.push_back(std::move(a));
  }
  for (const Apply& a : plan) {
    if (a.keep) {
      ++other_set_changes_;
    } else if (a.face) {
      PUENTE_RETURN_IF_ERROR(faces_->Upsert(a.row->applicant_id, *a.face));
    } else {
      faces_->Remove(a.row->applicant_id);
    }
  }
  position_ = newest;
  return absl::OkStatus();
}

long long LiveGallery::position() const {
  std::lock_guard<std::mutex> l(mu_);
  return position_;
}

long long LiveGallery::other_set_changes() const {
  std::lock_guard<std::mutex> l(mu_);
  return other_set_changes_;
}

}  // namespace puente::registry
