#include "puente/registry/enrollment.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "office/internal/enrollment_rows.h"
#include "office/internal/gallery_feed.h"
#include "office/internal/registry_access.h"
#include "puente/biometrics/calibration.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/adjudication.h"
#include "puente/registry/demographic_match.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/applicant_store.h"
#include "storage/internal/card_store.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using internal::NoteCtx;
using internal::PhotoCtx;
using internal::ReasonsCtx;
using internal::TemplateCtx;
using internal::Tx;

absl::Status Refused(const biometrics::Capture& c) {
  std::string why;
  for (const auto& issue : c.issues) {
    if (!why.empty()) why += "; ";
    why += puente::StrCat(biometrics::QualityCodeName(issue.code), ": ", issue.message);
  }
  absl::Status refused =
      WithDetail(absl::InvalidArgumentError(puente::StrCat("photo: refused by the quality check: ",
                                                           why.empty() ? "no face" : why)),
                 kDetailField, "photo");
  // The first problem's stable code, for callers that react to it.
  return c.issues.empty()
             ? WithDetail(refused, kDetailReason, "face.none")
             : WithDetail(refused, kDetailReason, biometrics::QualityReason(c.issues.front().code));
}

// A photo that could not be analysed at all (not an image, truncated...):
// InvalidArgument on field "photo", the capture's own details kept.
absl::Status BadPhoto(const absl::Status& s) {
  return WithDetail(
      Rewrap(s, absl::StatusCode::kInvalidArgument, puente::StrCat("photo: ", s.message())),
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

// The order a supervisor sees candidates in: by fused score, highest first
// (candidates from before fused scores, which have none, after them by the
// stronger of their face and demographic scores), then by id.
void SortCandidates(std::vector<DuplicateCandidate>& list) {
  std::stable_sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
    if (x.fused_score.has_value() != y.fused_score.has_value()) return x.fused_score.has_value();
    if (x.fused_score) return RanksBefore(*x.fused_score, *y.fused_score);
    const double ox = std::max<double>(x.face_score.value_or(0), x.demographic_score);
    const double oy = std::max<double>(y.face_score.value_or(0), y.demographic_score);
    return ox > oy;
  });
}

}  // namespace

// Reads the enrollment row and candidates of `applicant` inside `tx`.
absl::StatusOr<Enrollment> internal::LoadEnrollment(Tx& tx, Applicant applicant) {
  Enrollment e;
  std::string status;
  tx.sql() << "SELECT id, status, created_at, created_by FROM enrollments WHERE applicant_id = :a",
      soci::use(applicant.id), soci::into(e.id), soci::into(status), soci::into(e.created_at),
      soci::into(e.created_by);
  if (!tx.sql().got_data()) {
    return absl::NotFoundError(puente::StrCat(
        "registration_number: ", applicant.registration_number, " has no enrollment"));
  }
  PUENTE_ASSIGN_OR_RETURN(e.status, ParseStatus(status));
  e.applicant = std::move(applicant);
  struct Row {
    std::string id, candidate_applicant_id, reasons_enc, decision, decided_by, decided_at, tier;
    double face = 0, demo = 0, fused = 0;
    soci::indicator face_ind, decision_ind, by_ind, at_ind, fused_ind;
  };
  std::vector<Row> rows;
  Row r;
  // Listed in the order of the fused score (RanksBefore), below.
  soci::statement st =
      (tx.sql().prepare
           << "SELECT id, candidate_applicant_id, face_score, demographic_score, fused_score, "
              "tier, reasons_enc, decision, decided_by, decided_at FROM duplicate_candidates "
              "WHERE enrollment_id = :e ORDER BY id",
       soci::use(e.id), soci::into(r.id), soci::into(r.candidate_applicant_id),
       soci::into(r.face, r.face_ind), soci::into(r.demo), soci::into(r.fused, r.fused_ind),
       soci::into(r.tier), soci::into(r.reasons_enc), soci::into(r.decision, r.decision_ind),
       soci::into(r.decided_by, r.by_ind), soci::into(r.decided_at, r.at_ind));
  st.execute();
  while (st.fetch()) rows.push_back(r);
  for (const Row& row : rows) {
    DuplicateCandidate c;
    c.id = row.id;
    if (row.face_ind == soci::i_ok) c.face_score = static_cast<float>(row.face);
    c.demographic_score = row.demo;
    if (row.fused_ind == soci::i_ok) c.fused_score = row.fused;
    c.tier = row.tier == "flag" ? CandidateTier::kFlag : CandidateTier::kHold;
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
                            ReadApplicantById(tx, row.candidate_applicant_id, "applicant.read"));
    c.registration_number = other.registration_number;
    e.candidates.push_back(std::move(c));
  }
  SortCandidates(e.candidates);
  // Stored as cleared (the card is not blocked); flagged while a flag-tier
  // candidate waits for its review.
  if (e.status == EnrollmentStatus::kCleared &&
      std::any_of(e.candidates.begin(), e.candidates.end(), [](const DuplicateCandidate& c) {
        return c.tier == CandidateTier::kFlag && !c.decision;
      })) {
    e.status = EnrollmentStatus::kFlagged;
  }
  return e;
}

