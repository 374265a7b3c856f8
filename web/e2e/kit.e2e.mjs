// Field-kit mode in a real browser (Debian's chromium through puppeteer-core)
// against a real puente-server on a field kit's registry, prepared as
// docs/field-kits.md says: the kit certified at a throwaway centre registry
// (`kit certify`), its package installed on the kit's (`kit init`). An
// officer opens a jornada, registers a birth (a date in the future is said
// beside its field, nothing stored; then it registers), sees the
// attestation's PDF in the page and prints it, sees the sync page count the
// birth waiting to export, and closes the jornada with its counts.
// Screenshots (kit-*.png) go to $PUENTE_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { chromium, dirs, watchPage } from './browser.mjs';
import { chromiumArgs, startServer } from './server.mjs';

const { bin: binDir, web: webDir, models: modelsDir, shots } = dirs;

const passphrase = { PUENTE_KEY_PASSPHRASE: 'kit e2e key passphrase 31' };
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// The kit, as docs/field-kits.md prepares one.
async function prepareKit({ dir, db, key, puente }) {
  puente(['keys', 'generate', '--kind', 'root', '--out', 'root'], passphrase);
  puente(['keys', 'generate', '--kind', 'institution', '--out', 'bundle-key'], passphrase);
  const centre = ['--db', `sqlite:${dir}/centre.db`, '--key-file', `${dir}/centre.key`];
  puente([...centre, 'init']);
  puente([...centre, 'kit', 'certify', 'darien-01', '--out', 'pkg', '--centre-key', 'bundle-key.pem',
    '--root-pub', 'root.pub.json'], passphrase);
  puente(['--db', db, '--key-file', key, 'kit', 'init', 'pkg'], passphrase);
  rmSync(path.join(dir, 'pkg', 'kit-key.pem'));
}

