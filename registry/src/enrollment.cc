#include "puente/registry/enrollment.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "puente/biometrics/calibration.h"
#include "puente/common/error_detail.h"
#include "puente/registry/demographic_match.h"
#include "src/registry_tx.h"

namespace puente::registry {
namespace {

using internal::Tx;

std::string PhotoCtx(const std::string& enrollment_id) {
  return puente::StrCat("enrollments.photo/", enrollment_id);
}
std::string TemplateCtx(const std::string& enrollment_id) {
  return puente::StrCat("enrollments.template/", enrollment_id);
}
std::string ReasonsCtx(const std::string& candidate_id) {
  return puente::StrCat("duplicate_candidates.reasons/", candidate_id);
}
std::string NoteCtx(const std::string& candidate_id) {
  return puente::StrCat("duplicate_candidates.note/", candidate_id);
}

absl::Status Refused(const biometrics::Capture& c) {
  std::string why;
  for (const auto& issue : c.issues) {
    if (!why.empty()) why += "; ";
    why += puente::StrCat(biometrics::QualityCodeName(issue.code), ": ", issue.message);
  }
  return WithDetail(absl::InvalidArgumentError(puente::StrCat(
                        "photo: refused by the quality check: ", why.empty() ? "no face" : why)),
                    kDetailField, "photo");
}

// A photo that could not be analysed at all (not an image, truncated...):
// InvalidArgument on field "photo", the capture's own details kept.
absl::Status BadPhoto(const absl::Status& s) {
  return WithDetail(Rewrap(s, absl::StatusCode::kInvalidArgument,
                           puente::StrCat("photo: ", s.message())),
                    kDetailField, "photo");
}

absl::StatusOr<EnrollmentStatus> ParseStatus(const std::string& s) {
  if (s == "held") return EnrollmentStatus::kHeld;
  if (s == "cleared") return EnrollmentStatus::kCleared;
  if (s == "duplicate") return EnrollmentStatus::kDuplicate;
  return absl::DataLossError("stored enrollment status is unknown");
}

// One possible duplicate while an enrollment is being decided.
struct Found {
  std::optional<float> face;
  DemographicMatch demographic;
};

// Reads the enrollment row and candidates of `applicant` inside `tx`.
absl::StatusOr<Enrollment> LoadEnrollment(Tx& tx, Applicant applicant) {
  Enrollment e;
  std::string status;
  tx.sql() << "SELECT id, status, created_at, created_by FROM enrollments WHERE applicant_id = :a",
      soci::use(applicant.id), soci::into(e.id), soci::into(status), soci::into(e.created_at),
      soci::into(e.created_by);
  if (!tx.sql().got_data()) {
    return absl::NotFoundError(puente::StrCat("registration_number: ",
                                              applicant.registration_number, " has no enrollment"));
  }
  PUENTE_ASSIGN_OR_RETURN(e.status, ParseStatus(status));
  e.applicant = std::move(applicant);
  struct Row {
    std::string id, candidate_applicant_id, reasons_enc, decision, decided_by, decided_at;
    double face = 0, demo = 0;
    soci::indicator face_ind, decision_ind, by_ind, at_ind;
  };
  std::vector<Row> rows;
  Row r;
  soci::statement st =
      (tx.sql().prepare << "SELECT id, candidate_applicant_id, face_score, demographic_score, "
                           "reasons_enc, decision, decided_by, decided_at FROM duplicate_candidates "
                           "WHERE enrollment_id = :e ORDER BY demographic_score DESC, id",
       soci::use(e.id), soci::into(r.id), soci::into(r.candidate_applicant_id),
       soci::into(r.face, r.face_ind), soci::into(r.demo), soci::into(r.reasons_enc),
       soci::into(r.decision, r.decision_ind), soci::into(r.decided_by, r.by_ind),
       soci::into(r.decided_at, r.at_ind));
  st.execute();
  while (st.fetch()) rows.push_back(r);
  for (const Row& row : rows) {
    DuplicateCandidate c;
    c.id = row.id;
    if (row.face_ind == soci::i_ok) c.face_score = static_cast<float>(row.face);
    c.demographic_score = row.demo;
    PUENTE_ASSIGN_OR_RETURN(std::string reasons,
                            tx.keys().Open(row.reasons_enc, ReasonsCtx(row.id)));
    for (const auto& reason : nlohmann::json::parse(reasons, nullptr, false)) {
      if (reason.is_string()) c.reasons.push_back(reason.get<std::string>());
    }
    if (row.decision_ind == soci::i_ok) {
      c.decision = row.decision == "same_person" ? Decision::kSamePerson : Decision::kDifferent;
      c.decided_by = row.by_ind == soci::i_ok ? row.decided_by : "";
      c.decided_at = row.at_ind == soci::i_ok ? row.decided_at : "";
    }
    PUENTE_ASSIGN_OR_RETURN(Applicant other,
                            tx.ReadApplicantById(row.candidate_applicant_id, "applicant.read"));
    c.registration_number = other.registration_number;
    e.candidates.push_back(std::move(c));
  }
  return e;
}

}  // namespace

std::string_view ToString(EnrollmentStatus s) {
  switch (s) {
    case EnrollmentStatus::kHeld: return "held";
    case EnrollmentStatus::kCleared: return "cleared";
    case EnrollmentStatus::kDuplicate: return "duplicate";
  }
  return "held";
}

std::string_view ToString(Decision d) {
  return d == Decision::kSamePerson ? "same_person" : "different";
}

absl::StatusOr<std::unique_ptr<EnrollmentService>> EnrollmentService::Create(
    Registry& registry, biometrics::FaceCapture& capture, EnrollmentPolicy policy,
    std::shared_ptr<biometrics::FaceGallery> gallery) {
  const bool own_gallery = gallery == nullptr;
  if (own_gallery) {
    const bool sface = capture.options().recognizer == biometrics::Recognizer::kSFace;
    gallery = std::make_shared<biometrics::FaceGallery>(
        sface ? biometrics::FaceCapture::kSFaceId : biometrics::FaceCapture::kRecognizerId,
        biometrics::FaceCapture::kRecognizerVersion, sface ? 128 : 512,
        // Stored templates are int8: ranking on them is exact without floats.
        biometrics::GalleryOptions{.keep_float = false});
  }
  std::unique_ptr<EnrollmentService> s(
      new EnrollmentService(registry, capture, policy, std::move(gallery)));
  if (own_gallery) PUENTE_RETURN_IF_ERROR(s->LoadGallery());
  return s;
}

absl::Status EnrollmentService::LoadGallery() {
  Database& db = registry_.database();
  const bool sface = capture_.options().recognizer == biometrics::Recognizer::kSFace;
  const std::string expected_model =
      sface ? biometrics::FaceCapture::kSFaceId : biometrics::FaceCapture::kRecognizerId;
  return InTransaction(db, [&]() -> absl::Status {
    long long count = 0;
    db.session() << "SELECT COUNT(*) FROM enrollments WHERE status <> 'duplicate'",
        soci::into(count);
    gallery_->Reserve(gallery_->size() + static_cast<size_t>(count));
    // Rows are streamed straight into the gallery (one applicant has at most
    // one enrollment, so the order does not matter and is not sorted for).
    std::string applicant_id, enrollment_id, template_enc;
    soci::statement q =
        (db.session().prepare << "SELECT applicant_id, id, template_enc FROM enrollments "
                                 "WHERE status <> 'duplicate'",
         soci::into(applicant_id), soci::into(enrollment_id), soci::into(template_enc));
    q.execute();
    while (q.fetch()) {
      PUENTE_ASSIGN_OR_RETURN(std::string bytes,
                              registry_.keys().Open(template_enc, TemplateCtx(enrollment_id)));
      PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate t, biometrics::FaceTemplate::Parse(bytes));
      if (t.model_id() != expected_model || t.dimension() != gallery_->dimension()) {
        return absl::FailedPreconditionError(
            "enrolled templates were made by another face model than the one loaded");
      }
      PUENTE_RETURN_IF_ERROR(gallery_->Upsert(applicant_id, t));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Enrollment> EnrollmentService::Enroll(const std::string& actor, NewApplicant in,
                                                     std::string_view photo,
                                                     const std::string& idempotency_key,
                                                     bool* replayed) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (replayed != nullptr) *replayed = false;
  std::string idem_bidx;
  if (!idempotency_key.empty()) {
    PUENTE_ASSIGN_OR_RETURN(idem_bidx,
                            registry_.keys().BlindIndex("enrollment_key", idempotency_key));
    std::optional<Enrollment> earlier;
    PUENTE_RETURN_IF_ERROR(InTransaction(registry_.database(), [&]() -> absl::Status {
      Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
      std::string applicant_id;
      tx.sql() << "SELECT e.applicant_id FROM enrollment_keys k JOIN enrollments e "
                  "ON e.id = k.enrollment_id WHERE k.key_bidx = :k",
          soci::use(idem_bidx), soci::into(applicant_id);
      if (!tx.sql().got_data()) return absl::OkStatus();
      PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicantById(applicant_id, "applicant.read"));
      PUENTE_ASSIGN_OR_RETURN(earlier, LoadEnrollment(tx, std::move(a)));
      return absl::OkStatus();
    }));
    if (earlier) {
      if (replayed != nullptr) *replayed = true;
      return *earlier;
    }
  }
  const Clock& clock = registry_.clock();
  PUENTE_ASSIGN_OR_RETURN(in, ValidateNewApplicant(std::move(in), clock.Now()));
  std::string wanted_reg_no;
  if (!in.registration_number.empty()) {
    PUENTE_ASSIGN_OR_RETURN(wanted_reg_no, ParseRegistrationNumber(in.registration_number));
  }
  // The quality gate, before anything is written.
  absl::StatusOr<biometrics::Capture> capture = capture_.AnalyzeBytes(photo);
  if (!capture.ok()) return BadPhoto(capture.status());
  if (!capture->passed || !capture->face_template) return Refused(*capture);
  const biometrics::FaceTemplate& probe = *capture->face_template;
  // From the search until this face is in the gallery, no other enrollment
  // on this gallery searches: the same person enrolled twice at once is seen.
  // It is held across the transaction (on SQLite, writers wait for each
  // other anyway; the photo analysis above runs in parallel).
  std::lock_guard<std::mutex> dedup_lock(gallery_->search_then_add_mutex());
  // Nearest enrolled faces (read-only, outside the transaction).
  PUENTE_ASSIGN_OR_RETURN(std::vector<biometrics::Match> face_hits,
                          gallery_->Search(probe, policy_.max_face_hits));

  Enrollment e;
  std::string stored_template;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    PUENTE_ASSIGN_OR_RETURN(e.applicant,
                            registry_.InsertNewApplicant(tx, actor, in, wanted_reg_no));
    const Applicant& a = e.applicant;
    PUENTE_ASSIGN_OR_RETURN(e.id, internal::NewUuid());
    e.created_at = FormatTimestamp(clock.Now());
    e.created_by = actor;
    stored_template = probe.ToInt8().Serialize();
    PUENTE_ASSIGN_OR_RETURN(std::string photo_enc, tx.keys().Seal(photo, PhotoCtx(e.id)));
    PUENTE_ASSIGN_OR_RETURN(std::string template_enc,
                            tx.keys().Seal(stored_template, TemplateCtx(e.id)));
    const nlohmann::json quality{{"confidence", capture->metrics.confidence},
                                 {"eye_distance_px", capture->metrics.eye_distance_px},
                                 {"sharpness", capture->metrics.sharpness},
                                 {"brightness", capture->metrics.brightness},
                                 {"box",
                                  {capture->metrics.box.x, capture->metrics.box.y,
                                   capture->metrics.box.width, capture->metrics.box.height}}};
    const std::string quality_text = quality.dump();
    const std::string model = probe.model_id();
    tx.sql() << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, template_enc, "
                "model_id, quality, created_at, created_by, updated_at) "
                "VALUES (:i, :a, 'held', :p, :t, :m, :q, :c, :b, :u)",
        soci::use(e.id), soci::use(a.id), soci::use(photo_enc), soci::use(template_enc),
        soci::use(model), soci::use(quality_text), soci::use(e.created_at), soci::use(actor),
        soci::use(e.created_at);

    // Demographic candidates: everyone sharing a match key.
    const DemographicRecord mine = DemographicsOf(a);
    std::vector<std::string> key_bidx;
    for (const std::string& k : MatchKeys(mine)) {
      PUENTE_ASSIGN_OR_RETURN(std::string b, tx.keys().BlindIndex("match", k));
      tx.sql() << "INSERT INTO match_keys (applicant_id, key_bidx) VALUES (:a, :k)",
          soci::use(a.id), soci::use(b);
      key_bidx.push_back(std::move(b));
    }
    std::map<std::string, Found> found;
    for (const std::string& b : key_bidx) {
      std::string other_id;
      soci::statement q = (tx.sql().prepare << "SELECT applicant_id FROM match_keys "
                                               "WHERE key_bidx = :k AND applicant_id <> :a",
                           soci::use(b), soci::use(a.id), soci::into(other_id));
      q.execute();
      while (q.fetch() && static_cast<int>(found.size()) < policy_.max_demographic_hits) {
        found.emplace(other_id, Found{});
      }
    }
    for (const biometrics::Match& m : face_hits) {
      if (m.score >= policy_.face_support_threshold) found[m.subject_id].face = m.score;
    }
    // Score each; keep those the policy calls candidates.
    int kept = 0;
    std::vector<std::string> other_ids;
    for (const auto& entry : found) other_ids.push_back(entry.first);
    PUENTE_ASSIGN_OR_RETURN(std::vector<Applicant> others,
                            tx.ReadApplicantsByIds(other_ids, "dedup.compare", "enrollment", e.id));
    for (const Applicant& other : others) {
      const std::string& other_id = other.id;
      Found& f = found[other_id];
      f.demographic = CompareDemographics(mine, DemographicsOf(other));
      const double demo = f.demographic.score;
      const bool candidate =
          (f.face && *f.face >= policy_.face_threshold) ||
          demo >= policy_.demographic_threshold ||
          (f.face && *f.face >= policy_.face_support_threshold &&
           demo >= policy_.demographic_support_threshold);
      if (!candidate) continue;
      DuplicateCandidate c;
      PUENTE_ASSIGN_OR_RETURN(c.id, internal::NewUuid());
      c.registration_number = other.registration_number;
      c.face_score = f.face;
      c.demographic_score = demo;
      if (f.face) c.reasons.push_back(absl::StrFormat("face similarity %.2f", *f.face));
      for (const std::string& r : f.demographic.reasons) c.reasons.push_back(r);
      PUENTE_ASSIGN_OR_RETURN(std::string reasons_enc,
                              tx.keys().Seal(nlohmann::json(c.reasons).dump(), ReasonsCtx(c.id)));
      double face_value = f.face.value_or(0);
      soci::indicator face_ind = f.face ? soci::i_ok : soci::i_null;
      tx.sql() << "INSERT INTO duplicate_candidates (id, enrollment_id, candidate_applicant_id, "
                  "face_score, demographic_score, reasons_enc) VALUES (:i, :e, :c, :f, :d, :r)",
          soci::use(c.id), soci::use(e.id), soci::use(other_id), soci::use(face_value, face_ind),
          soci::use(demo), soci::use(reasons_enc);
      e.candidates.push_back(std::move(c));
      ++kept;
    }
    std::sort(e.candidates.begin(), e.candidates.end(), [](const auto& x, const auto& y) {
      return std::max<double>(x.face_score.value_or(0), x.demographic_score) >
             std::max<double>(y.face_score.value_or(0), y.demographic_score);
    });
    if (!idem_bidx.empty()) {
      tx.sql() << "INSERT INTO enrollment_keys (key_bidx, enrollment_id) VALUES (:k, :e)",
          soci::use(idem_bidx), soci::use(e.id);
    }
    e.status = kept > 0 ? EnrollmentStatus::kHeld : EnrollmentStatus::kCleared;
    const std::string status(ToString(e.status));
    tx.sql() << "UPDATE enrollments SET status = :s WHERE id = :i", soci::use(status),
        soci::use(e.id);
    return tx.Audit("enrollment.create", "enrollment", e.id,
                    {{"applicant_id", a.id}, {"status", status}, {"candidates", kept}});
  });
  if (!s.ok()) return s;
  // Visible to the next enrollments once committed.
  PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate stored,
                          biometrics::FaceTemplate::Parse(stored_template));
  PUENTE_RETURN_IF_ERROR(gallery_->Upsert(e.applicant.id, stored));
  return e;
}

