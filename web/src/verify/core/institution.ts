// An institution's X25519 key in the browser: imported once from the file
// `puente keys export-web` writes, then kept at rest only as ciphertext under
// a key derived from a PIN, and unlocked with the PIN into a non-extractable
// CryptoKey each session. No DOM, no storage: the app stores what
// protectWithPin returns (plain JSON-safe data) where it likes.
//
// The key file (puente-institution-key-web-v1, apps/puente/key_commands.cc):
//   {"format", "kid", "public_key", "kdf": "PBKDF2-HMAC-SHA256", "iterations",
//    "salt", "cipher": "AES-256-GCM", "nonce", "wrapped_key"}   (bytes as hex)
// wrapped_key = AES-256-GCM(PBKDF2(passphrase, salt, iterations), nonce,
//   aad = "puente-institution-key-web-v1/" + public key, PKCS#8 of the key).
// What protectWithPin returns has the same shape under its own format
// (puente-institution-key-pin-v1) and aad; with a device key (createDeviceKey:
// a non-extractable AES-GCM key the app keeps in IndexedDB) the PIN-wrapped
// key is encrypted once more under it ("device_nonce" says so), so a copy of
// the record alone cannot be guessed at offline: every PIN tried needs the
// device key, which only this browser profile can use.
//
// Where the raw key lives: nowhere in JS. PBKDF2 derives an AES key inside
// WebCrypto (non-extractable, for unwrapKey/wrapKey only) and unwrapKey puts
// the PKCS#8 straight into an X25519 CryptoKey: the file import and every PIN
// unlock make a non-extractable key. protectWithPin, re-wrapping the file's
// key under the PIN, unwraps it once as an *extractable* CryptoKey and wraps
// it at once with the PIN's key (wrapKey): the bytes stay inside WebCrypto,
// the extractable object is dropped when the call returns. Only the
// { pkcs8 } source of protectWithPin takes raw bytes from the caller (tests,
// tools); it overwrites them with zeros when done. docs/verifier-web.md says
// what this does not protect against.
import { equalBytes, hex, hexToBytes } from './bytes.js';
import type { InstitutionKey } from './sealed.js';

export const KEY_FILE_FORMAT = 'puente-institution-key-web-v1';
export const PIN_FORMAT = 'puente-institution-key-pin-v1';
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; the least either format accepts. */
export const MIN_ITERATIONS = 600_000;
/** More is refused: a file could otherwise make the phone work for hours. */
export const MAX_ITERATIONS = 10_000_000;
export const MIN_PIN_LENGTH = 6;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const X25519 = { name: 'X25519' };

/** Thrown for a key file or stored key that cannot be used; the message says why, never what a secret was. */
export class InstitutionKeyError extends Error {}

/** A wrapped key: the key file's fields and what protectWithPin returns. */
export interface WrappedInstitutionKey {
  format: typeof KEY_FILE_FORMAT | typeof PIN_FORMAT;
  kid: string; // hex, 8 bytes
  public_key: string; // hex, 32 bytes
  kdf: 'PBKDF2-HMAC-SHA256';
  iterations: number;
  salt: string; // hex, 16 bytes or more
  cipher: 'AES-256-GCM';
  nonce: string; // hex, 12 bytes
  wrapped_key: string; // hex: PKCS#8 + 16-byte tag (+ 16 more under a device key)
  device_nonce?: string; // PIN records under a device key only: hex, 12 bytes
}
/** What the app stores: only ciphertext, under a key derived from the PIN. */
export type PinProtectedKey = WrappedInstitutionKey & { format: typeof PIN_FORMAT };

const encoder = new TextEncoder();

function bad(what: string): InstitutionKeyError {
  return new InstitutionKeyError(what);
}

/** SHA-256("puente-kid-v1/X25519/" + public key), first 8 bytes (credentials InstitutionKeyIdOf). */
export async function institutionKid(publicKey: Uint8Array): Promise<Uint8Array> {
  const prefix = encoder.encode('puente-kid-v1/X25519/');
  const data = new Uint8Array(prefix.length + publicKey.length);
  data.set(prefix);
  data.set(publicKey, prefix.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data)).slice(0, 8);
}

