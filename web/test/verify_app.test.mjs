// The phone verifier's presentation logic (src/verify/app/verdict.ts,
// trust.ts's fingerprint), in Node: every verdict has its word, icon and
// colour; claims in plain words; claims never shown for a card whose
// signature did not check out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const m = await load('verify', [
  { from: '../verify/app/verdict.ts', names: ['look', 'claimRows', 'entitlementRows', 'showsClaims'] },
  { from: '../verify/app/trust.ts', names: ['fingerprint', 'groupedFingerprint'] },
]);

const VERDICTS = ['VALID', 'REVOKED', 'EXPIRED', 'NOT YET VALID', 'INVALID', 'UNKNOWN ISSUER', 'STALE LISTS'];

test('each verdict is a word, an icon and a colour, the words the clerk is told', () => {
  const words = VERDICTS.map((v) => m.look(v).word);
  assert.deepEqual(words, ['VÁLIDA', 'REVOCADA', 'VENCIDA', 'AÚN NO VIGENTE', 'NO VÁLIDA', 'EMISOR DESCONOCIDO', 'LISTAS DESACTUALIZADAS']);
  for (const v of VERDICTS) {
    const l = m.look(v);
    assert.ok(l.icon.length > 0 && l.explain.length > 20, v);
    assert.match(l.tone, /^(ok|bad|warn|unknown)$/);
  }
  assert.equal(m.look('VALID').tone, 'ok');
  assert.equal(new Set(['REVOKED', 'INVALID'].map((v) => m.look(v).tone)).size, 1);
  // Colour is never the only difference: no two verdicts share word and icon.
  assert.equal(new Set(VERDICTS.map((v) => m.look(v).word + m.look(v).icon)).size, VERDICTS.length);
});

const card = {
  profile: 'puente', type: 'asylum-seeker', serial: 7n, issuedAt: 1764633600n, notBefore: 1764633600n, expiresAt: 1796169600n,
  holder: { id: '001-2026-000001-7', fullName: 'María José Pérez', dateOfBirth: '19900517', gender: 2, nationality: 'XXA', legalStatus: 'asylum-seeker' },
  entitlements: [{ code: 'asylum-application-certified', expiresAt: 1796169600n }, { code: 'work-permit', expiresAt: 1764720000n }, { code: 'x-unknown', expiresAt: 0n }],
  provisional: false, hasSealedSection: false,
};

test('the public claims in plain words', () => {
  const rows = Object.fromEntries(m.claimRows(card).map((r) => [r.label, r.value]));
  assert.equal(rows['Nombre'], 'María José Pérez');
  assert.equal(rows['Número de registro'], '001-2026-000001-7');
  assert.equal(rows['Fecha de nacimiento'], '17 de mayo de 1990');
  assert.equal(rows['Sexo'], 'Femenino');
  assert.equal(rows['Nacionalidad'], 'Apátrida (XXA)');
  assert.equal(rows['Condición'], 'Solicitante de asilo');
  assert.equal(rows['Tarjeta'], 'Tarjeta de solicitante de asilo');
  assert.match(rows['Vigencia'], /^del 1 de diciembre de 2025 al 1 de diciembre de 2026$/);
  assert.equal(rows['Tutor o tutora'], undefined); // empty values left out
});

test('entitlements with their meaning; an expired one is marked', () => {
  const rows = m.entitlementRows(card, 1770000000);
  assert.equal(rows[0].meaning, 'Solicitud activa certificada por ONPAR — válida para trámite de licencia de conducir');
  assert.equal(rows[0].expired, false);
  assert.match(rows[0].until, /^hasta el 1 de diciembre de 2026$/);
  assert.equal(rows[1].expired, true);
  assert.match(rows[1].until, /^vencido el /);
  assert.deepEqual([rows[2].meaning, rows[2].until], ['x-unknown', '']);
});

test('claims are shown only for a card whose signature checked out', () => {
  const r = (verdict, signatureVerified) => ({ verdict, signatureVerified, card });
  assert.equal(m.showsClaims(r('VALID', true)), true);
  assert.equal(m.showsClaims(r('REVOKED', true)), true);
  assert.equal(m.showsClaims(r('STALE LISTS', true)), true);
  assert.equal(m.showsClaims(r('UNKNOWN ISSUER', false)), false);
  assert.equal(m.showsClaims(r('INVALID', true)), false);
  assert.equal(m.showsClaims({ verdict: 'INVALID', signatureVerified: false }), false);
});

test('the root fingerprint is SHA-256 of the raw key, shown in groups of four', async () => {
  const { createHash, generateKeyPairSync } = await import('node:crypto');
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const file = JSON.stringify({ format: 'puente-public-key-v1', kind: 'root', alg: 'Ed25519', kid: '01', public_key: raw.toString('hex') });
  const fp = await m.fingerprint(file);
  assert.equal(fp, createHash('sha256').update(raw).digest('hex'));
  assert.equal(m.groupedFingerprint(fp).split(' ').length, 16);
  await assert.rejects(m.fingerprint(file.replace('"root"', '"issuer"')), /root-format/);
  await assert.rejects(m.fingerprint('not json'), /root-format/);
});
