// The offline verifier's decision, the same as credentials' CardVerifier
// (credentials/src/verifier.cc), verdict for verdict and in the same order:
//   INVALID · UNKNOWN ISSUER · REVOKED · EXPIRED · NOT YET VALID · STALE LISTS · VALID
// with the names `puente-verify --json` prints. No DOM, no network: the root
// key, the two signed lists and the clock come from the caller. Runs in Node
// 20 and in Chromium (WebCrypto, DecompressionStream).
//
// With an institution key, the sealed section is opened as CardFromClaims
// opens it (sealed.ts): "opened" or "not for this institution"; a section of
// the wrong shape or one that does not decrypt makes the card INVALID, as in
// the C++. Without one: "no key".
//
// An issuer the trust list does not name by kid may still be trusted through
// its X.509 certificate chain (COSE x5chain) up to one of the list's
// certificate authorities, as of the card's issue date (x509.ts): then that
// authority's entry is the issuer, and the chain's leaf key must verify the
// signature, else the card is INVALID.
import { hex } from './bytes.js';
import { type Card, cardFromClaims, NO_EXPIRY, readCardClaims } from './card.js';
import { type DecodedCredential, decodeCredential } from './credential.js';
import { coseAlgorithm, type VerifyingKey } from './cose.js';
import { isRevoked, type RevocationList, type TrustedIssuer, type TrustList, verifyRevocationList, verifyTrustList } from './lists.js';
import { type InstitutionKey, openSealedSection } from './sealed.js';
import { StageError } from './stage.js';
import { verifyCertificateChain } from './x509.js';

export type Verdict = 'VALID' | 'INVALID' | 'EXPIRED' | 'NOT YET VALID' | 'REVOKED' | 'UNKNOWN ISSUER' | 'STALE LISTS';

export interface VerificationResult {
  verdict: Verdict;
  reason: string; // empty for VALID
  // The disclosed claims: verified once the signature checked out, or (for
  // UNKNOWN ISSUER) decoded without any check, with signatureVerified false.
  card?: Card;
  signatureVerified: boolean;
  issuerName: string; // from the trust list
  kid: string; // hex, as the card declares it
  // puente-verify's sealed.status: '' when the card was not read (INVALID
  // before its claims, UNKNOWN ISSUER). When 'opened', card.sealed holds
  // the case number and details.
  sealedStatus: SealedStatus;
  compression: '' | 'zlib' | 'brotli';
}

export type SealedStatus = '' | 'absent' | 'no key' | 'opened' | 'not for this institution';

/** Per card (verify's third argument) or for every card (createVerifier's last). */
export interface CardOptions {
  /** Opens sealed sections addressed to this institution; undefined: none is opened ("no key"). */
  institution?: InstitutionKey;
}

export interface VerifierPolicy {
  /** Lists older than this (from their issue date) are stale before their next update. */
  maxListAgeSeconds: number;
}
export const DEFAULT_POLICY: VerifierPolicy = { maxListAgeSeconds: 7 * 24 * 3600 };

export interface Verifier {
  readonly trustList: TrustList;
  readonly revocationList: RevocationList;
  /**
   * `now` in Unix seconds. Never throws for any text. `options` (when
   * given, even without an institution) replaces createVerifier's.
   */
  verify(qrText: string, now: number, options?: CardOptions): Promise<VerificationResult>;
}

/** Both lists verified against `root`; throws ListError naming the list. */
export async function createVerifier(root: VerifyingKey, trustList: Uint8Array, revocationList: Uint8Array,
  policy: VerifierPolicy = DEFAULT_POLICY, defaults: CardOptions = {}): Promise<Verifier> {
  const trust = await verifyTrustList(trustList, root);
  const revocation = await verifyRevocationList(revocationList, root);
  return {
    trustList: trust,
    revocationList: revocation,
    verify: (qrText, now, options) => verifyCard(trust, revocation, policy, qrText, BigInt(Math.floor(now)),
      (options ?? defaults).institution),
  };
}

export interface VerifyOptions {
  root: VerifyingKey;
  trustList: Uint8Array;
  revocationList: Uint8Array;
  now: number; // Unix seconds
  policy?: VerifierPolicy;
  institution?: InstitutionKey;
}

/** One card against the lists; throws ListError only when a list does not verify. */
export async function verify(qrText: string, o: VerifyOptions): Promise<VerificationResult> {
  const v = await createVerifier(o.root, o.trustList, o.revocationList, o.policy ?? DEFAULT_POLICY);
  return v.verify(qrText, o.now, { institution: o.institution });
}

