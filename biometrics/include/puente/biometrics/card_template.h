// The face template printed (encrypted) on a card: one bit per dimension,
// the sign of the feature (SimHash), so a 512-d feature takes 64 bytes and
// the card's QR stays small. A verifier compares it with a live capture
// offline; the estimated cosine is cos(pi * hamming / dimension).
//
// Serialised form, strictly parsed (untrusted: it comes from a card):
//   "PFC" 0x01 | 4-byte model tag | u16 dimension (LE) | ceil(dim/8) bytes
// The model tag is the first 4 bytes of SHA-256(model id "/" version), so a
// card made with another model is refused, never scored.
#ifndef PUENTE_BIOMETRICS_CARD_TEMPLATE_H_
#define PUENTE_BIOMETRICS_CARD_TEMPLATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "puente/biometrics/face_template.h"

namespace puente::biometrics {

// 1:1 decision threshold on the estimated cosine for card templates against
// live captures, at a false-match rate of at most 1e-3 on the dev photos
// (docs/credentials.md, bench/card_template_calibration).
inline constexpr float kCardMatchThreshold = 0.38f;

class CardTemplate {
 public:
  static CardTemplate FromTemplate(const FaceTemplate& t);
  // InvalidArgument("card template: ...") for anything malformed.
  static absl::StatusOr<CardTemplate> Parse(std::string_view bytes);

  std::string Serialize() const;
  int dimension() const { return dim_; }

  // Estimated cosine between this card template and a live template.
  // FailedPrecondition if `live` comes from another model or dimension.
  absl::StatusOr<float> Similarity(const FaceTemplate& live) const;

 private:
  std::string model_tag_;  // 4 bytes
  int dim_ = 0;
  std::string bits_;
};

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_CARD_TEMPLATE_H_
