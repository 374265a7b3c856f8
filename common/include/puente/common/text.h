// Small text utilities for validating untrusted input.
#ifndef PUENTE_COMMON_TEXT_H_
#define PUENTE_COMMON_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace puente {

// Number of Unicode code points in `s` if it is well-formed UTF-8 (no
// overlong forms, no surrogates, nothing above U+10FFFF); nullopt otherwise.
std::optional<size_t> Utf8Length(std::string_view s);

// True if `s` contains a C0/C1 control character or DEL (tab and newline
// included): such characters never belong in names, numbers or codes.
bool HasControlCharacters(std::string_view s);

// `s` without leading and trailing ASCII whitespace, inner runs of ASCII
// whitespace collapsed to one space.
std::string CollapseWhitespace(std::string_view s);

// ASCII upper-casing; bytes >= 0x80 are left alone.
std::string AsciiUpper(std::string_view s);

}  // namespace puente

#endif  // PUENTE_COMMON_TEXT_H_
