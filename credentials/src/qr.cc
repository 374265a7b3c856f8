#include "puente/credentials/qr.h"

#include <qrencode.h>

#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace puente::credentials {

absl::StatusOr<QrCode> EncodeQr(std::string_view text, QrErrorCorrection level) {
  static constexpr QRecLevel kLevels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H};
  const std::string s(text);
  if (s.find('\0') != std::string::npos) return absl::InvalidArgumentError("qr: text has NUL");
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeString(s.c_str(), 0, kLevels[static_cast<int>(level)], QR_MODE_8, 1),
      &QRcode_free);
  if (!code) {
    return absl::InvalidArgumentError("qr: " + std::to_string(text.size()) +
                                      " characters do not fit a QR code at this level");
  }
  QrCode out;
  out.version = code->version;
  out.size = code->width;
  out.modules.resize(static_cast<size_t>(code->width) * code->width);
  for (size_t i = 0; i < out.modules.size(); ++i) out.modules[i] = code->data[i] & 1;
  return out;
}

namespace {

// Tries the binarizers in turn on one image.
std::optional<std::string> ReadWithBinarizers(const ZXing::ImageView& view) {
  // Phone photos of printed cards are blurred, tilted and unevenly lit: the
  // local-average binarizer first, then the global histogram and a fixed
  // threshold, each of which reads some photos the others miss.
  for (ZXing::Binarizer binarizer :
       {ZXing::Binarizer::LocalAverage, ZXing::Binarizer::GlobalHistogram,
        ZXing::Binarizer::FixedThreshold}) {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    hints.setTryHarder(true);
    hints.setTryRotate(true);
    hints.setTryDownscale(true);
    hints.setBinarizer(binarizer);
    const ZXing::Result result = ZXing::ReadBarcode(view, hints);
    if (result.isValid()) return result.text();
  }
  return std::nullopt;
}

// `gray` scaled up by `factor` (bilinear).
std::vector<uint8_t> Upscaled(const uint8_t* gray, int width, int height, int row_stride,
                              double factor, int* out_w, int* out_h) {
  const int w = static_cast<int>(width * factor), h = static_cast<int>(height * factor);
  std::vector<uint8_t> out(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y) {
    const double sy = std::clamp((y + 0.5) / factor - 0.5, 0.0, height - 1.0);
    const int y0 = static_cast<int>(sy), y1 = std::min(y0 + 1, height - 1);
    const double fy = sy - y0;
    for (int x = 0; x < w; ++x) {
      const double sx = std::clamp((x + 0.5) / factor - 0.5, 0.0, width - 1.0);
      const int x0 = static_cast<int>(sx), x1 = std::min(x0 + 1, width - 1);
      const double fx = sx - x0;
      auto at = [&](int xx, int yy) { return gray[static_cast<size_t>(yy) * row_stride + xx]; };
      const double v = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) +
                       (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
      out[static_cast<size_t>(y) * w + x] = static_cast<uint8_t>(std::lround(v));
    }
  }
  *out_w = w;
  *out_h = h;
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadQr(const uint8_t* gray, int width, int height, int row_stride) {
  if (gray == nullptr || width <= 0 || height <= 0 || row_stride < width) {
    return absl::InvalidArgumentError("qr: empty image");
  }
  if (auto text = ReadWithBinarizers(
          ZXing::ImageView(gray, width, height, ZXing::ImageFormat::Lum, row_stride))) {
    return *text;
  }
  // Modules of under about 3 pixels, blurred and JPEG-compressed, often
  // defeat the detector where the same photo scaled up reads: a card's
  // version 16 QR photographed at 2.8 pixels per module read 1 time in 10
  // before this and 10 in 10 after (docs/credentials.md, "QR budget").
  constexpr double kMaxPixels = 24e6;
  for (double factor : {1.5, 2.0}) {
    if (width * factor * height * factor > kMaxPixels) break;
    int w = 0, h = 0;
    const std::vector<uint8_t> big = Upscaled(gray, width, height, row_stride, factor, &w, &h);
    if (auto text =
            ReadWithBinarizers(ZXing::ImageView(big.data(), w, h, ZXing::ImageFormat::Lum))) {
      return *text;
    }
  }
  return absl::NotFoundError("no QR code found in the image");
}

}  // namespace puente::credentials