// A date input's value, as the date picker would set it.
async function setDate(page, selector, value) {
  await page.$eval(selector, (e, v) => {
    e.value = v;
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test('field kit: a jornada, a birth with its attestation printed, the sync page', async () => {
  mkdirSync(shots, { recursive: true });
  const server = await startServer({ binDir, webDir, modelsDir, adminPassword: 'kit e2e admin password 9', prepare: prepareKit, office: null });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'puente-chromium-'));
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, userDataDir: profile, args: chromiumArgs() });
  try {
    const admin = (await server.api('POST', '/api/v1/sessions', null, { user: 'admin', password: 'kit e2e admin password 9' })).body.token;
    const created = await server.api('POST', '/api/v1/users', admin, { name: 'luis', role: 'officer', password: 'password of luis 42' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const luis = (await server.api('POST', '/api/v1/sessions', null, { user: 'luis', password: 'password of luis 42' })).body.token;
    const session = await server.api('GET', '/api/v1/session', luis);
    assert.deepEqual(session.body.kit, { kit_id: 'darien-01', office_code: '901' });
    const waiting = async () => (await server.api('GET', '/api/v1/kit/sync', luis)).body.waiting;

    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 900 });
    const { problems } = watchPage(page, [400]);
    const pdfs = [];
    page.on('response', (r) => {
      if (/\/api\/v1\/births\/[^/]+\/attestation\.pdf$/.test(r.url())) {
        pdfs.push({ status: r.status(), type: r.headers()['content-type'] });
      }
    });
    // The bytes the app fetched: the first ones of each attestation PDF's
    // answer, read from a copy of the response as the app receives it.
    await page.evaluateOnNewDocument(() => {
      const realFetch = window.fetch.bind(window);
      window.__pdfHeads = [];
      window.fetch = async (input, init) => {
        const res = await realFetch(input, init);
        if (/\/attestation\.pdf$/.test(String(input))) {
          const bytes = new Uint8Array(await res.clone().arrayBuffer());
          window.__pdfHeads.push({ head: String.fromCharCode(...bytes.subarray(0, 5)), size: bytes.length });
        }
        return res;
      };
    });

    await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
    await page.type('#signin-user', 'luis');
    await page.type('#signin-password', 'password of luis 42');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#who');
    for (const id of ['nav-jornadas', 'nav-birth', 'nav-sync']) assert.ok(await page.$(`#${id}`), `${id} in the kit's menu`);
    await page.screenshot({ path: path.join(shots, 'kit-01-home.png') });

    // The sync page before: nothing waiting, and no lists pulled yet.
    await page.click('#nav-sync');
    await page.waitForSelector('#sync-waiting-total');
    assert.equal(await page.$eval('#sync-waiting-births td', (e) => e.textContent), '0');
    assert.match(await page.$eval('#sync-stale', (e) => e.textContent), /Las listas están vencidas o faltan/);
    assert.match(await page.$eval('#sync-export', (e) => e.textContent), /Nunca se ha exportado/);
    await page.screenshot({ path: path.join(shots, 'kit-02-sync-before.png'), fullPage: true });

    // A jornada: a missing location said beside its field, then opened.
    await page.click('#nav-jornadas');
    await page.waitForSelector('#jornada-form');
    assert.equal(await page.$eval('#jornada-officers', (e) => e.value), 'luis', 'the team starts with the officer');
    await setDate(page, '#jornada-from', day(-1));
    await setDate(page, '#jornada-to', day(1));
    await page.click('#jornada-open');
    await page.waitForFunction(() => document.getElementById('jornada-location-error').textContent !== '');
    assert.equal(await page.$eval('#jornada-location-error', (e) => e.textContent), 'Obligatorio.');
    assert.equal(await page.$eval('#jornada-location', (e) => e.getAttribute('aria-invalid')), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'jornada-location', 'focus on the field in error');
    assert.deepEqual((await server.api('GET', '/api/v1/jornadas', luis)).body.jornadas, [], 'nothing opened');
    await page.type('#jornada-location', 'PA-5-DAR-01');
    await page.click('#jornada-open');
    await page.waitForSelector('#jornada-list tbody tr');
    assert.match(await page.$eval('#jornada-status', (e) => e.textContent), /Jornada abierta en PA-5-DAR-01/);
    assert.equal(await page.$eval('#jornada-location-error', (e) => e.textContent), '');
    assert.match(await page.$eval('#jornada-list tbody tr', (e) => e.textContent), /PA-5-DAR-01.*luis.*Abierta/);
    await page.screenshot({ path: path.join(shots, 'kit-03-jornada-open.png'), fullPage: true });

    // A birth: a date in the future is said beside the field, nothing stored.
    await page.click('#nav-birth');
    await page.waitForSelector('#birth-form');
    await page.waitForFunction(() => document.getElementById('birth-jornada').selectedOptions[0]?.textContent.startsWith('PA-5-DAR-01'));
    assert.equal(await page.$eval('#birth-place_code', (e) => e.value), 'PA-5-DAR-01', 'the place from the jornada');
    await page.type('#birth-given', 'Luz');
    await page.type('#birth-surname1', 'Caisamo');
    await setDate(page, '#birth-born_on', day(400));
    await page.type('#birth-place', 'Bajo Chiquito');
    await page.type('#birth-facility', 'partera Elena Caisamo');
    await page.type('#birth-p0-name', 'Elena Caisamo');
    await page.type('#birth-p0-nationality', 'COL');
    await page.type('#birth-p0-doc', '1234567');
    await page.type('#birth-p0-doc-country', 'COL');
    await page.click('#birth-submit');
    await page.waitForFunction(() => document.getElementById('birth-born_on-error').textContent !== '');
    assert.equal(await page.$eval('#birth-born_on-error', (e) => e.textContent), 'La fecha no puede ser futura.');
    assert.equal(await page.$eval('#birth-born_on', (e) => e.getAttribute('aria-invalid')), 'true');
    assert.equal(await page.$eval('#birth-facility-error', (e) => e.textContent), '', 'only the field in error is marked');
    assert.equal(await page.$eval('#birth-given', (e) => e.value), 'Luz', 'what was typed is kept');
    assert.equal(await page.$('#birth-done-title'), null);
    assert.equal((await waiting()).births, 0, 'nothing stored');
    await page.screenshot({ path: path.join(shots, 'kit-04-birth-error.png'), fullPage: true });

    await setDate(page, '#birth-born_on', day(-2));
    await page.click('#birth-submit');
    await page.waitForSelector('#birth-done-title');
    const done = await page.$eval('#birth-done-title', (e) => e.textContent);
    const number = /(901-\d{4}-\d{6}-\d)/.exec(done)?.[1];
    assert.ok(number, `a kit number (office 901): ${done}`);
    assert.match(await page.$eval('#birth-attestation', (e) => e.textContent), /Atestado provisional n\.º 901\d+ .*Elena Caisamo \(madre\)/);
    // The PDF, fetched with the token, shown in the page from a blob: URL.
    await page.waitForFunction(() => !document.getElementById('birth-print').disabled, { timeout: 30000 });
    assert.equal(pdfs.length, 1);
    assert.equal(pdfs[0].status, 200);
    assert.equal(pdfs[0].type, 'application/pdf');
    const heads = await page.evaluate(() => window.__pdfHeads);
    assert.equal(heads.length, 1);
    assert.equal(heads[0].head, '%PDF-', 'the bytes fetched are a PDF');
    assert.ok(heads[0].size > 1000, `a whole PDF (${heads[0].size} bytes)`);
    assert.match(await page.$eval('#birth-pdf', (e) => e.src), /^blob:/);
    assert.match(await page.$eval('#birth-download', (e) => e.getAttribute('href')), /^blob:/);
    await new Promise((r) => setTimeout(r, 1500));  // let the PDF viewer paint for the screenshot
    await page.screenshot({ path: path.join(shots, 'kit-05-attestation.png'), fullPage: true });

    // Print: the button prints the frame that holds the attestation.
    const printed = await page.evaluate(async () => {
      const frame = document.getElementById('birth-pdf');
      const w = frame.contentWindow;
      let calls = 0;
      const real = w.print.bind(w);
      w.print = () => {
        calls += 1;
        real();
      };
      document.getElementById('birth-print').click();
      await new Promise((r) => setTimeout(r, 500));
      return { calls, src: frame.src };
    });
    assert.equal(printed.calls, 1, 'Print prints the attestation frame');
    assert.match(printed.src, /^blob:/);

    // The sync page counts the birth (and the jornada) waiting to export.
    await page.click('#nav-sync');
    await page.waitForSelector('#sync-waiting-total');
    assert.equal(await page.$eval('#sync-waiting-births td', (e) => e.textContent), '1');
    assert.equal(await page.$eval('#sync-waiting-jornadas td', (e) => e.textContent), '1');
    assert.equal(await page.$eval('#sync-waiting-total', (e) => e.textContent), '2');
    await page.screenshot({ path: path.join(shots, 'kit-06-sync-after.png'), fullPage: true });

    // Close the jornada: its counts.
    await page.click('#nav-jornadas');
    await page.waitForSelector('#jornada-list .jornada-close');
    await page.click('#jornada-list .jornada-close');
    await page.waitForFunction(() => /cerrada/.test(document.getElementById('jornada-status').textContent));
    assert.match(await page.$eval('#jornada-status', (e) => e.textContent), /Nacimientos: 1 \(con atestado: 1\)/);
    assert.match(await page.$eval('#jornada-list tbody tr', (e) => e.textContent), /Cerrada.*Nacimientos: 1/);
    assert.equal(await page.$('#jornada-list .jornada-close'), null);
    const closed = (await server.api('GET', '/api/v1/jornadas', luis)).body.jornadas;
    assert.equal(closed.length, 1);
    assert.equal(closed[0].status, 'closed');
    assert.deepEqual(closed[0].counts, { births: 1, attestations: 1, enrollments: 0, held_for_adjudication: 0 });
    await page.screenshot({ path: path.join(shots, 'kit-07-jornada-closed.png'), fullPage: true });

    // English.
    await page.select('#lang', 'en');
    await page.waitForFunction(() => document.getElementById('nav-sync')?.textContent === 'Sync');
    await page.click('#nav-sync');
    await page.waitForSelector('#sync-waiting-total');
    await page.screenshot({ path: path.join(shots, 'kit-08-sync-en.png'), fullPage: true });

    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  } finally {
    await browser.close();
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
