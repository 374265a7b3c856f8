// QR codes for cards: encoding with libqrencode, reading with zxing-cpp
// (Debian's OpenCV is built without its QR decoder).
#ifndef PUENTE_CREDENTIALS_QR_H_
#define PUENTE_CREDENTIALS_QR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace puente::credentials {

enum class QrErrorCorrection { kL, kM, kQ, kH };

struct QrCode {
  int version = 0;               // 1..40
  int size = 0;                  // modules per side, without the quiet zone
  std::vector<uint8_t> modules;  // size*size, row-major, 1 = dark
  bool dark(int x, int y) const { return modules[static_cast<size_t>(y * size + x)] != 0; }
};

// The smallest QR code holding `text` (Base45 text uses the alphanumeric
// mode). InvalidArgument when it does not fit version 40 at that level.
absl::StatusOr<QrCode> EncodeQr(std::string_view text,
                                QrErrorCorrection level = QrErrorCorrection::kM);

// Finds and decodes one QR code in an 8-bit grayscale image (a photo or a
// scan). NotFound("no QR code found in the image") when none is readable.
absl::StatusOr<std::string> ReadQr(const uint8_t* gray, int width, int height, int row_stride);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_QR_H_
