#include "puente/credentials/base45.h"

#include <cstdint>

#include "absl/status/status.h"

namespace puente::credentials {
namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

int Value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  switch (c) {
    case ' ':
      return 36;
    case '$':
      return 37;
    case '%':
      return 38;
    case '*':
      return 39;
    case '+':
      return 40;
    case '-':
      return 41;
    case '.':
      return 42;
    case '/':
      return 43;
    case ':':
      return 44;
    default:
      return -1;
  }
}
}  // namespace

std::string Base45Encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() / 2 * 3 + 2);
  size_t i = 0;
  for (; i + 2 <= bytes.size(); i += 2) {
    uint32_t n = (uint8_t(bytes[i]) << 8) | uint8_t(bytes[i + 1]);
    out.push_back(kAlphabet[n % 45]);
    n /= 45;
    out.push_back(kAlphabet[n % 45]);
    out.push_back(kAlphabet[n / 45]);
  }
  if (i < bytes.size()) {
    const uint32_t n = uint8_t(bytes[i]);
    out.push_back(kAlphabet[n % 45]);
    out.push_back(kAlphabet[n / 45]);
  }
  return out;
}

absl::StatusOr<std::string> Base45Decode(std::string_view text) {
  if (text.size() % 3 == 1) {
    return absl::InvalidArgumentError("base45: length leaves a dangling character");
  }
  std::string out;
  out.reserve(text.size() / 3 * 2 + 1);
  for (size_t i = 0; i < text.size(); i += 3) {
    const size_t chunk = text.size() - i >= 3 ? 3 : 2;
    uint32_t n = 0;
    uint32_t scale = 1;
    for (size_t k = 0; k < chunk; ++k) {
      const int v = Value(text[i + k]);
      if (v < 0) {
        return absl::InvalidArgumentError("base45: invalid character at offset " +
                                          std::to_string(i + k));
      }
      n += static_cast<uint32_t>(v) * scale;
      scale *= 45;
    }
    if (chunk == 3) {
      if (n > 0xFFFF) return absl::InvalidArgumentError("base45: triplet value out of range");
      out.push_back(static_cast<char>(n >> 8));
      out.push_back(static_cast<char>(n & 0xFF));
    } else {
      if (n > 0xFF) return absl::InvalidArgumentError("base45: pair value out of range");
      out.push_back(static_cast<char>(n));
    }
  }
  return out;
}

}  // namespace puente::credentials
