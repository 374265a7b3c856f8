#include "puente/biometrics/image.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "biometrics/biometrics_test_support.h"
// clang-format off
#include <jpeglib.h>  // after <cstdio>: a CMYK JPEG, which OpenCV cannot write
// clang-format on
#include "puente/common/error_detail.h"

namespace puente::biometrics {
namespace {

using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

std::string Encode(const cv::Mat& img, const std::string& ext,
                   const std::vector<int>& params = {}) {
  std::vector<uchar> buf;
  cv::imencode(ext, img, buf, params);
  return std::string(buf.begin(), buf.end());
}

std::string Progressive(const cv::Mat& img) {
  return Encode(img, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 90});
}

// What OpenCV decodes, for comparison.
cv::Mat Imdecode(const std::string& bytes) {
  return cv::imdecode(
      cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())),
      cv::IMREAD_COLOR);
}

bool SamePixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// Where each scan (SOS segment and its entropy-coded data) starts in a JPEG
// written by OpenCV (no embedded thumbnails, so FF DA only starts scans),
// plus the offset of the EOI as the last element.
std::vector<size_t> ScanOffsets(const std::string& jpeg) {
  std::vector<size_t> at;
  for (size_t p = jpeg.find("\xFF\xDA"); p != std::string::npos; p = jpeg.find("\xFF\xDA", p + 2)) {
    at.push_back(p);
  }
  at.push_back(jpeg.rfind("\xFF\xD9"));
  return at;
}

// A CMYK JPEG (as print workflows write them) of `img`'s channels plus a
// K channel, written with libjpeg.
std::string CmykJpeg(const cv::Mat& bgr) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = bgr.cols;
  c.image_height = bgr.rows;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_start_compress(&c, TRUE);
  std::vector<unsigned char> row(bgr.cols * 4);
  while (c.next_scanline < c.image_height) {
    const auto* p = bgr.ptr<cv::Vec3b>(static_cast<int>(c.next_scanline));
    for (int x = 0; x < bgr.cols; ++x) {
      for (int k = 0; k < 3; ++k) row[4 * x + k] = p[x][k];
      row[4 * x + 3] = static_cast<unsigned char>(200 + x % 50);
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::string bytes(reinterpret_cast<char*>(out), size);
  free(out);
  return bytes;
}

// A smooth synthetic picture (no person): a gradient with some texture.
cv::Mat Synthetic(int cols, int rows) {
  cv::Mat img(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      img.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uchar>(x * 255 / cols), static_cast<uchar>(y * 255 / rows),
                    static_cast<uchar>(((x / 8 + y / 8) % 2) * 60 + 90));
    }
  }
  return img;
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

TEST(DecodeImageTest, CompletePhotoWithAFlatGreyBottomDecodes) {
  // Issue 14: the old check refused any JPEG whose bottom rows were flat
  // mid-grey as truncated, e.g. a photo padded onto a grey canvas. The file
  // is complete, so it decodes; truncation is judged from the structure.
  auto img = DecodeImage(ReadBytes(DevPhoto("Barack_Obama", 1)));
  ASSERT_TRUE(img.ok());
  cv::Mat padded = img->clone();
  padded.rowRange(padded.rows / 2, padded.rows).setTo(cv::Scalar(128, 128, 128));
  for (const std::string& jpeg : {Encode(padded, ".jpg"), Progressive(padded)}) {
    auto r = DecodeImage(jpeg);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(SamePixels(*r, Imdecode(jpeg)));
  }
}

TEST(DecodeImageTest, DecodesAsOpenCvDoes) {
  // Same pixels as cv::imdecode(IMREAD_COLOR): dev photos (EXIF, restart
  // markers), greyscale, progressive, restart intervals, CMYK.
  std::vector<std::string> files;
  for (const auto& [person, n] : {std::pair<std::string, int>{"Barack_Obama", 1},
                                  {"Ashanti", 1},
                                  {"Ashanti", 2},
                                  {"Al_Sharpton", 1}}) {
    files.push_back(ReadBytes(DevPhoto(person, n)));
    ASSERT_FALSE(files.back().empty()) << DevPhoto(person, n);
  }
  const cv::Mat synthetic = Synthetic(320, 240);
  cv::Mat grey;
  cv::cvtColor(synthetic, grey, cv::COLOR_BGR2GRAY);
  files.push_back(Encode(grey, ".jpg"));
  files.push_back(Progressive(synthetic));
  files.push_back(Progressive(grey));
  files.push_back(Encode(synthetic, ".jpg", {cv::IMWRITE_JPEG_RST_INTERVAL, 3}));
  files.push_back(CmykJpeg(synthetic));
  for (size_t k = 0; k < files.size(); ++k) {
    auto r = DecodeImage(files[k]);
    ASSERT_TRUE(r.ok()) << "file " << k << ": " << r.status();
    EXPECT_TRUE(SamePixels(*r, Imdecode(files[k]))) << "file " << k;
  }
}

TEST(DecodeImageTest, AppliesExifOrientationAsOpenCvDoes) {
  // A phone photo says how to turn it in EXIF (tag 0x0112). cv::imdecode
  // turns it; so does DecodeImage, for all eight values. (Before, 5 to 8
  // were refused as image.corrupt: the turned size differed from the header.)
  const std::string plain = Encode(Synthetic(160, 100), ".jpg");
  for (int orientation = 1; orientation <= 8; ++orientation) {
    // APP1 "Exif": little-endian TIFF header, IFD0 with one SHORT entry.
    std::string exif = std::string("Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0", 24);
    exif += std::string(1, static_cast<char>(orientation)) + std::string(7, '\0');
    const size_t len = exif.size() + 2;
    std::string jpeg = plain;
    jpeg.insert(2, std::string("\xFF\xE1", 2) + static_cast<char>(len >> 8) +
                       static_cast<char>(len & 0xFF) + exif);
    auto r = DecodeImage(jpeg);
    ASSERT_TRUE(r.ok()) << orientation << ": " << r.status();
    EXPECT_EQ(r->cols, orientation <= 4 ? 160 : 100) << orientation;
    EXPECT_TRUE(SamePixels(*r, Imdecode(jpeg))) << orientation;
  }
}