function aadOf(format: string, publicKey: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${format}/`);
  const aad = new Uint8Array(prefix.length + publicKey.length);
  aad.set(prefix);
  aad.set(publicKey, prefix.length);
  return aad;
}

interface Parsed {
  format: string;
  kid: Uint8Array;
  publicKey: Uint8Array;
  iterations: number;
  salt: Uint8Array;
  nonce: Uint8Array;
  wrapped: Uint8Array;
  deviceNonce?: Uint8Array;
}

function hexField(o: Record<string, unknown>, name: string, min: number, max: number): Uint8Array {
  const v = o[name];
  if (v === undefined) throw bad(`${name}: missing`);
  const bytes = typeof v === 'string' ? hexToBytes(v) : undefined;
  if (bytes === undefined) throw bad(`${name}: must be hex`);
  if (bytes.length < min || bytes.length > max) {
    throw bad(min === max ? `${name}: must be ${min} bytes` : `${name}: must be ${min} to ${max} bytes`);
  }
  return bytes;
}

const FIELDS = ['format', 'kid', 'public_key', 'kdf', 'iterations', 'salt', 'cipher', 'nonce', 'wrapped_key'];

// Strict: every field present with its type and size, nothing else.
async function parseWrapped(value: unknown, format: string): Promise<Parsed> {
  let o: unknown = value;
  if (typeof value === 'string') {
    try {
      o = JSON.parse(value);
    } catch {
      throw bad('not a JSON key file');
    }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw bad('not a JSON key file');
  const r = o as Record<string, unknown>;
  if (r.format !== format) {
    throw bad(`format: expected ${format}, got ${typeof r.format === 'string' ? JSON.stringify(r.format) : 'none'}`);
  }
  for (const k of Object.keys(r)) {
    if (!FIELDS.includes(k) && !(k === 'device_nonce' && format === PIN_FORMAT)) throw bad(`${k}: unknown field`);
  }
  if (r.kdf !== 'PBKDF2-HMAC-SHA256') throw bad('kdf: must be PBKDF2-HMAC-SHA256');
  if (r.cipher !== 'AES-256-GCM') throw bad('cipher: must be AES-256-GCM');
  const iterations = r.iterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < MIN_ITERATIONS ||
      iterations > MAX_ITERATIONS) {
    throw bad(`iterations: must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`);
  }
  const p: Parsed = {
    format,
    kid: hexField(r, 'kid', 8, 8),
    publicKey: hexField(r, 'public_key', 32, 32),
    iterations,
    salt: hexField(r, 'salt', SALT_BYTES, 64),
    nonce: hexField(r, 'nonce', NONCE_BYTES, NONCE_BYTES),
    wrapped: hexField(r, 'wrapped_key', 17, 4096),
  };
  if (r.device_nonce !== undefined) p.deviceNonce = hexField(r, 'device_nonce', NONCE_BYTES, NONCE_BYTES);
  if (!equalBytes(await institutionKid(p.publicKey), p.kid)) throw bad('kid: does not match the public key');
  return p;
}

// The AES-256-GCM key PBKDF2 derives from `secret`, inside WebCrypto.
async function wrappingKey(secret: string, salt: Uint8Array, iterations: number,
  usage: 'wrapKey' | 'unwrapKey'): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, base,
    { name: 'AES-GCM', length: 256 }, false, [usage]);
}

async function unwrap(p: Parsed, secret: string, extractable: boolean, refusal: string): Promise<CryptoKey> {
  const key = await wrappingKey(secret, p.salt, p.iterations, 'unwrapKey');
  try {
    return await crypto.subtle.unwrapKey('pkcs8', p.wrapped as BufferSource, key,
      { name: 'AES-GCM', iv: p.nonce as BufferSource, additionalData: aadOf(p.format, p.publicKey) as BufferSource },
      X25519, extractable, ['deriveBits']);
  } catch {
    throw bad(refusal);
  }
}

// That `privateKey` is the private half of `publicKey`: an ephemeral key
// agrees with both the same way. Needs no export of the private key.
async function checkPair(privateKey: CryptoKey, publicKey: Uint8Array): Promise<CryptoKey> {
  let pub: CryptoKey;
  try {
    pub = await crypto.subtle.importKey('raw', publicKey as BufferSource, X25519, true, []);
  } catch {
    throw bad('public_key: not an X25519 public key');
  }
  const eph = (await crypto.subtle.generateKey(X25519, false, ['deriveBits'])) as CryptoKeyPair;
  const a = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: eph.publicKey }, privateKey, 256));
  const b = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: pub }, eph.privateKey, 256));
  const same = equalBytes(a, b);
  a.fill(0);
  b.fill(0);
  if (!same) throw bad('the private key does not match public_key');
  return pub;
}

async function institutionKey(privateKey: CryptoKey, p: Pick<Parsed, 'kid' | 'publicKey'>): Promise<InstitutionKey> {
  const publicKey = await checkPair(privateKey, p.publicKey);
  return { kid: p.kid.slice(), publicKey: p.publicKey.slice(), keyPair: { privateKey, publicKey } };
}

/**
 * The key in a `puente keys export-web` file, as a non-extractable X25519
 * CryptoKey with its kid and public key. Throws InstitutionKeyError: a field
 * named for a malformed file, "wrong passphrase or damaged key file" for a
 * wrong passphrase or any altered byte of the ciphertext, salt or nonce.
 */
export async function importInstitutionKeyFile(json: string | object, filePassphrase: string):
  Promise<InstitutionKey> {
  const p = await parseWrapped(json, KEY_FILE_FORMAT);
  const key = await unwrap(p, filePassphrase, false, 'wrong passphrase or damaged key file');
  return institutionKey(key, p);
}

/** What protectWithPin protects: the key file and its passphrase, or a PKCS#8 and its public key. */
export type PinSource =
  | { file: string | object; passphrase: string }
  | { pkcs8: Uint8Array; publicKey: Uint8Array };

/**
 * A fresh AES-256-GCM key, non-extractable, for protectWithPin's deviceKey:
 * the app stores the CryptoKey itself in IndexedDB (structured clone keeps it
 * non-extractable) beside the record.
 */
export async function createDeviceKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export interface PinOptions {
  /** PBKDF2 rounds, MIN_ITERATIONS (the default) to MAX_ITERATIONS. */
  iterations?: number;
  /** Encrypt the record once more under this key (createDeviceKey). */
  deviceKey?: CryptoKey;
}

function deviceAad(publicKey: Uint8Array): Uint8Array {
  return aadOf(`${PIN_FORMAT}/device`, publicKey);
}

function checkPin(pin: string): void {
  if ([...pin].length < MIN_PIN_LENGTH) throw bad(`PIN: at least ${MIN_PIN_LENGTH} characters`);
}

/**
 * The key of `source` wrapped under `pin` (PBKDF2-HMAC-SHA256, `iterations`,
 * fresh salt and nonce; AES-256-GCM), and under `deviceKey` when given: the
 * only form to store. Throws InstitutionKeyError for a short PIN, a bad file
 * or passphrase, or a PKCS#8 that is not the private key of `publicKey`. A
 * { pkcs8 } source is zeroed.
 */
export async function protectWithPin(source: PinSource, pin: string, options: PinOptions = {}):
  Promise<PinProtectedKey> {
  checkPin(pin);
  const iterations = options.iterations ?? MIN_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw bad(`iterations: must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`);
  }
  let key: CryptoKey;
  let publicKey: Uint8Array;
  if ('file' in source) {
    const p = await parseWrapped(source.file, KEY_FILE_FORMAT);
    key = await unwrap(p, source.passphrase, true, 'wrong passphrase or damaged key file');
    publicKey = p.publicKey;
  } else {
    try {
      key = await crypto.subtle.importKey('pkcs8', source.pkcs8 as BufferSource, X25519, true, ['deriveBits']);
    } catch {
      throw bad('pkcs8: not an X25519 private key');
    } finally {
      source.pkcs8.fill(0);
    }
    if (source.publicKey.length !== 32) throw bad('public_key: must be 32 bytes');
    publicKey = source.publicKey.slice();
  }
  await checkPair(key, publicKey);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const pinKey = await wrappingKey(pin, salt, iterations, 'wrapKey');
  let wrapped = new Uint8Array(await crypto.subtle.wrapKey('pkcs8', key, pinKey,
    { name: 'AES-GCM', iv: nonce, additionalData: aadOf(PIN_FORMAT, publicKey) as BufferSource }));
  const stored: PinProtectedKey = {
    format: PIN_FORMAT, kid: hex(await institutionKid(publicKey)), public_key: hex(publicKey),
    kdf: 'PBKDF2-HMAC-SHA256', iterations, salt: hex(salt), cipher: 'AES-256-GCM', nonce: hex(nonce),
    wrapped_key: '',
  };
  if (options.deviceKey !== undefined) {
    const deviceNonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    try {
      wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: deviceNonce,
        additionalData: deviceAad(publicKey) as BufferSource }, options.deviceKey, wrapped));
    } catch {
      throw bad('deviceKey: not an AES-GCM encryption key');
    }
    stored.device_nonce = hex(deviceNonce);
  }
  stored.wrapped_key = hex(wrapped);
  return stored;
}

/**
 * The stored key opened with `pin` (and `deviceKey`, which a record made
 * with one needs and a record made without one refuses), as a
 * non-extractable CryptoKey. Throws InstitutionKeyError("wrong PIN or damaged
 * stored key") for a wrong PIN, a wrong device key or any altered byte; a
 * field named for a malformed record.
 */
export async function unlockWithPin(stored: PinProtectedKey | string, pin: string, deviceKey?: CryptoKey):
  Promise<InstitutionKey> {
  const refusal = 'wrong PIN or damaged stored key';
  const p = await parseWrapped(stored, PIN_FORMAT);
  if ((p.deviceNonce !== undefined) !== (deviceKey !== undefined)) {
    throw bad(p.deviceNonce !== undefined ? 'this stored key needs its device key'
      : 'this stored key has no device key layer');
  }
  if (p.deviceNonce !== undefined) {
    try {
      p.wrapped = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: p.deviceNonce as BufferSource,
        additionalData: deviceAad(p.publicKey) as BufferSource }, deviceKey!, p.wrapped as BufferSource));
    } catch {
      throw bad(refusal);
    }
  }
  const key = await unwrap(p, pin, false, refusal);
  return institutionKey(key, p);
}
