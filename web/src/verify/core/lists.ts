// The two signed lists a verifier holds, read as credentials/src/lists.cc
// reads them: a COSE_Sign1 by the root key over a CBOR map {0: type, 1:
// sequence, 2: issued at, 3: next update, 4: body}. The signature is checked
// first, then the shape. Throws ListError ("trust list: invalid signature:
// not signed by this root key", ...), never returns a half-read list.
import { equalBytes, hexToBytes } from './bytes.js';
import { type Cbor, type CborLimits, decodeCbor, find } from './cbor.js';
import { type SignatureAlgorithm, type VerifyingKey, importVerifyingKey, parseCoseSign1, verifyCoseSign1 } from './cose.js';
import { CARD_TYPES, type CardType } from './card.js';
import { publicKeyOfCertificate } from './x509.js';

const TRUST_LIST_TYPE = 1n;
const REVOCATION_LIST_TYPE = 2n;
const MAX_LIST_BYTES = 16 << 20;
const MAX_KID_BYTES = 64;

export class ListError extends Error {}

/** One issuer key the root vouches for (TrustedIssuer). */
export interface TrustedIssuer {
  kid: Uint8Array;
  alg: SignatureAlgorithm;
  publicKey: Uint8Array;
  key: VerifyingKey;
  name: string;
  notBefore: bigint; // the key signs cards issued in [notBefore, notAfter]
  notAfter: bigint;
  cardTypes: CardType[];
  maxValiditySeconds: bigint; // 0: no limit
  provisionalOnly: boolean;
  plainClaim169: boolean;
  caCertificate?: Uint8Array; // a certificate authority entry: anchors x5chain only
}

export interface TrustList {
  sequence: bigint;
  issuedAt: bigint;
  nextUpdate: bigint;
  issuers: TrustedIssuer[];
}

export interface RevocationList {
  sequence: bigint;
  issuedAt: bigint;
  nextUpdate: bigint;
  revoked: bigint[]; // sorted, strictly increasing
}

type ListName = 'trust list' | 'revocation list';

function bad(name: ListName, what: string): ListError {
  return new ListError(`${name}: ${what}`);
}

interface Common {
  payload: Cbor;
  sequence: bigint;
  issuedAt: bigint;
  nextUpdate: bigint;
}

async function open(bytes: Uint8Array, root: VerifyingKey, type: bigint, name: ListName,
  limits: CborLimits): Promise<Common> {
  if (bytes.length > MAX_LIST_BYTES) throw bad(name, 'file too large');
  let item: Cbor;
  try {
    item = decodeCbor(bytes, { maxDepth: 4, maxItems: 8 });
  } catch (e) {
    throw bad(name, `not a signed list (${e instanceof Error ? e.message : String(e)})`);
  }
  let sign1;
  try {
    sign1 = parseCoseSign1(item);
  } catch {
    throw bad(name, 'not a signed list');
  }
  if (!(await verifyCoseSign1(sign1, root))) throw bad(name, 'invalid signature: not signed by this root key');
  let payload: Cbor;
  try {
    payload = decodeCbor(sign1.payload, limits);
  } catch (e) {
    throw bad(name, e instanceof Error ? e.message : String(e));
  }
  if (payload.t !== 'map') throw bad(name, 'payload is not a map');
  const t = find(payload, 0);
  if (t?.t === 'int' && t.v !== type && (t.v === TRUST_LIST_TYPE || t.v === REVOCATION_LIST_TYPE)) {
    throw bad(name, `this is a ${t.v === TRUST_LIST_TYPE ? 'trust list' : 'revocation list'}, not a ${name} ` +
      '(were the two list files swapped?)');
  }
  if (t?.t !== 'int' || t.v !== type) throw bad(name, 'wrong list type');
  const seq = find(payload, 1);
  const iat = find(payload, 2);
  const next = find(payload, 3);
  if (seq?.t !== 'int' || seq.v < 0n || iat?.t !== 'int' || next?.t !== 'int') {
    throw bad(name, 'sequence, issue date and next update are required');
  }
  if (next.v <= iat.v) throw bad(name, 'next update is not after the issue date');
  return { payload, sequence: seq.v, issuedAt: iat.v, nextUpdate: next.v };
}

