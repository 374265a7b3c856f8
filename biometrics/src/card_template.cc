#include "puente/biometrics/card_template.h"

#include <bit>
#include <cmath>
#include <numbers>

#include "absl/status/status.h"
#include "puente/crypto/mac.h"

namespace puente::biometrics {
namespace {

constexpr std::string_view kMagic("PFC\x01", 4);
constexpr size_t kTagSize = 4;

std::string ModelTag(const FaceTemplate& t) {
  return crypto::Sha256(t.model_id() + "/" + std::to_string(t.model_version())).substr(0, kTagSize);
}

std::string SignBits(const FaceTemplate& t) {
  const std::vector<float> v = t.ToFloat();
  std::string bits((v.size() + 7) / 8, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= 0) bits[i / 8] = static_cast<char>(bits[i / 8] | (1 << (i % 8)));
  }
  return bits;
}

absl::Status Bad(std::string_view why) {
  return absl::InvalidArgumentError("card template: " + std::string(why));
}

}  // namespace

CardTemplate CardTemplate::FromTemplate(const FaceTemplate& t) {
  CardTemplate c;
  c.model_tag_ = ModelTag(t);
  c.dim_ = t.dimension();
  c.bits_ = SignBits(t);
  return c;
}

absl::StatusOr<CardTemplate> CardTemplate::Parse(std::string_view b) {
  constexpr size_t kHeader = kMagic.size() + kTagSize + 2;
  if (b.size() < kHeader || b.substr(0, kMagic.size()) != kMagic) return Bad("bad header");
  CardTemplate c;
  c.model_tag_ = std::string(b.substr(kMagic.size(), kTagSize));
  c.dim_ = static_cast<uint8_t>(b[8]) | (static_cast<uint8_t>(b[9]) << 8);
  if (c.dim_ == 0 || c.dim_ > FaceTemplate::kMaxDimension) return Bad("dimension out of range");
  if (b.size() != kHeader + (static_cast<size_t>(c.dim_) + 7) / 8) return Bad("wrong length");
  c.bits_ = std::string(b.substr(kHeader));
  if (c.dim_ % 8 != 0 && (static_cast<uint8_t>(c.bits_.back()) >> (c.dim_ % 8)) != 0) {
    return Bad("padding bits set");
  }
  return c;
}

std::string CardTemplate::Serialize() const {
  std::string out(kMagic);
  out += model_tag_;
  out.push_back(static_cast<char>(dim_ & 0xff));
  out.push_back(static_cast<char>(dim_ >> 8));
  out += bits_;
  return out;
}

absl::StatusOr<float> CardTemplate::Similarity(const FaceTemplate& live) const {
  if (live.dimension() != dim_ || ModelTag(live) != model_tag_) {
    return absl::FailedPreconditionError(
        "card template: made by another face model; it cannot be compared");
  }
  const std::string other = SignBits(live);
  int hamming = 0;
  for (size_t i = 0; i < bits_.size(); ++i) {
    hamming += std::popcount(static_cast<unsigned>(static_cast<uint8_t>(bits_[i] ^ other[i])));
  }
  return static_cast<float>(std::cos(std::numbers::pi * hamming / dim_));
}

}  // namespace puente::biometrics