namespace {

using internal::LoadEnrollment;

// The enrollment made earlier with this idempotency key (blind index), if
// any and not expired by `now`. A key first used for another request (its
// stored request blind index differs from `request_bidx`, when both are
// set) is refused.
absl::StatusOr<std::optional<Enrollment>> EnrollmentOfKeyIn(Tx& tx, const std::string& idem_bidx,
                                                            const std::string& request_bidx,
                                                            const std::string& now) {
  std::optional<Enrollment> earlier;
  {
    std::string applicant_id, stored_request, expires_at;
    soci::indicator request_ind = soci::i_null, expires_ind = soci::i_null;
    tx.sql() << "SELECT e.applicant_id, k.request_bidx, k.expires_at FROM enrollment_keys k "
                "JOIN enrollments e ON e.id = k.enrollment_id WHERE k.key_bidx = :k",
        soci::use(idem_bidx), soci::into(applicant_id), soci::into(stored_request, request_ind),
        soci::into(expires_at, expires_ind);
    if (!tx.sql().got_data()) return earlier;
    if (expires_ind == soci::i_ok && expires_at < now) return earlier;
    if (!request_bidx.empty() && request_ind == soci::i_ok && stored_request != request_bidx) {
      return WithDetail(absl::FailedPreconditionError(
                            "Idempotency-Key: this key was already used for a different "
                            "enrollment request; send a new key for a new enrollment (a retry "
                            "must repeat the first request exactly)"),
                        kDetailReason, "idempotency_key_reused");
    }
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicantById(tx, applicant_id, "applicant.read"));
    PUENTE_ASSIGN_OR_RETURN(earlier, LoadEnrollment(tx, std::move(a)));
  }
  return earlier;
}

absl::StatusOr<std::optional<Enrollment>> EnrollmentOfKey(Registry& registry,
                                                          const std::string& actor,
                                                          const std::string& idem_bidx,
                                                          const std::string& request_bidx,
                                                          const std::string& now) {
  std::optional<Enrollment> earlier;
  PUENTE_RETURN_IF_ERROR(InTransaction(registry.database(), [&]() -> absl::Status {
    Tx tx = internal::RegistryAccess::Context(registry, actor);
    PUENTE_ASSIGN_OR_RETURN(earlier, EnrollmentOfKeyIn(tx, idem_bidx, request_bidx, now));
    return absl::OkStatus();
  }));
  return earlier;
}

