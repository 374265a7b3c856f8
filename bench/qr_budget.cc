// QR version of each card type at error correction M and Q, with the
// 74-byte card face template sealed to 0..3 institutions. Prints the table
// of docs/credentials.md:
//   build/bench/qr_budget
#include <cstdio>

#include "puente/credentials/card.h"
#include "puente/credentials/qr.h"

using namespace puente::credentials;

namespace {
constexpr int64_t kNow = 1795363200;
constexpr size_t kCardTemplateBytes = 74;  // biometrics::CardTemplate of a 512-d feature

Card Usual(CardType type, bool long_name) {
  Card c;
  c.type = type;
  c.serial = 1234567;
  c.issuer = "PA-ONPAR";
  c.issued_at = kNow;
  c.not_before = kNow;
  c.expires_at = kNow + 365 * 86400;
  // A long name with accents and particles: the hard case, not the average.
  c.holder.id = "ONP-2026-001234-5";
  c.holder.full_name =
      long_name ? "María Fernanda de los Ángeles Núñez Peña" : "María José Núñez Peña";
  c.holder.date_of_birth = "19900214";
  c.holder.gender = 2;
  c.holder.nationality = "VE";
  c.holder.legal_status = std::string(CardTypeName(type));
  if (type == CardType::kBirthAttestation) {
    c.holder.full_name = "Ana Lucía Núñez Pérez";
    c.holder.date_of_birth = "20261120";
    c.holder.guardian = "ONP-2026-001234-5";
    c.holder.location_code = "PA-5";  // Darién
  } else {
    c.entitlements = {{"asylum-application-active", kNow + 180 * 86400}};
  }
  return c;
}
}  // namespace

int main() {
  auto issuer = *SigningIdentity::Generate(puente::crypto::SignatureAlgorithm::kEd25519);
  std::vector<InstitutionKey> institutions;
  for (int i = 0; i < 3; ++i) institutions.push_back(*InstitutionKey::Generate());
  std::printf("%-18s %-5s %-10s %6s %6s %5s %5s\n", "card", "name", "recipients", "chars", "bytes",
              "M", "Q");
  for (CardType type : {CardType::kAsylumSeeker, CardType::kRefugee, CardType::kBirthAttestation}) {
    for (bool long_name : {false, true})
      for (size_t n = 0; n <= institutions.size(); ++n) {
        Card c = Usual(type, long_name);
        std::vector<Recipient> to;
        if (n > 0) {
          // A newborn's face is not matchable later: birth attestations seal
          // only the case number.
          const size_t tmpl = type == CardType::kBirthAttestation ? 0 : kCardTemplateBytes;
          c.sealed = SealedSection{std::string(tmpl, '\x5a'), "CPA-2026-000031", {}};
          for (size_t i = 0; i < n; ++i) {
            to.push_back({institutions[i].kid(), institutions[i].key().public_key()});
          }
        }
        auto qr = IssueCard(c, issuer, to);
        if (!qr.ok()) return 1;
        std::printf("%-18s %-5s %-10zu %6zu %6zu %5d %5d\n",
                    std::string(CardTypeName(type)).c_str(), long_name ? "long" : "usual", n,
                    qr->size(), qr->size() * 2 / 3, EncodeQr(*qr, QrErrorCorrection::kM)->version,
                    EncodeQr(*qr, QrErrorCorrection::kQ)->version);
      }
  }
}
