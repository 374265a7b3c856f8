#include "puente/registry/retemplate.h"

#include "office/internal/enrollment_rows.h"
#include "office/internal/gallery_feed.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/validation.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using internal::PhotoCtx;
using internal::TemplateCtx;
using internal::Tx;

constexpr size_t kMaxFailuresListed = 100;

struct Row {
  std::string id, photo_enc, template_set;
};

// The next rows (own enrollments, not reference people) not in `target`,
// after `after` by id.
absl::StatusOr<std::vector<Row>> NextBatch(Tx& tx, const std::string& target,
                                           const std::string& after, int limit) {
  std::vector<Row> rows;
  Row r;
  soci::statement q =
      (tx.sql().prepare << "SELECT e.id, e.photo_enc, e.template_set FROM enrollments e WHERE "
                           "e.template_set <> :t AND e.id > :after AND NOT EXISTS (SELECT 1 FROM "
                           "regional_refs r WHERE r.applicant_id = e.applicant_id) ORDER BY e.id",
       soci::use(target), soci::use(after), soci::into(r.id), soci::into(r.photo_enc),
       soci::into(r.template_set));
  q.execute();
  while (static_cast<int>(rows.size()) < limit && q.fetch()) rows.push_back(r);
  return rows;
}

}  // namespace

absl::StatusOr<RetemplateProgress> Retemplate(Registry& registry, biometrics::FaceCapture& capture,
                                              const std::string& actor,
                                              const RetemplateOptions& options) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (options.batch_size < 1) return absl::InvalidArgumentError("batch size: at least 1");
  const biometrics::TemplateSetInfo& set = capture.template_set();
  RetemplateProgress p;
  p.target = std::string(set.name);
  Database& db = registry.database();
  const Clock& clock = registry.clock();
  // What there is to do; reference people from the centre are marked to be
  // pulled again (their photos are not here).
  PUENTE_RETURN_IF_ERROR(InTransaction(db, [&]() -> absl::Status {
    Tx tx(db, registry.keys(), clock, actor);
    tx.sql() << "SELECT COUNT(*) FROM enrollments e WHERE e.template_set <> :t AND NOT EXISTS "
                "(SELECT 1 FROM regional_refs r WHERE r.applicant_id = e.applicant_id)",
        soci::use(p.target), soci::into(p.to_do);
    tx.sql() << "SELECT COUNT(*) FROM enrollments WHERE template_set = :t", soci::use(p.target),
        soci::into(p.already);
    tx.sql() << "SELECT COUNT(*) FROM enrollments e JOIN regional_refs r ON r.applicant_id = "
                "e.applicant_id WHERE e.template_set <> :t",
        soci::use(p.target), soci::into(p.regional_reset);
    if (p.regional_reset == 0) return absl::OkStatus();
    // An empty central_updated_at differs from what the centre sends, so the
    // next pull rewrites them; an empty cursor makes it send everyone.
    tx.sql() << "UPDATE regional_refs SET central_updated_at = '' WHERE applicant_id IN (SELECT "
                "applicant_id FROM enrollments WHERE template_set <> :t)",
        soci::use(p.target);
    tx.sql() << "UPDATE kit_identity SET gallery_cursor = ''";
    return tx.Audit("face.retemplate.regional", "enrollment", "",
                    {{"target", p.target}, {"reference_people", p.regional_reset}});
  }));
  if (options.progress) options.progress(p);
  std::string after;
  for (;;) {
    std::vector<Row> batch;
    PUENTE_RETURN_IF_ERROR(InTransaction(db, [&]() -> absl::Status {
      Tx tx(db, registry.keys(), clock, actor);
      PUENTE_ASSIGN_OR_RETURN(batch, NextBatch(tx, p.target, after, options.batch_size));
      return absl::OkStatus();
    }));
    if (batch.empty()) break;
    after = batch.back().id;
    // The photos are embedded outside any transaction (the slow part).
    struct Update {
      std::string id, from, template_enc;
    };
    std::vector<Update> updates;
    for (const Row& row : batch) {
      auto fail = [&](const std::string& why) {
        ++p.failed;
        if (p.failures.size() < kMaxFailuresListed) {
          p.failures.push_back(puente::StrCat("enrollment ", row.id, ": ", why));
        }
      };
      absl::StatusOr<std::string> photo = registry.keys().Open(row.photo_enc, PhotoCtx(row.id));
      if (!photo.ok()) return photo.status();  // a key or data problem: stop
      if (photo->empty()) {
        fail("no photo stored");
        continue;
      }
      absl::StatusOr<biometrics::Capture> c = capture.AnalyzeBytes(*photo);
      if (!c.ok()) {
        fail(std::string(c.status().message()));
        continue;
      }
      if (!c->face_template) {
        fail("no face found in the stored photo");
        continue;
      }
      PUENTE_ASSIGN_OR_RETURN(
          std::string sealed,
          registry.keys().Seal(c->face_template->ToInt8().Serialize(), TemplateCtx(row.id)));
      updates.push_back({row.id, row.template_set, std::move(sealed)});
    }
    long long moved = 0;
    PUENTE_RETURN_IF_ERROR(InTransaction(db, [&]() -> absl::Status {
      Tx tx(db, registry.keys(), clock, actor);
      // In the gallery feed: running servers see the rows change (a server of
      // another set keeps their old templates until it restarts).
      PUENTE_RETURN_IF_ERROR(internal::LockGallery(tx));
      PUENTE_ASSIGN_OR_RETURN(const long long seq, internal::NextGallerySeq(tx));
      const std::string now = FormatTimestamp(clock.Now());
      const std::string model(set.model_id);
      moved = 0;
      for (const Update& u : updates) {
        // Only if nobody changed the row meanwhile (another run).
        soci::statement st =
            (tx.sql().prepare << "UPDATE enrollments SET template_enc = :t, model_id = :m, "
                                 "template_set = :s, updated_at = :u, gallery_seq = :g WHERE id = "
                                 ":i AND template_set = :f",
             soci::use(u.template_enc), soci::use(model), soci::use(p.target), soci::use(now),
             soci::use(seq), soci::use(u.id), soci::use(u.from));
        st.execute(true);
        moved += st.get_affected_rows();
      }
      if (moved == 0) return absl::OkStatus();
      return tx.Audit("face.retemplate", "enrollment", updates.front().id,
                      {{"target", p.target},
                       {"templates", moved},
                       {"first_id", updates.front().id},
                       {"last_id", updates.back().id}});
    }));
    p.done += moved;
    if (options.progress) options.progress(p);
  }
  return p;
}

}  // namespace puente::registry
