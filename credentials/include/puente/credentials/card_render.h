// Print-ready cards: ID-1 format (85.60 x 53.98 mm, ISO/IEC 7810) as a
// vector PDF and as a 300 dpi PNG, drawn with cairo: photo, names (UTF-8:
// Spanish accents render with DejaVu Sans), registration number, status,
// validity and the QR code with its 4-module quiet zone.
#ifndef PUENTE_CREDENTIALS_CARD_RENDER_H_
#define PUENTE_CREDENTIALS_CARD_RENDER_H_

#include <string>
#include <string_view>

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

// InvalidArgument when the QR text does not fit version 40 or the photo is
// not a readable PNG.
absl::StatusOr<std::string> RenderCardPdf(const CardArtwork& art);
absl::StatusOr<std::string> RenderCardPng(const CardArtwork& art);

// The characters of `text` (UTF-8) the card font has no glyph for; empty when
// all of it prints. Officers see these before a card prints with boxes.
std::string MissingGlyphs(std::string_view text);

}  // namespace puente::credentials

#endif  // PUENTE_CREDENTIALS_CARD_RENDER_H_
