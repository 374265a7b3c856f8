// The verifier core's public face: what the phone verifier app and the
// tests use. See verifier.ts for the decision and docs/verifier-web.md.
export { base45Decode } from './base45.js';
export { setBrotliWasm } from './inflate.js';
export { decodeCredential } from './credential.js';
export type { CwtMeta, DecodedCredential } from './credential.js';
export { importVerifyingKey } from './cose.js';
export type { SignatureAlgorithm, VerifyingKey } from './cose.js';
export { ListError, rootKeyFromFile, verifyRevocationList, verifyTrustList } from './lists.js';
export type { RevocationList, TrustedIssuer, TrustList } from './lists.js';
export { NO_EXPIRY } from './card.js';
export type { Card, CardProfile, CardType, Entitlement } from './card.js';
export type { Claim169 } from './claim169.js';
export { ChainError, verifyCertificateChain } from './x509.js';
export { StageError } from './stage.js';
export type { DecodeStage } from './stage.js';
export { createVerifier, DEFAULT_POLICY, verify } from './verifier.js';
export type {
  CardOptions, SealedStatus, Verdict, VerificationResult, Verifier, VerifierPolicy, VerifyOptions,
} from './verifier.js';
export { openSealedSection } from './sealed.js';
export type { InstitutionKey, SealedContent } from './sealed.js';
export {
  createDeviceKey, importInstitutionKeyFile, InstitutionKeyError, institutionKid, KEY_FILE_FORMAT, MIN_ITERATIONS, MIN_PIN_LENGTH,
  PIN_FORMAT, protectWithPin, unlockWithPin,
} from './institution.js';
export type { PinOptions, PinProtectedKey, PinSource, WrappedInstitutionKey } from './institution.js';
