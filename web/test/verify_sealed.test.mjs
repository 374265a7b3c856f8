// The phone verifier's sealed section and institution keys
// (web/src/verify/core/sealed.ts, institution.ts), in Node's WebCrypto:
// sections sealed here the way credentials/src/card.cc seals them (one
// recipient: HPKE on the content; several: a content key under AES-GCM with
// the zero nonce, wrapped per recipient) open to their case number and
// details, for the right kid only, and fail as OpenSection fails (shapes,
// "decryption failed"); a key file made with Node's own PBKDF2 and AES-GCM
// (as `puente keys export-web` makes it) imports as a non-extractable key;
// the PIN layer round-trips and refuses a wrong PIN and any altered byte.
// The cross-check (verify_crosscheck.mjs) opens the CLI's cards with the CLI's
// key file against puente-verify.
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { encode } from 'cborg';
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const m = await load('', [
  {
    from: '../verify/core/index.ts',
    names: ['openSealedSection', 'importInstitutionKeyFile', 'protectWithPin', 'unlockWithPin', 'institutionKid',
      'InstitutionKeyError', 'StageError', 'createDeviceKey'],
  },
  { from: '../verify/core/cbor.ts', names: ['decodeCbor'] },
  { from: '../verify/core/sealed.ts', names: ['serialBytes'] },
]);

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const INFO = new TextEncoder().encode('puente/sealed-key/v1');
const hex = (b) => Buffer.from(b).toString('hex');
const aadOf = (serial) => Buffer.concat([Buffer.from('puente/sealed/v1/'), Buffer.from(m.serialBytes(serial))]);

// An institution: its PKCS#8 and public key from Node's crypto, and the core's key from them.
async function institution(pin = '482916') {
  const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('x25519');
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const stored = await m.protectWithPin({ pkcs8: pkcs8.slice(), publicKey: raw }, pin);
  const key = await m.unlockWithPin(stored, pin);
  return { pkcs8, raw, key, stored, pin, kid: await m.institutionKid(raw) };
}

const content = (template, caseNumber, details) =>
  encode(new Map([[1, template], [2, caseNumber], [3, new Map(Object.entries(details))]]));

// As card.cc's SealSection.
async function seal(plain, serial, recipients) {
  const aad = aadOf(serial);
  const pub = async (r) => crypto.subtle.importKey('raw', r.raw, { name: 'X25519' }, true, []);
  if (recipients.length === 1) {
    const r = recipients[0];
    const s = await suite.seal({ recipientPublicKey: await pub(r), info: INFO }, plain, aad);
    return new Map([[1, [[r.kid, new Uint8Array(s.enc)]]], [3, new Uint8Array(s.ct)]]);
  }
  const cek = crypto.getRandomValues(new Uint8Array(32));
  const wrapped = [];
  for (const r of recipients) {
    const s = await suite.seal({ recipientPublicKey: await pub(r), info: INFO }, cek, aad);
    wrapped.push([r.kid, new Uint8Array(s.enc), new Uint8Array(s.ct)]);
  }
  const key = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt']);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), additionalData: aad }, key, plain);
  return new Map([[1, wrapped], [3, new Uint8Array(ct)]]);
}

const tree = (value) => m.decodeCbor(encode(value));

async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    return e instanceof m.StageError ? e.message : `${e.constructor.name}: ${e.message}`;
  }
  return 'opened';
}

const hospital = await institution();
const clinic = await institution('0000000');
const police = await institution('93817264');
const template = new Uint8Array(74).fill(7);

test('serial bytes are minimal big-endian, at least one', () => {
  assert.equal(hex(m.serialBytes(0n)), '00');
  assert.equal(hex(m.serialBytes(12n)), '0c');
  assert.equal(hex(m.serialBytes(256n)), '0100');
  assert.equal(hex(m.serialBytes((1n << 64n) - 1n)), 'ffffffffffffffff');
});

test('one recipient: HPKE on the content opens to the case number and details', async () => {
  const sealed = await seal(content(template, 'CPA-2026-000031', { office: 'Panamá Centro', 'año': '2026' }), 12n,
    [hospital]);
  const opened = await m.openSealedSection(tree(sealed), 12n, hospital.key);
  assert.deepEqual(opened, { caseNumber: 'CPA-2026-000031', details: { office: 'Panamá Centro', 'año': '2026' },
    hasFaceTemplate: true, faceTemplateBytes: 74 });
  // Another institution's key: not addressed to it, nothing tried.
  assert.equal(await m.openSealedSection(tree(sealed), 12n, clinic.key), undefined);
  // The serial is in the associated data: another serial does not open.
  assert.equal(await refusal(m.openSealedSection(tree(sealed), 13n, hospital.key)), 'Decrypt: decryption failed');
});

