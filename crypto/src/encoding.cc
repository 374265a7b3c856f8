#include "puente/crypto/encoding.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"

namespace puente::crypto {
namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
// Base64 alphabet value of each byte; 0x100 for bytes outside it ('=' included).
constexpr auto kB64Table = [] {
  std::array<uint16_t, 256> t{};
  t.fill(0x100);
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kB64[i])] = static_cast<uint16_t>(i);
  return t;
}();
}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("hex: odd length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("hex: invalid character");
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (rest == 2) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view b64) {
  const absl::Status bad = absl::InvalidArgumentError("base64: malformed input");
  if (b64.size() % 4 != 0) return bad;
  if (b64.empty()) return std::string();
  // Padding may only end the input: one '=' (2 bytes in the last quad) or two (1 byte).
  const size_t pad = b64.back() != '=' ? 0 : b64[b64.size() - 2] != '=' ? 1 : 2;
  const size_t full = b64.size() / 4 - (pad ? 1 : 0);  // quads without padding
  std::string out(full * 3 + (pad ? 3 - pad : 0), '\0');
  const auto* in = reinterpret_cast<const uint8_t*>(b64.data());
  uint32_t invalid = 0;  // OR of every looked-up value: bit 8 set if any was not base64
  size_t o = 0;
  for (size_t q = 0; q < full; ++q, in += 4, o += 3) {
    const uint32_t a = kB64Table[in[0]], b = kB64Table[in[1]], c = kB64Table[in[2]],
                   d = kB64Table[in[3]];
    invalid |= a | b | c | d;
    const uint32_t w = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = static_cast<char>(w >> 16);
    out[o + 1] = static_cast<char>(w >> 8);
    out[o + 2] = static_cast<char>(w);
  }
  if (pad) {
    const uint32_t a = kB64Table[in[0]], b = kB64Table[in[1]], c = pad == 1 ? kB64Table[in[2]] : 0;
    invalid |= a | b | c;
    const uint32_t w = (a << 18) | (b << 12) | (c << 6);
    // Canonical form: the bits that padding leaves unused must be zero.
    if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF))) return bad;
    out[o] = static_cast<char>(w >> 16);
    if (pad == 1) out[o + 1] = static_cast<char>(w >> 8);
  }
  if (invalid & 0x100) return bad;
  return out;
}

absl::StatusOr<std::string> ZlibDecompress(std::string_view compressed, size_t max_output) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return absl::InternalError("Decompress: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buf[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > max_output) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError("Decompress: inflated payload exceeds " +
                                        std::to_string(max_output) + " bytes");
    }
    out.append(buf, produced);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  const size_t left = zs.avail_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return absl::InvalidArgumentError(rc == Z_DATA_ERROR || rc == Z_NEED_DICT
                                          ? "Decompress: not valid zlib data"
                                          : "Decompress: truncated zlib data");
  }
  if (left != 0) return absl::InvalidArgumentError("Decompress: trailing bytes after zlib data");
  return out;
}

absl::StatusOr<std::string> Base64UrlDecode(std::string_view b64url) {
  std::string std_b64(b64url);
  for (char& c : std_b64) {
    if (c == '+' || c == '/' || c == '=')
      return absl::InvalidArgumentError("base64url: malformed input");
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (std_b64.size() % 4 == 1) return absl::InvalidArgumentError("base64url: malformed input");
  while (std_b64.size() % 4 != 0) std_b64.push_back('=');
  auto out = Base64Decode(std_b64);
  if (!out.ok()) return absl::InvalidArgumentError("base64url: malformed input");
  return out;
}

std::string ZlibCompress(std::string_view data) {
  uLongf len = compressBound(static_cast<uLong>(data.size()));
  std::string out(len, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(data.data()),
            static_cast<uLong>(data.size()), 9);
  out.resize(len);
  return out;
}

absl::StatusOr<std::string> BrotliDecompress(std::string_view compressed, size_t max_output) {
  std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  if (!state) return absl::InternalError("Decompress: BrotliDecoderCreateInstance failed");
  size_t avail_in = compressed.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(compressed.data());
  std::string out;
  uint8_t buf[4096];
  while (true) {
    size_t avail_out = sizeof buf;
    uint8_t* next_out = buf;
    const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in,
                                                                 &avail_out, &next_out, nullptr);
    const size_t produced = sizeof buf - avail_out;
    if (out.size() + produced > max_output) {
      return absl::InvalidArgumentError("Decompress: inflated payload exceeds " +
                                        std::to_string(max_output) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(buf), produced);
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) continue;
    return absl::InvalidArgumentError(rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT
                                          ? "Decompress: truncated Brotli data"
                                          : "Decompress: not valid Brotli data");
  }
  if (avail_in != 0) {
    return absl::InvalidArgumentError("Decompress: trailing bytes after Brotli data");
  }
  return out;
}

std::string BrotliCompress(std::string_view data) {
  size_t len = BrotliEncoderMaxCompressedSize(data.size());
  std::string out(len, '\0');
  BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                        reinterpret_cast<const uint8_t*>(data.data()), &len,
                        reinterpret_cast<uint8_t*>(out.data()));
  out.resize(len);
  return out;
}

bool LooksLikeZlib(std::string_view data) {
  if (data.size() < 2) return false;
  const auto cmf = static_cast<unsigned char>(data[0]);
  const auto flg = static_cast<unsigned char>(data[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

}  // namespace puente::crypto
