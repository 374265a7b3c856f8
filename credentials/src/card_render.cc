#include "puente/credentials/card_render.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/qr.h"

namespace puente::credentials {
namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)>;
using CairoPtr = std::unique_ptr<cairo_t, void (*)(cairo_t*)>;

constexpr double kMargin = 2.5;
constexpr double kQrSide = kCardQrSideMm;  // quiet zone included
constexpr double kQrTop = 10.3;
constexpr double kQrLeft = kCardWidthMm - kMargin - kQrSide;
constexpr double kPhotoX = kMargin, kPhotoY = 11.0, kPhotoW = 20.0, kPhotoH = 25.0;
constexpr double kTextX = kPhotoX + kPhotoW + 2.5;
constexpr double kTextRight = kQrLeft - 0.5;
constexpr char kFont[] = "DejaVu Sans";

// Text sizes (font size in mm) and spacing.
constexpr double kLabelSize = 1.45;  // fixed labels, which always fit
constexpr double kNameSize = 2.6;
constexpr double kValueSize = 2.3;
constexpr double kFooterSize = kMinCardTextMm;
constexpr double kSizeStep = 0.05;
constexpr double kLinePitch = 1.15;     // baseline to baseline, in font sizes
constexpr double kLabelToValue = 1.12;  // label baseline to first value baseline, in font sizes
constexpr double kValueToLabel = 2.8;   // last value baseline to the next label's baseline, mm
constexpr double kFirstLabel = 12.5;    // baseline of the first label
constexpr double kFooterBaseline = kCardHeightMm - 2.2;
constexpr double kColumnGap = 0.6;  // between the text column and the footer
constexpr double kDescent = 0.24;   // DejaVu Sans descenders, in font sizes
constexpr size_t kMaxGuardianLines = 7;

struct Ink {
  double r, g, b;
};
constexpr Ink kNavy{0.05, 0.20, 0.42};
constexpr Ink kBlack{0, 0, 0};
constexpr Ink kGrey{0.35, 0.35, 0.35};
constexpr Ink kRed{0.75, 0.05, 0.05};

void SetInk(cairo_t* cr, Ink ink) { cairo_set_source_rgb(cr, ink.r, ink.g, ink.b); }

// Unhinted metrics: text measures the same on the PNG, the PDF and the
// layout the tests inspect.
void Font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  std::unique_ptr<cairo_font_options_t, void (*)(cairo_font_options_t*)> options(
      cairo_font_options_create(), &cairo_font_options_destroy);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, options.get());
}

double Width(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return std::max(e.x_advance, e.x_bearing + e.width);
}

// Draws fixed `text` at (x, baseline y), shrinking the font until it fits
// `max_w`. Only for the card's own words, which fit at their size.
void Fitted(cairo_t* cr, const std::string& text, double x, double y, double max_w, double size,
            bool bold, Ink ink) {
  Font(cr, size, bold);
  const double w = Width(cr, text);
  if (w > max_w) Font(cr, size * max_w / w, bold);
  SetInk(cr, ink);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text.c_str());
}

// A variable field: its lines at one font size.
struct Block {
  std::string field;
  std::string label;  // empty for the footer
  double size = 0;
  bool bold = true;
  std::vector<std::string> lines;
};

// `text` broken into lines no wider than `max_w` at the current font: at
// spaces, and after hyphens inside a word.
// Nullopt, with the piece in `too_wide`, when a piece alone is wider.
std::optional<std::vector<std::string>> Wrap(cairo_t* cr, const std::string& text, double max_w,
                                             std::string* too_wide) {
  // Pieces: the text between break opportunities, each remembering whether
  // a space separates it from the piece before.
  std::vector<std::pair<std::string, bool>> pieces;
  std::string piece;
  bool spaced = false;
  for (char c : text) {
    if (c == ' ') {
      if (!piece.empty()) pieces.emplace_back(std::move(piece), spaced);
      piece.clear();
      spaced = true;
      continue;
    }
    // After a hyphen inside a word, not inside a number or a code:
    // "Rodríguez-" / "Villanueva", never "ONP-2026-" / "001234-5".
    const bool word_hyphen = c == '-' && !piece.empty() &&
                             !std::isdigit(static_cast<unsigned char>(piece.back())) &&
                             !std::isupper(static_cast<unsigned char>(piece.back()));
    piece += c;
    if (word_hyphen) {
      pieces.emplace_back(std::move(piece), spaced);
      piece.clear();
      spaced = false;
    }
  }
  if (!piece.empty()) pieces.emplace_back(std::move(piece), spaced);
  std::vector<std::string> lines;
  for (auto& [p, after_space] : pieces) {
    if (Width(cr, p) > max_w) {
      if (too_wide != nullptr) *too_wide = p;
      return std::nullopt;
    }
    if (!lines.empty()) {
      std::string longer = lines.back() + (after_space ? " " : "") + p;
      if (Width(cr, longer) <= max_w) {
        lines.back() = std::move(longer);
        continue;
      }
    }
    lines.push_back(p);
  }
  if (lines.empty()) lines.emplace_back();
  return lines;
}

