// The sealed section of a puente card (claim -70002), opened as
// credentials/src/card.cc's OpenSection opens it, for an institution that
// holds its X25519 key:
//   {1: [[kid, enc]], 3: HPKE ciphertext of the content}        one recipient
//   {1: [[kid, enc, wrapped content key], ...], 3: AES-GCM ciphertext}  several
// HPKE is RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-256-GCM, info "puente/sealed-key/v1", through @hpke/core on WebCrypto;
// the associated data is "puente/sealed/v1/" + the card serial as minimal
// big-endian bytes (at least one). Several recipients: the content key
// (16 or 32 bytes, as AesGcmOpen accepts) opens the content with AES-GCM and
// the all-zero 12-byte nonce. The content is {1: face template (bytes),
// 2: case number (text), 3: details {text: text}}.
//
// Only the entry whose kid is this institution's is tried (never "every
// entry until one opens"). A failed decryption says one thing, whatever
// failed: StageError('Decrypt', 'decryption failed').
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { equalBytes } from './bytes.js';
import { type Cbor, decodeCbor, find } from './cbor.js';
import { StageError } from './stage.js';

const INFO = new TextEncoder().encode('puente/sealed-key/v1');
const AAD_PREFIX = new TextEncoder().encode('puente/sealed/v1/');
const CONTENT_NONCE = new Uint8Array(12);

/**
 * An institution's decryption key, made by institution.ts (from its key
 * file or from what a PIN protects). The private key is a non-extractable
 * X25519 CryptoKey usable for deriveBits only; the public key travels beside
 * it because HPKE's decapsulation needs it (the KEM context holds pkR) and a
 * non-extractable private key cannot give it.
 */
export interface InstitutionKey {
  readonly kid: Uint8Array; // 8 bytes: SHA-256("puente-kid-v1/X25519/" + public key)
  readonly publicKey: Uint8Array; // 32 bytes
  readonly keyPair: CryptoKeyPair;
}

/** What an opened section holds. The face template's bytes are not kept here: it is never shown. */
export interface SealedContent {
  caseNumber: string;
  details: Record<string, string>;
  hasFaceTemplate: boolean;
  faceTemplateBytes: number; // as puente-verify --json's face_template_bytes
}

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

function malformed(what: string): StageError {
  return new StageError('CwtParse', `card claims: ${what}`);
}

function decryptionFailed(): StageError {
  return new StageError('Decrypt', 'decryption failed');
}

/** The serial as the cti: minimal big-endian bytes, at least one (card.cc SerialBytes). */
export function serialBytes(serial: bigint): Uint8Array {
  const out: number[] = [];
  do {
    out.unshift(Number(serial & 0xffn));
    serial >>= 8n;
  } while (serial !== 0n);
  return Uint8Array.from(out);
}

function sealedAad(serial: bigint): Uint8Array {
  const s = serialBytes(serial);
  const aad = new Uint8Array(AAD_PREFIX.length + s.length);
  aad.set(AAD_PREFIX);
  aad.set(s, AAD_PREFIX.length);
  return aad;
}

async function hpkeOpen(key: InstitutionKey, enc: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await suite.open({ recipientKey: key.keyPair, enc: enc as BufferSource, info: INFO },
      ct as BufferSource, aad as BufferSource));
  } catch {
    throw decryptionFailed();
  }
}

async function contentOpen(cek: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> {
  try {
    if (cek.length !== 16 && cek.length !== 32) throw decryptionFailed();
    const key = await crypto.subtle.importKey('raw', cek as BufferSource, 'AES-GCM', false, ['decrypt']);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: CONTENT_NONCE, additionalData: aad as BufferSource,
      tagLength: 128 }, key, ct as BufferSource));
  } catch {
    throw decryptionFailed();
  } finally {
    cek.fill(0);
  }
}

function readContent(plain: Uint8Array): SealedContent {
  let map: Cbor;
  try {
    map = decodeCbor(plain);
  } catch {
    throw malformed('sealed content is not a map');
  } finally {
    plain.fill(0);
  }
  if (map.t !== 'map') throw malformed('sealed content is not a map');
  const template = find(map, 1);
  const caseNumber = find(map, 2);
  const details = find(map, 3);
  if (template?.t !== 'bytes' || caseNumber?.t !== 'text' || details?.t !== 'map') {
    throw malformed('sealed content has the wrong fields');
  }
  const entries: [string, string][] = [];
  for (const [k, v] of details.v) {
    if (k.t !== 'text' || v.t !== 'text') throw malformed('sealed details must be text');
    entries.push([k.v, v.v]);
  }
  const bytes = template.v.length;
  template.v.fill(0);
  return { caseNumber: caseNumber.v, details: Object.fromEntries(entries), hasFaceTemplate: bytes > 0,
    faceTemplateBytes: bytes };
}

/**
 * The content of `sealed` (the claim's CBOR map) when it is addressed to
 * `key`, undefined when it is not. Throws StageError('CwtParse', 'card
 * claims: ...') for a section of the wrong shape and StageError('Decrypt',
 * 'decryption failed') when this institution's entry does not open, in the
 * order OpenSection checks them.
 */
export async function openSealedSection(sealed: Cbor, serial: bigint, key: InstitutionKey):
  Promise<SealedContent | undefined> {
  const wrapped = find(sealed, 1);
  const ct = find(sealed, 3);
  if (wrapped?.t !== 'array' || ct?.t !== 'bytes') throw malformed('sealed section has the wrong shape');
  const aad = sealedAad(serial);
  for (const entry of wrapped.v) {
    const direct = entry.t === 'array' && entry.v.length === 2;
    if (entry.t !== 'array' || (entry.v.length !== 3 && !direct) || entry.v[0]!.t !== 'bytes' ||
        entry.v[1]!.t !== 'bytes' || (!direct && entry.v[2]!.t !== 'bytes')) {
      throw malformed('sealed recipient has the wrong shape');
    }
    if (direct && wrapped.v.length !== 1) throw malformed('sealed recipients are mixed');
    const [kid, enc, wrappedKey] = entry.v as { t: 'bytes'; v: Uint8Array }[];
    if (!equalBytes(kid!.v, key.kid)) continue;
    const plain = direct ? await hpkeOpen(key, enc!.v, aad, ct.v)
      : await contentOpen(await hpkeOpen(key, enc!.v, aad, wrappedKey!.v), aad, ct.v);
    return readContent(plain);
  }
  return undefined;
}
