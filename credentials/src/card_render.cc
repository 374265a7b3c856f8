#include "puente/credentials/card_render.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "puente/credentials/qr.h"

namespace puente::credentials {
namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)>;
using CairoPtr = std::unique_ptr<cairo_t, void (*)(cairo_t*)>;

constexpr double kMargin = 2.5;
constexpr double kQrSide = 31.0;  // mm, quiet zone included
constexpr double kQrTop = 10.5;
constexpr double kPhotoX = kMargin, kPhotoY = 11.0, kPhotoW = 20.0, kPhotoH = 25.0;
constexpr double kTextX = kPhotoX + kPhotoW + 2.5;
constexpr double kTextRight = kCardWidthMm - kMargin - kQrSide - 1.0;
constexpr char kFont[] = "DejaVu Sans";

struct Ink {
  double r, g, b;
};
constexpr Ink kNavy{0.05, 0.20, 0.42};
constexpr Ink kBlack{0, 0, 0};
constexpr Ink kGrey{0.35, 0.35, 0.35};
constexpr Ink kRed{0.75, 0.05, 0.05};

void SetInk(cairo_t* cr, Ink ink) { cairo_set_source_rgb(cr, ink.r, ink.g, ink.b); }

void Font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double Width(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

// Draws `text` at (x, baseline y), shrinking the font until it fits `max_w`.
void Fitted(cairo_t* cr, const std::string& text, double x, double y, double max_w, double size,
            bool bold, Ink ink) {
  Font(cr, size, bold);
  const double w = Width(cr, text);
  if (w > max_w) Font(cr, std::max(size * max_w / w, 1.2), bold);
  SetInk(cr, ink);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text.c_str());
}

// Label over value; returns the next baseline.
double Field(cairo_t* cr, const std::string& label, const std::string& value, double y) {
  Fitted(cr, label, kTextX, y, kTextRight - kTextX, 1.45, false, kGrey);
  Fitted(cr, value, kTextX, y + 2.6, kTextRight - kTextX, 2.3, true, kBlack);
  return y + 5.4;
}

// The name on up to two lines, broken at the space nearest the middle.
double Name(cairo_t* cr, const std::string& name, double y) {
  Fitted(cr, "Nombre / Name", kTextX, y, kTextRight - kTextX, 1.45, false, kGrey);
  Font(cr, 2.6, true);
  const double max_w = kTextRight - kTextX;
  if (Width(cr, name) <= max_w || name.find(' ') == std::string::npos) {
    Fitted(cr, name, kTextX, y + 2.9, max_w, 2.6, true, kBlack);
    return y + 5.8;
  }
  size_t best = 0;
  for (size_t i = name.find(' '); i != std::string::npos; i = name.find(' ', i + 1)) {
    if (best == 0 || std::abs(static_cast<double>(i) - name.size() / 2.0) <
                         std::abs(static_cast<double>(best) - name.size() / 2.0)) {
      best = i;
    }
  }
  Fitted(cr, name.substr(0, best), kTextX, y + 2.9, max_w, 2.6, true, kBlack);
  Fitted(cr, name.substr(best + 1), kTextX, y + 5.8, max_w, 2.6, true, kBlack);
  return y + 8.7;
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

// `px_per_mm` > 0 snaps modules to whole device pixels (PNG); 0 draws exact
// vector squares (PDF).
void DrawQr(cairo_t* cr, const QrCode& qr, double px_per_mm) {
  const int total = qr.size + 8;  // 4-module quiet zone each side
  double module = kQrSide / total;
  double x0 = kCardWidthMm - kMargin - kQrSide;
  double y0 = kQrTop;
  if (px_per_mm > 0) {
    module = std::floor(module * px_per_mm) / px_per_mm;
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

absl::Status Draw(cairo_t* cr, const CardArtwork& art, double px_per_mm) {
  if (art.card == nullptr) return absl::InvalidArgumentError("card: nothing to draw");
  const Card& card = *art.card;
  auto qr = EncodeQr(art.qr_text, QrErrorCorrection::kM);
  if (!qr.ok()) return qr.status();

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  // Header band.
  SetInk(cr, kNavy);
  cairo_rectangle(cr, 0, 0, kCardWidthMm, 8.5);
  cairo_fill(cr);
  Fitted(cr, "REPÚBLICA DE PANAMÁ", kMargin, 3.9, 50, 2.5, true, {1, 1, 1});
  Fitted(cr, Title(card.type), kMargin, 7.1, kCardWidthMm - 2 * kMargin, 2.2, false, {1, 1, 1});
  if (auto st = DrawPhoto(cr, art.photo_png); !st.ok()) return st;

  double y = 12.5;
  y = Name(cr, card.holder.full_name.value_or(""), y);
  y = Field(cr, "Nº de registro", card.holder.id.value_or(""), y);
  y = Field(cr, "Fecha de nacimiento", BirthDate(card.holder.date_of_birth), y);
  if (card.type == CardType::kBirthAttestation) {
    y = Field(cr, "Madre, padre o tutor/a", card.holder.guardian.value_or(""), y);
  } else {
    y = Field(cr, "Nacionalidad", card.holder.nationality.value_or("—"), y);
  }
  Field(cr, "Válida hasta", Date(card.expires_at), y);

  DrawQr(cr, *qr, px_per_mm);
  // Footer.
  const std::string footer =
      absl::StrFormat("Serie %d · Emitida %s · %s", card.serial, Date(card.issued_at), card.issuer);
  Fitted(cr, footer, kMargin, kCardHeightMm - 2.2, kCardWidthMm - kQrSide - 2 * kMargin - 1, 1.5,
         false, kGrey);
  Fitted(cr, "Verifique el código QR", kCardWidthMm - kMargin - kQrSide + 4, kQrTop + kQrSide + 2.2,
         kQrSide - 4, 1.5, false, kGrey);
  if (card.provisional) {
    Fitted(cr, "PROVISIONAL", kPhotoX, kPhotoY + kPhotoH + 3.2, kPhotoW, 2.2, true, kRed);
  }
  return absl::OkStatus();
}

}  // namespace

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
