// Untrusted QR text -> verdict: Base45, zlib or Brotli, CBOR, COSE, CWT,
// Claim 169, puente's card claims and the sealed section, through the offline
// verifier with an institution key (trusting a puente issuer and a foreign
// plain Claim 169 issuer with a declared kid), and through the plain Claim 169
// decoder.
// An input starting with '~' is taken as CWT claims (CBOR) and signed by the
// trusted issuer first, so the fuzzer reaches the claim parsers behind the
// signature check; with '^' the same, but signed by the foreign issuer with
// no kid and Brotli-compressed; with '!' the rest is the compressed payload
// itself (zlib or Brotli), Base45-encoded for it; with '%' the CWT claims are
// signed by a key trusted only through its certificate (x5chain) from the
// trust list's certificate authority.
#include <cstdint>
#include <string>

#include "fuzz_keys.h"
#include "puente/credentials/base45.h"
#include "puente/credentials/credential.h"
#include "puente/credentials/verifier.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/signature.h"

namespace {
using namespace puente;

struct Fixture {
  credentials::SigningIdentity root = fuzz::FixedIdentity('r');
  credentials::SigningIdentity issuer = fuzz::FixedIdentity('s');
  credentials::SigningIdentity foreign = fuzz::FixedIdentity('f');
  credentials::SigningIdentity certified = fuzz::FixedIdentity('x');
  std::string leaf_certificate = *crypto::HexDecode(fuzz::kFuzzLeafCertificateHex);
  credentials::InstitutionKey institution = fuzz::FixedInstitution();
  std::optional<credentials::CardVerifier> verifier;
  Fixture() {
    credentials::TrustedIssuer t;
    t.kid = issuer.kid();
    t.public_key = issuer.key().verifying_key().raw();
    t.name = "fuzz";
    t.not_before = 0;
    t.not_after = 4102444800;
    t.card_types = {credentials::CardType::kAsylumSeeker, credentials::CardType::kRefugee,
                    credentials::CardType::kBirthAttestation};
    credentials::TrustedIssuer foreign_entry = t;
    foreign_entry.kid = "foreign-issuer-key-1";
    foreign_entry.public_key = foreign.key().verifying_key().raw();
    foreign_entry.card_types = {};
    foreign_entry.plain_claim169 = true;
    credentials::TrustedIssuer ca_entry = foreign_entry;
    ca_entry.kid = "fuzz-ca";
    ca_entry.ca_certificate = *crypto::HexDecode(fuzz::kFuzzCaCertificateHex);
    ca_entry.public_key = crypto::CertificateKey(ca_entry.ca_certificate)->raw();
    credentials::TrustList trust{1, 1700000000, 4102444800, {t, foreign_entry, ca_entry}};
    credentials::RevocationList revoked{1, 1700000000, 4102444800, {5}};
    verifier.emplace(*credentials::CardVerifier::Create(
        root.key().verifying_key(), *credentials::SignTrustList(trust, root),
        *credentials::SignRevocationList(revoked, root)));
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text[0] == '~') {
    auto signed_text =
        credentials::EncodeSignedCredential(text.substr(1), f.issuer.key(), f.issuer.kid());
    if (!signed_text.ok()) return 0;
    text = *signed_text;
  } else if (!text.empty() && text[0] == '^') {
    auto signed_text = credentials::EncodeSignedCredential(text.substr(1), f.foreign.key(), "");
    if (!signed_text.ok()) return 0;
    auto cose = crypto::ZlibDecompress(*credentials::Base45Decode(*signed_text), 1 << 20);
    if (!cose.ok()) return 0;
    text = credentials::Base45Encode(crypto::BrotliCompress(*cose));
  } else if (!text.empty() && text[0] == '%') {
    auto signed_text = credentials::EncodeSignedCredential(text.substr(1), f.certified.key(),
                                                           "leaf", {f.leaf_certificate});
    if (!signed_text.ok()) return 0;
    text = *signed_text;
  } else if (!text.empty() && text[0] == '!') {
    text = credentials::Base45Encode(text.substr(1));
  }
  const auto r = f.verifier->Verify(text, 1795363200, &f.institution);
  if (r.verdict == credentials::Verdict::kValid && (!r.card || !r.signature_verified)) {
    __builtin_trap();
  }
  credentials::DecodeOptions plain;
  plain.now = 1795363200;
  (void)credentials::DecodeCredential(text, plain);
  return 0;
}
