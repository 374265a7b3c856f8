// Defensive decoding of untrusted photos (JPEG, PNG).
//
// Checks run before the full decode: the file is not empty, its magic bytes
// say JPEG or PNG, its header dimensions are within the pixel limit, and it
// is complete. A PNG must end with its IEND chunk. A JPEG's whole marker
// structure is walked (segments, frame header, every scan's data, EOI): a
// file that ends inside a segment or a scan, or whose scans stop before the
// image is complete, is truncated; one with too many scans (a "scan bomb")
// is too complex. JPEGs are then decoded by libjpeg with its warnings seen:
// image data that ends early inside a scan is truncated too. Pixel values
// are never used to judge truncation (a photo may end in flat grey).
//
// Every refusal is InvalidArgument with a stable code, e.g.
// "image.truncated": it starts the message ("image.truncated: ...") and is
// the status's kDetailReason (puente/common/error_detail.h), which is what
// callers switch on. Thread-safe.
#ifndef PUENTE_BIOMETRICS_IMAGE_H_
#define PUENTE_BIOMETRICS_IMAGE_H_

#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace puente::biometrics {

struct ImageLimits {
  long long max_pixels = 40'000'000;  // ~ a 7300x5500 photo
  size_t max_bytes = 32u << 20;       // 32 MiB
  int min_side = 64;                  // smaller cannot hold a usable face
  double max_aspect = 6.0;            // long side / short side; beyond it, not a portrait
  // JPEG decoding work, bounded before decoding (docs/biometrics.md): a
  // progressive photo has about 10 scans (libjpeg's standard script: 10 for
  // colour, 6 for grey), so 64 leaves six times that; a "scan bomb" repeats
  // one scan thousands of times and each costs a pass over the image.
  int max_scans = 64;
  // Samples visited over all scans (each scan counts the samples of the
  // components it codes): libjpeg's standard progressive script on the
  // largest photo allowed (40 Mpx, 4:4:4) visits 560 million.
  long long max_scan_samples = 2'000'000'000;
};

enum class ImageFormat { kJpeg, kPng };

struct ImageInfo {
  ImageFormat format = ImageFormat::kJpeg;
  int width = 0;
  int height = 0;
};

// Reads the format and dimensions from the header without decoding.
// Codes: image.empty, image.not_an_image, image.corrupt, image.too_large.
absl::StatusOr<ImageInfo> InspectImage(std::string_view bytes, const ImageLimits& limits = {});

// Decodes to 8-bit BGR (JPEG EXIF orientation applied, as cv::imdecode
// does). Codes as above plus image.truncated, image.too_small,
// image.bad_aspect, image.too_complex (JPEG: more than max_scans scans or
// max_scan_samples samples to decode, refused before decoding).
absl::StatusOr<cv::Mat> DecodeImage(std::string_view bytes, const ImageLimits& limits = {});

// Reads and decodes a file. NotFound if it cannot be read.
absl::StatusOr<cv::Mat> ReadImageFile(const std::string& path, const ImageLimits& limits = {});

// The head-and-shoulders crop of `photo` around `face_box`, at a card
// photo's 4:5 aspect, as PNG bytes at most 236x295 px (20x25 mm at 300 dpi).
std::string PortraitPng(const cv::Mat& photo, const cv::Rect& face_box);

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_IMAGE_H_