// Finds and stores the possible duplicates of the new enrollment `e`:
// everyone sharing a demographic match key (its own keys are written here)
// and the nearest faces, each compared (face and demographics fused), kept
// when its fused score reaches the flag tier for a gallery of this size, in
// rank order in `e.candidates`. Audited as one dedup.compare event.
absl::Status RecordCandidates(Tx& tx, const EnrollmentPolicy& policy,
                              const TierThresholds& thresholds,
                              const biometrics::FaceGallery& gallery,
                              const biometrics::FaceTemplate& probe,
                              const std::vector<biometrics::Match>& face_hits, Enrollment& e) {
  const Applicant& a = e.applicant;
  const DemographicRecord mine = DemographicsOf(a);
  std::vector<std::string> key_bidx;
  for (const std::string& k : MatchKeys(mine)) {
    PUENTE_ASSIGN_OR_RETURN(std::string b, tx.keys().BlindIndex("match", k));
    tx.sql() << "INSERT INTO match_keys (applicant_id, key_bidx) VALUES (:a, :k)", soci::use(a.id),
        soci::use(b);
    key_bidx.push_back(std::move(b));
  }
  std::map<std::string, Found> found;
  for (const std::string& b : key_bidx) {
    std::string other_id;
    soci::statement q = (tx.sql().prepare << "SELECT applicant_id FROM match_keys "
                                             "WHERE key_bidx = :k AND applicant_id <> :a",
                         soci::use(b), soci::use(a.id), soci::into(other_id));
    q.execute();
    while (q.fetch() && static_cast<int>(found.size()) < policy.max_demographic_hits) {
      found.emplace(other_id, Found{});
    }
  }
  // People found by their details are compared by face too.
  std::vector<std::string> by_details;
  for (const auto& entry : found) by_details.push_back(entry.first);
  PUENTE_ASSIGN_OR_RETURN(std::vector<biometrics::Match> detail_faces,
                          gallery.ScoresOf(probe, by_details));
  for (const biometrics::Match& m : detail_faces) found[m.subject_id].face = m.score;
  for (const biometrics::Match& m : face_hits) found[m.subject_id].face = m.score;
  std::vector<std::string> other_ids;
  for (const auto& entry : found) other_ids.push_back(entry.first);
  PUENTE_ASSIGN_OR_RETURN(std::vector<Applicant> others,
                          ReadApplicantsByIds(tx, other_ids, "dedup.compare", "enrollment", e.id));
  for (const Applicant& other : others) {
    const std::string& other_id = other.id;
    Found& f = found[other_id];
    const DemographicRecord theirs = DemographicsOf(other);
    f.demographic = CompareDemographics(mine, theirs);
    const double fused = FusedScore(policy, {f.face, LevelsOf(mine, theirs, f.demographic)});
    const CandidateTier tier = TierOf(thresholds, fused);
    if (tier == CandidateTier::kNone) continue;
    DuplicateCandidate c;
    PUENTE_ASSIGN_OR_RETURN(c.id, internal::NewUuid());
    c.registration_number = other.registration_number;
    c.face_score = f.face;
    c.demographic_score = f.demographic.score;
    c.fused_score = fused;
    c.tier = tier;
    if (f.face) c.reasons.push_back(absl::StrFormat("face similarity %.2f", *f.face));
    for (const std::string& r : f.demographic.reasons) c.reasons.push_back(r);
    PUENTE_ASSIGN_OR_RETURN(std::string reasons_enc,
                            tx.keys().Seal(nlohmann::json(c.reasons).dump(), ReasonsCtx(c.id)));
    double face_value = f.face.value_or(0);
    soci::indicator face_ind = f.face ? soci::i_ok : soci::i_null;
    const std::string tier_text(ToString(tier));
    tx.sql() << "INSERT INTO duplicate_candidates (id, enrollment_id, candidate_applicant_id, "
                "face_score, demographic_score, fused_score, tier, reasons_enc) "
                "VALUES (:i, :e, :c, :f, :d, :s, :t, :r)",
        soci::use(c.id), soci::use(e.id), soci::use(other_id), soci::use(face_value, face_ind),
        soci::use(c.demographic_score), soci::use(fused), soci::use(tier_text),
        soci::use(reasons_enc);
    e.candidates.push_back(std::move(c));
  }
  SortCandidates(e.candidates);
  return absl::OkStatus();
}

}  // namespace

