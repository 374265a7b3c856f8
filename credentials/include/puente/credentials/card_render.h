// Print-ready cards: ID-1 format (85.60 x 53.98 mm, ISO/IEC 7810) as a
// vector PDF and as a 300 dpi PNG, drawn with cairo: photo, names (UTF-8:
// Spanish accents render with DejaVu Sans), registration number, status,
// validity and the QR code with its 4-module quiet zone.
#ifndef PUENTE_CREDENTIALS_CARD_RENDER_H_
#define PUENTE_CREDENTIALS_CARD_RENDER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "puente/credentials/card.h"

namespace puente::credentials {

struct CardArtwork {
  const Card* card = nullptr;
  std::string qr_text;    // what IssueCard returned
  std::string photo_png;  // the holder's photo as PNG bytes; empty draws a placeholder
};

inline constexpr double kCardWidthMm = 85.60;
inline constexpr double kCardHeightMm = 53.98;
inline constexpr int kCardDpi = 300;

// The QR area at the card's right, quiet zone included.
inline constexpr double kCardQrSideMm = 33.0;
// The smallest QR module the card prints: 4 pixels at 300 dpi. Phone cameras
// read such modules reliably from a printed card; 3 pixels (0.25 mm) is below
// what the guidance cited in docs/credentials.md ("QR budget") accepts. With
// it, kMaxCardQrVersion (card.h) is the largest version that fits the area.
inline constexpr double kMinCardQrModuleMm = 0.33;
// The side of one module of a QR code of `version` (1..40) as the PNG prints
// it: the area divided among the modules and the 4-module quiet zones, snapped
// down to whole pixels. (The PDF draws exact squares, never smaller.)
double CardQrModuleMm(int version);

// The smallest size (font size, mm) the card prints a variable field at:
// DejaVu Sans at 1.65 mm has an x-height of 0.9 mm, the floor EU Regulation
// 1169/2011 (article 13(3)) sets for mandatory text on small surfaces.
// Names and values start larger (name 2.6 mm, values 2.3 mm), wrap onto more
// lines and shrink down to this; what still does not fit is refused.
inline constexpr double kMinCardTextMm = 1.65;

// The card as PDF or PNG. InvalidArgument when
// - a printed field (name, registration_number, date_of_birth, nationality,
//   guardian, valid_until, issuer) does not fit its place even wrapped and at
//   kMinCardTextMm: the message names the field ("name: ...") and the status
//   carries it as kDetailField; nothing is ever clipped;
// - the QR text needs a version above kMaxCardQrVersion at M (its modules
//   would print smaller than kMinCardQrModuleMm);
// - the photo is not a readable PNG.
absl::StatusOr<std::string> RenderCardPdf(const CardArtwork& art);
absl::StatusOr<std::string> RenderCardPng(const CardArtwork& art);

// The characters of `text` (UTF-8) the card font has no glyph for; empty when
// all of it prints. Officers see these before a card prints with boxes.
std::string MissingGlyphs(std::string_view text);

namespace internal {
// One line of text as the card prints it. Coordinates are mm from the
// card's top-left corner; the box is the line's extent (ink and advance).
struct PrintedLine {
  std::string field;  // "name", "registration_number", ..., "footer", or "label"
  std::string text;
  double font_size = 0;  // mm
  bool bold = false;
  double x = 0, baseline = 0;
  double left = 0, top = 0, right = 0, bottom = 0;
};
struct CardTextLayout {
  std::vector<PrintedLine> lines;  // top to bottom within each column
  double qr_left = 0, qr_top = 0, qr_side = 0;
};
// Where every field's text goes on `card`: what RenderCardPdf/Png draw.
// Fails as they do for a field that does not fit.
absl::StatusOr<CardTextLayout> LayOutCardText(const Card& card);
}  // namespace internal

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_CARD_RENDER_H_
