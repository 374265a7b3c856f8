#include "src/jpeg.h"

// jpeglib.h needs size_t and FILE declared first.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "puente/common/strings.h"

// jpeglib.h first: jerror.h's list of messages depends on its configuration.
extern "C" {
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
}

namespace puente::biometrics::internal {
namespace {

uint16_t Be16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((uint8_t(b[at]) << 8) | uint8_t(b[at + 1]));
}

constexpr uint8_t kSoi = 0xD8, kEoi = 0xD9, kSos = 0xDA, kApp1 = 0xE1, kTem = 0x01;

bool IsRst(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }
// Start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC).
bool IsSof(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// The EXIF orientation as OpenCV 4.6 reads it (ExifReader on the first APP1
// segment before the first scan, TIFF header 6 bytes in): the first IFD0
// entry tagged 0x0112; reading stops at the first entry out of bounds.
int ExifOrientation(std::string_view app1) {
  if (app1.size() <= 6) return 1;
  const std::string_view t = app1.substr(6);
  if (t.size() < 8) return 1;
  const bool intel = t.substr(0, 2) == "II";
  if (!intel && t.substr(0, 2) != "MM") return 1;
  auto u16 = [&](size_t at) -> int {
    if (at + 1 >= t.size()) return -1;
    const uint8_t a = uint8_t(t[at]), b = uint8_t(t[at + 1]);
    return intel ? (b << 8 | a) : (a << 8 | b);
  };
  auto u32 = [&](size_t at) -> long long {
    const int lo = u16(intel ? at : at + 2), hi = u16(intel ? at + 2 : at);
    return lo < 0 || hi < 0 ? -1 : (static_cast<long long>(hi) << 16 | lo);
  };
  if (u16(2) != 42) return 1;
  const long long ifd = u32(4);
  if (ifd < 0) return 1;
  const int entries = u16(static_cast<size_t>(ifd));
  for (int e = 0; e < entries; ++e) {
    const size_t at = static_cast<size_t>(ifd) + 2 + 12 * static_cast<size_t>(e);
    const int tag = u16(at);
    if (tag < 0) return 1;
    if (tag == 0x0112) {
      const int v = u16(at + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

struct FrameComponent {
  int id = 0;
  int h = 1;
  int v = 1;
  long long samples = 0;
  bool coded = false;  // sequential: seen in a scan
  int bits[64];        // progressive: successive-approximation state, -1 unseen
};

}  // namespace

absl::StatusOr<JpegLayout> WalkJpeg(std::string_view b, const ImageLimits& limits) {
  JpegLayout out;
  std::vector<FrameComponent> comps;
  bool frame = false, app1_seen = false;
  // The first inconsistency in the progression; reported after the walk, so
  // that a file with too many scans is refused as such, early.
  std::string bad_progression;
  size_t i = 2;  // after SOI
  while (true) {
    if (i >= b.size()) {
      return ImageRefusal("image.truncated", "the JPEG file is cut short (no end marker)");
    }
    if (uint8_t(b[i]) != 0xFF) return ImageRefusal("image.corrupt", "JPEG marker expected");
    // Any number of fill bytes may precede a marker.
    while (i + 1 < b.size() && uint8_t(b[i + 1]) == 0xFF) ++i;
    if (i + 1 >= b.size()) {
      return ImageRefusal("image.truncated", "the JPEG file is cut short (no end marker)");
    }
    const uint8_t marker = uint8_t(b[i + 1]);
    i += 2;
    if (marker == kEoi) break;
    if (marker == kSoi) return ImageRefusal("image.corrupt", "a second JPEG start marker");
    if (IsRst(marker) || marker == kTem) continue;  // parameterless, tolerated by libjpeg
    if (i + 2 > b.size()) {
      return ImageRefusal("image.truncated", "the JPEG file is cut short (inside a segment)");
    }
    const size_t len = Be16(b, i);
    if (len < 2) return ImageRefusal("image.corrupt", "JPEG segment length");
    if (i + len > b.size()) {
      return ImageRefusal("image.truncated", "the JPEG file is cut short (inside a segment)");
    }
    const std::string_view seg = b.substr(i + 2, len - 2);
    i += len;

    if (IsSof(marker)) {
      if (frame) return ImageRefusal("image.corrupt", "two JPEG frame headers");
      // Baseline, extended and progressive, Huffman or arithmetic: what
      // libjpeg-turbo 2.1 decodes. Lossless and hierarchical it does not.
      if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2 && marker != 0xC9 && marker != 0xCA) {
        return ImageRefusal("image.corrupt", "unsupported JPEG coding process");
      }
      if (seg.size() < 6) return ImageRefusal("image.corrupt", "JPEG frame header too short");
      if (uint8_t(seg[0]) != 8) return ImageRefusal("image.corrupt", "not an 8-bit JPEG");
      out.height = Be16(seg, 1);
      out.width = Be16(seg, 3);
      out.components = uint8_t(seg[5]);
      out.progressive = marker == 0xC2 || marker == 0xCA;
      if (out.components < 1 || out.components > 4 ||
          seg.size() != 6 + 3 * static_cast<size_t>(out.components)) {
        return ImageRefusal("image.corrupt", "JPEG frame header: components");
      }
      if (out.width == 0 || out.height == 0) {
        return ImageRefusal("image.corrupt", "zero dimensions");
      }
      int hmax = 1, vmax = 1;
      for (int c = 0; c < out.components; ++c) {
        FrameComponent fc;
        fc.id = uint8_t(seg[6 + 3 * c]);
        fc.h = uint8_t(seg[7 + 3 * c]) >> 4;
        fc.v = uint8_t(seg[7 + 3 * c]) & 15;
        if (fc.h < 1 || fc.h > 4 || fc.v < 1 || fc.v > 4) {
          return ImageRefusal("image.corrupt", "JPEG frame header: sampling factors");
        }
        for (const auto& other : comps) {
          if (other.id == fc.id) return ImageRefusal("image.corrupt", "JPEG component ids repeat");
        }
        std::fill(std::begin(fc.bits), std::end(fc.bits), -1);
        hmax = std::max(hmax, fc.h);
        vmax = std::max(vmax, fc.v);
        comps.push_back(fc);
      }
      for (auto& fc : comps) {
        const long long w = (static_cast<long long>(out.width) * fc.h + hmax - 1) / hmax;
        const long long h = (static_cast<long long>(out.height) * fc.v + vmax - 1) / vmax;
        fc.samples = w * h;
      }
      frame = true;
      continue;
    }
    if (marker == kApp1 && !app1_seen && out.scans == 0) {
      app1_seen = true;
      out.orientation = ExifOrientation(seg);
      continue;
    }
    if (marker != kSos) continue;  // tables, comments, application data

    // A scan: its header, then entropy-coded data up to the next marker.
    if (!frame) return ImageRefusal("image.corrupt", "JPEG scan before the frame header");
    const size_t ns = seg.empty() ? 0 : uint8_t(seg[0]);
    if (ns < 1 || ns > 4 || seg.size() != 4 + 2 * ns) {
      return ImageRefusal("image.corrupt", "JPEG scan header");
    }
    if (++out.scans > limits.max_scans) {
      return ImageRefusal("image.too_complex",
                          StrCat("the JPEG file has more than ", limits.max_scans,
                                 " scans (progressive photos have about 10)"));
    }
    std::vector<FrameComponent*> in_scan;
    for (size_t k = 0; k < ns; ++k) {
      FrameComponent* found = nullptr;
      for (auto& fc : comps) {
        if (fc.id == uint8_t(seg[1 + 2 * k])) found = &fc;
      }
      if (found == nullptr)
        return ImageRefusal("image.corrupt", "JPEG scan of an unknown component");
      for (const FrameComponent* other : in_scan) {
        if (other == found) return ImageRefusal("image.corrupt", "JPEG scan repeats a component");
      }
      in_scan.push_back(found);
      out.scan_samples += found->samples;
    }
    if (out.scan_samples > limits.max_scan_samples) {
      return ImageRefusal("image.too_complex",
                          StrCat("decoding the JPEG file's ", out.scans, " scans would visit over ",
                                 limits.max_scan_samples, " samples"));
    }
    const int ss = uint8_t(seg[1 + 2 * ns]), se = uint8_t(seg[2 + 2 * ns]);
    const int ah = uint8_t(seg[3 + 2 * ns]) >> 4, al = uint8_t(seg[3 + 2 * ns]) & 15;
    auto inconsistent = [&bad_progression, &out](std::string_view why) {
      if (bad_progression.empty()) bad_progression = StrCat("JPEG scan ", out.scans, ": ", why);
    };
    if (!out.progressive) {
      for (FrameComponent* fc : in_scan) {
        if (fc->coded) inconsistent("a component is coded twice");
        fc->coded = true;
      }
    } else if ((ss == 0 && se != 0) || (ss > 0 && (se < ss || se > 63 || ns != 1)) ||
               (ah != 0 && al != ah - 1) || al > 13) {
      inconsistent("impossible progression parameters");
    } else {
      for (FrameComponent* fc : in_scan) {
        if (ss > 0 && fc->bits[0] < 0) inconsistent("AC coefficients before the DC ones");
        for (int k = ss; k <= se; ++k) {
          // A first pass over a coefficient has Ah = 0; each later pass
          // refines exactly the bit the previous one left (Ah = its Al > 0).
          const bool ok = fc->bits[k] < 0 ? ah == 0 : (ah == fc->bits[k] && ah > 0);
          if (!ok) inconsistent("a scan repeats or skips a refinement");
          fc->bits[k] = al;
        }
      }
    }
    // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), a
    // restart marker, more fill bytes, or the marker that ends the scan.
    while (true) {
      const void* ff = i < b.size() ? std::memchr(b.data() + i, 0xFF, b.size() - i) : nullptr;
      if (ff == nullptr) {
        return ImageRefusal("image.truncated",
                            "the JPEG file is cut short (it ends inside its image data)");
      }
      i = static_cast<size_t>(static_cast<const char*>(ff) - b.data());
      size_t j = i + 1;
      while (j < b.size() && uint8_t(b[j]) == 0xFF) ++j;
      if (j >= b.size()) {
        return ImageRefusal("image.truncated",
                            "the JPEG file is cut short (it ends inside its image data)");
      }
      const uint8_t next = uint8_t(b[j]);
      if (next == 0x00 || IsRst(next)) {
        i = j + 1;
        continue;
      }
      i = j - 1;  // the marker (after any fill bytes) ends the scan
      break;
    }
  }
  if (!frame) return ImageRefusal("image.corrupt", "JPEG without a frame header");
  if (!bad_progression.empty()) return ImageRefusal("image.corrupt", bad_progression);
  if (out.scans == 0) {
    return ImageRefusal("image.truncated", "the JPEG file has no image data (no scan)");
  }
  for (const auto& fc : comps) {
    bool complete = fc.coded;
    if (out.progressive) {
      complete = true;
      for (int bits : fc.bits) complete = complete && bits == 0;
    }
    if (!complete) {
      return ImageRefusal("image.truncated",
                          "the JPEG file's scans stop before the image is complete");
    }
  }
  return out;
}

namespace {

// libjpeg's state, kept off the stack of the function that calls setjmp,
// and the error manager that turns its errors and warnings into outcomes.
struct ErrorManager {
  jpeg_error_mgr pub;  // first: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  int data_missing = 0;  // JWRN_HIT_MARKER, JWRN_JPEG_EOF
  int data_damaged = 0;  // bad Huffman/arithmetic code, lost restart sync
  int max_scans = 0;
  bool too_many_scans = false;
};

struct Progress {
  jpeg_progress_mgr pub;  // first: libjpeg sees a jpeg_progress_mgr*
  ErrorManager* err = nullptr;
};

struct Libjpeg {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  Progress progress;
};

[[noreturn]] void ErrorExit(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

void EmitMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  switch (err->pub.msg_code) {
    case JWRN_HIT_MARKER:
    case JWRN_JPEG_EOF:
      ++err->data_missing;
      break;
    case JWRN_HUFF_BAD_CODE:
#if JPEG_LIB_VERSION >= 70 || defined(C_ARITH_CODING_SUPPORTED) || defined(D_ARITH_CODING_SUPPORTED)
    case JWRN_ARITH_BAD_CODE:
#endif
    case JWRN_MUST_RESYNC:
      ++err->data_damaged;
      break;
    default:
      break;
  }
  ++err->pub.num_warnings;
}

void OutputMessage(j_common_ptr) {}

void OnProgress(j_common_ptr cinfo) {
  auto* p = reinterpret_cast<Progress*>(cinfo->progress);
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > p->err->max_scans) {
    p->err->too_many_scans = true;
    std::longjmp(p->err->jump, 1);
  }
}

// OpenCV's CMYK to BGR (imgcodecs utils.cpp, icvCvt_CMYK2BGR_8u_C4C3R).
void CmykRowToBgr(const JSAMPLE* cmyk, uchar* bgr, int width) {
  for (int x = 0; x < width; ++x, cmyk += 4, bgr += 3) {
    const int k = cmyk[3];
    bgr[2] = static_cast<uchar>(k - ((255 - cmyk[0]) * k >> 8));
    bgr[1] = static_cast<uchar>(k - ((255 - cmyk[1]) * k >> 8));
    bgr[0] = static_cast<uchar>(k - ((255 - cmyk[2]) * k >> 8));
  }
}

// Runs libjpeg. Between setjmp and any longjmp no object with a destructor
// is created in this frame (libjpeg's state lives in *j, the image in *out),
// so the jump skips nothing. False after a libjpeg error.
bool RunLibjpeg(Libjpeg* j, std::string_view bytes, const JpegLayout& layout, cv::Mat* out) {
  jpeg_decompress_struct* cinfo = &j->cinfo;
  if (setjmp(j->err.jump) != 0) {
    jpeg_destroy_decompress(cinfo);
    return false;
  }
  jpeg_create_decompress(cinfo);
  cinfo->progress = &j->progress.pub;
  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(cinfo, TRUE);
  if (static_cast<int>(cinfo->image_width) != layout.width ||
      static_cast<int>(cinfo->image_height) != layout.height) {
    ERREXIT(cinfo, JERR_IMAGE_TOO_BIG);  // not what the walk read: refuse
  }
  const bool cmyk = cinfo->num_components == 4;
  cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_EXT_BGR;
  jpeg_start_decompress(cinfo);
  if (static_cast<int>(cinfo->output_width) != layout.width ||
      static_cast<int>(cinfo->output_height) != layout.height ||
      cinfo->output_components != (cmyk ? 4 : 3)) {
    ERREXIT(cinfo, JERR_IMAGE_TOO_BIG);
  }
  out->create(layout.height, layout.width, CV_8UC3);
  JSAMPARRAY cmyk_row = cmyk ? (*cinfo->mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(cinfo),
                                                           JPOOL_IMAGE, cinfo->output_width * 4, 1)
                             : nullptr;
  while (cinfo->output_scanline < cinfo->output_height) {
    uchar* row = out->ptr<uchar>(static_cast<int>(cinfo->output_scanline));
    if (cmyk) {
      if (jpeg_read_scanlines(cinfo, cmyk_row, 1) == 1)
        CmykRowToBgr(cmyk_row[0], row, layout.width);
    } else {
      JSAMPROW rows[1] = {row};
      jpeg_read_scanlines(cinfo, rows, 1);
    }
  }
  jpeg_finish_decompress(cinfo);
  jpeg_destroy_decompress(cinfo);
  return true;
}

// As OpenCV's ExifTransform in imgcodecs/loadsave.cpp.
cv::Mat Oriented(cv::Mat img, int orientation) {
  switch (orientation) {
    case 2:
      cv::flip(img, img, 1);
      break;
    case 3:
      cv::flip(img, img, -1);
      break;
    case 4:
      cv::flip(img, img, 0);
      break;
    case 5:
      cv::transpose(img, img);
      break;
    case 6:
      cv::transpose(img, img);
      cv::flip(img, img, 1);
      break;
    case 7:
      cv::transpose(img, img);
      cv::flip(img, img, -1);
      break;
    case 8:
      cv::transpose(img, img);
      cv::flip(img, img, 0);
      break;
    default:
      break;
  }
  return img;
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeJpeg(std::string_view bytes, const JpegLayout& layout,
                                   const ImageLimits& limits) {
  auto j = std::make_unique<Libjpeg>();
  std::memset(&j->cinfo, 0, sizeof(j->cinfo));
  j->cinfo.err = jpeg_std_error(&j->err.pub);
  j->err.pub.error_exit = ErrorExit;
  j->err.pub.emit_message = EmitMessage;
  j->err.pub.output_message = OutputMessage;
  j->err.max_scans = limits.max_scans;
  j->progress.pub.progress_monitor = OnProgress;
  j->progress.err = &j->err;
  cv::Mat img;
  bool ok = false;
  try {
    ok = RunLibjpeg(j.get(), bytes, layout, &img);
  } catch (const cv::Exception&) {  // allocating the image
    jpeg_destroy_decompress(&j->cinfo);
    return ImageRefusal("image.corrupt", "the decoder failed");
  }
  if (j->err.too_many_scans) {
    return ImageRefusal("image.too_complex",
                        StrCat("the JPEG file has more than ", limits.max_scans, " scans"));
  }
  if (j->err.data_missing > 0) {
    return ImageRefusal("image.truncated",
                        "the JPEG file is cut short (its image data ends too early)");
  }
  if (!ok) return ImageRefusal("image.corrupt", "the image data cannot be decoded");
  if (j->err.data_damaged > 0) {
    return ImageRefusal("image.corrupt", "the JPEG image data is damaged");
  }
  try {
    return Oriented(std::move(img), layout.orientation);
  } catch (const cv::Exception&) {
    return ImageRefusal("image.corrupt", "the decoder failed");
  }
}

}  // namespace puente::biometrics::internal
