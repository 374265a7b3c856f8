// String concatenation that accepts std::string_view.
//
// Debian's abseil is built with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), so StrCat rejects
// std::string_view. These take strings, views (std and absl), C strings,
// characters and arithmetic values.
#ifndef PUENTE_COMMON_STRINGS_H_
#define PUENTE_COMMON_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace puente {
namespace internal {
inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void AppendPiece(std::string& out, const char* s) { out.append(s); }
inline void AppendPiece(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void AppendPiece(std::string& out, char c) { out.push_back(c); }
template <typename T,
          typename = std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, char> &&
                                      !std::is_same_v<T, bool>>>
void AppendPiece(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (internal::AppendPiece(out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (internal::AppendPiece(*out, args), ...);
}

// Splits on every occurrence of `sep`; an empty input gives one empty piece.
std::vector<std::string> StrSplit(std::string_view s, char sep);

// `s` without leading/trailing ASCII whitespace.
std::string_view StripAsciiWhitespace(std::string_view s);

}  // namespace puente

#endif  // PUENTE_COMMON_STRINGS_H_
