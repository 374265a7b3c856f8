#include "puente/biometrics/image.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "biometrics/biometrics_test_support.h"
#include "puente/common/error_detail.h"

namespace puente::biometrics {
namespace {

using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

std::string Encode(const cv::Mat& img, const std::string& ext) {
  std::vector<uchar> buf;
  cv::imencode(ext, img, buf);
  return std::string(buf.begin(), buf.end());
}

void ExpectRefused(const absl::StatusOr<cv::Mat>& r, std::string_view code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(r.status().message()).substr(0, code.size()), code) << r.status().message();
  // The code is also the typed reason callers switch on.
  EXPECT_EQ(DetailOf(r.status(), kDetailReason), code) << r.status().message();
}

TEST(DecodeImageTest, DecodesRealJpegAndPng) {
  const std::string jpeg = ReadBytes(DevPhoto("Barack_Obama", 1));
  ASSERT_FALSE(jpeg.empty()) << "dev photos missing: " << DevPhoto("Barack_Obama", 1);
  auto img = DecodeImage(jpeg);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->cols, 910);
  EXPECT_EQ(img->rows, 1137);
  auto png = DecodeImage(Encode(*img, ".png"));
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->size(), img->size());
}

TEST(DecodeImageTest, RefusesEmptyAndNonImages) {
  ExpectRefused(DecodeImage(""), "image.empty");
  ExpectRefused(DecodeImage("this is a text file named photo.jpg\n"), "image.not_an_image");
  ExpectRefused(DecodeImage(std::string("GIF89a\x01\x00\x01\x00", 10)), "image.not_an_image");
}

TEST(DecodeImageTest, RefusesTruncatedFiles) {
  const std::string jpeg = ReadBytes(DevPhoto("Barack_Obama", 1));
  ExpectRefused(DecodeImage(jpeg.substr(0, jpeg.size() / 2)), "image.truncated");
  ExpectRefused(DecodeImage(jpeg.substr(0, jpeg.size() - 2)), "image.truncated");
  auto img = DecodeImage(jpeg);
  ASSERT_TRUE(img.ok());
  const std::string png = Encode(*img, ".png");
  ExpectRefused(DecodeImage(png.substr(0, png.size() * 2 / 3)), "image.truncated");
}

TEST(DecodeImageTest, RefusesGreyBottomEvenWithAnEndMarker) {
  // What a cut-off JPEG looks like once decoded: its bottom rows mid-grey.
  auto img = DecodeImage(ReadBytes(DevPhoto("Barack_Obama", 1)));
  ASSERT_TRUE(img.ok());
  cv::Mat damaged = img->clone();
  damaged.rowRange(damaged.rows / 2, damaged.rows).setTo(cv::Scalar(128, 128, 128));
  ExpectRefused(DecodeImage(Encode(damaged, ".jpg")), "image.truncated");
}

TEST(DecodeImageTest, RefusesHugeDimensionsBeforeDecoding) {
  // A PNG header claiming 100000 x 100000 pixels, with no image data at all.
  std::string png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00", 13);
  png += std::string(4, '\0') + "IEND";
  auto info = InspectImage(png);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(std::string(info.status().message()).find("image.too_large"), std::string::npos);
  EXPECT_EQ(DetailOf(info.status(), kDetailReason), "image.too_large");
  ImageLimits small;
  small.max_pixels = 1000;
  ExpectRefused(DecodeImage(ReadBytes(DevPhoto("Barack_Obama", 1)), small), "image.too_large");
}

TEST(DecodeImageTest, RefusesTinyAndCorruptImages) {
  ExpectRefused(DecodeImage(Encode(cv::Mat(20, 20, CV_8UC3, cv::Scalar(90, 60, 30)), ".png")),
                "image.too_small");
  std::string jpeg = ReadBytes(DevPhoto("Ashanti", 1));
  for (size_t i = 600; i < jpeg.size() - 600; i += 7) jpeg[i] = static_cast<char>(0xFF);
  // Scribbled-over scan data: libjpeg may still decode it; if it refuses,
  // the refusal is one of ours, not a crash or an OpenCV exception.
  auto r = DecodeImage(jpeg);
  if (!r.ok()) {
    EXPECT_EQ(std::string(r.status().message()).substr(0, 6), "image.");
    EXPECT_EQ(DetailOf(r.status(), kDetailReason).value_or("").substr(0, 6), "image.");
  }
  ExpectRefused(DecodeImage(std::string("\xFF\xD8\xFF\xE0\x00\x02\xFF\xD9", 8)), "image.corrupt");
}

TEST(DecodeImageTest, RefusesStripsThatBreakTheDetector) {
  // Found by fuzzing image_capture_fuzz: YuNet's shape arithmetic overflows
  // on a strip a few pixels high. Such files are refused before detection.
  ExpectRefused(DecodeImage(Encode(cv::Mat(70, 2000, CV_8UC3, cv::Scalar(9, 9, 9)), ".png")),
                "image.bad_aspect");
}

TEST(ReadImageFileTest, TooLargeFileCarriesItsReason) {
  ImageLimits tiny;
  tiny.max_bytes = 10;
  auto r = ReadImageFile(DevPhoto("Barack_Obama", 1), tiny);
  ExpectRefused(r, "image.too_large");
}

TEST(ReadImageFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadImageFile("/nonexistent.jpg").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace puente::biometrics
