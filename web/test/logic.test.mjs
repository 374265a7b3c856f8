// The app's logic without a browser: server validation errors placed by
// field and said in the user's language, duplicate reasons translated,
// applicant rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const m = await load('', [
  { from: 'ui.ts', names: ['fieldErrors', 'validationText'] },
  { from: 'applicant.ts', names: ['reasonText', 'applicantRows', 'nationalityText'] },
  { from: 'api.ts', names: ['ApiError'] },
  { from: 'i18n.ts', names: ['setLang'] },
]);
const bad = (message, status = 400) => new m.ApiError(status, 'invalid_argument', message);

test('one field named by the request parser', () => {
  m.setLang('es');
  assert.deepEqual(m.fieldErrors(bad("applicant.date_of_birth: '1990-02-31' is not a date (expected YYYY-MM-DD)"), 'applicant.'),
    [{ field: 'date_of_birth', message: '«1990-02-31» no es una fecha válida (AAAA-MM-DD).' }]);
});

test('several fields named by the registry, each placed', () => {
  m.setLang('es');
  const got = m.fieldErrors(bad("given_names: is required; phone: '61234567' needs its country code, e.g. +507 6123 4567; office: '' is not a 3-digit office code"), 'applicant.');
  assert.deepEqual(got.map((f) => f.field), ['given_names', 'phone', 'office']);
  assert.equal(got[0].message, 'Obligatorio.');
  assert.match(got[1].message, /prefijo del país/);
});

test('a list item names its list; an unknown message is kept as written', () => {
  m.setLang('en');
  const got = m.fieldErrors(bad('applicant.documents[].number: something new'), 'applicant.');
  assert.deepEqual(got, [{ field: 'documents', message: 'something new' }]);
});

test('not a field error: nothing to place', () => {
  assert.deepEqual(m.fieldErrors(bad('no issuer key configured', 503), ''), []);
  assert.deepEqual(m.fieldErrors(bad('internal error without a field'), ''), []);
  assert.deepEqual(m.fieldErrors(new Error('x'), ''), []);
});

test('duplicate reasons in both languages', () => {
  m.setLang('es');
  assert.equal(m.reasonText('face similarity 0.61'), 'similitud facial 0.61');
  assert.equal(m.reasonText('dates of birth 12 days apart'), 'fechas de nacimiento a 12 días');
  assert.equal(m.reasonText('same passport VEN V1234567'), 'mismo documento: Pasaporte VEN V1234567');
  assert.equal(m.reasonText('a reason not yet translated'), 'a reason not yet translated');
  m.setLang('en');
  assert.equal(m.reasonText('surnames swapped'), 'surnames swapped');
});

test('applicant rows: labels, values, nationality names', () => {
  m.setLang('es');
  const rows = m.applicantRows({ given_names: 'Luz', surname1: '', surname2: '', sex: 'F', date_of_birth: '2019',
    date_of_birth_precision: 'year', nationality: 'XXA', documents: [], languages: ['spa', 'hat'], relationship: 'child' });
  const by = Object.fromEntries(rows.map((r) => [r.field, r]));
  assert.equal(by.given_names.label, 'Nombres');
  assert.equal(by.surname1.value, '—');
  assert.equal(by.sex.value, 'Femenino');
  assert.equal(by.date_of_birth.value, '2019 (solo el año)');
  assert.equal(by.nationality.value, 'Apátrida (XXA)');
  assert.equal(by.languages.value, 'spa, hat');
  assert.equal(by.relationship.value, 'Hijo/a');
  assert.equal(m.nationalityText('VEN'), 'Venezuela (VEN)');
  assert.equal(m.nationalityText('ZZZ'), 'ZZZ');
});
