#include "puente/registry/adjudication.h"

#include "office/internal/enrollment_rows.h"
#include "office/internal/gallery_feed.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/card_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {

using internal::LoadEnrollment;
using internal::NoteCtx;
using internal::PhotoCtx;
using internal::Tx;

absl::StatusOr<Enrollment> Adjudication::GetEnrollment(const std::string& actor,
                                                       const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  Enrollment e;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicant(tx, reg_no, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(e, LoadEnrollment(tx, std::move(a)));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return e;
}

absl::StatusOr<std::vector<Enrollment>> Adjudication::ListHeld(const std::string& actor, int limit,
                                                               bool flagged) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  std::vector<Enrollment> out;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    std::vector<std::string> applicant_ids;
    std::string id;
    // Flagged: cleared (card not blocked) with a flag-tier candidate open.
    soci::statement q =
        (tx.sql().prepare << (flagged ? "SELECT applicant_id FROM enrollments e WHERE status = "
                                        "'cleared' AND EXISTS (SELECT 1 FROM duplicate_candidates "
                                        "c WHERE c.enrollment_id = e.id AND c.tier = 'flag' AND "
                                        "c.decision IS NULL) ORDER BY created_at, id"
                                      : "SELECT applicant_id FROM enrollments "
                                        "WHERE status = 'held' ORDER BY created_at, id"),
         soci::into(id));
    q.execute();
    while (q.fetch() && static_cast<int>(applicant_ids.size()) < limit) {
      applicant_ids.push_back(id);
    }
    for (const std::string& applicant_id : applicant_ids) {
      PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicantById(tx, applicant_id, "applicant.read"));
      PUENTE_ASSIGN_OR_RETURN(Enrollment e, LoadEnrollment(tx, std::move(a)));
      out.push_back(std::move(e));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> Adjudication::GetPhoto(const std::string& actor,
                                                   const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  std::string photo;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicant(tx, reg_no, "applicant.read"));
    std::string enrollment_id, photo_enc;
    tx.sql() << "SELECT id, photo_enc FROM enrollments WHERE applicant_id = :a", soci::use(a.id),
        soci::into(enrollment_id), soci::into(photo_enc);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(
          puente::StrCat("registration_number: ", reg_no, " has no enrollment photo"));
    }
    PUENTE_ASSIGN_OR_RETURN(photo, tx.keys().Open(photo_enc, PhotoCtx(enrollment_id)));
    return tx.Audit("photo.read", "enrollment", enrollment_id);
  });
  if (!s.ok()) return s;
  return photo;
}

absl::StatusOr<Enrollment> Adjudication::Decide(const std::string& actor,
                                                const std::string& candidate_id, Decision decision,
                                                const std::string& note_text) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (note_text.empty()) return absl::InvalidArgumentError("note: say why (required)");
  PUENTE_ASSIGN_OR_RETURN(const std::string note,
                          ValidateFreeText("note", note_text, kMaxReasonLength, true));
  Enrollment e;
  bool gallery_changed = false;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    // First, before any row lock: a "same person" retires a face.
    PUENTE_RETURN_IF_ERROR(internal::LockGallery(tx));
    std::string enrollment_id, other_id, current, tier;
    soci::indicator current_ind;
    tx.sql() << "SELECT enrollment_id, candidate_applicant_id, decision, tier FROM "
                "duplicate_candidates WHERE id = :i",
        soci::use(candidate_id), soci::into(enrollment_id), soci::into(other_id),
        soci::into(current, current_ind), soci::into(tier);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(puente::StrCat("candidate ", candidate_id, " does not exist"));
    }
    if (current_ind == soci::i_ok) {
      return absl::FailedPreconditionError(
          puente::StrCat("candidate ", candidate_id, " was already decided: ", current));
    }
    std::string applicant_id, status;
    tx.sql() << "SELECT applicant_id, status FROM enrollments WHERE id = :e",
        soci::use(enrollment_id), soci::into(applicant_id), soci::into(status);
    // A flag-tier candidate is decided on a cleared enrollment too.
    if (status != "held" && !(status == "cleared" && tier == "flag")) {
      return absl::FailedPreconditionError(
          puente::StrCat("the enrollment is ", status, ", not held for adjudication"));
    }
    const std::string now = FormatTimestamp(registry_.clock().Now());
    const std::string decision_text(ToString(decision));
    PUENTE_ASSIGN_OR_RETURN(std::string note_enc, tx.keys().Seal(note, NoteCtx(candidate_id)));
    tx.sql() << "UPDATE duplicate_candidates SET decision = :d, decided_by = :b, decided_at = :t, "
                "note_enc = :n WHERE id = :i",
        soci::use(decision_text), soci::use(actor), soci::use(now), soci::use(note_enc),
        soci::use(candidate_id);
    std::string new_status = status;
    if (decision == Decision::kSamePerson) {
      tx.sql() << "INSERT INTO identity_links (applicant_id, linked_applicant_id, candidate_id, "
                  "created_at, created_by) VALUES (:a, :o, :c, :t, :b)",
          soci::use(applicant_id), soci::use(other_id), soci::use(candidate_id), soci::use(now),
          soci::use(actor);
      new_status = "duplicate";
      gallery_changed = true;
      // A provisional card a field kit gave this registration is revoked:
      // the person holds (or will get) the card of their first registration.
      PUENTE_RETURN_IF_ERROR(
          RevokeActiveCards(tx, "applicant_id = :k", applicant_id,
                            "duplicate registration: the same person as another record")
              .status());
    } else if (status == "held") {
      // Cleared once no hold-tier candidate is open (flag-tier ones stay in
      // the lower-priority list without blocking the card).
      int pending = 0;
      tx.sql() << "SELECT count(*) FROM duplicate_candidates WHERE enrollment_id = :e AND "
                  "decision IS NULL AND tier = 'hold'",
          soci::use(enrollment_id), soci::into(pending);
      if (pending == 0) new_status = "cleared";
    }
    if (gallery_changed) {
      PUENTE_ASSIGN_OR_RETURN(const long long seq, internal::NextGallerySeq(tx));
      tx.sql() << "UPDATE enrollments SET status = :s, updated_at = :t, gallery_seq = :g "
                  "WHERE id = :e",
          soci::use(new_status), soci::use(now), soci::use(seq), soci::use(enrollment_id);
    } else if (new_status != status) {
      tx.sql() << "UPDATE enrollments SET status = :s, updated_at = :t WHERE id = :e",
          soci::use(new_status), soci::use(now), soci::use(enrollment_id);
    }
    PUENTE_RETURN_IF_ERROR(tx.Audit("duplicate.decide", "duplicate_candidate", candidate_id,
                                    {{"decision", decision_text},
                                     {"enrollment_id", enrollment_id},
                                     {"enrollment_status", new_status}}));
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicantById(tx, applicant_id, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(e, LoadEnrollment(tx, std::move(a)));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // A confirmed duplicate no longer answers searches: the person is already
  // enrolled. Committed: a failed read-back is for the next catch-up to mend.
  if (gallery_changed && gallery_ != nullptr) gallery_->CatchUp(registry_).IgnoreError();
  return e;
}

}  // namespace puente::registry