absl::Status DoesNotFit(const std::string& field, const std::string& why) {
  return WithDetail(absl::InvalidArgumentError(field + ": " + why), kDetailField, field);
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string TooLong(const std::string& text, const std::string& too_wide) {
  if (!too_wide.empty()) {
    return "\"" + too_wide +
           "\" is too wide to print on the card even at the smallest legible size";
  }
  return absl::StrFormat(
      "%d characters do not fit on the printed card even wrapped and at the smallest legible "
      "size (%.2f mm)",
      Utf8Length(text), kMinCardTextMm);
}

// `text` in as few lines of `max_w` as it can (at most `max_lines`), at the
// largest size from `size` down to kMinCardTextMm for that many lines: a
// registration number shrinks on one line before it wraps.
absl::StatusOr<Block> FitBlock(cairo_t* cr, const std::string& field, const std::string& label,
                               const std::string& text, double max_w, double size, bool bold,
                               size_t max_lines) {
  std::string too_wide;
  for (size_t n = 1; n <= max_lines; ++n) {
    for (double s = size; s >= kMinCardTextMm - 1e-9; s -= kSizeStep) {
      Font(cr, s, bold);
      std::string wide;
      auto lines = Wrap(cr, text, max_w, &wide);
      if (!lines) {
        too_wide = wide;
        continue;
      }
      too_wide.clear();
      if (lines->size() <= n) return Block{field, label, s, bold, std::move(*lines)};
    }
  }
  return DoesNotFit(field, TooLong(text, too_wide));
}

// Label baseline -> the baseline of the block's last line.
double LastBaseline(const Block& b, double label_baseline) {
  return label_baseline + kLabelToValue * b.size + (b.lines.size() - 1) * kLinePitch * b.size;
}

void Place(cairo_t* cr, const std::string& field, const std::string& text, double size, bool bold,
           double x, double baseline, std::vector<internal::PrintedLine>& out) {
  Font(cr, size, bold);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  internal::PrintedLine line{field, text, size, bold, x, baseline};
  line.left = x + std::min(0.0, e.x_bearing);
  line.right = x + std::max(e.x_advance, e.x_bearing + e.width);
  line.top = baseline + std::min(e.y_bearing, -0.0);
  line.bottom = baseline + std::max(e.y_bearing + e.height, 0.0);
  out.push_back(std::move(line));
}

std::string Date(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return absl::StrFormat("%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

std::string BirthDate(const std::optional<std::string>& yyyymmdd) {
  if (!yyyymmdd || yyyymmdd->size() != 8) return yyyymmdd.value_or("—");
  const std::string& d = *yyyymmdd;
  return d.substr(6, 2) + "/" + d.substr(4, 2) + "/" + d.substr(0, 4);
}

const char* Title(CardType type) {
  switch (type) {
    case CardType::kAsylumSeeker:
      return "Solicitante de protección internacional";
    case CardType::kRefugee:
      return "Persona refugiada";
    case CardType::kBirthAttestation:
      return "Constancia de nacimiento";
  }
  return "";
}

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* in = static_cast<std::string_view*>(closure);
  if (in->size() < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, in->data(), length);
  in->remove_prefix(length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

absl::Status DrawPhoto(cairo_t* cr, const std::string& png) {
  cairo_save(cr);
  cairo_rectangle(cr, kPhotoX, kPhotoY, kPhotoW, kPhotoH);
  if (png.empty()) {
    cairo_set_source_rgb(cr, 0.88, 0.90, 0.93);
    cairo_fill(cr);
    cairo_restore(cr);
    return absl::OkStatus();
  }
  std::string_view in(png);
  SurfacePtr photo(cairo_image_surface_create_from_png_stream(&ReadPng, &in),
                   &cairo_surface_destroy);
  if (cairo_surface_status(photo.get()) != CAIRO_STATUS_SUCCESS) {
    cairo_restore(cr);
    return absl::InvalidArgumentError("card: the photo is not a readable PNG");
  }
  const double w = cairo_image_surface_get_width(photo.get());
  const double h = cairo_image_surface_get_height(photo.get());
  cairo_clip(cr);
  const double scale = std::max(kPhotoW / w, kPhotoH / h);  // cover the box
  cairo_translate(cr, kPhotoX + (kPhotoW - w * scale) / 2, kPhotoY + (kPhotoH - h * scale) / 2);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, photo.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BEST);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);  // no dark seams at the edges
  cairo_paint(cr);
  cairo_restore(cr);
  return absl::OkStatus();
}

// The module side, mm, when `total` modules (quiet zone included) share the
// QR area and each is a whole number of pixels.
double SnappedModule(int total, double px_per_mm) {
  return std::floor(kQrSide / total * px_per_mm) / px_per_mm;
}

// `px_per_mm` > 0 snaps modules to whole device pixels (PNG); 0 draws exact
// vector squares (PDF).
void DrawQr(cairo_t* cr, const QrCode& qr, double px_per_mm) {
  const int total = qr.size + 8;  // 4-module quiet zone each side
  double module = kQrSide / total;
  double x0 = kQrLeft;
  double y0 = kQrTop;
  if (px_per_mm > 0) {
    module = SnappedModule(total, px_per_mm);
    x0 = std::round(x0 * px_per_mm) / px_per_mm;
    y0 = std::round(y0 * px_per_mm) / px_per_mm;
  }
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x0, y0, module * total, module * total);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (int y = 0; y < qr.size; ++y) {
    for (int x = 0; x < qr.size; ++x) {
      if (qr.dark(x, y)) {
        cairo_rectangle(cr, x0 + (x + 4) * module, y0 + (y + 4) * module, module, module);
      }
    }
  }
  cairo_fill(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
}

std::string Footer1(const Card& card) {
  return absl::StrFormat("Serie %d · Emitida %s", card.serial, Date(card.issued_at));
}

// The footer (serial, issue date, issuer) on one line, or on two with the
// issuer on its own; the text column (name and fields) above it, the name
// taking the height the fields leave.
absl::StatusOr<internal::CardTextLayout> LayOut(cairo_t* cr, const Card& card) {
  internal::CardTextLayout out;
  out.qr_left = kQrLeft;
  out.qr_top = kQrTop;
  out.qr_side = kQrSide;
  const double footer_w = kTextRight - kMargin;
  std::vector<std::string> footer{Footer1(card) + " · " + card.issuer};
  Font(cr, kFooterSize, false);
  if (Width(cr, footer[0]) > footer_w) {
    PUENTE_ASSIGN_OR_RETURN(
        Block issuer, FitBlock(cr, "issuer", "", card.issuer, footer_w, kFooterSize, false, 2));
    footer = {Footer1(card)};
    for (std::string& l : issuer.lines) footer.push_back(std::move(l));
  }
  const double footer_first = kFooterBaseline - (footer.size() - 1) * kLinePitch * kFooterSize;
  std::vector<internal::PrintedLine> footer_lines;
  for (size_t i = 0; i < footer.size(); ++i) {
    Place(cr, i == 0 ? "footer" : "issuer", footer[i], kFooterSize, false, kMargin,
          footer_first + i * kLinePitch * kFooterSize, footer_lines);
  }
  const double column_bottom = footer_lines.front().top - kColumnGap;

  const double w = kTextRight - kTextX;
  std::vector<Block> fields;
  PUENTE_ASSIGN_OR_RETURN(Block id, FitBlock(cr, "registration_number", "Nº de registro",
                                             card.holder.id.value_or(""), w, kValueSize, true, 2));
  fields.push_back(std::move(id));
  PUENTE_ASSIGN_OR_RETURN(Block dob,
                          FitBlock(cr, "date_of_birth", "Fecha de nacimiento",
                                   BirthDate(card.holder.date_of_birth), w, kValueSize, true, 2));
  fields.push_back(std::move(dob));
  if (card.type == CardType::kBirthAttestation) {
    // A parent's full name with role and number: "María ... Peña (madre, ONP-...)".
    PUENTE_ASSIGN_OR_RETURN(Block g, FitBlock(cr, "guardian", "Madre, padre o tutor/a",
                                              card.holder.guardian.value_or(""), w, kValueSize,
                                              true, kMaxGuardianLines));
    fields.push_back(std::move(g));
  } else {
    PUENTE_ASSIGN_OR_RETURN(
        Block n, FitBlock(cr, "nationality", "Nacionalidad", card.holder.nationality.value_or("—"),
                          w, kValueSize, true, 2));
    fields.push_back(std::move(n));
  }
  PUENTE_ASSIGN_OR_RETURN(Block until, FitBlock(cr, "valid_until", "Válida hasta",
                                                Date(card.expires_at), w, kValueSize, true, 1));
  fields.push_back(std::move(until));

  // The bottom of the column when the name is `name`.
  auto bottom = [&](const Block& name) {
    double label = kFirstLabel;
    double last = 0;
    const Block* b = &name;
    for (size_t i = 0; i <= fields.size(); ++i) {
      if (i > 0) b = &fields[i - 1];
      last = LastBaseline(*b, label);
      label = last + kValueToLabel;
    }
    return last + kDescent * b->size;
  };
  // The name at the largest size whose lines leave room for the fields.
  const std::string name_text = card.holder.full_name.value_or("");
  std::string too_wide;
  auto fit_name = [&]() -> std::optional<Block> {
    for (double s = kNameSize; s >= kMinCardTextMm - 1e-9; s -= kSizeStep) {
      Font(cr, s, true);
      std::string wide;
      auto lines = Wrap(cr, name_text, w, &wide);
      if (!lines) {
        too_wide = wide;
        continue;
      }
      too_wide.clear();
      Block b{"name", "Nombre / Name", s, true, std::move(*lines)};
      if (bottom(b) <= column_bottom) return b;
    }
    return std::nullopt;
  };
  std::optional<Block> name = fit_name();
  // A long guardian text shrinks further to leave the name room.
  for (Block& g : fields) {
    if (name || g.field != "guardian") continue;
    const std::string text = card.holder.guardian.value_or("");
    for (double s = g.size - kSizeStep; s >= kMinCardTextMm - 1e-9 && !name; s -= kSizeStep) {
      Font(cr, s, true);
      auto lines = Wrap(cr, text, w, nullptr);
      if (!lines || lines->size() > kMaxGuardianLines) continue;
      g = Block{g.field, g.label, s, true, std::move(*lines)};
      name = fit_name();
    }
  }
  if (!name) {
    // The fields alone may leave no room for even a one-line name: then the
    // longest of them is at fault.
    const Block shortest{"name", "", kMinCardTextMm, true, {""}};
    if (bottom(shortest) > column_bottom) {
      const Block* longest = &fields[0];
      for (const Block& f : fields) {
        if (f.lines.size() > longest->lines.size()) longest = &f;
      }
      return DoesNotFit(longest->field,
                        absl::StrFormat("%d lines leave no room for the rest of the card",
                                        longest->lines.size()));
    }
    return DoesNotFit("name", TooLong(name_text, too_wide));
  }

  double label = kFirstLabel;
  fields.insert(fields.begin(), std::move(*name));
  for (const Block& b : fields) {
    Place(cr, "label", b.label, kLabelSize, false, kTextX, label, out.lines);
    double y = label + kLabelToValue * b.size;
    for (const std::string& l : b.lines) {
      Place(cr, b.field, l, b.size, b.bold, kTextX, y, out.lines);
      y += kLinePitch * b.size;
    }
    label = LastBaseline(b, label) + kValueToLabel;
  }
  for (auto& l : footer_lines) out.lines.push_back(std::move(l));
  return out;
}

absl::Status Draw(cairo_t* cr, const CardArtwork& art, double px_per_mm) {
  if (art.card == nullptr) return absl::InvalidArgumentError("card: nothing to draw");
  const Card& card = *art.card;
  auto qr = EncodeQr(art.qr_text, kCardQrErrorCorrection);
  if (!qr.ok()) return qr.status();
  if (qr->version > kMaxCardQrVersion) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "card: the QR needs version %d at M, the budget is version %d (its modules would print "
        "at %.2f mm)",
        qr->version, kMaxCardQrVersion, CardQrModuleMm(qr->version)));
  }
  PUENTE_ASSIGN_OR_RETURN(internal::CardTextLayout layout, LayOut(cr, card));

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  // Header band.
  SetInk(cr, kNavy);
  cairo_rectangle(cr, 0, 0, kCardWidthMm, 8.5);
  cairo_fill(cr);
  Fitted(cr, "REPÚBLICA DE PANAMÁ", kMargin, 3.9, 50, 2.5, true, {1, 1, 1});
  Fitted(cr, Title(card.type), kMargin, 7.1, kCardWidthMm - 2 * kMargin, 2.2, false, {1, 1, 1});
  if (auto st = DrawPhoto(cr, art.photo_png); !st.ok()) return st;
  for (const internal::PrintedLine& l : layout.lines) {
    Font(cr, l.font_size, l.bold);
    SetInk(cr, l.field == "label" || l.field == "footer" || l.field == "issuer" ? kGrey : kBlack);
    cairo_move_to(cr, l.x, l.baseline);
    cairo_show_text(cr, l.text.c_str());
  }
  DrawQr(cr, *qr, px_per_mm);
  Fitted(cr, "Verifique el código QR", kQrLeft + 4, kQrTop + kQrSide + 2.2, kQrSide - 4, 1.5, false,
         kGrey);
  if (card.provisional) {
    Fitted(cr, "PROVISIONAL", kPhotoX, kPhotoY + kPhotoH + 3.2, kPhotoW, 2.2, true, kRed);
  }
  return absl::OkStatus();
}

}  // namespace

