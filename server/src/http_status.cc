#include "src/http_status.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace puente::server {

int HttpStatusOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

std::string ErrorCodeName(const absl::Status& s) {
  std::string name = absl::StatusCodeToString(s.code());
  for (char& c : name) c = c == ' ' ? '_' : static_cast<char>(std::tolower(c));
  return name;
}

void SendError(httplib::Response& res, const absl::Status& s) {
  res.status = HttpStatusOf(s);
  // Internal errors never show their detail to the caller.
  const std::string message = res.status == 500 ? "internal error" : std::string(s.message());
  res.set_content(
      nlohmann::json{{"error", {{"code", ErrorCodeName(s)}, {"message", message}}}}.dump(),
      "application/json");
}

}  // namespace puente::server
