// Printing and reading cards: cairo PDF/PNG, libqrencode, zxing-cpp, with a
// real photo, and a phone-photo degradation that must still verify.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "biometrics/biometrics_test_support.h"
#include "puente/common/error_detail.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"

namespace puente::credentials {
namespace {

constexpr int64_t kNow = 1795363200;
// 107 characters, accents, particles and a hyphen.
constexpr char kVeryLongName[] =
    "María Fernanda de los Ángeles Guadalupe del Carmen Núñez Peña de Santamaría "
    "Rodríguez-Villanueva y Castillo";

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The lines of `field`, joined back as they read: a line ending in a hyphen
// continues the word on the next.
std::string Joined(const internal::CardTextLayout& layout, const std::string& field) {
  std::string out;
  for (const auto& l : layout.lines) {
    if (l.field != field) continue;
    if (!out.empty() && out.back() != '-') out += ' ';
    out += l.text;
  }
  return out;
}

// Every line on the card, left of the QR area, clear of every other line,
// and no smaller than the legible minimum unless it is a fixed label.
void ExpectPrintedWhole(const internal::CardTextLayout& layout) {
  for (size_t i = 0; i < layout.lines.size(); ++i) {
    const auto& a = layout.lines[i];
    EXPECT_GE(a.left, 0) << a.text;
    EXPECT_GE(a.top, 8.5) << a.text;  // below the header band
    EXPECT_LE(a.right, layout.qr_left) << a.field << ": " << a.text;
    EXPECT_LE(a.bottom, kCardHeightMm) << a.text;
    if (a.field != "label") {
      EXPECT_GE(a.font_size, kMinCardTextMm - 1e-9) << a.text;
    }
    for (size_t j = i + 1; j < layout.lines.size(); ++j) {
      const auto& b = layout.lines[j];
      const bool apart =
          a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      EXPECT_TRUE(apart) << "\"" << a.text << "\" overlaps \"" << b.text << "\"";
    }
  }
}

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

// A phone photo of the printed card: on a table, rotated 4°, seen at an
// angle, scaled by `scale`, blurred (σ `blur` px), JPEG quality 60; the QR
// text read from it ("" when none reads).
std::string PhotographedQr(const std::string& png_bytes, double scale, double blur) {
  cv::Mat card =
      cv::imdecode(std::vector<uchar>(png_bytes.begin(), png_bytes.end()), cv::IMREAD_COLOR);
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
  cv::resize(skewed, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(0, 0), blur);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 60});
  cv::Mat out = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  return ReadFromImage(out);
}

class CardPrintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    issuer_ = *SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
    hospital_ = *InstitutionKey::Generate();
    card_.type = CardType::kAsylumSeeker;
    card_.serial = 1234567;
    card_.issuer = "https://onpar.gob.pa";
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

// One institution, the face template, a name of usual length: version 16.
TEST_F(CardPrintTest, UsualCardFitsVersion16AtM) {
  auto qr = EncodeQr(qr_, kCardQrErrorCorrection);
  ASSERT_TRUE(qr.ok());
  EXPECT_LE(qr->version, 16) << qr_.size() << " characters";
  EXPECT_EQ(qr->size, 17 + 4 * qr->version);
}

// The budget is the largest version whose modules print at 4 pixels
// (0.34 mm); its character count is what that version holds at M.
TEST_F(CardPrintTest, QrBudgetIsTheLargestVersionWithLegibleModules) {
  EXPECT_GE(CardQrModuleMm(kMaxCardQrVersion), kMinCardQrModuleMm);
  EXPECT_NEAR(CardQrModuleMm(kMaxCardQrVersion), 4 * 25.4 / kCardDpi, 1e-9);
  EXPECT_LT(CardQrModuleMm(kMaxCardQrVersion + 1), kMinCardQrModuleMm);
  EXPECT_EQ(EncodeQr(std::string(kMaxCardQrChars, 'A'), kCardQrErrorCorrection)->version,
            kMaxCardQrVersion);
  EXPECT_EQ(EncodeQr(std::string(kMaxCardQrChars + 1, 'A'), kCardQrErrorCorrection)->version,
            kMaxCardQrVersion + 1);
}

