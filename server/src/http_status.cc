#include "src/http_status.h"

#include <cctype>
#include <exception>
#include <nlohmann/json.hpp>

#include "puente/common/error_detail.h"
#include "puente/server/log.h"

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

// One "error" line of the server log (log.h): the answer's status and code,
// the caller's message, and what the lower layer said.
void LogError(int http_status, const absl::Status& s) {
  nlohmann::json fields{
      {"status", http_status}, {"code", ErrorCodeName(s)}, {"message", std::string(s.message())}};
  if (auto internal = DetailOf(s, kDetailInternal)) fields["internal"] = *internal;
  if (auto reason = DetailOf(s, kDetailReason)) fields["reason"] = *reason;
  LogEvent(http_status >= 500 ? LogLevel::kError : LogLevel::kWarn, "error", std::move(fields));
}

void SendError(httplib::Response& res, const absl::Status& s) {
  res.status = HttpStatusOf(s);
  // What a lower layer said (kDetailInternal: backend text, SQL, paths) and
  // every server error go to the log; the body gets the status's own message,
  // written for the caller, and a 500 not even that.
  if (res.status >= 500 || DetailOf(s, kDetailInternal)) LogError(res.status, s);
  const std::string message = res.status == 500 ? "internal error" : std::string(s.message());
  res.set_content(
      nlohmann::json{{"error", {{"code", ErrorCodeName(s)}, {"message", message}}}}.dump(),
      "application/json");
}

void SendException(httplib::Response& res, std::exception_ptr e) {
  std::string what = "unknown exception";
  try {
    if (e) std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
  }
  SendError(res, WithDetail(absl::InternalError("unhandled exception"), kDetailInternal, what));
}

}  // namespace puente::server
