// A face template: the L2-normalised feature vector of one face, tagged with
// the model that made it.
//
// Templates of different models (or model versions) live in different
// spaces: comparing them is an error (FailedPrecondition), never a score.
// Two encodings: float32 (exact) and int8 (symmetric per-template scale,
// values in [-127, 127]; 512 + 4 bytes for a 512-d feature), for galleries
// and cards.
//
// Serialised form (little endian), strictly parsed:
//   "PFT" 0x01 | u8 id length | model id | u16 model version | u8 quantisation
//   (1 float32, 2 int8) | u16 dimension | [f32 scale, int8 only] | data
#ifndef PUENTE_BIOMETRICS_FACE_TEMPLATE_H_
#define PUENTE_BIOMETRICS_FACE_TEMPLATE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace puente::biometrics {

enum class Quantization : uint8_t { kFloat32 = 1, kInt8 = 2 };

class FaceTemplate {
 public:
  static constexpr int kMaxDimension = 4096;

  // Normalises `feature` to unit length. InvalidArgument for an empty,
  // oversized, zero or non-finite vector or an empty/long model id.
  static absl::StatusOr<FaceTemplate> FromFeature(std::string model_id, int model_version,
                                                  std::span<const float> feature);
  // Strict parse of Serialize()'s output (untrusted input: cards, sync bundles).
  static absl::StatusOr<FaceTemplate> Parse(std::string_view bytes);

  std::string Serialize() const;
  // The int8 form of this template (a copy if already int8).
  FaceTemplate ToInt8() const;
  // The vector as floats (dequantised for int8).
  std::vector<float> ToFloat() const;

  const std::string& model_id() const { return model_id_; }
  int model_version() const { return model_version_; }
  Quantization quantization() const { return quantization_; }
  int dimension() const { return static_cast<int>(dim_); }
  float int8_scale() const { return scale_; }
  std::span<const int8_t> int8_values() const { return q_; }

 private:
  FaceTemplate() = default;
  std::string model_id_;
  int model_version_ = 0;
  Quantization quantization_ = Quantization::kFloat32;
  uint32_t dim_ = 0;
  std::vector<float> f_;
  std::vector<int8_t> q_;
  float scale_ = 0;
};

// Symmetric int8 quantisation of `v`: returns the scale s with v ~ s*q.
float QuantizeInt8(std::span<const float> v, std::span<int8_t> q);

// Cosine similarity in [-1, 1]. FailedPrecondition if the templates come from
// different models, versions or dimensions.
absl::StatusOr<float> CosineSimilarity(const FaceTemplate& a, const FaceTemplate& b);

}  // namespace puente::biometrics

#endif  // PUENTE_BIOMETRICS_FACE_TEMPLATE_H_