absl::StatusOr<Enrollment> EnrollmentService::GetEnrollment(
    const std::string& actor, const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  Enrollment e;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicant(reg_no, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(e, LoadEnrollment(tx, std::move(a)));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return e;
}

absl::StatusOr<std::vector<Enrollment>> EnrollmentService::ListHeld(const std::string& actor,
                                                                    int limit) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  std::vector<Enrollment> out;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    std::vector<std::string> applicant_ids;
    std::string id;
    soci::statement q = (tx.sql().prepare << "SELECT applicant_id FROM enrollments "
                                             "WHERE status = 'held' ORDER BY created_at, id",
                         soci::into(id));
    q.execute();
    while (q.fetch() && static_cast<int>(applicant_ids.size()) < limit) {
      applicant_ids.push_back(id);
    }
    for (const std::string& applicant_id : applicant_ids) {
      PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicantById(applicant_id, "applicant.read"));
      PUENTE_ASSIGN_OR_RETURN(Enrollment e, LoadEnrollment(tx, std::move(a)));
      out.push_back(std::move(e));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> EnrollmentService::GetPhoto(const std::string& actor,
                                                        const std::string& registration_number) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  std::string photo;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicant(reg_no, "applicant.read"));
    std::string enrollment_id, photo_enc;
    tx.sql() << "SELECT id, photo_enc FROM enrollments WHERE applicant_id = :a", soci::use(a.id),
        soci::into(enrollment_id), soci::into(photo_enc);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(puente::StrCat("registration_number: ", reg_no,
                                                " has no enrollment photo"));
    }
    PUENTE_ASSIGN_OR_RETURN(photo, tx.keys().Open(photo_enc, PhotoCtx(enrollment_id)));
    return tx.Audit("photo.read", "enrollment", enrollment_id);
  });
  if (!s.ok()) return s;
  return photo;
}

