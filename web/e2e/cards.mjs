// Cards for the verifier's browser test and benchmark: an applicant
// enrolled through the real API with a dev photo and issued an
// asylum-seeker card; its QR text and the card's 300 dpi PNG.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
