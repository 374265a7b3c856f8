// The offline verifier's core (web/src/verify/core) on the published
// Claim 169 vectors (PUENTE_SHARED/claim169/vectors, default ../shared beside
// the repository), the same files tests/credentials/claim169_vectors_test.cc
// reads: valid ones decode to their claims and CWT metadata and verify with
// their key (Ed25519 and ES256), and not with another; invalid ones fail at
// their stage; edge ones decode. Plus the strict reader's refusals.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const m = await load('', [
  { from: '../verify/core/index.ts', names: ['decodeCredential', 'importVerifyingKey', 'StageError', 'base45Decode'] },
  { from: '../verify/core/cbor.ts', names: ['decodeCbor'] },
]);

const repo = path.resolve(import.meta.dirname, '..', '..');
const shared = process.env.PUENTE_SHARED || path.join(repo, '..', 'shared');
const vectorsDir = path.join(shared, 'claim169', 'vectors');
const vectors = ['valid', 'invalid', 'edge'].flatMap((category) =>
  readdirSync(path.join(vectorsDir, category)).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(vectorsDir, category, f), 'utf8'))));

const hexBytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const algOf = (v) => (v.signing_key.algorithm === 'EdDSA' ? 'Ed25519' : 'ES256');

async function stageOf(promise) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof m.StageError) return e.stage;
    throw e;
  }
  return 'decoded';
}

function expectSubset(expected, got, where) {
  for (const [k, v] of Object.entries(expected)) {
    if (v !== null && typeof v === 'object') expectSubset(v, got?.[k], `${where}.${k}`);
    else assert.deepEqual(got?.[k], v, `${where}.${k}`);
  }
}

test('all 18 published vectors are there', () => {
  assert.equal(vectors.length, 18);
  assert.deepEqual(vectors.map((v) => v.category).sort().filter((c, i, a) => a.indexOf(c) === i), ['edge', 'invalid', 'valid']);
});

for (const v of vectors) {
  test(`vector ${v.category}/${v.name}`, async () => {
    if (v.category === 'invalid') {
      assert.equal(await stageOf(m.decodeCredential(v.qr_data)), v.expected_error);
      return;
    }
    if (v.name.startsWith('encrypted')) {
      // COSE_Encrypt0: a verifier holds no content key (the C++ decoder opens
      // these only when given one; puente-verify refuses them too).
      assert.equal(await stageOf(m.decodeCredential(v.qr_data)), 'Decrypt');
      return;
    }
    const d = await m.decodeCredential(v.qr_data);
    assert.equal(d.verified, false);
    const expected = structuredClone(v.expected_claim169);
    if (v.name === 'with-face') delete expected.face[0].data; // the vector's JSON base64 is wrong (docs/credentials.md)
    expectSubset(expected, d.claim169, 'claim169');
    const meta = v.expected_cwt_meta ?? {};
    for (const [k, want] of Object.entries(meta)) {
      const got = d.meta[k];
      assert.equal(typeof got === 'bigint' ? Number(got) : got, want, `meta.${k}`);
    }
    if (v.name === 'unknown-fields') assert.ok(d.claim169.unknownFields, 'unknown fields kept');
    if (!v.signing_key) return;
    const key = await m.importVerifyingKey(algOf(v), hexBytes(v.signing_key.public_key_hex));
    const verified = await m.decodeCredential(v.qr_data, () => [key]);
    assert.equal(verified.verified, true);
    assert.equal(verified.verifiedBy, key);
    // Another key of the same algorithm: one uniform refusal.
    const { publicKey } = await crypto.subtle.generateKey(
      algOf(v) === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const other = await m.importVerifyingKey(algOf(v), new Uint8Array(await crypto.subtle.exportKey('raw', publicKey)));
    await assert.rejects(m.decodeCredential(v.qr_data, () => [other]), /Signature: invalid signature/);
  });
}

test('the strict CBOR reader refuses what the C++ reader refuses', () => {
  const bad = {
    'trailing bytes': [0x01, 0x00],
    'indefinite array': [0x9f, 0x01, 0xff],
    'indefinite bytes': [0x5f, 0x41, 0x00, 0xff],
    'duplicate key': [0xa2, 0x01, 0x00, 0x01, 0x00],
    'duplicate text key': [0xa2, 0x61, 0x61, 0x00, 0x61, 0x61, 0x00],
    'bytes as a map key': [0xa1, 0x41, 0x00, 0x00],
    'truncated': [0x82, 0x01],
    'integer past int64': [0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0],
    'reserved additional information': [0x1c],
    'unsupported simple value': [0xf0],
    'too deep': [...Array(16).fill(0x81), 0x00],
    'too many items': [0x99, 0x10, 0x01, ...Array(4097).fill(0x00)],
  };
  for (const [what, bytes] of Object.entries(bad)) {
    assert.throws(() => m.decodeCbor(Uint8Array.from(bytes)), /cbor:/, what);
  }
  // Fifteen levels are fine; an integer key 1 and a text key "1" differ; a
  // float stays a float.
  assert.equal(m.decodeCbor(Uint8Array.from([...Array(15).fill(0x81), 0x00])).t, 'array');
  assert.equal(m.decodeCbor(Uint8Array.from([0xa2, 0x01, 0x00, 0x61, 0x31, 0x00])).v.length, 2);
  assert.equal(m.decodeCbor(Uint8Array.from([0xf9, 0x3c, 0x00])).t, 'float');
  assert.deepEqual(m.decodeCbor(Uint8Array.from([0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    { t: 'int', v: -(2n ** 63n) });
});

test('Base45 as RFC 9285', () => {
  assert.deepEqual(Buffer.from(m.base45Decode('BB8')).toString(), 'AB');
  assert.deepEqual(Buffer.from(m.base45Decode('%69 VD92EX0')).toString(), 'Hello!!');
  for (const bad of ['A', 'GGW', 'aa', 'AB!']) assert.throws(() => m.base45Decode(bad), /base45/, bad);
});

test('Brotli as credentials\' BrotliDecompress: content, cap, truncation, trailing bytes, garbage', async () => {
  const { brotliCompressSync } = await import('node:zlib');
  const b = await load('', [{ from: '../verify/core/inflate.ts', names: ['inflateBrotli', 'DecompressError'] }]);
  const text = Buffer.from('Claim 169 '.repeat(500));
  const data = new Uint8Array(brotliCompressSync(text));
  assert.deepEqual(Buffer.from(await b.inflateBrotli(data, 65536)), text);
  const refused = async (bytes, cap, message) => {
    await assert.rejects(b.inflateBrotli(bytes, cap), (e) => e instanceof b.DecompressError && message.test(e.message));
  };
  await refused(data, text.length - 1, /exceeds/);
  await refused(new Uint8Array(brotliCompressSync(Buffer.alloc(16 << 20))), 65536, /exceeds 65536 bytes/);
  await refused(data.subarray(0, data.length - 2), 65536, /truncated Brotli/);
  await refused(new Uint8Array([...data, 0]), 65536, /trailing bytes after Brotli/);
  await refused(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 65536, /Brotli/);
});