test('several recipients: each opens the content key, others are not addressed', async () => {
  const sealed = await seal(content(new Uint8Array(), 'CPA-2026-000077', {}), 500n, [clinic, hospital, police]);
  for (const who of [clinic, hospital, police]) {
    assert.deepEqual(await m.openSealedSection(tree(sealed), 500n, who.key),
      { caseNumber: 'CPA-2026-000077', details: {}, hasFaceTemplate: false, faceTemplateBytes: 0 });
  }
  const other = await institution();
  assert.equal(await m.openSealedSection(tree(sealed), 500n, other.key), undefined);
});

test('an altered ciphertext, enc or wrapped key says "decryption failed", nothing more', async () => {
  const direct = await seal(content(template, 'C-1', {}), 1n, [hospital]);
  const many = await seal(content(template, 'C-2', {}), 1n, [hospital, clinic]);
  const flip = (b, i = 5) => { const c = b.slice(); c[i] ^= 1; return c; };
  const cases = [
    new Map([[1, direct.get(1)], [3, flip(direct.get(3))]]),
    new Map([[1, [[hospital.kid, flip(direct.get(1)[0][1])]]], [3, direct.get(3)]]),
    new Map([[1, [[hospital.kid, direct.get(1)[0][1].slice(0, 31)]]], [3, direct.get(3)]]),
    new Map([[1, many.get(1)], [3, flip(many.get(3))]]),
    new Map([[1, [[hospital.kid, many.get(1)[0][1], flip(many.get(1)[0][2])]]], [3, many.get(3)]]),
    new Map([[1, many.get(1)], [3, many.get(3).slice(0, 10)]]),
  ];
  for (const c of cases) assert.equal(await refusal(m.openSealedSection(tree(c), 1n, hospital.key)), 'Decrypt: decryption failed');
});

test('sections of the wrong shape are refused as OpenSection refuses them', async () => {
  const enc = new Uint8Array(32);
  const cases = [
    [new Map([[3, new Uint8Array(16)]]), 'sealed section has the wrong shape'],
    [new Map([[1, []], [3, 'text']]), 'sealed section has the wrong shape'],
    [new Map([[1, [[hospital.kid]]], [3, new Uint8Array(16)]]), 'sealed recipient has the wrong shape'],
    [new Map([[1, [[hospital.kid, 'enc']]], [3, new Uint8Array(16)]]), 'sealed recipient has the wrong shape'],
    [new Map([[1, [[clinic.kid, enc], [hospital.kid, enc, enc]]], [3, new Uint8Array(16)]]), 'sealed recipients are mixed'],
  ];
  for (const [value, what] of cases) {
    assert.equal(await refusal(m.openSealedSection(tree(value), 1n, hospital.key)), `CwtParse: card claims: ${what}`);
  }
  // Content that opens but is not the content map.
  for (const [plain, what] of [[encode([1, 2]), 'sealed content is not a map'],
    [encode(new Map([[1, template], [2, 7], [3, new Map()]])), 'sealed content has the wrong fields'],
    [encode(new Map([[1, template], [2, 'C'], [3, new Map([['k', 1]])]])), 'sealed details must be text'],
    [Buffer.concat([content(template, 'C', {}), Buffer.from([0])]), 'sealed content is not a map']]) {
    const sealed = await seal(plain, 3n, [hospital]);
    assert.equal(await refusal(m.openSealedSection(tree(sealed), 3n, hospital.key)), `CwtParse: card claims: ${what}`);
  }
  // No recipients at all: not addressed to anyone.
  assert.equal(await m.openSealedSection(tree(new Map([[1, []], [3, new Uint8Array(16)]])), 1n, hospital.key), undefined);
});