std::string_view ToString(EnrollmentStatus s) {
  switch (s) {
    case EnrollmentStatus::kHeld:
      return "held";
    case EnrollmentStatus::kFlagged:
      return "flagged";
    case EnrollmentStatus::kCleared:
      return "cleared";
    case EnrollmentStatus::kDuplicate:
      return "duplicate";
  }
  return "held";
}

std::string_view ToString(Decision d) {
  return d == Decision::kSamePerson ? "same_person" : "different";
}

absl::StatusOr<std::unique_ptr<EnrollmentService>> EnrollmentService::Create(
    Registry& registry, biometrics::FaceCapture& capture, EnrollmentPolicy policy,
    std::shared_ptr<LiveGallery> gallery) {
  const biometrics::TemplateSetInfo& set = capture.template_set();
  if (gallery != nullptr && (gallery->faces().model_id() != set.model_id ||
                             gallery->faces().model_version() != set.version)) {
    return absl::FailedPreconditionError(puente::StrCat(
        "the face gallery holds ", gallery->faces().model_id(), "/",
        gallery->faces().model_version(), " templates; the face capture makes ", set.name));
  }
  if (policy.face.template_set.empty()) {
    PUENTE_ASSIGN_OR_RETURN(policy.face, DefaultFaceScoreModel(set.name));
  } else if (policy.face.template_set != set.name) {
    return absl::FailedPreconditionError(puente::StrCat("the face score model is for ",
                                                        policy.face.template_set,
                                                        "; the face capture makes ", set.name));
  }
  PUENTE_RETURN_IF_ERROR(ValidatePolicy(policy));
  if (gallery == nullptr) {
    PUENTE_ASSIGN_OR_RETURN(gallery, LiveGallery::Load(registry, set));
  }
  return std::unique_ptr<EnrollmentService>(
      new EnrollmentService(registry, capture, policy, std::move(gallery)));
}

absl::StatusOr<Enrollment> EnrollmentService::Enroll(const std::string& actor, NewApplicant in,
                                                     std::string_view photo,
                                                     const std::string& idempotency_key,
                                                     bool* replayed) {
  if (idempotency_key.empty()) return EnrollKeyed(actor, std::move(in), photo, nullptr, replayed);
  // An import's keys: no request to compare, never expire.
  const RetryKey retry{idempotency_key, "", absl::ZeroDuration()};
  return EnrollKeyed(actor, std::move(in), photo, &retry, replayed);
}

absl::StatusOr<Enrollment> EnrollmentService::EnrollWithRetryKey(const std::string& actor,
                                                                 NewApplicant in,
                                                                 std::string_view photo,
                                                                 const RetryKey& retry,
                                                                 bool* replayed) {
  if (retry.key.empty()) return absl::InvalidArgumentError("Idempotency-Key: is empty");
  return EnrollKeyed(actor, std::move(in), photo, &retry, replayed);
}

