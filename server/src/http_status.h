// The one place where an absl::Status becomes an HTTP answer: its status
// code and the JSON error body {"error": {"code": "...", "message": "..."}}
// (docs/api.md, "Errors").
#ifndef PUENTE_SERVER_SRC_HTTP_STATUS_H_
#define PUENTE_SERVER_SRC_HTTP_STATUS_H_

#include <httplib.h>

#include <exception>
#include <string>

#include "absl/status/status.h"

namespace puente::server {

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound
// 404, AlreadyExists/Aborted/FailedPrecondition 409, ResourceExhausted 429,
// Unavailable 503, anything else 500.
int HttpStatusOf(const absl::Status& s);

// The status code's name in snake case ("invalid_argument").
std::string ErrorCodeName(const absl::Status& s);

// Sets res's status and JSON error body from `s` (not OK). A 500 never shows
// its message to the caller ("internal error"); no body ever shows the
// kDetailInternal text (a database backend's words). Server errors (5xx) and
// any status carrying kDetailInternal are logged to stderr, one line each,
// with that text: it names no person (no field values, no tokens).
void SendError(httplib::Response& res, const absl::Status& s);

// A 500 for an exception that escaped a handler, its what() logged only.
void SendException(httplib::Response& res, std::exception_ptr e);

// The log line SendError writes for `s` answered with `http_status`.
void LogError(int http_status, const absl::Status& s);

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_HTTP_STATUS_H_
