// Signatures and card verification per second on this machine, to set next
// to `openssl speed -seconds 3 ed25519 ecdsap256` (docs/credentials.md), and
// the median time from a phone photo of a card to a verdict.
//   build/bench/credential_bench [CARD_PHOTO.jpg]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "puente/credentials/card_render.h"
#include "puente/credentials/qr.h"
#include "puente/credentials/verifier.h"

using namespace puente;
using Clock = std::chrono::steady_clock;

namespace {

// Calls `f` for about `seconds`; returns calls per second.
double Rate(const std::function<void()>& f, double seconds = 2.0) {
  long n = 0;
  const auto start = Clock::now();
  std::chrono::duration<double> elapsed{};
  do {
    for (int i = 0; i < 16; ++i) f();
    n += 16;
    elapsed = Clock::now() - start;
  } while (elapsed.count() < seconds);
  return n / elapsed.count();
}

constexpr int64_t kNow = 1795363200;

}  // namespace

int main(int argc, char** argv) {
  const std::string msg(100, 'x');  // about a Sig_structure's size
  for (auto alg : {crypto::SignatureAlgorithm::kEd25519, crypto::SignatureAlgorithm::kEs256}) {
    auto key = *crypto::SigningKey::Generate(alg);
    const std::string sig = *key.Sign(msg);
    const double sign = Rate([&] { (void)key.Sign(msg); });
    const double verify = Rate([&] { (void)key.verifying_key().Verify(msg, sig); });
    std::printf("%-8s sign %9.0f/s   verify %9.0f/s\n",
                std::string(crypto::SignatureAlgorithmName(alg)).c_str(), sign, verify);
  }

  auto root = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto issuer = *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto hospital = *credentials::InstitutionKey::Generate();
  credentials::TrustedIssuer t;
  t.kid = issuer.kid();
  t.public_key = issuer.key().verifying_key().raw();
  t.name = "bench";
  t.not_before = kNow - 86400;
  t.not_after = kNow + 86400;
  t.card_types = {credentials::CardType::kAsylumSeeker};
  std::vector<uint64_t> revoked;
  for (uint64_t s = 10; s < 1000000; s += 10) revoked.push_back(s);  // 100,000 revoked
  auto verifier = *credentials::CardVerifier::Create(
      root.key().verifying_key(),
      *credentials::SignTrustList({1, kNow - 60, kNow + 86400, {t}}, root),
      *credentials::SignRevocationList({1, kNow - 60, kNow + 86400, revoked}, root));
  credentials::Card card;
  card.serial = 1234567;
  card.issuer = "PA-ONPAR";
  card.issued_at = card.not_before = kNow;
  card.expires_at = kNow + 365 * 86400;
  card.holder.id = "ONP-2026-001234-5";
  card.holder.full_name = "María José Núñez Peña";
  card.holder.date_of_birth = "19900214";
  card.entitlements = {{"asylum-application-active", kNow + 180 * 86400}};
  card.sealed = credentials::SealedSection{std::string(74, 'x'), "CPA-2026-000031", {}};
  const std::vector<credentials::Recipient> to{{hospital.kid(), hospital.key().public_key()}};
  const std::string qr = *credentials::IssueCard(card, issuer, to);
  // Revocation list sizes at national scale.
  std::mt19937_64 rng(169);
  for (auto [issued, revoked_count] :
       {std::pair<uint64_t, size_t>{1000000, 10000}, std::pair<uint64_t, size_t>{1000000, 100000},
        std::pair<uint64_t, size_t>{5000000, 250000}}) {
    std::vector<uint64_t> serials;
    std::uniform_int_distribution<uint64_t> pick(1, issued);
    for (size_t i = 0; i < revoked_count; ++i) serials.push_back(pick(rng));
    const std::string list =
        *credentials::SignRevocationList({1, kNow, kNow + 86400, serials}, root);
    std::printf("revocation list: %zu random of %lu cards -> %zu bytes signed\n", revoked_count,
                static_cast<unsigned long>(issued), list.size());
  }
  std::printf("card issue (sign + seal)          %9.0f/s\n",
              Rate([&] { (void)credentials::IssueCard(card, issuer, to); }));
  std::printf("card verify, QR text -> verdict   %9.0f/s\n",
              Rate([&] { (void)verifier.Verify(qr, kNow); }));
  std::printf("  ... and open the sealed section %9.0f/s\n",
              Rate([&] { (void)verifier.Verify(qr, kNow, &hospital); }));

  // Photo -> verdict: a photo given on the command line, else the card's own
  // PNG degraded like a phone photo.
  cv::Mat photo;
  if (argc > 1) {
    photo = cv::imread(argv[1]);
  } else {
    const std::string png = *credentials::RenderCardPng({&card, qr, ""});
    cv::Mat img = cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_COLOR);
    cv::Mat scene(img.rows + 400, img.cols + 400, CV_8UC3, cv::Scalar(90, 100, 110));
    img.copyTo(scene(cv::Rect(200, 200, img.cols, img.rows)));
    cv::warpAffine(scene, scene,
                   cv::getRotationMatrix2D({scene.cols / 2.f, scene.rows / 2.f}, 5, 1),
                   scene.size());
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", scene, jpeg, {cv::IMWRITE_JPEG_QUALITY, 70});
    photo = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  }
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    const auto start = Clock::now();
    cv::Mat gray;
    cv::cvtColor(photo, gray, cv::COLOR_BGR2GRAY);
    auto text = credentials::ReadQr(gray.data, gray.cols, gray.rows, static_cast<int>(gray.step));
    if (!text.ok()) {
      std::printf("photo: no QR found\n");
      return 1;
    }
    const auto r = verifier.Verify(*text, kNow, &hospital);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (r.verdict != credentials::Verdict::kValid && argc == 1) return 1;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("photo (%dx%d) -> verdict: median %.1f ms, p90 %.1f ms\n", photo.cols, photo.rows,
              ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
}
