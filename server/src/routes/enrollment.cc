// Enrollment and adjudication: enrollments, applicants (record, photo, 1:1
// face check) and decisions on duplicate candidates.
#include "puente/biometrics/image.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "src/api_json.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

// How long an Idempotency-Key holds (docs/api.md, "Retrying an enrollment").
constexpr absl::Duration kRetryKeyLifetime = absl::Hours(24);

absl::Status Enroll(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(std::string retry_key, IdempotencyKeyOf(req));
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(registry::NewApplicant a, ApplicantFromJson(body, "applicant"));
  a.officer = u.name;
  if (a.office_code.empty()) a.office_code = ctx.config.office_code;
  PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
  bool replayed = false;
  absl::StatusOr<registry::Enrollment> e;
  if (retry_key.empty()) {
    e = w.enrollment->Enroll(u.name, std::move(a), photo);
  } else {
    // Per user: the same key from another officer is another key. The
    // request is compared in its canonical JSON form (keys sorted).
    const registry::RetryKey retry{puente::StrCat("http:", u.name, ":", retry_key), body.dump(),
                                   kRetryKeyLifetime};
    e = w.enrollment->EnrollWithRetryKey(u.name, std::move(a), photo, retry, &replayed);
  }
  if (replayed) {
    // The first answer again: nothing new was enrolled or counted.
    res.set_header("Idempotent-Replayed", "true");
    SendJson(res, EnrollmentJson(*e), 201);
    return absl::OkStatus();
  }
  if (!e.ok()) {
    // The registry refused the photo (quality check, or not an image).
    if (DetailOf(e.status(), kDetailField) == "photo") ctx.metrics.enrollments_refused++;
    return e.status();
  }
  (e->status == registry::EnrollmentStatus::kHeld ? ctx.metrics.enrollments_held
                                                  : ctx.metrics.enrollments_cleared)++;
  SendJson(res, EnrollmentJson(*e), 201);
  return absl::OkStatus();
}

absl::Status ListHeld(ServerContext&, const httplib::Request& req, httplib::Response& res,
                      const registry::User& u, Worker& w) {
  const std::string status = req.get_param_value("status");
  if (status != "held" && status != "flagged") {
    return absl::InvalidArgumentError("status: ?status=held or ?status=flagged");
  }
  PUENTE_ASSIGN_OR_RETURN(auto held, w.enrollment->ListHeld(u.name, 100, status == "flagged"));
  json arr = json::array();
  for (const auto& e : held) arr.push_back(EnrollmentJson(e));
  SendJson(res, {{"enrollments", arr}});
  return absl::OkStatus();
}

absl::Status GetApplicant(ServerContext&, const httplib::Request& req, httplib::Response& res,
                          const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::Enrollment e,
                          w.enrollment->GetEnrollment(u.name, req.matches[1]));
  SendJson(res, EnrollmentJson(e));
  return absl::OkStatus();
}

absl::Status GetPhoto(ServerContext&, const httplib::Request& req, httplib::Response& res,
                      const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(std::string photo, w.enrollment->GetPhoto(u.name, req.matches[1]));
  auto info = biometrics::InspectImage(photo);
  res.set_content(photo, info.ok() && info->format == biometrics::ImageFormat::kPng ? "image/png"
                                                                                    : "image/jpeg");
  return absl::OkStatus();
}

absl::Status Decide(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string d, StringField(body, "decision"));
  PUENTE_ASSIGN_OR_RETURN(const std::string note, StringField(body, "note"));
  if (d != "same_person" && d != "different") {
    return absl::InvalidArgumentError("decision: \"same_person\" or \"different\"");
  }
  PUENTE_ASSIGN_OR_RETURN(registry::Enrollment e,
                          w.enrollment->Decide(u.name, req.matches[1],
                                               d == "same_person" ? registry::Decision::kSamePerson
                                                                  : registry::Decision::kDifferent,
                                               note));
  ctx.metrics.decisions++;
  SendJson(res, EnrollmentJson(e));
  return absl::OkStatus();
}

absl::Status VerifyFace(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
  PUENTE_ASSIGN_OR_RETURN(registry::FaceVerification v,
                          w.enrollment->VerifyFace(u.name, req.matches[1], photo));
  SendJson(res, {{"match", v.match},
                 {"similarity", v.similarity},
                 {"threshold", v.threshold},
                 {"live_photo_passed_quality", v.live_photo_passed_quality}});
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> EnrollmentRoutes() {
  constexpr const char* kApplicant = R"(/api/v1/applicants/([0-9A-Za-z-]+))";
  return {
      RoleRoute(Method::kPost, "/api/v1/enrollments", "/api/v1/enrollments", {Role::kOfficer},
                "Enroll: {applicant: {...}, photo_base64} -> enrollment (cleared or held with "
                "candidates)",
                Enroll),
      RoleRoute(Method::kGet, "/api/v1/enrollments", "/api/v1/enrollments", {Role::kSupervisor},
                "Enrollments held for adjudication (?status=held) or flagged for review "
                "(?status=flagged)",
                ListHeld),
      RoleRoute(Method::kGet, kApplicant, "/api/v1/applicants/{registration_number}",
                {Role::kOfficer, Role::kSupervisor, Role::kAuditor},
                "An applicant's enrollment and duplicate candidates", GetApplicant),
      RoleRoute(Method::kGet, std::string(kApplicant) + "/photo",
                "/api/v1/applicants/{registration_number}/photo",
                {Role::kOfficer, Role::kSupervisor}, "The enrolled face photo", GetPhoto),
      RoleRoute(Method::kPost, R"(/api/v1/candidates/([0-9a-f-]+)/decision)",
                "/api/v1/candidates/{id}/decision", {Role::kSupervisor},
                "Adjudicate: {decision: same_person|different, note}", Decide),
      RoleRoute(Method::kPost, std::string(kApplicant) + "/verify-face",
                "/api/v1/applicants/{registration_number}/verify-face", {Role::kOfficer},
                "1:1 check of a live photo: {photo_base64} -> {match, similarity}", VerifyFace),
  };
}

}  // namespace puente::server