// The key file as `puente keys export-web` writes it, made here with Node's
// crypto module (OpenSSL) instead of WebCrypto.
function keyFile(inst, passphrase, { iterations = 600000, publicKey = inst.raw } = {}) {
  const salt = nodeCrypto.randomBytes(16);
  const nonce = nodeCrypto.randomBytes(12);
  const k = nodeCrypto.pbkdf2Sync(passphrase, salt, iterations, 32, 'sha256');
  const c = nodeCrypto.createCipheriv('aes-256-gcm', k, nonce);
  c.setAAD(Buffer.concat([Buffer.from('puente-institution-key-web-v1/'), Buffer.from(publicKey)]));
  const wrapped = Buffer.concat([c.update(inst.pkcs8), c.final(), c.getAuthTag()]);
  return {
    format: 'puente-institution-key-web-v1', kid: hex(inst.kid), public_key: hex(inst.raw), kdf: 'PBKDF2-HMAC-SHA256',
    iterations, salt: hex(salt), cipher: 'AES-256-GCM', nonce: hex(nonce), wrapped_key: hex(wrapped),
  };
}

test('a key file imports as a non-extractable key that opens sections', async () => {
  const file = JSON.stringify(keyFile(hospital, 'clinica-san-fernando-2026'));
  const key = await m.importInstitutionKeyFile(file, 'clinica-san-fernando-2026');
  assert.equal(hex(key.kid), hex(hospital.kid));
  assert.equal(hex(key.publicKey), hex(hospital.raw));
  assert.equal(key.keyPair.privateKey.extractable, false);
  assert.deepEqual(key.keyPair.privateKey.usages, ['deriveBits']);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', key.keyPair.privateKey));
  const sealed = await seal(content(template, 'CPA-9', {}), 9n, [hospital]);
  assert.equal((await m.openSealedSection(tree(sealed), 9n, key)).caseNumber, 'CPA-9');
});

test('a key file: wrong passphrase and any altered byte get one refusal; malformed files name the field', async () => {
  const pass = 'clinica-san-fernando-2026';
  const file = keyFile(hospital, pass);
  const refusalOf = async (f, p = pass) => {
    try {
      await m.importInstitutionKeyFile(JSON.stringify(f), p);
    } catch (e) {
      assert.ok(e instanceof m.InstitutionKeyError, e.stack);
      return e.message;
    }
    return 'imported';
  };
  assert.equal(await refusalOf(file, 'clinica-san-fernando-2025'), 'wrong passphrase or damaged key file');
  for (const field of ['salt', 'nonce', 'wrapped_key']) {
    for (const i of [0, file[field].length - 1]) {
      const altered = { ...file, [field]: file[field].slice(0, i) + (file[field][i] === '0' ? '1' : '0') + file[field].slice(i + 1) };
      assert.equal(await refusalOf(altered), 'wrong passphrase or damaged key file', `${field} at ${i}`);
    }
  }
  // Another public key with its matching kid: the associated data no longer matches.
  const other = await institution();
  assert.equal(await refusalOf({ ...file, public_key: hex(other.raw), kid: hex(other.kid) }),
    'wrong passphrase or damaged key file');
  assert.equal(await refusalOf({ ...file, kid: hex(other.kid) }), 'kid: does not match the public key');
  assert.equal(await refusalOf({ ...file, iterations: 1000 }), 'iterations: must be an integer from 600000 to 10000000');
  assert.equal(await refusalOf({ ...file, format: 'puente-public-key-v1' }),
    'format: expected puente-institution-key-web-v1, got "puente-public-key-v1"');
  assert.equal(await refusalOf({ ...file, nonce: 'abcd' }), 'nonce: must be 12 bytes');
  assert.equal(await refusalOf({ ...file, extra: 1 }), 'extra: unknown field');
  const { wrapped_key: _, ...noKey } = file;
  assert.equal(await refusalOf(noKey), 'wrapped_key: missing');
  assert.equal(await refusalOf({ ...file, salt: 'xyz' }), 'salt: must be hex');
  await assert.rejects(m.importInstitutionKeyFile('{', pass), /not a JSON key file/);
  // A file whose wrapped key is another institution's, bound to this public key: the pair check refuses it.
  const swapped = keyFile({ ...hospital, pkcs8: other.pkcs8 }, pass);
  assert.equal(await refusalOf(swapped), 'the private key does not match public_key');
});

