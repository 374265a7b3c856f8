// Cards for the verifier's browser test and benchmark: an applicant
// enrolled through the real API with a dev photo and issued an
// asylum-seeker card; its QR text and the card's 300 dpi PNG.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, inflateSync } from 'node:zlib';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';
import { devPhoto } from './camera.mjs';

export async function login(server, user, password) {
  const r = await server.api('POST', '/api/v1/sessions', null, { user, password });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

// `officer`: a token; `person`: a folder of $PUENTE_SHARED/faces/dev; the PNG goes to `dir`.
export async function enrolWithCard(server, officer, { shared, person, surname, dir }) {
  const photo = readFileSync(devPhoto(shared, person, 1)).toString('base64');
  const e = await server.api('POST', '/api/v1/enrollments', officer, {
    applicant: { given_names: 'María José', surname1: surname, sex: 'F', date_of_birth: '1990-05-17', dob_precision: 'exact', nationality: 'VEN' },
    photo_base64: photo,
  });
  assert.equal(e.status, 201, JSON.stringify(e.body));
  const reg = e.body.registration_number ?? e.body.applicant?.registration_number;
  assert.ok(reg, JSON.stringify(e.body));
  const c = await server.api('POST', `/api/v1/applicants/${reg}/cards`, officer, { type: 'asylum-seeker' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const png = await fetch(`${server.url}/api/v1/cards/${c.body.serial}.png`, { headers: { Authorization: `Bearer ${officer}` } });
  assert.equal(png.status, 200);
  const file = path.join(dir, `card-${c.body.serial}.png`);
  writeFileSync(file, Buffer.from(await png.arrayBuffer()));
  return { reg, serial: c.body.serial, qr: c.body.qr_text, png: file };
}

// RFC 9285 Base45 (the tests' own encoder: the apps only decode).
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
export function base45Encode(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    let v = i + 1 < bytes.length ? bytes[i] * 256 + bytes[i + 1] : bytes[i];
    for (let k = 0; k < (i + 1 < bytes.length ? 3 : 2); k++) {
      out += B45[v % 45];
      v = Math.floor(v / 45);
    }
  }
  return out;
}

// The same signed card with its COSE bytes Brotli- instead of zlib-compressed
// (Claim 169 1.2.2 allows both; the signature covers the COSE bytes only).
export function brotliRewrap(qrText) {
  return base45Encode(brotliCompressSync(inflateSync(base45Decode(qrText))));
}

function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const c = [...text.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
    const v = c.reduce((acc, d, k) => acc + d * 45 ** k, 0);
    if (c.length === 3) out.push(v >> 8, v & 0xff);
    else out.push(v);
  }
  return Uint8Array.from(out);
}

// A QR code of `text` as a PNG file, written with zxing-wasm's writer.
let writerReady = false;
export async function qrPng(text, file) {
  if (!writerReady) {
    const wasm = readFileSync(path.join(import.meta.dirname, '..', 'node_modules/zxing-wasm/dist/writer/zxing_writer.wasm'));
    prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) } });
    writerReady = true;
  }
  const qr = await writeBarcode(text, { format: 'QRCode', sizeHint: 700 });
  writeFileSync(file, Buffer.from(await qr.image.arrayBuffer()));
  return file;
}