double CardQrModuleMm(int version) { return SnappedModule(17 + 4 * version + 8, kCardDpi / 25.4); }

namespace internal {
absl::StatusOr<CardTextLayout> LayOutCardText(const Card& card) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1), &cairo_surface_destroy);
  CairoPtr cr(cairo_create(surface.get()), &cairo_destroy);
  cairo_scale(cr.get(), kCardDpi / 25.4, kCardDpi / 25.4);  // as the PNG
  return LayOut(cr.get(), card);
}
}  // namespace internal

std::string MissingGlyphs(std::string_view text) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1), &cairo_surface_destroy);
  CairoPtr cr(cairo_create(surface.get()), &cairo_destroy);
  Font(cr.get(), 10, false);
  cairo_scaled_font_t* font = cairo_get_scaled_font(cr.get());
  std::string missing;
  // One UTF-8 character at a time: glyph 0 is the font's "missing" box.
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xf0) {
      len = 4;
    } else if (lead >= 0xe0) {
      len = 3;
    } else if (lead >= 0xc0) {
      len = 2;
    }
    len = std::min(len, text.size() - i);
    const std::string ch(text.substr(i, len));
    i += len;
    if (ch == " ") continue;
    cairo_glyph_t* glyphs = nullptr;
    int count = 0;
    if (cairo_scaled_font_text_to_glyphs(font, 0, 0, ch.data(), static_cast<int>(ch.size()),
                                         &glyphs, &count, nullptr, nullptr,
                                         nullptr) != CAIRO_STATUS_SUCCESS ||
        count == 0 || glyphs[0].index == 0) {
      if (missing.find(ch) == std::string::npos) missing += ch;
    }
    cairo_glyph_free(glyphs);
  }
  return missing;
}

