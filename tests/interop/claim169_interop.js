// An independent Claim 169 implementation for the interoperability test:
// npm's base45, pako and cbor packages with Node's own crypto. Nothing here
// comes from puente.
//
//   node claim169_interop.js verify QR_TEXT_FILE PUBLIC_KEY_HEX ALG
//     decodes and verifies a card puente issued; prints JSON
//   node claim169_interop.js issue OUT_DIR
//     builds and signs an Ed25519 card; writes qr.txt and public_key.hex
//   node claim169_interop.js forge OUT_DIR
//     writes one card per case a foreign issuer (or an attacker) could make,
//     OUT_DIR/<case>.qr.txt, and OUT_DIR/cases.json describing each case and
//     the verdict a verifier must give it (FORGED_CASES below)
//   node claim169_interop.js check OUT_DIR
//     reads every forged card again, strictly and leniently, and checks that
//     it has the property its case claims (signature good or bad, kid, alg,
//     compression, bytes past the end, inflated size) and that an independent
//     reading of the verdict rules gives the expected verdict; exits 1 if not
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const cbor = require('cbor');
const pako = require('pako');
const base45 = require('base45');
const zlib = require('zlib');

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

// ---------------------------------------------------------------------------
// forge and check: cards from Claim 169 issuers that are not puente, and
// cards an attacker would try.

const COSE_ALG = {Ed25519: -8, ES256: -7};
const DAY = 86400;
const ISSUER = 'https://issuer.example.org';
// A verifier inflates at most this much (a QR holds under 3 KB; puente's cap).
const MAX_INFLATED = 64 * 1024;
// The most a QR code holds in alphanumeric mode (version 40, level L): every
// card here, bombs included, fits a real QR code.
const MAX_QR_CHARS = 4296;
// A private claim that carries the zeros of the decompression bombs.
const PADDING_CLAIM = -65000;

// Each case is one card. `alg` is the issuer key the verifier is told to
// trust (or, when `trusted` is false, the key that signed and is not
// trusted); `kid` the length of the kid it declares (0: the card carries
// none). The rest says how the card differs from a plain, correct one.
const FORGED_CASES = [
  {name: 'ed25519-kid16', alg: 'Ed25519', kid: 16, verdict: 'VALID',
   about: 'Ed25519, arbitrary 16-byte kid, no cti, no puente claim'},
  {name: 'es256-kid3', alg: 'ES256', kid: 3, verdict: 'VALID', about: 'ES256, 3-byte kid'},
  {name: 'ed25519-no-kid', alg: 'Ed25519', kid: 0, verdict: 'VALID',
   about: 'no kid at all, like the published vectors: the verifier tries the trusted Ed25519 keys'},
  {name: 'es256-no-kid', alg: 'ES256', kid: 0, verdict: 'VALID',
   about: 'no kid at all: the verifier tries the trusted ES256 keys'},
  {name: 'unprotected-alg-kid', alg: 'Ed25519', kid: 8, headers: 'unprotected', verdict: 'VALID',
   about: 'alg and kid only in the unprotected header; protected header is an empty bstr'},
  {name: 'brotli', alg: 'Ed25519', kid: 8, compression: 'brotli', verdict: 'VALID',
   about: 'Brotli instead of zlib (Claim 169 1.2.2)'},
  {name: 'es256-kid64', alg: 'ES256', kid: 64, verdict: 'VALID', about: '64-byte kid, the longest'},
  {name: 'duplicate-claim169', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'duplicate',
   claims: (c) => [...c, [169, rawMap([[1, 'INTEROP-6666'], [4, 'Someone Else']])]],
   about: 'claim 169 twice in the CWT claims (signed)'},
  {name: 'duplicate-iss', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'duplicate',
   claims: (c) => [[1, 'https://attacker.example.org'], ...c],
   about: 'iss (1) twice in the CWT claims (signed)'},
  {name: 'duplicate-full-name', alg: 'ES256', kid: 8, verdict: 'INVALID', reason: 'duplicate',
   claims: (c) => c.map(([k, v]) => (k === 169 ? [k, holder([[4, 'Someone Else']])] : [k, v])),
   about: 'fullName (4) twice inside the Claim 169 map (signed)'},
  {name: 'trailing-after-cose', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'trailing',
   coseTail: Buffer.from([0x00]), about: 'a CBOR item after the COSE_Sign1, inside the zlib data'},
  {name: 'trailing-after-zlib', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'trailing',
   compressedTail: Buffer.from([0x00, 0x00]), about: 'two bytes after the end of the zlib stream'},
  {name: 'zlib-bomb', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'exceeds',
   padding: 2500000, about: 'signed card with 2.5 MB of zeros in a claim, zlib: ~2.5 KB compressed'},
  {name: 'brotli-bomb', alg: 'Ed25519', kid: 8, verdict: 'INVALID', reason: 'exceeds',
   padding: 16 * 1024 * 1024, compression: 'brotli',
   about: 'signed card with 16 MiB of zeros in a claim, Brotli: a few bytes compressed'},
  {name: 'trusted-kid-wrong-alg', alg: 'Ed25519', kid: 8, cardAlg: 'ES256', verdict: 'INVALID',
   about: 'the kid of a trusted Ed25519 key on a card that says ES256, signed by another ' +
          'P-256 key: a forgery, not an unknown issuer'},
  {name: 'untrusted-signer', alg: 'Ed25519', kid: 8, trusted: false, verdict: 'UNKNOWN ISSUER',
   about: 'good signature by a key that is not in the trust list'},
  {name: 'tampered-payload', alg: 'ES256', kid: 8, verdict: 'INVALID', reason: 'signature',
   tamper: true, about: 'one letter of the name changed after signing'},
  {name: 'expired', alg: 'Ed25519', kid: 8, iatDays: -400, expDays: -30, verdict: 'EXPIRED',
   reason: 'expired', about: 'exp 30 days ago'},
];

