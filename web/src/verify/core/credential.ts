// Decoding a Claim 169 QR text as credentials' DecodeCredential does:
//   Base45 -> zlib -> COSE_Sign1 (tag 18) -> signature -> CWT claims -> claim 169
// Every stage has a limit and every failure names its stage (StageError).
// The signature is checked before the payload is read, with the keys the
// lookup returns for the card's kid and algorithm.
import { base45Decode } from './base45.js';
import { type Cbor, decodeCbor, find } from './cbor.js';
import { type Claim169, claim169FromCbor } from './claim169.js';
import { type CoseSign1, type VerifyingKey, coseAlgorithm, parseCoseSign1, verifyCoseSign1 } from './cose.js';
import { DecompressError, inflateBrotli, inflateZlib, looksLikeZlib } from './inflate.js';
import { StageError } from './stage.js';

export const MAX_TEXT_CHARS = 8192; // a QR holds at most 4296 alphanumerics
export const MAX_INFLATED_BYTES = 65536; // zip bombs stop here
const COSE_ENCRYPT0_TAG = 16n;
const CWT_TAG = 61n;

/** CWT claims 1, 2, 4, 5, 6 and 7. */
export interface CwtMeta {
  issuer?: string;
  subject?: string;
  expiresAt?: bigint;
  notBefore?: bigint;
  issuedAt?: bigint;
  cwtId?: Uint8Array;
}

/**
 * The keys that may have signed a credential declaring `kid` (empty when it
 * has none) and COSE algorithm `alg`: those trusted under that kid, whatever
 * their algorithm, or for a credential without a kid those of its algorithm.
 */
export type KeyLookup = (kid: Uint8Array, alg: bigint) => VerifyingKey[];

export interface DecodedCredential {
  claim169: Claim169;
  meta: CwtMeta;
  verified: boolean;
  alg: bigint;
  kid: Uint8Array;
  verifiedBy?: VerifyingKey; // the key that verified the signature
  compression: 'zlib' | 'brotli';
  x5chain: Uint8Array[];
  claims: Cbor; // the whole CWT claims map, for claims outside claim 169
  payload: Uint8Array; // its encoding, as signed
}

function inStage(stage: StageError['stage'], e: unknown): StageError {
  if (e instanceof StageError) return e;
  return new StageError(stage, e instanceof Error ? e.message : String(e));
}

async function verifyWithLookup(sign1: CoseSign1, lookup: KeyLookup): Promise<VerifyingKey> {
  const keys = lookup(sign1.kid, sign1.alg);
  if (keys.length === 0) throw new StageError('Signature', 'unknown key id', 'unknown_kid');
  let algMatched = false;
  for (const key of keys) {
    if (coseAlgorithm(key.algorithm) !== sign1.alg) continue;
    algMatched = true;
    if (await verifyCoseSign1(sign1, key)) return key;
  }
  if (!algMatched) {
    throw new StageError('Signature',
      `algorithm ${sign1.alg} is not the algorithm of the key trusted under this kid (${keys[0]!.algorithm})`,
      'wrong_algorithm');
  }
  throw new StageError('Signature', 'invalid signature');
}

function numericDate(claims: Cbor, key: number): bigint | undefined {
  const v = find(claims, key);
  if (v === undefined) return undefined;
  if (v.t === 'float') return Number.isFinite(v.v) ? BigInt(Math.trunc(v.v)) : 0n; // RFC 8392 allows floats
  if (v.t !== 'int') throw new StageError('CwtParse', `claim ${key} must be a NumericDate`);
  return v.v;
}

function text(claims: Cbor, key: number): string | undefined {
  const v = find(claims, key);
  if (v === undefined) return undefined;
  if (v.t !== 'text') throw new StageError('CwtParse', `claim ${key} must be text`);
  return v.v;
}

/** Throws StageError. Without `lookup` the signature is not checked. */
export async function decodeCredential(qrText: string, lookup?: KeyLookup): Promise<DecodedCredential> {
  if (qrText.length > MAX_TEXT_CHARS) {
    throw new StageError('Base45Decode', `text longer than ${MAX_TEXT_CHARS} characters`);
  }
  let compressed: Uint8Array;
  try {
    compressed = base45Decode(qrText);
  } catch (e) {
    throw inStage('Base45Decode', e);
  }
  // Claim 169 1.2.2: zlib or Brotli; zlib is recognised by its header.
  const zlib = looksLikeZlib(compressed);
  let raw: Uint8Array;
  try {
    raw = zlib ? await inflateZlib(compressed, MAX_INFLATED_BYTES) : await inflateBrotli(compressed, MAX_INFLATED_BYTES);
  } catch (e) {
    if (e instanceof DecompressError) throw new StageError('Decompress', e.message);
    throw e;
  }
  let top: Cbor;
  try {
    top = decodeCbor(raw);
  } catch (e) {
    throw inStage('CoseParse', e);
  }
  if (top.t === 'tag' && top.tag === COSE_ENCRYPT0_TAG) {
    // A verifier holds no content key: as DecryptEncrypt0 without one.
    const arr = top.v;
    if (arr.t !== 'array' || arr.v.length !== 3 || arr.v[0]!.t !== 'bytes' || arr.v[1]!.t !== 'map' ||
        arr.v[2]!.t !== 'bytes') {
      throw new StageError('CoseParse', 'malformed COSE_Encrypt0');
    }
    throw new StageError('Decrypt', 'credential is encrypted and no key was given');
  }
  const sign1 = parseCoseSign1(top);
  let verifiedBy: VerifyingKey | undefined;
  if (lookup) verifiedBy = await verifyWithLookup(sign1, lookup);
  let claims: Cbor;
  try {
    claims = decodeCbor(sign1.payload);
  } catch (e) {
    throw inStage('CwtParse', e);
  }
  if (claims.t === 'tag' && claims.tag === CWT_TAG) claims = claims.v;
  if (claims.t !== 'map') throw new StageError('CwtParse', 'CWT claims are not a map');
  const meta: CwtMeta = {};
  const issuer = text(claims, 1);
  if (issuer !== undefined) meta.issuer = issuer;
  const subject = text(claims, 2);
  if (subject !== undefined) meta.subject = subject;
  const exp = numericDate(claims, 4);
  if (exp !== undefined) meta.expiresAt = exp;
  const nbf = numericDate(claims, 5);
  if (nbf !== undefined) meta.notBefore = nbf;
  const iat = numericDate(claims, 6);
  if (iat !== undefined) meta.issuedAt = iat;
  const cti = find(claims, 7);
  if (cti !== undefined) {
    if (cti.t !== 'bytes') throw new StageError('CwtParse', 'claim 7 (cti) must be bytes');
    meta.cwtId = cti.v;
  }
  const c169 = find(claims, 169);
  if (c169 === undefined) throw new StageError('Claim169NotFound', 'no claim 169');
  const out: DecodedCredential = {
    claim169: claim169FromCbor(c169),
    meta,
    verified: verifiedBy !== undefined,
    alg: sign1.alg,
    kid: sign1.kid,
    compression: zlib ? 'zlib' : 'brotli',
    x5chain: sign1.x5chain,
    claims,
    payload: sign1.payload,
  };
  if (verifiedBy) out.verifiedBy = verifiedBy;
  return out;
}
