#include "puente/credentials/qr.h"

#include <qrencode.h>

#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include <memory>
#include <string>

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

absl::StatusOr<std::string> ReadQr(const uint8_t* gray, int width, int height, int row_stride) {
  if (gray == nullptr || width <= 0 || height <= 0 || row_stride < width) {
    return absl::InvalidArgumentError("qr: empty image");
  }
  ZXing::ImageView view(gray, width, height, ZXing::ImageFormat::Lum, row_stride);
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
  return absl::NotFoundError("no QR code found in the image");
}

}  // namespace puente::credentials
