#include "puente/biometrics/face_template.h"

#include <gtest/gtest.h>

#include <random>

namespace puente::biometrics {
namespace {

std::vector<float> RandomVector(int dim, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n;
  std::vector<float> v(dim);
  for (float& x : v) x = n(rng);
  return v;
}

FaceTemplate Make(const std::string& model = "fr_feature", int version = 1, unsigned seed = 1) {
  return *FaceTemplate::FromFeature(model, version, RandomVector(512, seed));
}

TEST(FaceTemplateTest, NormalisesAndRoundTripsBothEncodings) {
  const FaceTemplate t = Make();
  auto f = t.ToFloat();
  double n2 = 0;
  for (float x : f) n2 += x * x;
  EXPECT_NEAR(n2, 1.0, 1e-5);
  for (const FaceTemplate& form : {t, t.ToInt8()}) {
    const std::string bytes = form.Serialize();
    auto back = FaceTemplate::Parse(bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->Serialize(), bytes);
    EXPECT_EQ(back->quantization(), form.quantization());
    EXPECT_NEAR(*CosineSimilarity(*back, t), 1.0, 1e-3);
  }
  EXPECT_EQ(t.ToInt8().Serialize().size(), 4 + 1 + 10 + 2 + 1 + 2 + 4 + 512u);
}

TEST(FaceTemplateTest, DifferentModelsOrVersionsAreNeverCompared) {
  const FaceTemplate a = Make("fr_feature", 1), b = Make("sface_2021dec", 1),
                     c = Make("fr_feature", 2);
  EXPECT_EQ(CosineSimilarity(a, b).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CosineSimilarity(a, c).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CosineSimilarity(a, Make("fr_feature", 1, 2)).ok());
}

TEST(FaceTemplateTest, RejectsBadFeatures) {
  EXPECT_FALSE(FaceTemplate::FromFeature("m", 1, std::vector<float>(512, 0.0f)).ok());
  EXPECT_FALSE(FaceTemplate::FromFeature("m", 1, std::vector<float>{}).ok());
  EXPECT_FALSE(FaceTemplate::FromFeature("", 1, RandomVector(8, 1)).ok());
  auto v = RandomVector(8, 1);
  v[3] = std::nanf("");
  EXPECT_FALSE(FaceTemplate::FromFeature("m", 1, v).ok());
}

TEST(FaceTemplateTest, StrictParsing) {
  const std::string good = Make().ToInt8().Serialize();
  std::vector<std::string> bad = {"",
                                  "PFT",
                                  "XXXX" + good.substr(4),
                                  good + "x",
                                  good.substr(0, good.size() - 1),
                                  good.substr(0, 10)};
  std::string minus128 = good;
  minus128[good.size() - 1] = static_cast<char>(-128);
  bad.push_back(minus128);
  std::string bad_quant = good;
  bad_quant[4 + 1 + 10 + 2] = 7;
  bad.push_back(bad_quant);
  std::string zero_scale = good;
  for (int i = 0; i < 4; ++i) zero_scale[4 + 1 + 10 + 2 + 1 + 2 + i] = 0;
  bad.push_back(zero_scale);
  std::string not_unit = Make().Serialize();
  not_unit[not_unit.size() - 1] = 0x42;  // last component becomes ~50
  bad.push_back(not_unit);
  for (const auto& b : bad) {
    auto r = FaceTemplate::Parse(b);
    EXPECT_FALSE(r.ok()) << "accepted " << b.size() << " bytes";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace puente::biometrics
