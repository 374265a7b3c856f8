// Printing and reading cards: cairo PDF/PNG, libqrencode, zxing-cpp, with a
// real photo, and a phone-photo degradation that must still verify.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "biometrics/biometrics_test_support.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"

namespace puente::credentials {
namespace {

constexpr int64_t kNow = 1795363200;

std::string PhotoPng() {
  cv::Mat photo = cv::imread(testing::DevPhoto("Ashanti", 1));
  std::vector<uchar> png;
  cv::imencode(".png", photo, png);
  return std::string(png.begin(), png.end());
}

std::string ReadFromImage(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  auto text = ReadQr(gray.data, gray.cols, gray.rows, static_cast<int>(gray.step));
  return text.ok() ? *text : "";
}

class CardPrintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    issuer_ = *SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    hospital_ = *InstitutionKey::Generate();
    card_.type = CardType::kAsylumSeeker;
    card_.serial = 1234567;
    card_.issuer = "PA-ONPAR";
    card_.issued_at = card_.not_before = kNow;
    card_.expires_at = kNow + 365 * 86400;
    card_.holder.id = "ONP-2026-001234-5";
    card_.holder.full_name = "María José Núñez Peña";
    card_.holder.date_of_birth = "19900214";
    card_.holder.gender = 2;
    card_.holder.nationality = "VE";
    card_.holder.legal_status = "asylum-seeker";
    card_.entitlements = {{"asylum-application-active", kNow + 180 * 86400}};
    card_.sealed = SealedSection{std::string(74, '\x42'), "CPA-2026-000031", {}};
    qr_ = *IssueCard(card_, *issuer_, {{hospital_->kid(), hospital_->key().public_key()}});
    TrustList trust{1, kNow - 3600, kNow + 86400, {}};
    TrustedIssuer t;
    t.kid = issuer_->kid();
    t.public_key = issuer_->key().verifying_key().raw();
    t.name = "ONPAR";
    t.not_before = kNow - 86400;
    t.not_after = kNow + 86400;
    t.card_types = {CardType::kAsylumSeeker};
    trust.issuers.push_back(t);
    RevocationList revoked{1, kNow - 3600, kNow + 86400, {}};
    verifier_.emplace(*CardVerifier::Create(root_->key().verifying_key(),
                                            *SignTrustList(trust, *root_),
                                            *SignRevocationList(revoked, *root_)));
  }

  Card card_;
  std::string qr_;
  std::optional<SigningIdentity> root_, issuer_;
  std::optional<InstitutionKey> hospital_;
  std::optional<CardVerifier> verifier_;
};

TEST_F(CardPrintTest, UsualCardFitsVersion15AtM) {
  auto qr = EncodeQr(qr_, QrErrorCorrection::kM);
  ASSERT_TRUE(qr.ok());
  EXPECT_LE(qr->version, 15) << qr_.size() << " characters";
  EXPECT_EQ(qr->size, 17 + 4 * qr->version);
}

TEST_F(CardPrintTest, PngIsId1At300DpiAndItsQrReadsBack) {
  auto png = RenderCardPng({&card_, qr_, PhotoPng()});
  ASSERT_TRUE(png.ok()) << png.status();
  cv::Mat img = cv::imdecode(std::vector<uchar>(png->begin(), png->end()), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1011);  // 85.60 mm at 300 dpi
  EXPECT_EQ(img.rows, 638);   // 53.98 mm
  EXPECT_EQ(ReadFromImage(img), qr_);
  // The photo area is the photo, not the placeholder.
  cv::Scalar mean = cv::mean(img(cv::Rect(40, 140, 200, 250)));
  auto blank = RenderCardPng({&card_, qr_, ""});
  cv::Mat b = cv::imdecode(std::vector<uchar>(blank->begin(), blank->end()), cv::IMREAD_COLOR);
  EXPECT_GT(cv::norm(mean - cv::mean(b(cv::Rect(40, 140, 200, 250)))), 5.0);
}

TEST_F(CardPrintTest, PdfIsOneId1Page) {
  auto pdf = RenderCardPdf({&card_, qr_, PhotoPng()});
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  EXPECT_NE(pdf->find("/MediaBox [ 0 0 242.645669 153.014173 ]"), std::string::npos);
  EXPECT_NE(pdf->find("DejaVu"), std::string::npos);  // the font is embedded
  EXPECT_NE(pdf->rfind("%%EOF"), std::string::npos);
}

TEST_F(CardPrintTest, SpanishNamesHaveEveryGlyph) {
  EXPECT_EQ(MissingGlyphs("María José Núñez Peña · Ángeles Güell Ñáñez ¿¡"), "");
  EXPECT_EQ(MissingGlyphs("REPÚBLICA DE PANAMÁ Nº Válida"), "");
  EXPECT_EQ(MissingGlyphs("Núñez 中文"), "中文");  // no CJK in DejaVu Sans
}

TEST_F(CardPrintTest, RefusesBadPhotos) {
  EXPECT_EQ(RenderCardPng({&card_, qr_, "not a png"}).status().message(),
            "card: the photo is not a readable PNG");
}

// A phone photo of the printed card: smaller, rotated, seen at an angle,
// slightly blurred, JPEG-compressed. It must still read and verify.
TEST_F(CardPrintTest, DegradedPhotoStillReadsAndVerifies) {
  auto png = RenderCardPng({&card_, qr_, PhotoPng()});
  ASSERT_TRUE(png.ok());
  cv::Mat card = cv::imdecode(std::vector<uchar>(png->begin(), png->end()), cv::IMREAD_COLOR);
  // On a table: grey background around the card.
  cv::Mat scene(card.rows + 300, card.cols + 300, CV_8UC3, cv::Scalar(90, 100, 110));
  card.copyTo(scene(cv::Rect(150, 150, card.cols, card.rows)));
  cv::Mat rotated;
  cv::warpAffine(scene, rotated,
                 cv::getRotationMatrix2D(cv::Point2f(scene.cols / 2.f, scene.rows / 2.f), 4, 1.0),
                 scene.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const float w = rotated.cols, h = rotated.rows;
  std::vector<cv::Point2f> from{{0, 0}, {w, 0}, {w, h}, {0, h}};
  std::vector<cv::Point2f> to{{w * 0.04f, h * 0.03f}, {w * 0.97f, 0}, {w, h}, {0, h * 0.96f}};
  cv::Mat skewed;
  cv::warpPerspective(rotated, skewed, cv::getPerspectiveTransform(from, to), rotated.size(),
                      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat small;
  cv::resize(skewed, small, cv::Size(), 0.7, 0.7, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(0, 0), 0.8);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 60});
  cv::Mat photo = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  const std::string text = ReadFromImage(photo);
  ASSERT_EQ(text, qr_);
  auto r = verifier_->Verify(text, kNow + 60, &*hospital_);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.sealed_status, "opened");
}

TEST_F(CardPrintTest, NoQrInABlankImage) {
  cv::Mat blank(200, 200, CV_8UC1, cv::Scalar(255));
  EXPECT_TRUE(absl::IsNotFound(ReadQr(blank.data, 200, 200, 200).status()));
}

}  // namespace
}  // namespace puente::credentials
