// HTTP request heads through the server front's parser (server/src/http_head.h).
// What it accepts must be safe to forward: a request line of an upper-case
// method and an origin-form target, header lines each ending in CRLF with no
// other CR or LF, no Transfer-Encoding, at most one Content-Length, and a
// body size within the limit.
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "src/http_head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string head(reinterpret_cast<const char*>(data), size);
  constexpr size_t kMaxBody = 1 << 20;
  puente::server::RequestHead req;
  auto refused = puente::server::ParseRequestHead(head, kMaxBody, req);
  if (refused) {
    if (refused->status < 400 || refused->status > 505) __builtin_trap();
    if (puente::server::ErrorResponse(*refused, "0123456789abcdef").find("\r\n\r\n") ==
        std::string::npos) {
      __builtin_trap();
    }
    return 0;
  }
  if (req.content_length > kMaxBody) __builtin_trap();
  if (req.method.empty() || req.target.empty() || req.target[0] != '/') __builtin_trap();
  for (char c : req.method) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) __builtin_trap();
  }
  const std::string& f = req.forward_head;
  if (f.size() < 2 || f.substr(f.size() - 2) != "\r\n") __builtin_trap();
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\r' && (i + 1 >= f.size() || f[i + 1] != '\n')) __builtin_trap();
    if (f[i] == '\n' && (i == 0 || f[i - 1] != '\r')) __builtin_trap();
    if (f[i] == '\0') __builtin_trap();
  }
  const std::string lower = absl::AsciiStrToLower(f);
  if (absl::StrContains(lower, "\r\ntransfer-encoding:")) __builtin_trap();
  const size_t first = lower.find("\r\ncontent-length:");
  if (first != std::string::npos &&
      lower.find("\r\ncontent-length:", first + 1) != std::string::npos) {
    __builtin_trap();
  }
  if (absl::StrContains(lower, "\r\nx-puente-")) __builtin_trap();
  return 0;
}
