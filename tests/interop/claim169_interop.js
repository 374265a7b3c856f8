// An independent Claim 169 implementation for the interoperability test:
// npm's base45, pako and cbor packages with Node's own crypto. Nothing here
// comes from puente.
//
//   node claim169_interop.js verify QR_TEXT_FILE PUBLIC_KEY_HEX ALG
//     decodes and verifies a card puente issued; prints JSON
//   node claim169_interop.js issue OUT_DIR
//     builds and signs an Ed25519 card; writes qr.txt and public_key.hex
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const cbor = require('cbor');
const pako = require('pako');
const base45 = require('base45');

function publicKey(hex, alg) {
  const raw = Buffer.from(hex, 'hex');
  if (alg === 'Ed25519') {
    return crypto.createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url')},
                                   format: 'jwk'});
  }
  // ES256: uncompressed point 04 || x || y
  return crypto.createPublicKey({key: {kty: 'EC', crv: 'P-256',
                                       x: raw.subarray(1, 33).toString('base64url'),
                                       y: raw.subarray(33, 65).toString('base64url')},
                                 format: 'jwk'});
}

function verify(qrFile, keyHex, alg) {
  const text = fs.readFileSync(qrFile, 'utf8').trim();
  const compressed = Buffer.from(base45.decode(text));
  const coseBytes = Buffer.from(pako.inflate(compressed));
  const top = cbor.decodeFirstSync(coseBytes);
  if (!(top instanceof cbor.Tagged) || top.tag !== 18) throw new Error('not a tagged COSE_Sign1');
  const [protectedBytes, , payload, signature] = top.value;
  const header = cbor.decodeFirstSync(protectedBytes);
  const sigStructure = cbor.encode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
  const key = publicKey(keyHex, alg);
  const ok = alg === 'Ed25519'
      ? crypto.verify(null, sigStructure, key, signature)
      : crypto.verify('sha256', sigStructure, {key, dsaEncoding: 'ieee-p1363'}, signature);
  const claims = cbor.decodeFirstSync(payload);
  const c169 = claims.get(169);
  const out = {
    verified: ok,
    alg: header.get(1),
    kid: Buffer.from(header.get(4)).toString('hex'),
    issuer: claims.get(1),
    issuedAt: claims.get(6),
    expiresAt: claims.get(4),
    cti: Buffer.from(claims.get(7)).toString('hex'),
    claim169: {id: c169.get(1), fullName: c169.get(4), dateOfBirth: c169.get(8),
               gender: c169.get(9), nationality: c169.get(13), legalStatus: c169.get(22)},
    otherClaims: [...claims.keys()].filter((k) => ![1, 4, 5, 6, 7, 169].includes(k)),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function issue(outDir) {
  const {publicKey: pub, privateKey} = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(pub.export({format: 'jwk'}).x, 'base64url');
  const kid = crypto.createHash('sha256').update(raw).digest().subarray(0, 8);
  const now = Math.floor(Date.now() / 1000);
  const claims = new Map([
    [1, 'https://node.example.org'],
    [4, now + 86400],
    [6, now],
    [169, new Map([[1, 'NODE-0001'], [4, 'José Ñúñez Node'], [8, '19851231'], [9, 1],
                   [13, 'CO'], [22, 'Refugee']])],
  ]);
  const payload = cbor.encode(claims);
  const protectedBytes = cbor.encode(new Map([[1, -8], [4, kid]]));
  const sigStructure = cbor.encode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
  const signature = crypto.sign(null, sigStructure, privateKey);
  const cose = cbor.encode(new cbor.Tagged(18, [protectedBytes, new Map(), payload, signature]));
  const text = base45.encode(Buffer.from(pako.deflate(cose)));
  fs.writeFileSync(path.join(outDir, 'qr.txt'), text);
  fs.writeFileSync(path.join(outDir, 'public_key.hex'), raw.toString('hex'));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'verify') verify(...args);
else if (mode === 'issue') issue(...args);
else { process.stderr.write('usage: verify QR_FILE KEY_HEX ALG | issue OUT_DIR\n'); process.exit(2); }
