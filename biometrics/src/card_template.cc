#include "puente/biometrics/card_template.h"

#include <bit>
#include <cmath>
#include <numbers>

#include "absl/status/status.h"
#include "puente/common/strings.h"
#include "puente/crypto/mac.h"

namespace puente::biometrics {
namespace {

constexpr std::string_view kMagic("PFC\x01", 4);
constexpr std::string_view kMagicProjected("PFC\x02", 4);
constexpr size_t kTagSize = 4;
constexpr size_t kHeader = 4 + kTagSize + 2;

std::string ModelTag(std::string_view model_id, int version) {
  return crypto::Sha256(StrCat(model_id, "/", version)).substr(0, kTagSize);
}
std::string ModelTag(const FaceTemplate& t) { return ModelTag(t.model_id(), t.model_version()); }

void SetBit(std::string& bits, size_t i) {
  bits[i / 8] = static_cast<char>(bits[i / 8] | (1 << (i % 8)));
}

// One bit per dimension: the sign of each coordinate.
std::string SignBits(const std::vector<float>& v) {
  std::string bits((v.size() + 7) / 8, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= 0) SetBit(bits, i);
  }
  return bits;
}

// SplitMix64: a fixed, portable stream of pseudo-random bits (not a secret:
// the projection is public, like the model).
uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// kCardTemplateBits random-hyperplane bits of `v` (sign random projection
// with +-1 hyperplanes): for unit vectors at angle t, two bits differ with
// probability t / pi, so a 768-d template still fits the card's 64 bytes.
std::string ProjectedBits(const std::vector<float>& v) {
  std::string bits(kCardTemplateBits / 8, '\0');
  for (int i = 0; i < kCardTemplateBits; ++i) {
    double dot = 0;
    for (size_t j = 0; j < v.size(); j += 64) {
      const uint64_t r = SplitMix64((uint64_t(i) << 32) | j);
      for (size_t k = j; k < std::min(v.size(), j + 64); ++k) {
        dot += ((r >> (k - j)) & 1) ? v[k] : -v[k];
      }
    }
    if (dot >= 0) SetBit(bits, i);
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
  c.projected_ = t.dimension() > kCardTemplateBits;
  c.bits_ = c.projected_ ? ProjectedBits(t.ToFloat()) : SignBits(t.ToFloat());
  return c;
}

absl::StatusOr<CardTemplate> CardTemplate::Parse(std::string_view b) {
  if (b.size() < kHeader) return Bad("bad header");
  CardTemplate c;
  const std::string_view magic = b.substr(0, kMagic.size());
  if (magic == kMagicProjected) {
    c.projected_ = true;
  } else if (magic != kMagic) {
    return Bad("bad header");
  }
  c.model_tag_ = std::string(b.substr(kMagic.size(), kTagSize));
  c.dim_ = static_cast<uint8_t>(b[8]) | (static_cast<uint8_t>(b[9]) << 8);
  if (c.dim_ == 0 || c.dim_ > FaceTemplate::kMaxDimension) return Bad("dimension out of range");
  if (c.projected_ && c.dim_ <= kCardTemplateBits) return Bad("dimension out of range");
  const size_t bit_count = c.projected_ ? kCardTemplateBits : static_cast<size_t>(c.dim_);
  if (b.size() != kHeader + (bit_count + 7) / 8) return Bad("wrong length");
  c.bits_ = std::string(b.substr(kHeader));
  if (bit_count % 8 != 0 && (static_cast<uint8_t>(c.bits_.back()) >> (bit_count % 8)) != 0) {
    return Bad("padding bits set");
  }
  return c;
}

std::optional<TemplateSet> CardTemplate::template_set() const {
  for (const TemplateSetInfo& i : TemplateSets()) {
    if (ModelTag(i.model_id, i.version) == model_tag_ && i.dimension == dim_) return i.set;
  }
  return std::nullopt;
}

float CardTemplate::match_threshold() const {
  return projected_ ? kProjectedCardMatchThreshold : kCardMatchThreshold;
}

std::string CardTemplate::Serialize() const {
  std::string out(projected_ ? kMagicProjected : kMagic);
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
  const std::string other = projected_ ? ProjectedBits(live.ToFloat()) : SignBits(live.ToFloat());
  int hamming = 0;
  for (size_t i = 0; i < bits_.size(); ++i) {
    hamming += std::popcount(static_cast<unsigned>(static_cast<uint8_t>(bits_[i] ^ other[i])));
  }
  const int bit_count = projected_ ? kCardTemplateBits : dim_;
  return static_cast<float>(std::cos(std::numbers::pi * hamming / bit_count));
}

}  // namespace puente::biometrics
