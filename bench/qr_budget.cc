// The card's QR budget and the QR version of each card type at error
// correction M and Q, with the 74-byte card face template sealed to 0..3
// institutions (and 20, which issuance refuses). Prints the tables of
// docs/credentials.md, "QR budget":
//   build/bench/qr_budget
#include <cstdio>
#include <string>
#include <vector>

#include "puente/credentials/card.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/qr.h"

using namespace puente::credentials;

namespace {
constexpr int64_t kNow = 1795363200;
constexpr size_t kCardTemplateBytes = 74;  // biometrics::CardTemplate of a 512-d feature

enum class Name { kUsual, kLong, kVeryLong };
const char* NameLabel(Name n) {
  return n == Name::kUsual ? "usual" : n == Name::kLong ? "long" : "107";
}

Card Usual(CardType type, Name name) {
  Card c;
  c.type = type;
  c.serial = 1234567;
  c.issuer = "https://onpar.gob.pa";  // Claim 169 1.2.2: iss is a URI
  c.issued_at = kNow;
  c.not_before = kNow;
  c.expires_at = kNow + 365 * 86400;
  c.holder.id = "ONP-2026-001234-5";
  // Long names with accents and particles: the hard cases, not the average.
  switch (name) {
    case Name::kUsual:
      c.holder.full_name = "María José Núñez Peña";
      break;
    case Name::kLong:
      c.holder.full_name = "María Fernanda de los Ángeles Núñez Peña";
      break;
    case Name::kVeryLong:  // 107 characters
      c.holder.full_name =
          "María Fernanda de los Ángeles Guadalupe del Carmen Núñez Peña de Santamaría "
          "Rodríguez-Villanueva y Castillo";
      break;
  }
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
  std::printf("budget: version %d at M (%zu Base45 characters); a module prints at %.3f mm\n",
              kMaxCardQrVersion, kMaxCardQrChars, CardQrModuleMm(kMaxCardQrVersion));
  std::printf("(%.1f mm QR area with its quiet zone, 300 dpi, modules snapped to whole pixels)\n\n",
              kCardQrSideMm);
  std::printf("%-8s %-8s %-6s %s\n", "version", "modules", "px", "module mm");
  for (int v = 14; v <= 25; ++v) {
    std::printf("%-8d %-8d %-6.0f %.3f\n", v, 17 + 4 * v, CardQrModuleMm(v) * kCardDpi / 25.4,
                CardQrModuleMm(v));
  }
  std::printf("\n");

  auto issuer = *SigningIdentity::Generate(puente::crypto::SignatureAlgorithm::kEd25519);
  std::vector<InstitutionKey> institutions;
  for (int i = 0; i < 20; ++i) institutions.push_back(*InstitutionKey::Generate());
  std::printf("%-18s %-5s %-10s %6s %6s %5s %5s\n", "card", "name", "recipients", "chars", "bytes",
              "M", "Q");
  for (CardType type : {CardType::kAsylumSeeker, CardType::kRefugee, CardType::kBirthAttestation}) {
    for (Name name : {Name::kUsual, Name::kLong, Name::kVeryLong}) {
      // A birth attestation names a newborn: one row set.
      if (type == CardType::kBirthAttestation && name != Name::kUsual) continue;
      for (size_t n : {0, 1, 2, 3, 20}) {
        if (n == 20 && (type != CardType::kAsylumSeeker || name != Name::kUsual)) continue;
        Card c = Usual(type, name);
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
        const std::string label(CardTypeName(type));
        auto qr = IssueCard(c, issuer, to);
        if (!qr.ok()) {
          // The whole message once; then what it says it needs.
          std::string why(qr.status().message());
          if (n != 20) why = why.substr(0, why.find(", the budget"));
          std::printf("%-18s %-5s %-10zu refused: %s\n", label.c_str(), NameLabel(name), n,
                      why.c_str());
          continue;
        }
        std::printf("%-18s %-5s %-10zu %6zu %6zu %5d %5d\n", label.c_str(), NameLabel(name), n,
                    qr->size(), qr->size() * 2 / 3, EncodeQr(*qr, QrErrorCorrection::kM)->version,
                    EncodeQr(*qr, QrErrorCorrection::kQ)->version);
      }
    }
  }
}
