#include "puente/biometrics/image.h"

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "absl/status/status.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "src/jpeg.h"

namespace puente::biometrics {

// The code starts the message (for people) and is the reason detail (for code).
absl::Status internal::ImageRefusal(std::string_view code, std::string_view why) {
  return WithDetail(absl::InvalidArgumentError(StrCat(code, ": ", why)), kDetailReason, code);
}

namespace {

absl::Status Refuse(std::string_view code, std::string_view why) {
  return internal::ImageRefusal(code, why);
}

uint32_t Be32(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}
uint16_t Be16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((uint8_t(b[at]) << 8) | uint8_t(b[at + 1]));
}

constexpr std::string_view kPngMagic("\x89PNG\r\n\x1a\n", 8);

absl::StatusOr<ImageInfo> InspectPng(std::string_view b) {
  // Signature, then the IHDR chunk: length(4) "IHDR" width(4) height(4).
  if (b.size() < 33 || b.substr(12, 4) != "IHDR")
    return Refuse("image.corrupt", "PNG without IHDR");
  return ImageInfo{ImageFormat::kPng, static_cast<int>(std::min<uint32_t>(Be32(b, 16), 1u << 30)),
                   static_cast<int>(std::min<uint32_t>(Be32(b, 20), 1u << 30))};
}

absl::StatusOr<ImageInfo> InspectJpeg(std::string_view b) {
  // Walk the marker segments up to the first start-of-frame.
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (uint8_t(b[i]) != 0xFF) return Refuse("image.corrupt", "JPEG marker expected");
    const uint8_t marker = uint8_t(b[i + 1]);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    const uint16_t len = Be16(b, i + 2);
    if (len < 2) return Refuse("image.corrupt", "JPEG segment length");
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 9 > b.size()) break;
      return ImageInfo{ImageFormat::kJpeg, Be16(b, i + 7), Be16(b, i + 5)};
    }
    if (marker == 0xDA || marker == 0xD9) break;  // scan data before any frame header
    i += 2 + len;
  }
  return Refuse("image.corrupt", "JPEG without a frame header");
}

}  // namespace

absl::StatusOr<ImageInfo> InspectImage(std::string_view bytes, const ImageLimits& limits) {
  if (bytes.empty()) return Refuse("image.empty", "the file is empty");
  if (bytes.size() > limits.max_bytes) {
    return Refuse("image.too_large",
                  StrCat("the file is ", bytes.size(), " bytes, the limit is ", limits.max_bytes));
  }
  absl::StatusOr<ImageInfo> info;
  if (bytes.size() >= 3 && uint8_t(bytes[0]) == 0xFF && uint8_t(bytes[1]) == 0xD8 &&
      uint8_t(bytes[2]) == 0xFF) {
    info = InspectJpeg(bytes);
  } else if (bytes.substr(0, 8) == kPngMagic) {
    info = InspectPng(bytes);
  } else {
    return Refuse("image.not_an_image", "not a JPEG or PNG file");
  }
  if (!info.ok()) return info.status();
  if (info->width <= 0 || info->height <= 0) return Refuse("image.corrupt", "zero dimensions");
  const long long pixels = static_cast<long long>(info->width) * info->height;
  if (pixels > limits.max_pixels) {
    return Refuse("image.too_large",
                  StrCat(info->width, "x", info->height, " is over the limit of ",
                         limits.max_pixels, " pixels"));
  }
  return info;
}

absl::StatusOr<cv::Mat> DecodeImage(std::string_view bytes, const ImageLimits& limits) {
  auto info = InspectImage(bytes, limits);
  if (!info.ok()) return info.status();
  if (info->width < limits.min_side || info->height < limits.min_side) {
    return Refuse("image.too_small", StrCat(info->width, "x", info->height, " is smaller than ",
                                            limits.min_side, " pixels on a side"));
  }
  // Found by fuzzing: a strip a few pixels high makes the detector's shape
  // arithmetic overflow inside OpenCV.
  const double aspect =
      double(std::max(info->width, info->height)) / std::min(info->width, info->height);
  if (aspect > limits.max_aspect) {
    return Refuse("image.bad_aspect",
                  StrCat(info->width, "x", info->height, " is too elongated for a face photo"));
  }
  if (info->format == ImageFormat::kJpeg) {
    // Judged by structure, then decoded with libjpeg's warnings seen.
    PUENTE_ASSIGN_OR_RETURN(internal::JpegLayout layout, internal::WalkJpeg(bytes, limits));
    return internal::DecodeJpeg(bytes, layout, limits);
  }
  // Complete PNG files end with their terminator (trailing padding tolerated).
  const std::string_view tail = bytes.substr(bytes.size() - std::min<size_t>(bytes.size(), 4096));
  if (tail.rfind("IEND") == std::string_view::npos) {
    return Refuse("image.truncated", "the PNG file is cut short (no IEND chunk)");
  }
  cv::Mat img;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    img = cv::imdecode(buf, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return Refuse("image.corrupt", "the decoder failed");
  }
  if (img.empty()) return Refuse("image.corrupt", "the image data cannot be decoded");
  if (img.cols != info->width || img.rows != info->height) {
    return Refuse("image.corrupt", "decoded size differs from the header");
  }
  return img;
}

absl::StatusOr<cv::Mat> ReadImageFile(const std::string& path, const ImageLimits& limits) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::NotFoundError(StrCat(path, ": cannot open"));
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0) return absl::NotFoundError(StrCat(path, ": cannot read"));
  if (static_cast<size_t>(size) > limits.max_bytes) {
    return Refuse("image.too_large",
                  StrCat("the file is ", size, " bytes, the limit is ", limits.max_bytes));
  }
  f.seekg(0);
  std::string bytes(static_cast<size_t>(size), '\0');
  f.read(bytes.data(), size);
  return DecodeImage(bytes, limits);
}

std::string PortraitPng(const cv::Mat& photo, const cv::Rect& face_box) {
  const double h = face_box.height * 2.1;
  const double w = h * 0.8;
  const double cx = face_box.x + face_box.width / 2.0;
  const double top = face_box.y + face_box.height * 0.45 - h * 0.45;
  cv::Rect crop(cvRound(cx - w / 2), cvRound(top), cvRound(w), cvRound(h));
  crop &= cv::Rect(0, 0, photo.cols, photo.rows);
  cv::Mat portrait = crop.area() > 0 ? photo(crop) : photo;
  if (portrait.rows > 295) {
    cv::resize(portrait, portrait, cv::Size(), 295.0 / portrait.rows, 295.0 / portrait.rows,
               cv::INTER_AREA);
  }
  std::vector<uchar> png;
  cv::imencode(".png", portrait, png);
  return std::string(png.begin(), png.end());
}

}  // namespace puente::biometrics