// 20 institutions would need version 40 with 1-pixel modules: refused, with
// what to drop.
TEST_F(CardPrintTest, TwentyRecipientsAreRefusedWithWhatToDrop) {
  std::vector<Recipient> to;
  for (int i = 0; i < 20; ++i) {
    auto k = InstitutionKey::Generate();
    to.push_back({k->kid(), k->key().public_key()});
  }
  auto qr = IssueCard(card_, *issuer_, to);
  ASSERT_TRUE(absl::IsInvalidArgument(qr.status())) << qr.status();
  EXPECT_THAT(std::string(qr.status().message()),
              ::testing::MatchesRegex(
                  "card: the QR needs version 40 at M \\([0-9]+ characters\\), the budget is "
                  "version 18 \\(816 characters\\): drop sealed-section recipients \\(20 given; "
                  "each costs ~93 bytes\\) or entitlements \\(1 given\\)"));
  EXPECT_EQ(DetailOf(qr.status(), kDetailReason), "card.qr_over_budget");
  // Three are refused too; the budget holds one with the face template.
  to.resize(3);
  EXPECT_THAT(std::string(IssueCard(card_, *issuer_, to).status().message()),
              ::testing::HasSubstr("drop sealed-section recipients (3 given;"));
  to.resize(1);
  EXPECT_TRUE(IssueCard(card_, *issuer_, to).ok());
  // Nothing to drop: the message says what is too long.
  Card bare = card_;
  bare.sealed.reset();
  bare.entitlements.clear();
  std::string letters;  // barely compressible
  for (uint32_t i = 0, x = 1; i < 800; ++i, x = x * 1103515245 + 12345) {
    letters += static_cast<char>('a' + (x >> 16) % 26);
  }
  bare.holder.full_name = letters;
  EXPECT_THAT(
      std::string(IssueCard(bare, *issuer_).status().message()),
      ::testing::EndsWith(": the holder's claims alone are too long (name 800 characters)"));
}

// The renderer holds the budget too: a QR text past it never prints with
// modules phones cannot read.
TEST_F(CardPrintTest, RendererRefusesAQrPastTheBudget) {
  auto png = RenderCardPng({&card_, std::string(kMaxCardQrChars + 1, 'A'), ""});
  ASSERT_TRUE(absl::IsInvalidArgument(png.status()));
  EXPECT_EQ(png.status().message(),
            "card: the QR needs version 19 at M, the budget is version 18 (its modules would "
            "print at 0.25 mm)");
}

// A 107-character name wraps onto more lines and shrinks no further than
// the legible minimum: every word is laid out, inside the card, clear of the
// QR and of every other line; the card still prints, its QR still reads, and
// the QR, with the face template sealed to one institution, fits the budget.
TEST_F(CardPrintTest, VeryLongNameWrapsAndEveryWordPrints) {
  card_.holder.full_name = kVeryLongName;
  size_t chars = 0;
  for (unsigned char c : std::string(kVeryLongName)) chars += (c & 0xc0) != 0x80;
  ASSERT_EQ(chars, 107u);
  auto layout = internal::LayOutCardText(card_);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(Words(Joined(*layout, "name")), Words(kVeryLongName));
  size_t name_lines = 0;
  for (const auto& l : layout->lines) name_lines += l.field == "name";
  EXPECT_GE(name_lines, 3u);
  ExpectPrintedWhole(*layout);
  EXPECT_EQ(Joined(*layout, "registration_number"), "ONP-2026-001234-5");
  EXPECT_EQ(Joined(*layout, "nationality"), "VE");
  EXPECT_NE(Joined(*layout, "footer").find("1234567"), std::string::npos);
  EXPECT_NE((Joined(*layout, "footer") + Joined(*layout, "issuer")).find("https://onpar.gob.pa"),
            std::string::npos);

  auto qr = IssueCard(card_, *issuer_, {{hospital_->kid(), hospital_->key().public_key()}});
  ASSERT_TRUE(qr.ok()) << qr.status();
  auto png = RenderCardPng({&card_, *qr, PhotoPng()});
  ASSERT_TRUE(png.ok()) << png.status();
  cv::Mat img = cv::imdecode(std::vector<uchar>(png->begin(), png->end()), cv::IMREAD_COLOR);
  EXPECT_EQ(ReadFromImage(img), *qr);
  ASSERT_TRUE(RenderCardPdf({&card_, *qr, PhotoPng()}).ok());
}

// A name of usual length prints at full size, broken between words.
TEST_F(CardPrintTest, UsualNamePrintsAtFullSize) {
  auto layout = internal::LayOutCardText(card_);
  ASSERT_TRUE(layout.ok()) << layout.status();
  std::vector<internal::PrintedLine> name;
  for (const auto& l : layout->lines) {
    if (l.field == "name") name.push_back(l);
  }
  ASSERT_EQ(name.size(), 2u);
  EXPECT_EQ(name[0].text, "María José");
  EXPECT_EQ(name[1].text, "Núñez Peña");
  EXPECT_DOUBLE_EQ(name[0].font_size, 2.6);
  EXPECT_DOUBLE_EQ(name[1].font_size, 2.6);
  // The registration number shrinks on one line rather than break.
  EXPECT_EQ(Joined(*layout, "registration_number"), "ONP-2026-001234-5");
  for (const auto& l : layout->lines) {
    if (l.field == "registration_number") {
      EXPECT_EQ(l.text, "ONP-2026-001234-5");
    }
  }
  ExpectPrintedWhole(*layout);
}

