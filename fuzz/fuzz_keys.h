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

}  // namespace puente::fuzz

#endif  // PUENTE_FUZZ_FUZZ_KEYS_H_
