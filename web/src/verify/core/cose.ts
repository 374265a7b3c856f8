// COSE_Sign1 (RFC 9052) as credentials/src/cose.cc reads it, and the one
// file that talks to WebCrypto: Ed25519 (COSE alg -8) and ES256 (-7, P-256,
// r||s signatures), nothing else. A failed check says one thing, "invalid
// signature", whatever failed.
import { type Cbor, decodeCbor, encodeSigStructure, find } from './cbor.js';
import { StageError } from './stage.js';

export const COSE_EDDSA = -8;
export const COSE_ES256 = -7;
const COSE_SIGN1_TAG = 18n;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const HEADER_X5CHAIN = 33;
const MAX_CHAIN_CERTIFICATES = 8;

export type SignatureAlgorithm = 'Ed25519' | 'ES256';

/** Thrown for a structure that is not a COSE_Sign1. */
export class CoseError extends StageError {
  constructor(what: string) {
    super('CoseParse', what);
  }
}

export interface CoseSign1 {
  protectedBytes: Uint8Array;
  alg: bigint;
  kid: Uint8Array; // protected kid, else unprotected kid, else empty
  x5chain: Uint8Array[]; // DER, leaf first; empty when absent
  payload: Uint8Array;
  signature: Uint8Array;
}

/** A public key that checks signatures; made only by importVerifyingKey. */
export interface VerifyingKey {
  readonly algorithm: SignatureAlgorithm;
  readonly raw: Uint8Array;
  readonly key: CryptoKey;
}

export function coseAlgorithm(alg: SignatureAlgorithm): bigint {
  return alg === 'Ed25519' ? BigInt(COSE_EDDSA) : BigInt(COSE_ES256);
}

/**
 * Ed25519: the 32-byte key. ES256: the 65-byte uncompressed P-256 point
 * (0x04 || x || y), as VerifyingKey::FromRaw accepts. Throws Error naming
 * what is wrong.
 */
export async function importVerifyingKey(alg: SignatureAlgorithm, raw: Uint8Array): Promise<VerifyingKey> {
  if (alg === 'Ed25519' && raw.length !== 32) {
    throw new Error(`Ed25519 public key must be 32 bytes, got ${raw.length}`);
  }
  if (alg === 'ES256' && (raw.length !== 65 || raw[0] !== 0x04)) {
    throw new Error('ES256 public key must be a 65-byte uncompressed P-256 point');
  }
  const params = alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  try {
    const key = await crypto.subtle.importKey('raw', raw as BufferSource, params, false, ['verify']);
    return { algorithm: alg, raw: raw.slice(), key };
  } catch {
    throw new Error(`malformed ${alg} public key`);
  }
}

/** Accepts tag 18 or an untagged 4-element array; throws CoseError. */
export function parseCoseSign1(item: Cbor): CoseSign1 {
  let arr = item;
  if (item.t === 'tag') {
    if (item.tag !== COSE_SIGN1_TAG) throw new CoseError(`tag ${item.tag} is not COSE_Sign1 (18)`);
    arr = item.v;
  }
  if (arr.t !== 'array' || arr.v.length !== 4) {
    throw new CoseError('not a COSE_Sign1 structure (expected a 4-element array)');
  }
  const [prot, unprot, payload, signature] = arr.v as [Cbor, Cbor, Cbor, Cbor];
  if (prot.t !== 'bytes' || unprot.t !== 'map' || payload.t !== 'bytes' || signature.t !== 'bytes') {
    throw new CoseError('COSE_Sign1 elements have the wrong types');
  }
  let protMap: Cbor = { t: 'map', v: [] };
  if (prot.v.length > 0) {
    try {
      protMap = decodeCbor(prot.v);
    } catch {
      throw new CoseError('protected header is not a map');
    }
    if (protMap.t !== 'map') throw new CoseError('protected header is not a map');
  }
  const header = (key: number) => find(protMap, key) ?? find(unprot, key);
  const alg = header(HEADER_ALG);
  if (alg?.t !== 'int') throw new CoseError('no algorithm in the header');
  const kid = header(HEADER_KID);
  if (kid !== undefined && kid.t !== 'bytes') throw new CoseError('kid must be bytes');
  const x5chain: Uint8Array[] = [];
  const chain = header(HEADER_X5CHAIN);
  if (chain !== undefined) {
    if (chain.t === 'bytes') {
      x5chain.push(chain.v);
    } else if (chain.t === 'array' && chain.v.length > 0 && chain.v.length <= MAX_CHAIN_CERTIFICATES) {
      for (const cert of chain.v) {
        if (cert.t !== 'bytes') throw new CoseError('x5chain must hold certificates as bytes');
        x5chain.push(cert.v);
      }
    } else {
      throw new CoseError('x5chain must be bytes or an array of 1 to 8 byte strings');
    }
  }
  return {
    protectedBytes: prot.v,
    alg: alg.v,
    kid: kid?.t === 'bytes' ? kid.v : new Uint8Array(),
    x5chain,
    payload: payload.v,
    signature: signature.v,
  };
}

/** True when `key` signed `sign1` (and its algorithm is the one declared). */
export async function verifyCoseSign1(sign1: CoseSign1, key: VerifyingKey): Promise<boolean> {
  if (sign1.alg !== coseAlgorithm(key.algorithm)) return false;
  if (sign1.signature.length !== 64) return false;
  const toSign = encodeSigStructure('Signature1', sign1.protectedBytes, new Uint8Array(), sign1.payload);
  const params = key.algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
  try {
    return await crypto.subtle.verify(params, key.key, sign1.signature as BufferSource, toSign as BufferSource);
  } catch {
    return false;
  }
}