const HOLDER = {id: 'INTEROP-0001', fullName: 'José Ñúñez Interop', dateOfBirth: '19851231',
                gender: 1, nationality: 'CO'};

// CBOR bytes written as they are: the cbor package writes a Map, which cannot
// hold a key twice, so every map here is written by hand (rawMap).
class RawCbor {
  constructor(bytes) { this.bytes = bytes; }
}

function encodeItem(v) { return v instanceof RawCbor ? v.bytes : cbor.encode(v); }

function rawMap(entries) {
  if (entries.length > 23) throw new Error('rawMap: at most 23 entries');
  return new RawCbor(Buffer.concat([Buffer.from([0xa0 + entries.length]),
                                    ...entries.flatMap(([k, v]) => [encodeItem(k), encodeItem(v)])]));
}

// The Claim 169 map, with `extra` entries after it (repeated keys allowed).
function holder(extra = []) {
  return rawMap([[1, HOLDER.id], [4, HOLDER.fullName], [8, HOLDER.dateOfBirth],
                 [9, HOLDER.gender], [13, HOLDER.nationality], ...extra]);
}

function newKey(alg) {
  const pair = alg === 'Ed25519' ? crypto.generateKeyPairSync('ed25519')
                                 : crypto.generateKeyPairSync('ec', {namedCurve: 'P-256'});
  return {alg, privateKey: pair.privateKey, publicHex: rawPublicKey(pair.publicKey, alg).toString('hex')};
}

// Ed25519: the 32-byte key; ES256: the uncompressed point 04 || x || y.
function rawPublicKey(key, alg) {
  const jwk = key.export({format: 'jwk'});
  if (alg === 'Ed25519') return Buffer.from(jwk.x, 'base64url');
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'),
                        Buffer.from(jwk.y, 'base64url')]);
}

function signWith(key, data) {
  return key.alg === 'Ed25519'
      ? crypto.sign(null, data, key.privateKey)
      : crypto.sign('sha256', data, {key: key.privateKey, dsaEncoding: 'ieee-p1363'});
}

function verifySignature(alg, publicHex, data, signature) {
  const key = publicKey(publicHex, alg);
  return alg === 'Ed25519'
      ? crypto.verify(null, data, key, signature)
      : crypto.verify('sha256', data, {key, dsaEncoding: 'ieee-p1363'}, signature);
}

function sigStructure(protectedBytes, payload) {
  return cbor.encode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
}

function isZlibHeader(b) {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;
}

