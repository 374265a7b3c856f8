#include "src/http_head.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace puente::server {
namespace {

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

const char* ReasonOf(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

bool IsHopByHop(const std::string& lower_name) {
  static const std::unordered_set<std::string> kNames = {
      "connection", "keep-alive",        "proxy-connection", "te",          "trailer", "upgrade",
      "expect",     "transfer-encoding", "content-length",   "x-request-id"};
  return kNames.count(lower_name) > 0 || lower_name.rfind("x-puente-", 0) == 0;
}

}  // namespace

std::string ErrorResponse(const HttpError& e, const std::string& request_id) {
  const std::string body =
      nlohmann::json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump();
  std::string r = absl::StrFormat(
      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
      e.status, ReasonOf(e.status), body.size());
  if (!request_id.empty()) absl::StrAppend(&r, kRequestIdHeader, ": ", request_id, "\r\n");
  absl::StrAppend(&r, "\r\n", body);
  return r;
}

std::optional<HttpError> ParseRequestHead(absl::string_view head, size_t max_body_bytes,
                                          RequestHead& req) {
  auto bad = [](std::string m) { return HttpError{400, "invalid_argument", std::move(m)}; };
  std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
  std::vector<absl::string_view> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return bad("malformed request line");
  }
  for (char c : parts[0]) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return bad("malformed method");
  }
  if (parts[1][0] != '/') return bad("the request target must be a path");
  for (char c : parts[1]) {
    if (c <= 0x20 || c == 0x7f) return bad("malformed request target");
  }
  if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") {
    return HttpError{505, "invalid_argument", "only HTTP/1.1 and HTTP/1.0 are served"};
  }
  req.method = std::string(parts[0]);
  req.target = std::string(parts[1]);
  req.keep_alive = parts[2] == "HTTP/1.1";
  req.expect_continue = false;
  std::optional<uint64_t> length;
  std::string kept;
  if (lines.size() > 101) return HttpError{431, "invalid_argument", "more than 100 headers"};
  for (size_t i = 1; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    const size_t colon = line.find(':');
    if (colon == 0 || colon == absl::string_view::npos) return bad("malformed header line");
    absl::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(c)) return bad("malformed header name");
    }
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return bad("malformed header value");
    }
    const std::string lower = absl::AsciiStrToLower(name);
    if (lower == "content-length") {
      uint64_t n = 0;
      if (value.empty() || value.size() > 19 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
          !absl::SimpleAtoi(value, &n)) {
        return bad("Content-Length is not a number");
      }
      if (length && *length != n) return bad("two different Content-Length headers");
      length = n;
    } else if (lower == "transfer-encoding") {
      return HttpError{411, "invalid_argument",
                       "send the body with a Content-Length (Transfer-Encoding is not accepted)"};
    } else if (lower == "connection") {
      for (absl::string_view token : absl::StrSplit(value, ',')) {
        const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(token));
        if (t == "close") req.keep_alive = false;
        if (t == "keep-alive" && parts[2] == "HTTP/1.0") req.keep_alive = true;
      }
    } else if (lower == "expect") {
      if (!absl::EqualsIgnoreCase(value, "100-continue")) {
        return HttpError{417, "invalid_argument", "only Expect: 100-continue is understood"};
      }
      req.expect_continue = true;
    }
    if (!IsHopByHop(lower)) absl::StrAppend(&kept, name, ": ", value, "\r\n");
  }
  req.content_length = length.value_or(0);
  if (req.content_length > max_body_bytes) {
    return HttpError{413, "invalid_argument",
                     absl::StrFormat("request body too large (at most %d bytes)", max_body_bytes)};
  }
  if (!length) req.expect_continue = false;
  req.forward_head = absl::StrCat(req.method, " ", req.target, " HTTP/1.1\r\n", kept);
  if (length) absl::StrAppend(&req.forward_head, "Content-Length: ", *length, "\r\n");
  return std::nullopt;
}

}  // namespace puente::server