test('the PIN layer: only ciphertext stored, the key back non-extractable, wrong PIN and altered bytes refused', async () => {
  const pass = 'clinica-san-fernando-2026';
  const stored = await m.protectWithPin({ file: keyFile(hospital, pass), passphrase: pass }, '271828');
  assert.equal(stored.format, 'puente-institution-key-pin-v1');
  assert.equal(stored.iterations, 600000);
  assert.equal(stored.kid, hex(hospital.kid));
  // What is stored holds no copy of the PKCS#8's key bytes.
  const secret = hex(hospital.pkcs8.subarray(16));
  assert.ok(!JSON.stringify(stored).includes(secret));
  const key = await m.unlockWithPin(JSON.stringify(stored), '271828');
  assert.equal(key.keyPair.privateKey.extractable, false);
  const sealed = await seal(content(template, 'CPA-PIN', {}), 4n, [hospital]);
  assert.equal((await m.openSealedSection(tree(sealed), 4n, key)).caseNumber, 'CPA-PIN');

  await assert.rejects(m.unlockWithPin(stored, '271829'), { message: 'wrong PIN or damaged stored key' });
  for (const field of ['salt', 'nonce', 'wrapped_key']) {
    const v = stored[field];
    const altered = { ...stored, [field]: (v[0] === '0' ? '1' : '0') + v.slice(1) };
    await assert.rejects(m.unlockWithPin(altered, '271828'), { message: 'wrong PIN or damaged stored key' }, field);
  }
  // The key file's format is not a stored key, nor the other way round.
  await assert.rejects(m.unlockWithPin(keyFile(hospital, pass), '271828'), /format: expected puente-institution-key-pin-v1/);
  await assert.rejects(m.importInstitutionKeyFile(JSON.stringify(stored), '271828'), /format: expected puente-institution-key-web-v1/);
  // Refusals when protecting.
  await assert.rejects(m.protectWithPin({ file: keyFile(hospital, pass), passphrase: pass }, '12345'), /PIN: at least 6/);
  await assert.rejects(m.protectWithPin({ file: keyFile(hospital, pass), passphrase: 'wrong-passphrase' }, '271828'),
    /wrong passphrase or damaged key file/);
  await assert.rejects(m.protectWithPin({ pkcs8: hospital.pkcs8.slice(), publicKey: clinic.raw }, '271828'),
    /the private key does not match public_key/);
  await assert.rejects(m.protectWithPin({ pkcs8: new Uint8Array(48), publicKey: clinic.raw }, '271828'),
    /pkcs8: not an X25519 private key/);
  // Two protections of one key differ (fresh salt and nonce).
  const again = await m.protectWithPin({ file: keyFile(hospital, pass), passphrase: pass }, '271828');
  assert.notEqual(again.salt, stored.salt);
  assert.notEqual(again.wrapped_key, stored.wrapped_key);
  // A { pkcs8 } source is overwritten with zeros.
  const bytes = hospital.pkcs8.slice();
  await m.protectWithPin({ pkcs8: bytes, publicKey: hospital.raw }, '271828');
  assert.ok(bytes.every((b) => b === 0));
});

test('a device key: the record opens with the PIN and that key only', async () => {
  const device = await m.createDeviceKey();
  assert.equal(device.extractable, false);
  const stored = await m.protectWithPin({ pkcs8: hospital.pkcs8.slice(), publicKey: hospital.raw }, '314159',
    { deviceKey: device });
  assert.equal(stored.device_nonce.length, 24);
  const key = await m.unlockWithPin(stored, '314159', device);
  const sealed = await seal(content(template, 'CPA-DEV', {}), 5n, [hospital]);
  assert.equal((await m.openSealedSection(tree(sealed), 5n, key)).caseNumber, 'CPA-DEV');
  await assert.rejects(m.unlockWithPin(stored, '314159', await m.createDeviceKey()),
    { message: 'wrong PIN or damaged stored key' });
  await assert.rejects(m.unlockWithPin(stored, '314158', device), { message: 'wrong PIN or damaged stored key' });
  await assert.rejects(m.unlockWithPin(stored, '314159'), { message: 'this stored key needs its device key' });
  const { device_nonce: _, ...withoutLayer } = stored;
  await assert.rejects(m.unlockWithPin(withoutLayer, '314159'), { message: 'wrong PIN or damaged stored key' });
  await assert.rejects(m.unlockWithPin(hospital.stored, hospital.pin, device),
    { message: 'this stored key has no device key layer' });
  const v = stored.device_nonce;
  await assert.rejects(m.unlockWithPin({ ...stored, device_nonce: (v[0] === '0' ? '1' : '0') + v.slice(1) }, '314159',
    device), { message: 'wrong PIN or damaged stored key' });
  // The key file's format takes no device_nonce.
  await assert.rejects(m.importInstitutionKeyFile({ ...keyFile(hospital, 'clinica-san-fernando-2026'), device_nonce: v },
    'clinica-san-fernando-2026'), { message: 'device_nonce: unknown field' });
});