absl::StatusOr<Enrollment> EnrollmentService::EnrollKeyed(const std::string& actor, NewApplicant in,
                                                          std::string_view photo,
                                                          const RetryKey* retry, bool* replayed) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (replayed != nullptr) *replayed = false;
  const Clock& clock = registry_.clock();
  std::string idem_bidx, request_bidx, expires_at;
  const std::string now_text = FormatTimestamp(clock.Now());
  // The answer already given under this key, if any (looked up again under
  // the dedup lock below: a retry racing its first attempt waits for it).
  auto earlier_answer = [&]() -> absl::StatusOr<std::optional<Enrollment>> {
    if (idem_bidx.empty()) return std::optional<Enrollment>();
    return EnrollmentOfKey(registry_, actor, idem_bidx, request_bidx, now_text);
  };
  if (retry != nullptr) {
    PUENTE_ASSIGN_OR_RETURN(idem_bidx, registry_.keys().BlindIndex("enrollment_key", retry->key));
    if (!retry->request.empty()) {
      PUENTE_ASSIGN_OR_RETURN(request_bidx,
                              registry_.keys().BlindIndex("enrollment_request", retry->request));
    }
    if (retry->lifetime > absl::ZeroDuration()) {
      expires_at = FormatTimestamp(clock.Now() + retry->lifetime);
    }
    PUENTE_ASSIGN_OR_RETURN(std::optional<Enrollment> earlier, earlier_answer());
    if (earlier) {
      if (replayed != nullptr) *replayed = true;
      return *earlier;
    }
  }
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
  biometrics::FaceGallery& faces = gallery_->faces();
  // From the search until this face is in the gallery, no other enrollment
  // searches: the same person enrolled twice at once is seen. Across
  // processes the gallery lock (taken first in the transaction, held to its
  // commit) does it; this lock spares this process's other workers the wait
  // for a database connection. The photo analysis above runs in parallel.
  std::lock_guard<std::mutex> dedup_lock(faces.search_then_add_mutex());

  Enrollment e;
  std::optional<Enrollment> earlier;
  std::string stored_template;
  TierThresholds thresholds;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), clock, actor);
    PUENTE_RETURN_IF_ERROR(internal::LockGallery(tx));
    // A retry racing its first attempt, here or at another server, waited
    // for it at the lock: it gets the first answer, not a second record.
    if (!idem_bidx.empty()) {
      PUENTE_ASSIGN_OR_RETURN(earlier, EnrollmentOfKeyIn(tx, idem_bidx, request_bidx, now_text));
      if (earlier) return absl::OkStatus();
    }
    // Everything committed by anyone is in the gallery, and nothing more
    // can be until this transaction ends.
    PUENTE_RETURN_IF_ERROR(gallery_->CatchUpIn(tx));
    PUENTE_ASSIGN_OR_RETURN(const long long seq, internal::NextGallerySeq(tx));
    // Nearest enrolled faces.
    PUENTE_ASSIGN_OR_RETURN(std::vector<biometrics::Match> face_hits,
                            faces.Search(probe, policy_.max_face_hits));
    // Against everyone enrolled at this moment.
    thresholds = ThresholdsFor(policy_, faces.size());
    PUENTE_ASSIGN_OR_RETURN(e.applicant, internal::RegistryAccess::InsertNewApplicant(
                                             registry_, tx, actor, in, wanted_reg_no));
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
    const std::string set_name(capture_.template_set().name);
    tx.sql() << "INSERT INTO enrollments (id, applicant_id, status, photo_enc, template_enc, "
                "model_id, template_set, quality, created_at, created_by, updated_at, "
                "gallery_seq) VALUES (:i, :a, 'held', :p, :t, :m, :s, :q, :c, :b, :u, :g)",
        soci::use(e.id), soci::use(a.id), soci::use(photo_enc), soci::use(template_enc),
        soci::use(model), soci::use(set_name), soci::use(quality_text), soci::use(e.created_at),
        soci::use(actor), soci::use(e.created_at), soci::use(seq);

    PUENTE_RETURN_IF_ERROR(RecordCandidates(tx, policy_, thresholds, faces, probe, face_hits, e));
    const int kept = static_cast<int>(e.candidates.size());
    const int holds = static_cast<int>(
        std::count_if(e.candidates.begin(), e.candidates.end(),
                      [](const DuplicateCandidate& c) { return c.tier == CandidateTier::kHold; }));
    if (!idem_bidx.empty()) {
      // Expired keys are forgotten (this one too, if it had expired).
      tx.sql() << "DELETE FROM enrollment_keys WHERE expires_at IS NOT NULL AND expires_at < :n",
          soci::use(now_text);
      soci::indicator request_ind = request_bidx.empty() ? soci::i_null : soci::i_ok;
      soci::indicator expires_ind = expires_at.empty() ? soci::i_null : soci::i_ok;
      tx.sql() << "INSERT INTO enrollment_keys (key_bidx, enrollment_id, request_bidx, "
                  "expires_at) VALUES (:k, :e, :r, :x)",
          soci::use(idem_bidx), soci::use(e.id), soci::use(request_bidx, request_ind),
          soci::use(expires_at, expires_ind);
    }
    e.status = holds > 0  ? EnrollmentStatus::kHeld
               : kept > 0 ? EnrollmentStatus::kFlagged
                          : EnrollmentStatus::kCleared;
    // A flagged enrollment is stored as cleared: its card is not blocked.
    const std::string stored_status = holds > 0 ? "held" : "cleared";
    tx.sql() << "UPDATE enrollments SET status = :s WHERE id = :i", soci::use(stored_status),
        soci::use(e.id);
    return tx.Audit("enrollment.create", "enrollment", e.id,
                    {{"applicant_id", a.id},
                     {"status", std::string(ToString(e.status))},
                     {"candidates", kept},
                     {"held_on", holds},
                     {"gallery_size", static_cast<long long>(thresholds.gallery_size)},
                     {"hold_threshold", thresholds.hold}});
  });
  if (!s.ok()) return s;
  if (earlier) {
    if (replayed != nullptr) *replayed = true;
    return *earlier;
  }
  // In this gallery at once (the next enrollment here would catch up with it
  // anyway; searches without the lock should find it now). Committed: a
  // failure to read it back is for the next catch-up to mend, not an error.
  gallery_->CatchUp(registry_).IgnoreError();
  return e;
}

