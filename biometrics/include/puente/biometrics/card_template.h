// The face template printed (encrypted) on a card: 512 bits (64 bytes), so
// the card's QR stays small. A template of up to 512 dimensions keeps the
// sign of each coordinate; a longer one (the fused 768-d set) the signs of
// 512 fixed random projections (SimHash). A verifier compares it with a live
// capture offline; the estimated cosine is cos(pi * hamming / bits).
//
// Serialised form, strictly parsed (untrusted: it comes from a card):
//   "PFC" 0x01 | 4-byte model tag | u16 dimension (LE) | ceil(dim/8) bytes
//   "PFC" 0x02 | 4-byte model tag | u16 dimension (LE, > 512) | 64 bytes
// The model tag is the first 4 bytes of SHA-256(model id "/" version), so a
// card made with another model is refused, never scored.
#ifndef PUENTE_BIOMETRICS_CARD_TEMPLATE_H_
#define PUENTE_BIOMETRICS_CARD_TEMPLATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_capture.h"
#include "puente/biometrics/face_template.h"

namespace puente::biometrics {

// 1:1 decision threshold on the estimated cosine for card templates against
// live captures, at a false-match rate of at most 1e-3 on the dev photos
// (docs/credentials.md, bench/card_template_calibration).
inline constexpr float kCardMatchThreshold = 0.38f;
// The same for projected (fused-set) card templates: FMR 1e-3 on the
// scale set's studio photos (bench/face_score_study; 0.394 over all its
// photos, 0.377 on the dev photos).
inline constexpr float kProjectedCardMatchThreshold = 0.47f;
inline constexpr int kCardTemplateBits = 512;

class CardTemplate {
 public:
  static CardTemplate FromTemplate(const FaceTemplate& t);
  // InvalidArgument("card template: ...") for anything malformed.
  static absl::StatusOr<CardTemplate> Parse(std::string_view bytes);

  std::string Serialize() const;
  int dimension() const { return dim_; }  // of the template it was made from
  // The template set a live capture must use to be compared with this card
  // (none if the card's model is unknown here).
  std::optional<TemplateSet> template_set() const;
  // The 1:1 decision threshold on Similarity for this kind of card template.
  float match_threshold() const;

  // Estimated cosine between this card template and a live template.
  // FailedPrecondition if `live` comes from another model or dimension.
  absl::StatusOr<float> Similarity(const FaceTemplate& live) const;

 private:
  std::string model_tag_;  // 4 bytes
  int dim_ = 0;
  bool projected_ = false;
  std::string bits_;
};

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_CARD_TEMPLATE_H_