function forgeCard(c, now) {
  const trustedKey = newKey(c.alg);
  const cardAlg = c.cardAlg || c.alg;
  // The wrong-alg forgery is signed by a key of the card's alg the verifier never saw.
  const signer = cardAlg === c.alg ? trustedKey : newKey(cardAlg);
  const kid = c.kid ? crypto.randomBytes(c.kid) : null;

  const header = [[1, COSE_ALG[cardAlg]]];
  if (kid) header.push([4, kid]);
  const inProtected = (c.headers || 'protected') === 'protected';
  const protectedBytes = inProtected ? rawMap(header).bytes : Buffer.alloc(0);
  const unprotected = inProtected ? rawMap([]) : rawMap(header);

  let claims = [[1, ISSUER], [4, now + (c.expDays ?? 365) * DAY], [6, now + (c.iatDays ?? -3) * DAY],
                [169, holder()]];
  if (c.padding) claims.push([PADDING_CLAIM, Buffer.alloc(c.padding)]);
  if (c.claims) claims = c.claims(claims);
  let payload = rawMap(claims).bytes;

  const signature = signWith(signer, sigStructure(protectedBytes, payload));
  if (c.tamper) {
    const at = payload.indexOf(Buffer.from('Interop'));
    payload = Buffer.from(payload);
    payload[at] = 'i'.charCodeAt(0);  // "Interop" -> "interop": still good CBOR
  }
  const cose = Buffer.concat([
    Buffer.from([0xd2, 0x84]),  // tag 18 (COSE_Sign1), array of 4
    cbor.encode(protectedBytes), unprotected.bytes, cbor.encode(payload), cbor.encode(signature),
    c.coseTail || Buffer.alloc(0)]);
  let compressed = c.compression === 'brotli'
      ? zlib.brotliCompressSync(cose, {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11}})
      : Buffer.from(pako.deflate(cose, {level: 9}));
  compressed = Buffer.concat([compressed, c.compressedTail || Buffer.alloc(0)]);
  const text = base45.encode(compressed);
  if (text.length > MAX_QR_CHARS) throw new Error(`${c.name}: ${text.length} chars`);

  const trusted = c.trusted !== false;
  return {
    text,
    entry: {
      name: c.name,
      about: c.about,
      qr_file: `${c.name}.qr.txt`,
      alg: c.alg,
      public_key_hex: trustedKey.publicHex,
      kid_hex: kid ? kid.toString('hex') : null,
      trusted,
      expected_verdict: c.verdict,
      expected_reason: c.reason || null,
      expected_profile: ['VALID', 'EXPIRED'].includes(c.verdict) ? 'claim169' : null,
      expected_claim169: HOLDER,
      card: {alg: cardAlg, headers: inProtected ? 'protected' : 'unprotected',
             compression: c.compression || 'zlib', chars: text.length},
      signer: {alg: signer.alg, public_key_hex: signer.publicHex, signature_valid: !c.tamper},
    },
  };
}

function forge(outDir) {
  fs.mkdirSync(outDir, {recursive: true});
  const now = Math.floor(Date.now() / 1000);
  const cases = FORGED_CASES.map((c) => {
    const {text, entry} = forgeCard(c, now);
    fs.writeFileSync(path.join(outDir, entry.qr_file), text);
    return entry;
  });
  fs.writeFileSync(path.join(outDir, 'cases.json'), JSON.stringify(cases, null, 2) + '\n');
}