absl::StatusOr<Enrollment> EnrollmentService::GetEnrollment(
    const std::string& actor, const std::string& registration_number) {
  return Adjudication(registry_, gallery_.get()).GetEnrollment(actor, registration_number);
}

absl::StatusOr<std::vector<Enrollment>> EnrollmentService::ListHeld(const std::string& actor,
                                                                    int limit, bool flagged) {
  return Adjudication(registry_, gallery_.get()).ListHeld(actor, limit, flagged);
}

absl::StatusOr<std::string> EnrollmentService::GetPhoto(const std::string& actor,
                                                        const std::string& registration_number) {
  return Adjudication(registry_, gallery_.get()).GetPhoto(actor, registration_number);
}

absl::StatusOr<Enrollment> EnrollmentService::Decide(const std::string& actor,
                                                     const std::string& candidate_id,
                                                     Decision decision, const std::string& note) {
  return Adjudication(registry_, gallery_.get()).Decide(actor, candidate_id, decision, note);
}

absl::StatusOr<FaceVerification> EnrollmentService::VerifyFace(
    const std::string& actor, const std::string& registration_number, std::string_view live_photo) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_ASSIGN_OR_RETURN(std::string reg_no, ParseRegistrationNumber(registration_number));
  absl::StatusOr<biometrics::Capture> live = capture_.AnalyzeBytes(live_photo);
  if (!live.ok()) return BadPhoto(live.status());
  if (!live->face_template) return Refused(*live);
  FaceVerification out;
  out.threshold = biometrics::kDefaultMatchThreshold;
  out.live_photo_passed_quality = live->passed;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    PUENTE_ASSIGN_OR_RETURN(Applicant a, ReadApplicant(tx, reg_no, "applicant.read"));
    std::string enrollment_id, template_enc;
    tx.sql() << "SELECT id, template_enc FROM enrollments WHERE applicant_id = :a", soci::use(a.id),
        soci::into(enrollment_id), soci::into(template_enc);
    if (!tx.sql().got_data()) {
      return absl::NotFoundError(
          puente::StrCat("registration_number: ", reg_no, " has no enrolled face"));
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

}  // namespace puente::registry
