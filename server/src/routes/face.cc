// Face checks for a live camera: the quality gate's verdict on one frame,
// with the face box, so the officers' app can guide the applicant before the
// photo is taken. Nothing is stored or audited: the frame is not kept.
#include "puente/biometrics/face_capture.h"
#include "puente/common/status_macros.h"
#include "src/api_json.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;

json IssuesJson(const std::vector<biometrics::QualityIssue>& issues) {
  json out = json::array();
  for (const auto& i : issues) {
    out.push_back({{"code", std::string(biometrics::QualityCodeName(i.code))},
                   {"reason", std::string(biometrics::QualityReason(i.code))},
                   {"message", i.message}});
  }
  return out;
}

absl::Status CheckFace(ServerContext&, const httplib::Request& req, httplib::Response& res,
                       const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
  PUENTE_ASSIGN_OR_RETURN(biometrics::Capture c, w.capture->CheckQualityBytes(photo));
  const biometrics::FaceMetrics& m = c.metrics;
  json j{{"passed", c.passed},
         {"issues", IssuesJson(c.issues)},
         {"remarks", IssuesJson(c.remarks)},
         {"face_count", m.face_count}};
  if (m.face_count > 0) {
    j["box"] = {{"x", m.box.x}, {"y", m.box.y}, {"width", m.box.width}, {"height", m.box.height}};
    j["metrics"] = {{"confidence", m.confidence},
                    {"eye_distance_px", m.eye_distance_px},
                    {"sharpness", m.sharpness},
                    {"brightness", m.brightness},
                    {"yaw", m.yaw},
                    {"roll_degrees", m.roll_degrees}};
  }
  SendJson(res, j);
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> FaceRoutes() {
  return {
      RoleRoute(Method::kPost, "/api/v1/faces/check", "/api/v1/faces/check",
                {registry::Role::kOfficer},
                "Quality check of one camera frame {photo_base64} -> {passed, issues, remarks, "
                "face_count, box, metrics}; nothing is stored",
                CheckFace),
  };
}

}  // namespace puente::server