// Reads one CBOR item at `pos` strictly (definite lengths, nesting <= 16, no
// key twice in a map, nothing cut short); returns the position after it.
function skipItem(buf, pos, depth) {
  if (depth > 16) throw new Error('CBOR nested too deep');
  if (pos >= buf.length) throw new Error('CBOR truncated');
  const major = buf[pos] >> 5;
  const info = buf[pos] & 0x1f;
  pos += 1;
  let arg = info;
  if (info >= 24 && info <= 27) {
    const n = 1 << (info - 24);
    if (pos + n > buf.length) throw new Error('CBOR truncated');
    arg = Number(buf.subarray(pos, pos + n).reduce((a, b) => a * 256n + BigInt(b), 0n));
    pos += n;
  } else if (info > 27) {
    throw new Error('CBOR indefinite length or reserved value');
  }
  switch (major) {
    case 2: case 3:
      if (pos + arg > buf.length) throw new Error('CBOR truncated');
      return pos + arg;
    case 4:
      for (let i = 0; i < arg; i++) pos = skipItem(buf, pos, depth + 1);
      return pos;
    case 5: {
      const seen = new Set();
      for (let i = 0; i < arg; i++) {
        const start = pos;
        pos = skipItem(buf, pos, depth + 1);
        const k = decodeOne(buf.subarray(start, pos));
        const id = typeof k === 'object' ? Buffer.from(k).toString('hex') : `${typeof k}:${k}`;
        if (seen.has(id)) throw new Error('duplicate map key');
        seen.add(id);
        pos = skipItem(buf, pos, depth + 1);
      }
      return pos;
    }
    case 6: return skipItem(buf, pos, depth + 1);
    default: return pos;  // integers, simple values, floats
  }
}

// Maps stay Maps (the cbor package makes an empty map an Object otherwise).
function decodeOne(buf) { return cbor.decodeFirstSync(buf, {preferMap: true}); }

function strictDecode(buf) {
  if (skipItem(buf, 0, 0) !== buf.length) throw new Error('trailing bytes after the item');
  return decodeOne(buf);
}

function inflateStrictly(compressed) {
  if (isZlibHeader(compressed)) {
    const inflater = new pako.Inflate();
    inflater.push(compressed, true);
    if (inflater.err || !inflater.ended) throw new Error('not valid zlib data');
    if (inflater.strm.avail_in !== 0) throw new Error('trailing bytes after zlib data');
    return {compression: 'zlib', data: Buffer.from(inflater.result)};
  }
  return {compression: 'brotli', data: zlib.brotliDecompressSync(compressed)};
}

// The verdict rules of issue 13, read independently of puente: strict
// decoding, then the key chosen by kid (and alg), or by alg alone when the
// card has no kid; a trusted kid with another alg is a forgery.
function referenceVerdict(text, trust, now) {
  const invalid = (reason) => ({verdict: 'INVALID', reason});
  let inflated;
  try {
    inflated = inflateStrictly(Buffer.from(base45.decode(text)));
  } catch (e) { return invalid(e.message); }
  if (inflated.data.length > MAX_INFLATED) {
    return invalid(`inflated payload exceeds ${MAX_INFLATED} bytes`);
  }
  let top, protectedHeader, claims;
  try {
    top = strictDecode(inflated.data);
    if (!(top instanceof cbor.Tagged) || top.tag !== 18 || top.value.length !== 4) {
      return invalid('not a COSE_Sign1');
    }
    protectedHeader = top.value[0].length ? strictDecode(top.value[0]) : new Map();
    claims = strictDecode(top.value[2]);
  } catch (e) { return invalid(e.message); }
  const [, unprotected, payload, signature] = top.value;
  const label = (l) => {
    if (protectedHeader.has(l) && unprotected.has(l)) throw new Error(`header ${l} twice`);
    return protectedHeader.has(l) ? protectedHeader.get(l) : unprotected.get(l);
  };
  let alg, kid;
  try { alg = label(1); kid = label(4); } catch (e) { return invalid(e.message); }
  const algName = Object.keys(COSE_ALG).find((n) => COSE_ALG[n] === alg);
  if (!algName) return invalid('unsupported alg');
  if (!claims.has(169)) return invalid('no claim 169');
  let candidates;
  if (kid !== undefined) {
    const hex = Buffer.from(kid).toString('hex');
    candidates = trust.filter((t) => t.kid_hex === hex);
    if (candidates.length && candidates.every((t) => t.alg !== algName)) {
      return invalid(`kid is trusted for ${candidates[0].alg}, the card says ${algName}`);
    }
  } else {
    candidates = trust.filter((t) => t.alg === algName);
  }
  candidates = candidates.filter((t) => t.alg === algName);
  if (!candidates.length) return {verdict: 'UNKNOWN ISSUER', reason: 'key not in the trust list'};
  const toSign = sigStructure(top.value[0], payload);
  if (!candidates.some((t) => verifySignature(algName, t.public_key_hex, toSign, signature))) {
    return invalid('invalid signature');
  }
  // A verified card says which profile it is, whatever its dates.
  const profile = claims.has(-70001) ? 'puente' : 'claim169';
  if (claims.has(4) && now >= claims.get(4)) {
    return {verdict: 'EXPIRED', reason: 'card expired', profile};
  }
  if (claims.has(5) && now < claims.get(5)) {
    return {verdict: 'NOT YET VALID', reason: 'card not valid yet', profile};
  }
  const c = claims.get(169);
  return {verdict: 'VALID', profile,
          claim169: {id: c.get(1), fullName: c.get(4), dateOfBirth: c.get(8), gender: c.get(9),
                     nationality: c.get(13)}};
}

