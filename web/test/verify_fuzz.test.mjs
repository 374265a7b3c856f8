// The phone verifier's parsers of untrusted input (what a QR code says), fed
// mutated and random input, seeded so a failure repeats: the published
// vectors' COSE bytes mutated (bits flipped, bytes inserted, deleted,
// repeated, cut) and re-wrapped in zlib and Base45, random Base45 text, and
// random CBOR. Nothing escapes but the core's own errors (StageError,
// CborError), nothing hangs, nothing is accepted that was changed in its
// signed part. The C++ parsers have their libFuzzer targets (fuzz/); this is
// the same duty for the TypeScript ones.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { base45Encode } from '../e2e/cards.mjs';
import { load } from './bundle.mjs';

const m = await load('', [
  { from: '../verify/core/index.ts', names: ['decodeCredential', 'StageError', 'base45Decode', 'importVerifyingKey'] },
  { from: '../verify/core/cbor.ts', names: ['decodeCbor', 'CborError'] },
]);

const repo = path.resolve(import.meta.dirname, '..', '..');
const shared = process.env.PUENTE_SHARED || path.join(repo, '..', 'shared');
const dir = path.join(shared, 'claim169', 'vectors', 'valid');
const vectors = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));

// xorshift32: the same cases every run.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function mutate(bytes, r) {
  const b = Array.from(bytes);
  const at = r(b.length);
  switch (r(6)) {
    case 0: b[at] ^= 1 << r(8); break;
    case 1: b.splice(at, 0, r(256)); break;
    case 2: b.splice(at, 1); break;
    case 3: b.splice(at, 0, ...b.slice(at, at + 1 + r(16))); break;
    case 4: b.length = at; break;
    default: b[at] = [0x00, 0x18, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xff][r(8)];
  }
  return Uint8Array.from(b);
}

async function ownErrorsOnly(promise, what) {
  try {
    return await promise;
  } catch (e) {
    assert.ok(e instanceof m.StageError, `${what}: ${e?.constructor?.name}: ${e?.message}`);
    return null;
  }
}

test('mutated COSE inside valid zlib and Base45: only StageError, and no changed signed credential verifies', async () => {
  // The signed vectors (the encrypted ones need a content key a verifier does not hold).
  const signed = vectors.filter((v) => v.signing_key && !v.encryption_key);
  assert.ok(signed.length >= 2, signed.map((v) => v.name).join());
  for (const v of signed) {
    const key = await m.importVerifyingKey(v.signing_key.algorithm === 'EdDSA' ? 'Ed25519' : 'ES256',
      Uint8Array.from(Buffer.from(v.signing_key.public_key_hex, 'hex')));
    const cose = inflateSync(m.base45Decode(v.qr_data));
    const original = await m.decodeCredential(base45Encode(deflateSync(cose)), () => [key]);
    assert.equal(original.verified, true, v.name); // the harness itself: the unchanged card verifies
    const r = rng(0x5eed + cose.length);
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const bad = mutate(cose, r);
      const got = await ownErrorsOnly(m.decodeCredential(base45Encode(deflateSync(bad)), () => [key]), `${v.name} #${i}`);
      // A change in an unsigned part (the unprotected header) may still verify; the signed payload never changes.
      if (got?.verified) assert.deepEqual(got.payload, original.payload, `${v.name} #${i}`);
      else rejected++;
    }
    assert.ok(rejected > 1400, `${v.name}: only ${rejected} of 1500 mutations refused`);
  }
});

test('random and mutated Base45 text: only StageError', async () => {
  const r = rng(45);
  const texts = vectors.map((v) => v.qr_data);
  for (let i = 0; i < 3000; i++) {
    let s;
    if (i % 2) {
      s = Array.from({ length: r(200) }, () => B45[r(45)]).join('');
    } else {
      const t = texts[r(texts.length)];
      const at = r(t.length);
      s = t.slice(0, at) + String.fromCharCode(32 + r(95)) + t.slice(at + 1 + r(2));
    }
    await ownErrorsOnly(m.decodeCredential(s), `text #${i}`);
  }
});

test('random CBOR: only CborError, bounded', () => {
  const r = rng(0xcb0e);
  for (let i = 0; i < 20000; i++) {
    const bytes = Uint8Array.from({ length: 1 + r(64) }, () => r(256));
    try {
      m.decodeCbor(bytes);
    } catch (e) {
      assert.ok(e instanceof m.CborError, `#${i} ${Buffer.from(bytes).toString('hex')}: ${e?.constructor?.name}: ${e?.message}`);
    }
  }
});