// What cannot fit even wrapped at the smallest legible size is refused,
// naming the field; nothing is clipped.
TEST_F(CardPrintTest, FieldsThatCannotFitAreRefusedByName) {
  struct Case {
    std::string field;
    void (*set)(Card&);
    std::string message_start;
  };
  const std::vector<Case> cases = {
      {"name",
       [](Card& c) {
         c.holder.full_name =
             std::string(kVeryLongName) + " " + kVeryLongName + " " + kVeryLongName;
       },
       "name: 323 characters do not fit on the printed card even wrapped and at the smallest "
       "legible size (1.65 mm)"},
      {"name", [](Card& c) { c.holder.full_name = "Ana " + std::string(40, 'W'); },
       "name: \"" + std::string(40, 'W') + "\" is too wide to print on the card"},
      {"nationality",
       [](Card& c) {
         c.holder.nationality =
             "Nacionalidad de un país cuyo nombre oficial es largo en extremo, "
             "con varias palabras más de las que caben";
       },
       "nationality: "},
      {"guardian",
       [](Card& c) {
         c.type = CardType::kBirthAttestation;
         c.holder.guardian = std::string(kVeryLongName) + " " + kVeryLongName + " (madre)";
       },
       "guardian: "},
      {"issuer", [](Card& c) { c.issuer = "https://" + std::string(120, 'x') + ".gob.pa"; },
       "issuer: "},
  };
  for (const Case& c : cases) {
    Card card = card_;
    c.set(card);
    auto png = RenderCardPng({&card, qr_, ""});
    ASSERT_TRUE(absl::IsInvalidArgument(png.status())) << c.field << ": " << png.status();
    EXPECT_THAT(std::string(png.status().message()), ::testing::StartsWith(c.message_start));
    EXPECT_EQ(DetailOf(png.status(), kDetailField), c.field);
    EXPECT_FALSE(RenderCardPdf({&card, qr_, ""}).ok());
  }
}

// Longer values than the usual wrap or shrink and print whole: a
// nationality in words, a guardian's name, an issuer URI of its own line.
TEST_F(CardPrintTest, LongerFieldsWrapOrShrinkAndPrintWhole) {
  card_.holder.nationality = "Venezuela (República Bolivariana de)";
  card_.issuer = "https://registro.onpar.gob.pa/emision/oficinas";
  auto layout = internal::LayOutCardText(card_);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(Joined(*layout, "nationality"), "Venezuela (República Bolivariana de)");
  EXPECT_EQ(Joined(*layout, "issuer"), card_.issuer);
  ExpectPrintedWhole(*layout);

  Card birth = card_;
  birth.type = CardType::kBirthAttestation;
  // As births.cc writes it: full name, role, registration number.
  birth.holder.guardian = "María Fernanda de los Ángeles Núñez Peña (madre, ONP-2026-001234-5)";
  layout = internal::LayOutCardText(birth);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(Joined(*layout, "guardian"), *birth.holder.guardian);
  ExpectPrintedWhole(*layout);
  // A mother with a 107-character name: her line shrinks and wraps further
  // and the child's name still prints.
  birth.holder.guardian = std::string(kVeryLongName) + " (madre, ONP-2026-001234-5)";
  birth.holder.full_name = "Ana Lucía Núñez Pérez";
  layout = internal::LayOutCardText(birth);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(Joined(*layout, "guardian"), *birth.holder.guardian);
  EXPECT_EQ(Joined(*layout, "name"), "Ana Lucía Núñez Pérez");
  ExpectPrintedWhole(*layout);
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

// A phone photo of the printed card: smaller (2.8 pixels per module),
// rotated, seen at an angle, slightly blurred, JPEG-compressed. It must
// still read and verify.
TEST_F(CardPrintTest, DegradedPhotoStillReadsAndVerifies) {
  auto png = RenderCardPng({&card_, qr_, PhotoPng()});
  ASSERT_TRUE(png.ok());
  const std::string text = PhotographedQr(*png, 0.7, 0.8);
  ASSERT_EQ(text, qr_);
  auto r = verifier_->Verify(text, kNow + 60, &*hospital_);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.reason;
  EXPECT_EQ(r.sealed_status, "opened");
}

// The same photo of a card at the budget's version: its modules print as
// large as a smaller card's, so it reads as well.
TEST_F(CardPrintTest, DegradedPhotoOfACardAtTheBudgetStillReads) {
  card_.holder.full_name = std::string(kVeryLongName) + " de la Torre";
  auto qr = IssueCard(card_, *issuer_, {{hospital_->kid(), hospital_->key().public_key()}});
  ASSERT_TRUE(qr.ok()) << qr.status();
  ASSERT_EQ(EncodeQr(*qr, kCardQrErrorCorrection)->version, kMaxCardQrVersion);
  auto png = RenderCardPng({&card_, *qr, PhotoPng()});
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(PhotographedQr(*png, 0.7, 0.8), *qr);
}

TEST_F(CardPrintTest, NoQrInABlankImage) {
  cv::Mat blank(200, 200, CV_8UC1, cv::Scalar(255));
  EXPECT_TRUE(absl::IsNotFound(ReadQr(blank.data, 200, 200, 200).status()));
}

}  // namespace
}  // namespace puente::credentials