absl::StatusOr<Enrollment> EnrollmentService::Decide(const std::string& actor,
                                                     const std::string& candidate_id,
                                                     Decision decision, const std::string& note) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (note.empty()) return absl::InvalidArgumentError("note: say why (required)");
  Enrollment e;
  std::string remove_from_gallery;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    std::string enrollment_id, other_id, current;
    soci::indicator current_ind;
    tx.sql() << "SELECT enrollment_id, candidate_applicant_id, decision FROM duplicate_candidates "
                "WHERE id = :i",
        soci::use(candidate_id), soci::into(enrollment_id), soci::into(other_id),
        soci::into(current, current_ind);
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
    if (status != "held") {
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
    std::string new_status = "held";
    if (decision == Decision::kSamePerson) {
      tx.sql() << "INSERT INTO identity_links (applicant_id, linked_applicant_id, candidate_id, "
                  "created_at, created_by) VALUES (:a, :o, :c, :t, :b)",
          soci::use(applicant_id), soci::use(other_id), soci::use(candidate_id), soci::use(now),
          soci::use(actor);
      new_status = "duplicate";
      remove_from_gallery = applicant_id;
      // A provisional card a field kit gave this registration is revoked:
      // the person holds (or will get) the card of their first registration.
      PUENTE_RETURN_IF_ERROR(
          tx.RevokeActiveCards("applicant_id = :k", applicant_id,
                               "duplicate registration: the same person as another record")
              .status());
    } else {
      int pending = 0;
      tx.sql() << "SELECT count(*) FROM duplicate_candidates WHERE enrollment_id = :e AND "
                  "decision IS NULL",
          soci::use(enrollment_id), soci::into(pending);
      if (pending == 0) new_status = "cleared";
    }
    if (new_status != "held") {
      tx.sql() << "UPDATE enrollments SET status = :s, updated_at = :t WHERE id = :e",
          soci::use(new_status), soci::use(now), soci::use(enrollment_id);
    }
    PUENTE_RETURN_IF_ERROR(tx.Audit("duplicate.decide", "duplicate_candidate", candidate_id,
                                    {{"decision", decision_text},
                                     {"enrollment_id", enrollment_id},
                                     {"enrollment_status", new_status}}));
    PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicantById(applicant_id, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(e, LoadEnrollment(tx, std::move(a)));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // A confirmed duplicate no longer answers searches: the person is already enrolled.
  if (!remove_from_gallery.empty()) gallery_->Remove(remove_from_gallery);
  return e;
}

absl::StatusOr<FaceVerification> EnrollmentService::VerifyFace(
    const std::string& actor, const std::string& registration_number,
    std::string_view live_photo) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  absl::StatusOr<biometrics::Capture> live = capture_.AnalyzeBytes(live_photo);
  if (!live.ok()) return BadPhoto(live.status());
  if (!live->face_template) return Refused(*live);
  FaceVerification out;
  out.threshold = biometrics::kDefaultMatchThreshold;
  out.live_photo_passed_quality = live->passed;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, tx.ReadApplicant(reg_no, "applicant.read"));
    std::string enrollment_id, template_enc;
    tx.sql() << "SELECT id, template_enc FROM enrollments WHERE applicant_id = :a",
        soci::use(a.id), soci::into(enrollment_id), soci::into(template_enc);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(puente::StrCat("registration_number: ", reg_no,
                                                " has no enrolled face"));
    }
    PUENTE_ASSIGN_OR_RETURN(std::string bytes,
                            tx.keys().Open(template_enc, TemplateCtx(enrollment_id)));
    PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate enrolled,
                            biometrics::FaceTemplate::Parse(bytes));
    PUENTE_ASSIGN_OR_RETURN(out.similarity,
                            biometrics::CosineSimilarity(enrolled, *live->face_template));
    out.match = out.similarity >= out.threshold;
    return tx.Audit("face.verify", "enrollment", enrollment_id,
                    {{"match", out.match}, {"similarity", out.similarity}});
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<ReferenceCounts> EnrollmentService::ApplyReferences(
    const std::string& actor, const std::vector<ReferencePerson>& upsert,
    const std::vector<std::string>& remove,
    const std::function<absl::Status(internal::Tx&)>& also) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  // Templates are checked before anything is written.
  std::vector<biometrics::FaceTemplate> templates;
  templates.reserve(upsert.size());
  for (const ReferencePerson& p : upsert) {
    PUENTE_ASSIGN_OR_RETURN(biometrics::FaceTemplate t,
                            biometrics::FaceTemplate::Parse(p.face_template));
    if (t.dimension() != gallery_->dimension() || t.model_id() != gallery_->model_id()) {
      return absl::FailedPreconditionError(
          "regional snapshot: its face templates were made by another face model than this "
          "kit's");
    }
    templates.push_back(std::move(t));
  }
  const Clock& clock = registry_.clock();
  ReferenceCounts counts;
  std::vector<std::pair<std::string, size_t>> to_gallery;  // applicant id, index
  std::vector<std::string> from_gallery;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    const std::string now = FormatTimestamp(clock.Now());
    auto write_keys = [&](const Applicant& a) -> absl::Status {
      tx.sql() << "DELETE FROM match_keys WHERE applicant_id = :a", soci::use(a.id);
      for (const std::string& k : MatchKeys(DemographicsOf(a))) {
        PUENTE_ASSIGN_OR_RETURN(std::string b, tx.keys().BlindIndex("match", k));
        tx.sql() << "INSERT INTO match_keys (applicant_id, key_bidx) VALUES (:a, :k)",
            soci::use(a.id), soci::use(b);
      }
      return absl::OkStatus();
    };
    // The applicant with this registration number here, and whether it is a reference.
    auto find = [&](const std::string& reg_no, std::string& id, bool& is_ref) -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(std::string bidx, tx.keys().BlindIndex("reg_no", reg_no));
      id.clear();
      std::string ref;
      soci::indicator ref_ind = soci::i_null;
      tx.sql() << "SELECT a.id, r.applicant_id FROM applicants a LEFT JOIN regional_refs r "
                  "ON r.applicant_id = a.id WHERE a.reg_no_bidx = :b",
          soci::use(bidx), soci::into(id), soci::into(ref, ref_ind);
      if (!tx.sql().got_data()) id.clear();
      is_ref = !id.empty() && ref_ind == soci::i_ok;
      return absl::OkStatus();
    };
    for (size_t i = 0; i < upsert.size(); ++i) {
      const ReferencePerson& p = upsert[i];
      auto reg_no = ParseRegistrationNumber(p.registration_number);
      if (!reg_no.ok()) {
        ++counts.skipped;
        counts.problems.push_back(std::string(reg_no.status().message()));
        continue;
      }
      NewApplicant in = p.applicant;
      in.registration_number = *reg_no;
      auto valid = ValidateNewApplicant(in, clock.Now());
      if (!valid.ok() && in.relationship != Relationship::kPrincipal) {
        // Dependants are checked without their case (joined below).
        NewApplicant principal = in;
        principal.relationship = Relationship::kPrincipal;
        principal.case_number.clear();
        valid = ValidateNewApplicant(principal, clock.Now());
        if (valid.ok()) valid->relationship = in.relationship;
      }
      if (!valid.ok()) {
        ++counts.skipped;
        counts.problems.push_back(puente::StrCat(*reg_no, ": ", valid.status().message()));
        continue;
      }
      in = *std::move(valid);
      std::string id;
      bool is_ref = false;
      PUENTE_RETURN_IF_ERROR(find(*reg_no, id, is_ref));
      const std::string template_bytes = templates[i].ToInt8().Serialize();
      if (!id.empty() && !is_ref) {
        ++counts.skipped;  // the kit's own record (cannot happen with kit office codes)
        counts.problems.push_back(puente::StrCat(*reg_no, ": a record of this kit"));
        continue;
      }
      Applicant a;
      std::string enrollment_id;
      if (is_ref) {
        std::string held_since;
        tx.sql() << "SELECT central_updated_at FROM regional_refs WHERE applicant_id = :a",
            soci::use(id), soci::into(held_since);
        std::string status;
        tx.sql() << "SELECT status FROM enrollments WHERE applicant_id = :a", soci::use(id),
            soci::into(status);
        if (held_since == p.central_updated_at && status != "duplicate") {
          ++counts.unchanged;  // sent again (the cursor overlaps); already held
          continue;
        }
        int version = 1;
        tx.sql() << "SELECT version FROM applicants WHERE id = :a", soci::use(id),
            soci::into(version);
        a.id = id;
        internal::CopyPersonalFields(in, a);
        a.documents = in.documents;
        a.updated_at = now;
        a.version = version + 1;
        PUENTE_ASSIGN_OR_RETURN(bool updated, tx.UpdatePerson(a, version));
        if (!updated) return absl::AbortedError("regional snapshot: a record changed meanwhile");
        tx.sql() << "DELETE FROM identity_documents WHERE applicant_id = :a", soci::use(id);
        for (const IdentityDocument& d : a.documents) {
          PUENTE_RETURN_IF_ERROR(tx.InsertDocument(id, d, now));
        }
        tx.sql() << "SELECT id FROM enrollments WHERE applicant_id = :a", soci::use(id),
            soci::into(enrollment_id);
        PUENTE_ASSIGN_OR_RETURN(std::string template_enc,
                                tx.keys().Seal(template_bytes, TemplateCtx(enrollment_id)));
        tx.sql() << "UPDATE enrollments SET status = 'cleared', template_enc = :t, "
                    "updated_at = :u WHERE id = :e",
            soci::use(template_enc), soci::use(now), soci::use(enrollment_id);
        tx.sql() << "UPDATE regional_refs SET central_updated_at = :c, pulled_at = :p "
                    "WHERE applicant_id = :a",
            soci::use(p.central_updated_at), soci::use(now), soci::use(id);
        ++counts.updated;
      } else {
        int case_here = 0;
        tx.sql() << "SELECT count(*) FROM cases WHERE case_number = :n",
            soci::use(p.case_number), soci::into(case_here);
        if (case_here > 0) {
          in.case_number = p.case_number;
          if (in.relationship == Relationship::kPrincipal) {
            in.relationship = Relationship::kOtherRelative;  // a dependant came first
          }
        } else {
          in.new_case_number = p.case_number;
          in.relationship = Relationship::kPrincipal;  // the case's first member here
        }
        PUENTE_ASSIGN_OR_RETURN(a, registry_.InsertNewApplicant(tx, actor, in, *reg_no));
        PUENTE_ASSIGN_OR_RETURN(enrollment_id, internal::NewUuid());
        PUENTE_ASSIGN_OR_RETURN(std::string photo_enc, tx.keys().Seal("", PhotoCtx(enrollment_id)));
        PUENTE_ASSIGN_OR_RETURN(std::string template_enc,
                                tx.keys().Seal(template_bytes, TemplateCtx(enrollment_id)));
        const std::string model = templates[i].model_id();
        tx.sql() << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, template_enc, "
                    "model_id, quality, created_at, created_by, updated_at) "
                    "VALUES (:i, :a, 'cleared', :p, :t, :m, '{\"source\":\"regional\"}', :c, :b, "
                    ":u)",
            soci::use(enrollment_id), soci::use(a.id), soci::use(photo_enc),
            soci::use(template_enc), soci::use(model), soci::use(now), soci::use(actor),
            soci::use(now);
        tx.sql() << "INSERT INTO regional_refs (applicant_id, central_updated_at, pulled_at) "
                    "VALUES (:a, :c, :p)",
            soci::use(a.id), soci::use(p.central_updated_at), soci::use(now);
        ++counts.added;
      }
      PUENTE_RETURN_IF_ERROR(write_keys(a));
      to_gallery.emplace_back(a.id, i);
    }
    for (const std::string& number : remove) {
      auto reg_no = ParseRegistrationNumber(number);
      if (!reg_no.ok()) continue;
      std::string id;
      bool is_ref = false;
      PUENTE_RETURN_IF_ERROR(find(*reg_no, id, is_ref));
      if (!is_ref) continue;
      std::string status;
      tx.sql() << "SELECT status FROM enrollments WHERE applicant_id = :a", soci::use(id),
          soci::into(status);
      if (status == "duplicate") continue;  // already withdrawn
      tx.sql() << "DELETE FROM match_keys WHERE applicant_id = :a", soci::use(id);
      tx.sql() << "UPDATE enrollments SET status = 'duplicate', updated_at = :u "
                  "WHERE applicant_id = :a",
          soci::use(now), soci::use(id);
      from_gallery.push_back(id);
      ++counts.removed;
    }
    if (also) PUENTE_RETURN_IF_ERROR(also(tx));
    return tx.Audit("regional.apply", "regional_refs", "",
                    {{"added", counts.added},
                     {"updated", counts.updated},
                     {"removed", counts.removed},
                     {"skipped", counts.skipped}});
  });
  if (!s.ok()) return s;
  for (const auto& [id, i] : to_gallery) {
    PUENTE_RETURN_IF_ERROR(gallery_->Upsert(id, templates[i].ToInt8()));
  }
  for (const std::string& id : from_gallery) gallery_->Remove(id);
  return counts;
}

}  // namespace puente::registry
