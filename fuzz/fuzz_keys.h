// Fixed keys for the credential fuzz targets, so that corpus entries signed
// with them stay valid between runs. Test keys only: never used elsewhere.
#ifndef PUENTE_FUZZ_FUZZ_KEYS_H_
#define PUENTE_FUZZ_FUZZ_KEYS_H_

#include <string>

#include "puente/credentials/keys.h"

namespace puente::fuzz {

inline credentials::SigningIdentity FixedIdentity(char fill) {
  return credentials::SigningIdentity(*crypto::SigningKey::FromRawPrivate(
      crypto::SignatureAlgorithm::kEd25519, std::string(32, fill),
      crypto::InsecureSecretKeyAccess::Get()));
}

inline credentials::InstitutionKey FixedInstitution() {
  return credentials::InstitutionKey(*crypto::HpkePrivateKey::FromRaw(
      std::string(32, 'i'), crypto::InsecureSecretKeyAccess::Get()));
}

// A certificate authority (Ed25519, valid to 2126, made with the openssl
// command) and the certificate it issued for FixedIdentity('x')'s key, both
// DER in hex: the x5chain path of the card verifier.
inline constexpr char kFuzzCaCertificateHex[] =
    "308201593082010ba003020102021467d3d802a565764c32412d3103090fd8bbbbc77c300506032b65703019"
    "3117301506035504030c0e7075656e74652066757a7a2043413020170d3236313230323031303334385a180f"
    "32313236313130383031303334385a30193117301506035504030c0e7075656e74652066757a7a204341302a"
    "300506032b6570032100d2a7264f3224fa9825a6d4311286a54194b99c7e72eeee412e856a99d205cb7fa363"
    "3061301d0603551d0e04160414541a58d45552c5655faed1785d81ee9fe1f18d17301f0603551d2304183016"
    "8014541a58d45552c5655faed1785d81ee9fe1f18d17300f0603551d130101ff040530030101ff300e060355"
    "1d0f0101ff040403020204300506032b6570034100f4b6c4c57e150357e9fc6d8ff4324966df6c09a419f025"
    "d536c992b03bd4d0e0993fecb7b0fb98c46e318730dd2a14bd8f10051f5a858ebd3dc006293bc39101";
inline constexpr char kFuzzLeafCertificateHex[] =
    "3082012d3081e0a003020102020103300506032b657030193117301506035504030c0e7075656e7465206675"
    "7a7a2043413020170d3236313230323031303335335a180f32313236313130383031303335335a3014311230"
    "1006035504030c0966757a7a206c656166302a300506032b6570032100ee31f83c88a71219a6fcf9bee0da9b"
    "c22620588f5a15a6145553504df9649e5ca350304e300c0603551d130101ff04023000301d0603551d0e0416"
    "041403f0c17e3466190073a6f5ada889c2e54529e1ce301f0603551d23041830168014541a58d45552c5655f"
    "aed1785d81ee9fe1f18d17300506032b6570034100c2f826c187158f44913b230c7e0b2614b1b1e714148c82"
    "160dab9e98ba9f8c9d453299fd7ee54c00234000d502d85f7be939ce28c5af3d637d6e312dc30db701";

}  // namespace puente::fuzz

#endif  // PUENTE_FUZZ_FUZZ_KEYS_H_
