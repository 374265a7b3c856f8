// HTTP/1.1 request heads as the server's front reads them (front.h): the
// one parser of the clients' framing, strict where leniency lets a request
// be smuggled past a proxy (RFC 9112, 11.2). Fuzzed (fuzz/http_head_fuzz.cc).
#ifndef PUENTE_SERVER_SRC_HTTP_HEAD_H_
#define PUENTE_SERVER_SRC_HTTP_HEAD_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace puente::server {

// A refusal: the HTTP status, the API error code and a message for the client.
struct HttpError {
  int status;
  const char* code;
  std::string message;
};

struct RequestHead {
  std::string method, target;
  // The head to forward to the backend: the request line and the end-to-end
  // headers, with Content-Length normalised; without the final CRLF, the
  // front's own headers are appended to it.
  std::string forward_head;
  size_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;  // answer 100 Continue before reading the body
};

// Parses a request head (the bytes before its CRLF CRLF) into `req`, or
// returns why it is refused: 400 malformed, 411 Transfer-Encoding, 413 a
// Content-Length over `max_body_bytes`, 417 an Expect other than
// 100-continue, 431 more than 100 headers, 505 not HTTP/1.x.
std::optional<HttpError> ParseRequestHead(absl::string_view head, size_t max_body_bytes,
                                          RequestHead& req);

// A complete answer with the API's JSON error document, Connection: close.
std::string ErrorResponse(const HttpError& e, const std::string& request_id);

// Names between the front and its backend.
inline constexpr char kRequestIdHeader[] = "X-Request-Id";

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_HTTP_HEAD_H_