TEST(DecodeImageTest, RefusesJpegsCutInsideTheirScansEvenWithAnEndMarker) {
  const std::string baseline = ReadBytes(DevPhoto("Barack_Obama", 1));
  const std::string eoi("\xFF\xD9", 2);
  // Cut inside the scan data, EOI appended: libjpeg runs out of data.
  ExpectRefused(DecodeImage(baseline.substr(0, baseline.size() * 3 / 5) + eoi), "image.truncated");
  // The same without the EOI: the walk ends inside the scan.
  ExpectRefused(DecodeImage(baseline.substr(0, baseline.size() * 3 / 5)), "image.truncated");

  // Progressive: cut inside the last scan (fine detail, nothing grey), and
  // cut between two scans (every scan whole, but the image incomplete).
  auto photo = DecodeImage(baseline);
  ASSERT_TRUE(photo.ok());
  const std::string progressive = Progressive(*photo);
  const std::vector<size_t> scans = ScanOffsets(progressive);
  ASSERT_GE(scans.size(), 7u);
  const size_t last = scans[scans.size() - 2];
  const size_t inside_last = last + (scans.back() - last) / 2;
  ExpectRefused(DecodeImage(progressive.substr(0, inside_last) + eoi), "image.truncated");
  ExpectRefused(DecodeImage(progressive.substr(0, last) + eoi), "image.truncated");
  ExpectRefused(DecodeImage(progressive.substr(0, scans[3]) + eoi), "image.truncated");
  ASSERT_TRUE(DecodeImage(progressive).ok());
}

TEST(DecodeImageTest, RefusesAScanBombBeforeDecoding) {
  // Issue 15 item 5: one scan repeated thousands of times; each repetition
  // is a pass over the whole image (the attack: 20,000 scans of 6000x6000,
  // 47 s). Refused from the scan count, without decoding.
  const std::string progressive = Progressive(Synthetic(2000, 2000));
  ASSERT_TRUE(DecodeImage(progressive).ok());  // a normal progressive file: 10 scans
  const std::vector<size_t> scans = ScanOffsets(progressive);
  std::string scan;  // the smallest, as an attacker would choose
  for (size_t k = 0; k + 1 < scans.size(); ++k) {
    const std::string s = progressive.substr(scans[k], scans[k + 1] - scans[k]);
    if (scan.empty() || s.size() < scan.size()) scan = s;
  }
  std::string bomb = progressive.substr(0, scans.back());
  for (int k = 0; k < 20000; ++k) bomb += scan;
  bomb += "\xFF\xD9";
  const auto start = std::chrono::steady_clock::now();
  auto r = DecodeImage(bomb);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ExpectRefused(r, "image.too_complex");
  EXPECT_NE(std::string(r.status().message()).find("more than 64 scans"), std::string::npos)
      << r.status().message();
  EXPECT_LT(seconds, 1.0) << bomb.size() << " bytes";

  // A few repeats, under the count: the progression is inconsistent (a
  // refinement repeated), which libjpeg only warns about.
  std::string repeated = progressive.substr(0, scans.back()) + scan + scan + "\xFF\xD9";
  ExpectRefused(DecodeImage(repeated), "image.corrupt");

  // The work bound: 10 scans of 4 Mpx in three components visit about
  // 4e7 samples; a limit below that refuses the file before decoding.
  ImageLimits limits;
  limits.max_scan_samples = 10'000'000;
  ExpectRefused(DecodeImage(progressive, limits), "image.too_complex");
  limits = ImageLimits{};
  limits.max_scans = 9;
  ExpectRefused(DecodeImage(progressive, limits), "image.too_complex");
}

TEST(DecodeImageTest, RefusesMalformedJpegStructure) {
  const std::string jpeg = Encode(Synthetic(200, 150), ".jpg");
  const std::vector<size_t> scans = ScanOffsets(jpeg);
  ASSERT_EQ(scans.size(), 2u);
  const std::string eoi("\xFF\xD9", 2);
  // Headers and EOI, no scan at all.
  ExpectRefused(DecodeImage(jpeg.substr(0, scans[0]) + eoi), "image.truncated");
  // Ends inside a segment header.
  ExpectRefused(DecodeImage(jpeg.substr(0, scans[0] + 5)), "image.truncated");
  // A scan header naming a component the frame does not have.
  std::string unknown = jpeg;
  unknown[scans[0] + 5] = 0x7F;
  ExpectRefused(DecodeImage(unknown), "image.corrupt");
  // A second frame header.
  const size_t sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  const size_t sof_len = (uint8_t(jpeg[sof + 2]) << 8 | uint8_t(jpeg[sof + 3])) + 2;
  std::string two = jpeg;
  two.insert(scans[0], jpeg.substr(sof, sof_len));
  ExpectRefused(DecodeImage(two), "image.corrupt");
  // Bytes after the EOI are tolerated (some cameras append data).
  EXPECT_TRUE(DecodeImage(jpeg + std::string(5000, 'x')).ok());
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
