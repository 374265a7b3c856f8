// The phone verifier's parsers of untrusted input (what a QR code says), fed
// mutated and random input, seeded so a failure repeats: the published
// vectors' COSE bytes mutated (bits flipped, bytes inserted, deleted,
// repeated, cut) and re-wrapped in zlib and Base45, random Base45 text, and
// random CBOR. Nothing escapes but the core's own errors (StageError,
// CborError), nothing hangs, nothing is accepted that was changed in its
// signed part. The C++ parsers have their libFuzzer targets (fuzz/); this is
// the same duty for the TypeScript ones.
// Certificate chains (COSE x5chain) too: certificates made by openssl
// (x5chain_certs.sh), mutated: only ChainError, and none verifies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { base45Encode } from '../e2e/cards.mjs';
import { load } from './bundle.mjs';

const m = await load('', [
  { from: '../verify/core/index.ts', names: ['decodeCredential', 'StageError', 'base45Decode', 'importVerifyingKey',
    'verifyCertificateChain', 'ChainError'] },
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

test('mutated certificate chains: only ChainError, and no changed certificate verifies', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'puente-x5-fuzz-'));
  try {
    execFileSync('bash', [path.join(import.meta.dirname, 'x5chain_certs.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const der = (name) => new Uint8Array(Buffer.from(readFileSync(path.join(dir, `${name}.pem`), 'utf8')
      .replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const root = der('root');
    const at = BigInt(Math.floor(Date.now() / 1000) + 60);
    const good = [[der('leaf2'), der('inter')], [der('leafrsa'), der('interrsa')], [der('leaf384'), der('inter384')]];
    for (const chain of good) await m.verifyCertificateChain(chain, root, at); // each verifies unchanged
    // The one unsigned byte that would otherwise change nothing: the signature's unused-bits count.
    const bitsLeft = der('leaf');
    bitsLeft[bitsLeft.length - 65] = 1; // Ed25519: 03 41 00 || 64 bytes
    await assert.rejects(m.verifyCertificateChain([bitsLeft], root, at), /certificate 1 is malformed/);
    const r = rng(0x5c4a1);
    // The authority's certificate comes from the signed trust list and its own
    // signature is not checked (as OpenSSL does not check a trust anchor's):
    // mutated, it may still anchor; a mutated leaf or intermediate never verifies.
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const chain = good[r(good.length)].map((c) => c.slice());
      const which = r(3); // the leaf, the intermediate, or the authority
      const anchor = which === 2 ? mutate(root, r) : root;
      if (which < 2) chain[which] = mutate(chain[which], r);
      const original = which === 2 ? root : good.find((g) => g.length === chain.length && g.some((c, k) => k !== which &&
        Buffer.compare(Buffer.from(c), Buffer.from(chain[k])) === 0))[which];
      if (Buffer.compare(Buffer.from(which === 2 ? anchor : chain[which]), Buffer.from(original)) === 0) {
        refused++; // the mutation changed nothing (a byte set to its own value)
        continue;
      }
      try {
        await m.verifyCertificateChain(chain, anchor, at);
        assert.equal(which, 2, `mutation ${i} (certificate ${which}) verified`);
      } catch (e) {
        assert.ok(e instanceof m.ChainError, `mutation ${i}: ${e?.constructor?.name}: ${e?.message}`);
        refused++;
      }
    }
    assert.ok(refused > 1000, `${refused} refused`);
    // Random bytes, and DER of other shapes.
    for (let i = 0; i < 300; i++) {
      const junk = Uint8Array.from({ length: 1 + r(600) }, () => r(256));
      if (i % 2) junk[0] = 0x30;
      await assert.rejects(m.verifyCertificateChain([junk], root, at), m.ChainError);
      await assert.rejects(m.verifyCertificateChain([der('leaf')], junk, at), m.ChainError);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