// The trust list's conditions on the key for this card: empty when met.
function issuerRuleBroken(issuer: TrustedIssuer, card: Card): string {
  if (card.profile === 'claim169') {
    if (!issuer.plainClaim169) {
      return 'issuer signs puente cards only, and this credential has no puente card claim';
    }
    if (card.issuedAt === 0n) return 'no issue date (iat): the signing key\'s validity window cannot be checked';
  }
  if (card.issuedAt < issuer.notBefore || card.issuedAt > issuer.notAfter) {
    return 'issued outside the signing key\'s validity window';
  }
  if (card.profile === 'puente' && !issuer.cardTypes.includes(card.type!)) {
    return `issuer may not sign ${card.type} cards`;
  }
  if (issuer.maxValiditySeconds > 0n &&
      (card.expiresAt === NO_EXPIRY || card.expiresAt - card.issuedAt > issuer.maxValiditySeconds)) {
    return 'validity longer than the issuer may grant';
  }
  if (issuer.provisionalOnly && !card.provisional) return 'issuer may sign provisional cards only';
  return '';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// The first certificate authority of the list the card's chain leads to, with
// the chain's leaf key; else why not ('' when the card carries no chain).
async function trustedByChain(trust: TrustList, card: DecodedCredential, now: bigint):
  Promise<{ issuer: TrustedIssuer; leaf: VerifyingKey } | { problem: string }> {
  if (card.x5chain.length === 0) return { problem: '' };
  const at = card.meta.issuedAt ?? now; // the chain must have held when the card was signed
  // Said: the problem under an authority the chain leads to, if any; else the last.
  let problem = '';
  let reached = false;
  for (const issuer of trust.issuers) {
    if (issuer.caCertificate === undefined) continue;
    try {
      return { issuer, leaf: await verifyCertificateChain(card.x5chain, issuer.caCertificate, at) };
    } catch (e) {
      const notUnder = /unable to get (local )?issuer certificate$/.test(messageOf(e));
      if (!reached || !notUnder) problem = messageOf(e);
      reached ||= !notUnder;
    }
  }
  return { problem: problem || 'no certificate authority in the trust list' };
}

async function verifyCard(trust: TrustList, revocation: RevocationList, policy: VerifierPolicy, qrText: string,
  now: bigint, institution: InstitutionKey | undefined): Promise<VerificationResult> {
  const r: VerificationResult = {
    verdict: 'INVALID', reason: '', signatureVerified: false, issuerName: '', kid: '', sealedStatus: '',
    compression: '',
  };
  const fail = (verdict: Verdict, reason: string) => {
    r.verdict = verdict;
    r.reason = reason;
    return r;
  };
  if (qrText.length === 0) return fail('INVALID', 'the QR text is empty');
  let withoutKid = false;
  const signers: TrustedIssuer[] = trust.issuers.filter((i) => i.caCertificate === undefined);
  const lookup = (kid: Uint8Array, alg: bigint) => {
    r.kid = hex(kid);
    withoutKid = kid.length === 0;
    return signers
      .filter((i) => (withoutKid ? coseAlgorithm(i.alg) === alg : hex(i.kid) === r.kid))
      .map((i) => i.key);
  };
  let decoded: DecodedCredential;
  let issuer: TrustedIssuer | undefined; // set here when trusted through a certificate chain
  try {
    decoded = await decodeCredential(qrText, lookup);
  } catch (e) {
    // Without a kid nothing names the signer: when no trusted key of its
    // algorithm verifies the signature, an issuer we do not know signed it.
    const unknown = e instanceof StageError &&
      (e.reason === 'unknown_kid' || (withoutKid && e.stage === 'Signature' && e.reason === undefined));
    if (!unknown) return fail('INVALID', messageOf(e));
    // Not trusted by kid: perhaps by its certificate chain. The text is read
    // once more without a key, for the chain and for the claims an UNKNOWN
    // ISSUER verdict shows.
    let unverified: DecodedCredential | undefined;
    try {
      unverified = await decodeCredential(qrText);
    } catch {
      // not even decodable without a key: no claims to show
    }
    const chained = unverified === undefined ? undefined : await trustedByChain(trust, unverified, now);
    if (chained === undefined || 'problem' in chained) {
      let reason = withoutKid ? 'no key in the trust list verifies this card, which names no key id (kid)'
        : 'the signing key is not in the trust list';
      if (chained !== undefined && chained.problem !== '') reason += `; its certificate chain: ${chained.problem}`;
      if (unverified !== undefined) {
        try {
          r.card = cardFromClaims(unverified.payload, unverified.claim169, unverified.meta);
        } catch {
          // the claims cannot be shown
        }
      }
      return fail('UNKNOWN ISSUER', reason);
    }
    try {
      decoded = await decodeCredential(qrText, () => [chained.leaf]);
    } catch (e) {
      return fail('INVALID', messageOf(e));
    }
    issuer = chained.issuer;
  }
  r.compression = decoded.compression;
  issuer ??= signers.find((i) => i.key === decoded.verifiedBy)!;
  r.issuerName = issuer.name;
  let card: Card;
  try {
    const read = readCardClaims(decoded.payload, decoded.claim169, decoded.meta);
    card = read.card;
    if (read.sealed !== undefined && institution !== undefined) {
      card.sealed = await openSealedSection(read.sealed, card.serial, institution);
    }
  } catch (e) {
    if (e instanceof StageError && e.stage === 'Decrypt') return fail('INVALID', 'encrypted section: decryption failed');
    return fail('INVALID', messageOf(e));
  }
  r.card = card;
  r.signatureVerified = true;
  if (!card.hasSealedSection) r.sealedStatus = 'absent';
  else if (institution === undefined) r.sealedStatus = 'no key';
  else r.sealedStatus = card.sealed !== undefined ? 'opened' : 'not for this institution';
  const broken = issuerRuleBroken(issuer, card);
  if (broken !== '') return fail('INVALID', broken);
  if (card.profile === 'puente' && isRevoked(revocation, card.serial)) {
    return fail('REVOKED', `card serial ${card.serial} is revoked`);
  }
  if (now >= card.expiresAt) return fail('EXPIRED', 'card expired');
  if (now < card.notBefore) return fail('NOT YET VALID', 'card not valid yet');
  if (now >= trust.nextUpdate || now >= revocation.nextUpdate) {
    return fail('STALE LISTS', 'a list is past its next update');
  }
  const maxAge = BigInt(policy.maxListAgeSeconds);
  if (now - trust.issuedAt > maxAge || now - revocation.issuedAt > maxAge) {
    return fail('STALE LISTS', 'a list is older than the policy allows');
  }
  r.verdict = 'VALID';
  return r;
}
