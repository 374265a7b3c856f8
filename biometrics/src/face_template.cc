#include "puente/biometrics/face_template.h"

#include <cmath>
#include <cstring>

#include "absl/status/status.h"
#include "puente/common/strings.h"

namespace puente::biometrics {
namespace {
constexpr std::string_view kMagic("PFT\x01", 4);

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void PutF32(std::string& out, float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
}
float GetF32(std::string_view b, size_t at) {
  uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u |= uint32_t(uint8_t(b[at + i])) << (8 * i);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
absl::Status Bad(std::string_view why) {
  return absl::InvalidArgumentError(StrCat("face template: ", why));
}
}  // namespace

float QuantizeInt8(std::span<const float> v, std::span<int8_t> q) {
  float max_abs = 0;
  for (float x : v) max_abs = std::max(max_abs, std::abs(x));
  const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
  const float inv = 1.0f / scale;
  for (size_t i = 0; i < v.size(); ++i) {
    const long r = std::lround(v[i] * inv);
    q[i] = static_cast<int8_t>(std::clamp<long>(r, -127, 127));
  }
  return scale;
}

absl::StatusOr<FaceTemplate> FaceTemplate::FromFeature(std::string model_id, int model_version,
                                                       std::span<const float> feature) {
  if (model_id.empty() || model_id.size() > 64) return Bad("model id must be 1 to 64 bytes");
  if (model_version < 0 || model_version > 0xFFFF) return Bad("model version out of range");
  if (feature.empty() || feature.size() > kMaxDimension) return Bad("dimension out of range");
  double norm2 = 0;
  for (float x : feature) {
    if (!std::isfinite(x)) return Bad("feature has a non-finite value");
    norm2 += double(x) * x;
  }
  if (norm2 <= 0) return Bad("feature is all zeros");
  const float inv = static_cast<float>(1.0 / std::sqrt(norm2));
  FaceTemplate t;
  t.model_id_ = std::move(model_id);
  t.model_version_ = model_version;
  t.quantization_ = Quantization::kFloat32;
  t.dim_ = static_cast<uint32_t>(feature.size());
  t.f_.resize(feature.size());
  for (size_t i = 0; i < feature.size(); ++i) t.f_[i] = feature[i] * inv;
  return t;
}

FaceTemplate FaceTemplate::ToInt8() const {
  if (quantization_ == Quantization::kInt8) return *this;
  FaceTemplate t = *this;
  t.quantization_ = Quantization::kInt8;
  t.q_.resize(dim_);
  t.scale_ = QuantizeInt8(f_, t.q_);
  t.f_.clear();
  return t;
}

std::vector<float> FaceTemplate::ToFloat() const {
  if (quantization_ == Quantization::kFloat32) return f_;
  std::vector<float> out(dim_);
  for (uint32_t i = 0; i < dim_; ++i) out[i] = q_[i] * scale_;
  return out;
}

std::string FaceTemplate::Serialize() const {
  std::string out(kMagic);
  out.push_back(static_cast<char>(model_id_.size()));
  out += model_id_;
  PutU16(out, static_cast<uint16_t>(model_version_));
  out.push_back(static_cast<char>(quantization_));
  PutU16(out, static_cast<uint16_t>(dim_));
  if (quantization_ == Quantization::kInt8) {
    PutF32(out, scale_);
    out.append(reinterpret_cast<const char*>(q_.data()), q_.size());
  } else {
    for (float f : f_) PutF32(out, f);
  }
  return out;
}

absl::StatusOr<FaceTemplate> FaceTemplate::Parse(std::string_view b) {
  if (b.size() < 5 || b.substr(0, 4) != kMagic) return Bad("not a puente face template");
  size_t at = 4;
  const size_t id_len = uint8_t(b[at++]);
  if (id_len == 0 || id_len > 64 || b.size() < at + id_len + 5) return Bad("truncated header");
  FaceTemplate t;
  t.model_id_ = std::string(b.substr(at, id_len));
  at += id_len;
  t.model_version_ = uint8_t(b[at]) | (uint8_t(b[at + 1]) << 8);
  at += 2;
  const uint8_t quant = uint8_t(b[at++]);
  t.dim_ = uint8_t(b[at]) | (uint8_t(b[at + 1]) << 8);
  at += 2;
  if (t.dim_ == 0 || t.dim_ > kMaxDimension) return Bad("dimension out of range");
  if (quant == static_cast<uint8_t>(Quantization::kFloat32)) {
    t.quantization_ = Quantization::kFloat32;
    if (b.size() != at + 4 * size_t(t.dim_)) return Bad("wrong length for float32 data");
    t.f_.resize(t.dim_);
    double norm2 = 0;
    for (uint32_t i = 0; i < t.dim_; ++i) {
      t.f_[i] = GetF32(b, at + 4 * i);
      if (!std::isfinite(t.f_[i])) return Bad("non-finite value");
      norm2 += double(t.f_[i]) * t.f_[i];
    }
    if (std::abs(norm2 - 1.0) > 1e-3) return Bad("vector is not unit length");
  } else if (quant == static_cast<uint8_t>(Quantization::kInt8)) {
    t.quantization_ = Quantization::kInt8;
    if (b.size() != at + 4 + size_t(t.dim_)) return Bad("wrong length for int8 data");
    t.scale_ = GetF32(b, at);
    if (!std::isfinite(t.scale_) || t.scale_ <= 0 || t.scale_ > 1) return Bad("bad int8 scale");
    at += 4;
    t.q_.resize(t.dim_);
    std::memcpy(t.q_.data(), b.data() + at, t.dim_);
    for (int8_t v : t.q_) {
      if (v == -128) return Bad("int8 value -128 is not allowed");
    }
  } else {
    return Bad("unknown quantisation");
  }
  return t;
}

absl::StatusOr<float> CosineSimilarity(const FaceTemplate& a, const FaceTemplate& b) {
  if (a.model_id() != b.model_id() || a.model_version() != b.model_version()) {
    return absl::FailedPreconditionError(
        StrCat("face templates come from different models (", a.model_id(), " v", a.model_version(),
               " and ", b.model_id(), " v", b.model_version(), "): they cannot be compared"));
  }
  if (a.dimension() != b.dimension()) {
    return absl::FailedPreconditionError("face templates have different dimensions");
  }
  const std::vector<float> x = a.ToFloat(), y = b.ToFloat();
  double dot = 0, nx = 0, ny = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    dot += double(x[i]) * y[i];
    nx += double(x[i]) * x[i];
    ny += double(y[i]) * y[i];
  }
  return static_cast<float>(dot / std::sqrt(nx * ny));
}

}  // namespace puente::biometrics
