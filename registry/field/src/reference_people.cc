#include <optional>
#include <utility>

#include "field/internal/apply_references.h"
#include "office/internal/enrollment_rows.h"
#include "office/internal/gallery_feed.h"
#include "office/internal/registry_access.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/database.h"
#include "puente/registry/demographic_match.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"

namespace puente::registry::internal {
namespace {

// Replaces the blind-indexed demographic match keys of `a`.
absl::Status WriteMatchKeys(Tx& tx, const Applicant& a) {
  tx.sql() << "DELETE FROM match_keys WHERE applicant_id = :a", soci::use(a.id);
  for (const std::string& k : MatchKeys(DemographicsOf(a))) {
    PUENTE_ASSIGN_OR_RETURN(std::string b, tx.keys().BlindIndex("match", k));
    tx.sql() << "INSERT INTO match_keys (applicant_id, key_bidx) VALUES (:a, :k)", soci::use(a.id),
        soci::use(b);
  }
  return absl::OkStatus();
}

// The applicant with this registration number here (empty id if none), and
// whether it is a reference person.
struct Here {
  std::string id;
  bool is_ref = false;
};
absl::StatusOr<Here> FindHere(Tx& tx, const std::string& reg_no) {
  PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", reg_no));
  Here h;
  std::string ref;
  soci::indicator ref_ind = soci::i_null;
  tx.sql() << "SELECT a.id, r.applicant_id FROM applicants a LEFT JOIN regional_refs r "
              "ON r.applicant_id = a.id WHERE a.reg_no_bidx = :b",
      soci::use(bidx), soci::into(h.id), soci::into(ref, ref_ind);
  if (!tx.sql().got_data()) h.id.clear();
  h.is_ref = !h.id.empty() && ref_ind == soci::i_ok;
  return h;
}

// The centre's data of `p`, validated as this kit would (dependants are
// checked without their case, which is joined later); nullopt, with the
// problem counted, when the centre sent something invalid.
std::optional<NewApplicant> ValidReference(const ReferencePerson& p, const std::string& reg_no,
                                           absl::Time now, ReferenceCounts& counts) {
  NewApplicant in = p.applicant;
  in.registration_number = reg_no;
  auto valid = ValidateNewApplicant(in, now);
  if (!valid.ok() && in.relationship != Relationship::kPrincipal) {
    NewApplicant principal = in;
    principal.relationship = Relationship::kPrincipal;
    principal.case_number.clear();
    valid = ValidateNewApplicant(principal, now);
    if (valid.ok()) valid->relationship = in.relationship;
  }
  if (!valid.ok()) {
    ++counts.skipped;
    counts.problems.push_back(puente::StrCat(reg_no, ": ", valid.status().message()));
    return std::nullopt;
  }
  return *std::move(valid);
}

// Rewrites reference person `id` with the centre's newer data; false when
// it is unchanged (sent again because the pull cursor overlaps).
absl::StatusOr<bool> UpdateReference(Tx& tx, const std::string& id, const ReferencePerson& p,
                                     const NewApplicant& in, const std::string& template_bytes,
                                     const std::string& now, long long gallery_seq, Applicant& a) {
  std::string held_since, status;
  tx.sql() << "SELECT central_updated_at FROM regional_refs WHERE applicant_id = :a", soci::use(id),
      soci::into(held_since);
  tx.sql() << "SELECT status FROM enrollments WHERE applicant_id = :a", soci::use(id),
      soci::into(status);
  if (held_since == p.central_updated_at && status != "duplicate") return false;
  int version = 1;
  tx.sql() << "SELECT version FROM applicants WHERE id = :a", soci::use(id), soci::into(version);
  a.id = id;
  CopyPersonalFields(in, a);
  a.documents = in.documents;
  a.updated_at = now;
  a.version = version + 1;
  PUENTE_ASSIGN_OR_RETURN(bool updated, UpdatePerson(tx, a, version));
  if (!updated) return absl::AbortedError("regional snapshot: a record changed meanwhile");
  tx.sql() << "DELETE FROM identity_documents WHERE applicant_id = :a", soci::use(id);
  for (const IdentityDocument& d : a.documents) {
    PUENTE_RETURN_IF_ERROR(InsertDocument(tx, id, d, now));
  }
  std::string enrollment_id;
  tx.sql() << "SELECT id FROM enrollments WHERE applicant_id = :a", soci::use(id),
      soci::into(enrollment_id);
  PUENTE_ASSIGN_OR_RETURN(std::string template_enc,
                          tx.keys().Seal(template_bytes, TemplateCtx(enrollment_id)));
  PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate face,
                          biometrics::FaceTemplate::Parse(template_bytes));
  const std::string set_name = puente::StrCat(face.model_id(), "/", face.model_version());
  tx.sql() << "UPDATE enrollments SET status = 'cleared', template_enc = :t, template_set = :s, "
              "updated_at = :u, gallery_seq = :g WHERE id = :e",
      soci::use(template_enc), soci::use(set_name), soci::use(now), soci::use(gallery_seq),
      soci::use(enrollment_id);
  tx.sql() << "UPDATE regional_refs SET central_updated_at = :c, pulled_at = :p "
              "WHERE applicant_id = :a",
      soci::use(p.central_updated_at), soci::use(now), soci::use(id);
  return true;
}

// Adds `p` as a new reference person: applicant (joining its case if a
// member came first), cleared enrollment without photo, regional_refs row.
absl::StatusOr<Applicant> InsertReference(Registry& registry, Tx& tx, const ReferencePerson& p,
                                          NewApplicant in, const std::string& reg_no,
                                          const biometrics::FaceTemplate& face,
                                          const std::string& now, long long gallery_seq) {
  int case_here = 0;
  tx.sql() << "SELECT count(*) FROM cases WHERE case_number = :n", soci::use(p.case_number),
      soci::into(case_here);
  if (case_here > 0) {
    in.case_number = p.case_number;
    if (in.relationship == Relationship::kPrincipal) {
      in.relationship = Relationship::kOtherRelative;  // a dependant came first
    }
  } else {
    in.new_case_number = p.case_number;
    in.relationship = Relationship::kPrincipal;  // the case's first member here
  }
  PUENTE_ASSIGN_OR_RETURN(Applicant a,
                          RegistryAccess::InsertNewApplicant(registry, tx, tx.actor(), in, reg_no));
  PUENTE_ASSIGN_OR_RETURN(std::string enrollment_id, NewUuid());
  PUENTE_ASSIGN_OR_RETURN(std::string photo_enc, tx.keys().Seal("", PhotoCtx(enrollment_id)));
  PUENTE_ASSIGN_OR_RETURN(std::string template_enc,
                          tx.keys().Seal(face.ToInt8().Serialize(), TemplateCtx(enrollment_id)));
  const std::string model = face.model_id();
  const std::string set_name = puente::StrCat(face.model_id(), "/", face.model_version());
  tx.sql() << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, template_enc, "
              "model_id, template_set, quality, created_at, created_by, updated_at, gallery_seq) "
              "VALUES (:i, :a, 'cleared', :p, :t, :m, :s, '{\"source\":\"regional\"}', :c, "
              ":b, :u, :g)",
      soci::use(enrollment_id), soci::use(a.id), soci::use(photo_enc), soci::use(template_enc),
      soci::use(model), soci::use(set_name), soci::use(now), soci::use(tx.actor()), soci::use(now),
      soci::use(gallery_seq);
  tx.sql() << "INSERT INTO regional_refs (applicant_id, central_updated_at, pulled_at) "
              "VALUES (:a, :c, :p)",
      soci::use(a.id), soci::use(p.central_updated_at), soci::use(now);
  return a;
}

// Withdraws the reference people the centre no longer lists (they leave
// the gallery: stamped with `gallery_seq`).
absl::Status WithdrawReferences(Tx& tx, const std::vector<std::string>& remove,
                                const std::string& now, long long gallery_seq,
                                ReferenceCounts& counts) {
  for (const std::string& number : remove) {
    auto reg_no = ParseRegistrationNumber(number);
    if (!reg_no.ok()) continue;
    PUENTE_ASSIGN_OR_RETURN(Here here, FindHere(tx, *reg_no));
    if (!here.is_ref) continue;
    std::string status;
    tx.sql() << "SELECT status FROM enrollments WHERE applicant_id = :a", soci::use(here.id),
        soci::into(status);
    if (status == "duplicate") continue;  // already withdrawn
    tx.sql() << "DELETE FROM match_keys WHERE applicant_id = :a", soci::use(here.id);
    tx.sql() << "UPDATE enrollments SET status = 'duplicate', updated_at = :u, gallery_seq = :g "
                "WHERE applicant_id = :a",
        soci::use(now), soci::use(gallery_seq), soci::use(here.id);
    ++counts.removed;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ReferenceCounts> ApplyReferences(Registry& registry, EnrollmentService& service,
                                                const std::string& actor,
                                                const std::vector<ReferencePerson>& upsert,
                                                const std::vector<std::string>& remove,
                                                const std::function<absl::Status(Tx&)>& also) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  std::shared_ptr<LiveGallery> live = service.live_gallery();
  const biometrics::FaceGallery* gallery = &live->faces();
  // Templates are checked before anything is written.
  std::vector<biometrics::FaceTemplate> templates;
  templates.reserve(upsert.size());
  for (const ReferencePerson& p : upsert) {
    PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate t,
                            biometrics::FaceTemplate::Parse(p.face_template));
    if (t.dimension() != gallery->dimension() || t.model_id() != gallery->model_id() ||
        t.model_version() != gallery->model_version()) {
      return absl::FailedPreconditionError(puente::StrCat(
          "regional snapshot: its face templates are ", t.model_id(), "/", t.model_version(),
          ", this kit's are ", gallery->model_id(), "/", gallery->model_version(),
          ": re-template one of them (`puente face retemplate`)"));
    }
    templates.push_back(std::move(t));
  }
  const Clock& clock = registry.clock();
  ReferenceCounts counts;
  absl::Status s = InTransaction(registry.database(), [&]() -> absl::Status {
    Tx tx = RegistryAccess::Context(registry, actor);
    PUENTE_RETURN_IF_ERROR(LockGallery(tx));
    PUENTE_ASSIGN_OR_RETURN(const long long gallery_seq, NextGallerySeq(tx));
    const std::string now = FormatTimestamp(clock.Now());
    for (size_t i = 0; i < upsert.size(); ++i) {
      const ReferencePerson& p = upsert[i];
      auto reg_no = ParseRegistrationNumber(p.registration_number);
      if (!reg_no.ok()) {
        ++counts.skipped;
        counts.problems.push_back(std::string(reg_no.status().message()));
        continue;
      }
      std::optional<NewApplicant> in = ValidReference(p, *reg_no, clock.Now(), counts);
      if (!in) continue;
      PUENTE_ASSIGN_OR_RETURN(Here here, FindHere(tx, *reg_no));
      if (!here.id.empty() && !here.is_ref) {
        ++counts.skipped;  // the kit's own record (cannot happen with kit office codes)
        counts.problems.push_back(puente::StrCat(*reg_no, ": a record of this kit"));
        continue;
      }
      Applicant a;
      if (here.is_ref) {
        PUENTE_ASSIGN_OR_RETURN(
            bool changed, UpdateReference(tx, here.id, p, *in, templates[i].ToInt8().Serialize(),
                                          now, gallery_seq, a));
        if (!changed) {
          ++counts.unchanged;  // sent again (the cursor overlaps); already held
          continue;
        }
        ++counts.updated;
      } else {
        PUENTE_ASSIGN_OR_RETURN(
            a, InsertReference(registry, tx, p, *in, *reg_no, templates[i], now, gallery_seq));
        ++counts.added;
      }
      PUENTE_RETURN_IF_ERROR(WriteMatchKeys(tx, a));
    }
    PUENTE_RETURN_IF_ERROR(WithdrawReferences(tx, remove, now, gallery_seq, counts));
    if (also) PUENTE_RETURN_IF_ERROR(also(tx));
    return tx.Audit("regional.apply", "regional_refs", "",
                    {{"added", counts.added},
                     {"updated", counts.updated},
                     {"removed", counts.removed},
                     {"skipped", counts.skipped}});
  });
  if (!s.ok()) return s;
  // Committed: the gallery reads the rows back from the feed.
  PUENTE_RETURN_IF_ERROR(live->CatchUp(registry));
  return counts;
}

}  // namespace puente::registry::internal