// What each card is, read leniently (Node's zlib ignores bytes after the
// stream, decodeFirst ignores bytes after the item, Maps keep the last key).
function leniently(text) {
  const compressed = Buffer.from(base45.decode(text));
  const zlibbed = isZlibHeader(compressed);
  const data = zlibbed ? zlib.inflateSync(compressed) : zlib.brotliDecompressSync(compressed);
  const [top] = cbor.decodeAllSync(data, {preferMap: true});  // ignores what follows
  const [protectedBytes, unprotected, payload, signature] = top.value;
  const header = protectedBytes.length ? decodeOne(protectedBytes) : new Map();
  const where = header.has(1) ? header : unprotected;
  return {compression: zlibbed ? 'zlib' : 'brotli', inflated: data.length,
          headers: header.has(1) ? 'protected' : 'unprotected',
          alg: Object.keys(COSE_ALG).find((n) => COSE_ALG[n] === where.get(1)),
          kid_hex: where.has(4) ? Buffer.from(where.get(4)).toString('hex') : null,
          toSign: sigStructure(protectedBytes, payload), signature};
}

function check(outDir) {
  const cases = JSON.parse(fs.readFileSync(path.join(outDir, 'cases.json'), 'utf8'));
  const trust = cases.filter((c) => c.trusted);
  const now = Math.floor(Date.now() / 1000);
  let ok = cases.length === FORGED_CASES.length;
  for (const c of cases) {
    const text = fs.readFileSync(path.join(outDir, c.qr_file), 'utf8');
    const problems = [];
    const expect = (what, got, want) => {
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        problems.push(`${what}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    };
    expect('text is Base45 within the QR limit',
           /^[0-9A-Z $%*+\-./:]*$/.test(text) && text.length <= MAX_QR_CHARS, true);
    const card = leniently(text);
    expect('compression', card.compression, c.card.compression);
    expect('headers', card.headers, c.card.headers);
    expect('card alg', card.alg, c.card.alg);
    expect('kid', card.kid_hex, c.kid_hex);
    expect('signature by the signer',
           verifySignature(c.signer.alg, c.signer.public_key_hex, card.toSign, card.signature),
           c.signer.signature_valid);
    if (c.card.alg !== c.alg) {
      expect('the trusted key does not sign it', c.signer.public_key_hex !== c.public_key_hex, true);
    }
    if (c.expected_reason === 'exceeds') expect('inflates past the cap', card.inflated > MAX_INFLATED, true);
    const r = referenceVerdict(text, trust, now);
    expect('verdict', r.verdict, c.expected_verdict);
    if (c.expected_reason) expect('reason', r.reason.includes(c.expected_reason), true);
    if (c.expected_profile) expect('profile', r.profile, c.expected_profile);
    if (r.verdict === 'VALID') expect('claim169', r.claim169, c.expected_claim169);
    process.stdout.write(`${problems.length ? 'FAIL' : 'ok  '} ${c.name}: ${r.verdict}` +
                         `${r.reason ? ` (${r.reason})` : ''}, ${c.card.chars} chars\n`);
    for (const p of problems) process.stdout.write(`       ${p}\n`);
    ok = ok && problems.length === 0;
  }
  return ok;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'verify') verify(...args);
else if (mode === 'issue') issue(...args);
else if (mode === 'forge') forge(...args);
else if (mode === 'check') process.exit(check(...args) ? 0 : 1);
else {
  process.stderr.write('usage: verify QR_FILE KEY_HEX ALG | issue OUT_DIR | forge OUT_DIR | ' +
                       'check OUT_DIR\n');
  process.exit(2);
}
