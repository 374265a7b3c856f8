// JPEG files judged by their structure, and decoded with libjpeg directly so
// that its warnings are seen. Private to biometrics/ (image.cc is the caller);
// tests and the image fuzz target reach it through DecodeImage.
#ifndef PUENTE_BIOMETRICS_SRC_JPEG_H_
#define PUENTE_BIOMETRICS_SRC_JPEG_H_

#include <opencv2/core.hpp>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/biometrics/image.h"

namespace puente::biometrics::internal {

// InvalidArgument "<code>: <why>" with kDetailReason <code> (image.cc).
absl::Status ImageRefusal(std::string_view code, std::string_view why);

// What the walk over a whole JPEG file found.
struct JpegLayout {
  int width = 0;
  int height = 0;
  int components = 0;
  bool progressive = false;
  int scans = 0;
  // Samples the decoder visits: over every scan, the samples of the
  // components it codes (a measure of decoding work).
  long long scan_samples = 0;
  // EXIF orientation (1..8) from the first APP1 segment, as OpenCV reads it;
  // 1 when absent or unreadable.
  int orientation = 1;
};

// Walks the marker structure of a JPEG file from SOI to EOI: every segment's
// length, the frame header, and each scan's header and entropy-coded data
// (byte stuffing, fill bytes and restart markers), without decoding. Then
// checks the scans: a progressive file's scans must each refine what the
// ones before left (no repeated or skipped refinement), and together the
// scans must code every coefficient of every component to full precision.
// Bytes after EOI are ignored (some cameras append data).
//
// Refusals (InvalidArgument, with the code as message prefix and
// kDetailReason):
//   image.truncated    the file ends before EOI (inside a segment or inside a
//                      scan's data), or its scans stop before the image is
//                      complete;
//   image.too_complex  more than limits.max_scans scans, or more than
//                      limits.max_scan_samples samples to decode; refused as
//                      soon as the count is passed, before the rest is read;
//   image.corrupt      anything malformed (bad lengths, a scan before the
//                      frame header, two frame headers, unknown components,
//                      an impossible or inconsistent progression, a coding
//                      process libjpeg does not decode).
absl::StatusOr<JpegLayout> WalkJpeg(std::string_view bytes, const ImageLimits& limits);

// Decodes a JPEG whose walk succeeded to 8-bit BGR, as cv::imdecode with
// IMREAD_COLOR does (libjpeg-turbo, its default settings; greyscale expanded
// to three channels; CMYK converted as OpenCV converts it; EXIF orientation
// applied), but through an error manager that sees libjpeg's warnings:
// data that ends inside a scan (JWRN_HIT_MARKER, JWRN_JPEG_EOF) is
// image.truncated, undecodable entropy data (bad Huffman or arithmetic code,
// lost restart sync) is image.corrupt, and so is any libjpeg error. Warnings
// about metadata (unknown JFIF revision, ICC profile, Adobe transform) are
// tolerated. libjpeg prints nothing. Also stops at limits.max_scans scans by
// libjpeg's own count.
absl::StatusOr<cv::Mat> DecodeJpeg(std::string_view bytes, const JpegLayout& layout,
                                   const ImageLimits& limits);

}  // namespace puente::biometrics::internal

#endif  // PUENTE_BIOMETRICS_SRC_JPEG_H_