absl::StatusOr<std::string> RenderCardPdf(const CardArtwork& art) {
  constexpr double kPtPerMm = 72.0 / 25.4;
  std::string out;
  SurfacePtr surface(cairo_pdf_surface_create_for_stream(&Append, &out, kCardWidthMm * kPtPerMm,
                                                         kCardHeightMm * kPtPerMm),
                     &cairo_surface_destroy);
  CairoPtr cr(cairo_create(surface.get()), &cairo_destroy);
  cairo_scale(cr.get(), kPtPerMm, kPtPerMm);
  if (auto st = Draw(cr.get(), art, 0); !st.ok()) return st;
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError("card: PDF rendering failed");
  }
  return out;
}

absl::StatusOr<std::string> RenderCardPng(const CardArtwork& art) {
  const double px_per_mm = kCardDpi / 25.4;
  const int w = static_cast<int>(std::lround(kCardWidthMm * px_per_mm));
  const int h = static_cast<int>(std::lround(kCardHeightMm * px_per_mm));
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h), &cairo_surface_destroy);
  CairoPtr cr(cairo_create(surface.get()), &cairo_destroy);
  cairo_scale(cr.get(), px_per_mm, px_per_mm);
  if (auto st = Draw(cr.get(), art, px_per_mm); !st.ok()) return st;
  cr.reset();
  std::string out;
  if (cairo_surface_write_to_png_stream(surface.get(), &Append, &out) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError("card: PNG rendering failed");
  }
  return out;
}

}  // namespace puente::credentials
