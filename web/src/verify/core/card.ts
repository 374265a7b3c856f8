// Puente's card claims on a verified credential, as credentials/src/card.cc
// reads them (internal::CardFromClaims): claim -70001 {1: type, 2:
// [[entitlement, expiry]...], 3: provisional} makes a puente card; without it
// the credential is a plain Claim 169 one from another issuer. Claim -70002
// is the sealed section: its presence is noted here, and readCardClaims hands
// it to the verifier, which opens it (sealed.ts) when given an institution key.
import { type Cbor, decodeCbor, find } from './cbor.js';
import type { Claim169 } from './claim169.js';
import type { CwtMeta } from './credential.js';
import type { SealedContent } from './sealed.js';
import { StageError } from './stage.js';

const CARD_CLAIM = -70001;
const SEALED_CLAIM = -70002;
/** expires_at of a plain Claim 169 credential without exp. */
export const NO_EXPIRY = (1n << 63n) - 1n;

export type CardProfile = 'puente' | 'claim169';
export type CardType = 'asylum-seeker' | 'refugee' | 'birth-attestation';
export const CARD_TYPES: readonly CardType[] = ['asylum-seeker', 'refugee', 'birth-attestation'];
const ENTITLEMENT_CODES = [
  'asylum-application-active', 'asylum-application-certified', 'work-permit', 'health-care', 'education',
  'social-assistance',
];

export interface Entitlement {
  code: string;
  expiresAt: bigint;
}

export interface Card {
  profile: CardProfile;
  type?: CardType; // puente cards only
  serial: bigint; // from cti; 0 for a plain credential whose cti is absent or long
  cwtId: Uint8Array;
  issuer: string;
  issuedAt: bigint; // plain credentials: 0 when iat is absent
  notBefore: bigint;
  expiresAt: bigint; // plain credentials: NO_EXPIRY when exp is absent
  holder: Claim169;
  entitlements: Entitlement[];
  provisional: boolean;
  hasSealedSection: boolean;
  // Present only when an institution key opened the sealed section.
  sealed?: SealedContent;
}

function malformed(what: string): StageError {
  return new StageError('CwtParse', `card claims: ${what}`);
}

/** Throws StageError('CwtParse', 'card claims: ...'). */
export function cardFromClaims(payload: Uint8Array, holder: Claim169, meta: CwtMeta): Card {
  return readCardClaims(payload, holder, meta).card;
}

/** As cardFromClaims, with the sealed section's CBOR map (a puente card's, when present). */
export function readCardClaims(payload: Uint8Array, holder: Claim169, meta: CwtMeta): { card: Card; sealed?: Cbor } {
  let claims: Cbor;
  try {
    claims = decodeCbor(payload);
  } catch {
    throw malformed('not a map');
  }
  if (claims.t !== 'map') throw malformed('not a map');
  const cwtId = meta.cwtId ?? new Uint8Array();
  let serial = 0n;
  if (cwtId.length <= 8) for (const b of cwtId) serial = (serial << 8n) | BigInt(b);
  const card: Card = {
    profile: 'puente', serial, cwtId, issuer: '', issuedAt: 0n, notBefore: 0n, expiresAt: 0n, holder,
    entitlements: [], provisional: false, hasSealedSection: false,
  };
  const c = find(claims, CARD_CLAIM);
  if (c === undefined) {
    card.profile = 'claim169';
    card.issuer = meta.issuer ?? '';
    card.issuedAt = meta.issuedAt ?? 0n;
    card.notBefore = meta.notBefore ?? card.issuedAt;
    card.expiresAt = meta.expiresAt ?? NO_EXPIRY;
    return { card };
  }
  if (meta.issuer === undefined || meta.issuedAt === undefined || meta.expiresAt === undefined ||
      cwtId.length === 0 || cwtId.length > 8) {
    throw malformed('iss, iat, exp and a cti of 1 to 8 bytes are required');
  }
  card.issuer = meta.issuer;
  card.issuedAt = meta.issuedAt;
  card.notBefore = meta.notBefore ?? meta.issuedAt;
  card.expiresAt = meta.expiresAt;
  if (c.t !== 'map') throw malformed('not a puente card (claim -70001)');
  const type = find(c, 1);
  if (type?.t !== 'int' || type.v < 1n || type.v > 3n) throw malformed('unknown card type');
  card.type = CARD_TYPES[Number(type.v) - 1]!;
  const ents = find(c, 2);
  if (ents?.t !== 'array') throw malformed('entitlements missing');
  for (const e of ents.v) {
    if (e.t !== 'array' || e.v.length !== 2 || e.v[1]!.t !== 'int') {
      throw malformed('entitlement must be [code, expiry]');
    }
    const [code, expiry] = e.v as [Cbor, { t: 'int'; v: bigint }];
    if (code.t === 'text') {
      card.entitlements.push({ code: code.v, expiresAt: expiry.v });
    } else if (code.t === 'int' && code.v >= 1n && code.v <= BigInt(ENTITLEMENT_CODES.length)) {
      card.entitlements.push({ code: ENTITLEMENT_CODES[Number(code.v) - 1]!, expiresAt: expiry.v });
    } else {
      throw malformed('unknown entitlement code');
    }
  }
  const provisional = find(c, 3);
  if (provisional !== undefined) {
    if (provisional.t !== 'bool') throw malformed('provisional must be a boolean');
    card.provisional = provisional.v;
  }
  const sealed = find(claims, SEALED_CLAIM);
  if (sealed !== undefined) {
    if (sealed.t !== 'map') throw malformed('sealed section has the wrong shape');
    card.hasSealedSection = true;
    return { card, sealed };
  }
  return { card };
}