/** The trust list, verified against `root`. */
export async function verifyTrustList(bytes: Uint8Array, root: VerifyingKey): Promise<TrustList> {
  const name = 'trust list';
  const c = await open(bytes, root, TRUST_LIST_TYPE, name, { maxDepth: 5, maxItems: 100000 });
  const list: TrustList = { sequence: c.sequence, issuedAt: c.issuedAt, nextUpdate: c.nextUpdate, issuers: [] };
  const body = find(c.payload, 4);
  if (body?.t !== 'array') throw bad(name, 'issuers missing');
  for (const e of body.v) {
    const kid = find(e, 1);
    const alg = find(e, 2);
    const pub = find(e, 3);
    const label = find(e, 4);
    const nbf = find(e, 5);
    const naf = find(e, 6);
    const types = find(e, 7);
    const maxValidity = find(e, 8);
    const provisional = find(e, 9);
    if (kid?.t !== 'bytes' || alg?.t !== 'int' || pub?.t !== 'bytes' || label?.t !== 'text' || nbf?.t !== 'int' ||
        naf?.t !== 'int' || types?.t !== 'array' || maxValidity?.t !== 'int' || provisional?.t !== 'bool') {
      throw bad(name, 'malformed issuer entry');
    }
    let algorithm: SignatureAlgorithm;
    if (alg.v === -8n) algorithm = 'Ed25519';
    else if (alg.v === -7n) algorithm = 'ES256';
    else throw bad(name, `unsupported algorithm ${alg.v}`);
    let key: VerifyingKey;
    try {
      key = await importVerifyingKey(algorithm, pub.v);
    } catch {
      throw bad(name, 'issuer key is malformed');
    }
    if (kid.v.length === 0 || kid.v.length > MAX_KID_BYTES) throw bad(name, 'issuer kid must be 1 to 64 bytes');
    const issuer: TrustedIssuer = {
      kid: kid.v, alg: algorithm, publicKey: pub.v, key, name: label.v, notBefore: nbf.v, notAfter: naf.v,
      cardTypes: [], maxValiditySeconds: maxValidity.v, provisionalOnly: provisional.v, plainClaim169: false,
    };
    const plain = find(e, 10);
    if (plain !== undefined) {
      if (plain.t !== 'bool') throw bad(name, 'malformed issuer entry');
      issuer.plainClaim169 = plain.v;
    }
    const ca = find(e, 11);
    if (ca !== undefined) {
      const caKey = ca.t === 'bytes' ? publicKeyOfCertificate(ca.v) : undefined;
      if (ca.t !== 'bytes' || caKey === undefined || !equalBytes(caKey, pub.v)) {
        throw bad(name, 'issuer CA certificate is not of its key');
      }
      issuer.caCertificate = ca.v;
    }
    for (const t of types.v) {
      if (t.t !== 'int' || t.v < 1n || t.v > 3n) throw bad(name, 'unknown card type');
      issuer.cardTypes.push(CARD_TYPES[Number(t.v) - 1]!);
    }
    list.issuers.push(issuer);
  }
  return list;
}

/** The revocation list, verified against `root`; serials come back sorted. */
export async function verifyRevocationList(bytes: Uint8Array, root: VerifyingKey): Promise<RevocationList> {
  const name = 'revocation list';
  const c = await open(bytes, root, REVOCATION_LIST_TYPE, name, { maxDepth: 3, maxItems: 16 });
  const body = find(c.payload, 4);
  if (body?.t !== 'array' || body.v.length !== 2 || body.v[0]!.t !== 'int' || body.v[1]!.t !== 'bytes') {
    throw bad(name, 'revoked serials missing');
  }
  const count = BigInt.asUintN(64, (body.v[0] as { v: bigint }).v);
  const gaps = (body.v[1] as { v: Uint8Array }).v;
  if (count > BigInt(gaps.length)) throw bad(name, 'count exceeds the encoded serials');
  const revoked: bigint[] = [];
  let value = 0n;
  let pos = 0;
  for (let n = 0n; n < count; n++) {
    let gap = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= gaps.length || shift > 63n) throw bad(name, 'truncated serials');
      const byte = gaps[pos++]!;
      gap |= BigInt.asUintN(64, BigInt(byte & 0x7f) << shift);
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    gap = BigInt.asUintN(64, gap);
    if (gap === 0n && n > 0n) throw bad(name, 'serials not strictly increasing');
    if (value + gap >= 1n << 64n) throw bad(name, 'serial overflow');
    value += gap;
    revoked.push(value);
  }
  if (pos !== gaps.length) throw bad(name, 'trailing bytes after the serials');
  return { sequence: c.sequence, issuedAt: c.issuedAt, nextUpdate: c.nextUpdate, revoked };
}

/** Binary search over the sorted serials. */
export function isRevoked(list: RevocationList, serial: bigint): boolean {
  let lo = 0;
  let hi = list.revoked.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = list.revoked[mid]!;
    if (v === serial) return true;
    if (v < serial) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** A root public key file ({"format": "puente-public-key-v1", "kind": "root", ...}). */
export async function rootKeyFromFile(json: string): Promise<VerifyingKey> {
  let j: unknown;
  try {
    j = JSON.parse(json);
  } catch {
    throw new ListError('root key: not a JSON object');
  }
  const f = j as { [k: string]: unknown };
  if (typeof f !== 'object' || f === null || f['format'] !== 'puente-public-key-v1') {
    throw new ListError('root key: format is not puente-public-key-v1');
  }
  if (f['kind'] !== 'root') throw new ListError('root key: not a root key');
  const alg = f['alg'] === 'Ed25519' || f['alg'] === 'EdDSA' ? 'Ed25519' : f['alg'] === 'ES256' ? 'ES256' : undefined;
  if (alg === undefined) throw new ListError('root key: alg is neither Ed25519 nor ES256');
  const raw = typeof f['public_key'] === 'string' ? hexToBytes(f['public_key']) : undefined;
  if (raw === undefined) throw new ListError('root key: public_key is not hex');
  try {
    return await importVerifyingKey(alg, raw);
  } catch (e) {
    throw new ListError(`root key: ${e instanceof Error ? e.message : String(e)}`);
  }
}
