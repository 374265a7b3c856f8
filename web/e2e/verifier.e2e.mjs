// The institutions' phone verifier (issue 17) in Debian's chromium at a
// 360x800 phone viewport: installed from a real puente-server (root pinned
// by its fingerprint, lists downloaded), then with the server down and the
// page offline it starts from its service worker and reads a card shown to
// the fake camera (a y4m made from the card PNG "photographed": turned,
// blurred, JPEG) → VÁLIDA; a tampered QR picked as a photo → NO VÁLIDA; the
// supervisor revokes the card, the phone comes back online and refreshes →
// REVOCADA; another card with the phone's clock three days on (lists past
// their next update) → LISTAS DESACTUALIZADAS. No request ever leaves the
// server's origin.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { chromium, dirs } from './browser.mjs';
import { photographedCard } from './camera.mjs';
import { brotliRewrap, enrolWithCard, login as loginAs, qrPng } from './cards.mjs';
import { chromiumArgs, startServer } from './server.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'puente-verifier-e2e-'));
const adminPassword = 'e2e admin password 7';
const webKeyPassphrase = 'e2e only: the hospital key file';
let server;
let browser;
let page;
let seen;
const cards = {};

async function shot(name) {
  mkdirSync(dirs.shots, { recursive: true });
  await page.screenshot({ path: path.join(dirs.shots, `verifier-${name}.png`), fullPage: true });
}

const login = (user, password) => loginAs(server, user, password);

async function verdictOf() {
  await page.waitForSelector('.verdict[data-verdict]', { timeout: 30000 });
  return page.$eval('.verdict', (e) => ({ verdict: e.dataset.verdict, text: e.innerText }));
}

// "Scan another card": the verdict goes (the camera may answer again at once).
async function scanAgain() {
  const button = await page.$('button.again');
  if (!button) return;
  await button.click();
  await page.waitForFunction((b) => !b.isConnected, {}, button);
}

// Picks a photo as a clerk does (the label pauses the camera); the camera may
// still have answered between "scan another" and the click: then again.
async function photoVerdict(file, camerasVerdict) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await scanAgain();
    if (!(await page.$('.finder:not([hidden])'))) continue; // the camera was quicker
    let chooser;
    try {
      [chooser] = await Promise.all([page.waitForFileChooser({ timeout: 5000 }), page.click('.finder label.button')]);
    } catch {
      continue; // the camera answered between the check and the click
    }
    await chooser.accept([file]);
    const v = await verdictOf();
    if (v.verdict !== camerasVerdict) return v;
  }
  throw new Error(`the photo never beat the camera's ${camerasVerdict}`);
}

before(async () => {
  server = await startServer({
    binDir: dirs.bin, webDir: dirs.web, modelsDir: dirs.models, adminPassword,
    // The hospital: cards are sealed to its key, and it holds the key as the phone imports it.
    prepare: ({ puente }) => {
      puente(['keys', 'generate', '--kind', 'institution', '--out', 'hospital']);
      puente(['keys', 'export-web', '--key', 'hospital.pem', '--out', 'hospital.web.json'], { PUENTE_WEB_KEY_PASSPHRASE: webKeyPassphrase });
    },
    extraArgs: (dir) => ['--recipient', path.join(dir, 'hospital.pub.json')],
  });
  const admin = await login('admin', adminPassword);
  for (const [name, role] of [['olga', 'officer'], ['sofia', 'supervisor']]) {
    const r = await server.api('POST', '/api/v1/users', admin, { name, role, password: `password of ${name} 42` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const officer = await login('olga', 'password of olga 42');
  const people = readdirSync(path.join(dirs.shared, 'faces', 'dev'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  cards.first = await enrolWithCard(server, officer, { shared: dirs.shared, person: people[0], surname: 'Pérez', dir: tmp });
  cards.second = await enrolWithCard(server, officer, { shared: dirs.shared, person: people[5], surname: 'Gómez', dir: tmp });
  const video = path.join(tmp, 'card.y4m');
  photographedCard(cards.first.png, path.join(tmp, 'card-photo.jpg'), video);
  cards.secondPhoto = photographedCard(cards.second.png, path.join(tmp, 'card2-photo.jpg'));
  // The tampered card: one character of the signed text changed, as a QR image.
  const i = Math.floor(cards.first.qr.length / 2);
  const tampered = cards.first.qr.slice(0, i) + (cards.first.qr[i] === 'A' ? 'B' : 'A') + cards.first.qr.slice(i + 1);
  cards.tampered = await qrPng(tampered, path.join(tmp, 'tampered.png'));
  // The second card Brotli-compressed (a foreign issuer may do that): the browser's Brotli path.
  cards.brotli = await qrPng(brotliRewrap(cards.second.qr), path.join(tmp, 'brotli.png'));

  browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir: path.join(tmp, 'profile'),
    args: chromiumArgs(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]),
  });
  page = await browser.newPage();
  await page.setViewport({ width: 360, height: 800, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  seen = { problems: [], foreign: [] };
  const origin = new URL(server.url).origin;
  page.on('console', (m) => { if (m.type() === 'error' && !/net::ERR_|Failed to fetch|status of 5/.test(m.text())) seen.problems.push(m.text()); });
  page.on('pageerror', (e) => seen.problems.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) seen.foreign.push(r.url()); });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('install: the root is pinned by the fingerprint the server offers, and the lists come with it', async () => {
  await page.goto(`${server.url}/verify`, { waitUntil: 'load' });
  assert.equal(new URL(page.url()).pathname, '/verify/');
  await page.waitForSelector('.install');
  await shot('1-install');
  await page.click('.install button.primary');
  await page.waitForSelector('.offer .fingerprint');
  const offered = await page.$eval('.offer .fingerprint', (e) => e.dataset.fingerprint);
  const rootFile = await (await fetch(`${server.url}/api/v1/keys/root`)).json();
  const { createHash } = await import('node:crypto');
  assert.equal(offered, createHash('sha256').update(Buffer.from(rootFile.public_key, 'hex')).digest('hex'));
  await shot('2-fingerprint');
  await page.click('.offer button.primary');
  await page.waitForSelector('.finder .viewfinder video');
  await page.waitForSelector('.verdict[data-verdict]');
  await scanAgain(); // the camera's card, verified at once, stays ignored while in view: the scanning screen
  await shot('3-scanning');
  const sw = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const keys = await caches.keys();
    const c = await caches.open(keys.find((k) => k.startsWith('puente-verify-')));
    return (await c.keys()).map((r) => new URL(r.url).pathname).sort();
  });
  assert.deepEqual(sw, ['/verify/', '/verify/app.css', '/verify/app.js', '/verify/brotli_dec_wasm_bg.wasm', '/verify/icon.svg', '/verify/manifest.json', '/verify/zxing_reader.wasm']);
});

test('offline: the app starts from its service worker and the camera card is VÁLIDA', async () => {
  await server.halt();
  await page.setOfflineMode(true);
  await page.reload({ waitUntil: 'load' });
  const v = await verdictOf();
  assert.equal(v.verdict, 'VALID');
  assert.match(v.text, /VÁLIDA/);
  const claims = await page.$eval('dl.claims', (e) => e.innerText);
  assert.match(claims, /María José Pérez/);
  assert.match(claims, new RegExp(cards.first.reg));
  assert.match(claims, /Solicitante de asilo/);
  assert.match(await page.$eval('header .net', (e) => e.textContent), /Sin conexión/);
  await shot('4-valid-offline');
});

test('offline: the hospital installs its key behind a PIN; the sealed section of the card shows its case number', async () => {
  assert.match(await page.$eval('.sealed-note', (e) => e.textContent), /desbloquee/);
  await page.click('header button.link');
  await page.waitForSelector('.inst-install');
  await (await page.$('#inst-file')).uploadFile(path.join(server.dir, 'hospital.web.json'));
  await page.type('#inst-passphrase', 'not the passphrase');
  await page.type('#inst-pin', '482915');
  await page.type('#inst-pin2', '482915');
  await page.click('.inst-install button[type="submit"]');
  await page.waitForFunction(() => /No se pudo/.test(document.querySelector('.institution .message')?.textContent ?? ''), { timeout: 30000 });
  await page.type('#inst-passphrase', webKeyPassphrase);
  await page.type('#inst-pin', '482915');
  await page.type('#inst-pin2', '482915');
  await page.click('.inst-install button[type="submit"]');
  await page.waitForSelector('.inst-state[data-unlocked="true"]', { timeout: 30000 });
  // At rest only ciphertext: the stored record has no PKCS#8 in clear, and the device key cannot be exported.
  const rest = await page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('puente-verify');
    req.onsuccess = () => {
      const tx = req.result.transaction('kv');
      const a = tx.objectStore('kv').get('institution');
      const b = tx.objectStore('kv').get('deviceKey');
      tx.oncomplete = () => resolve({ record: JSON.stringify(a.result), extractable: b.result.extractable, usages: b.result.usages });
    };
  }));
  assert.doesNotMatch(rest.record, /302e020100300506032b656e/); // an X25519 PKCS#8's DER prefix, in hex
  assert.equal(rest.extractable, false);
  await shot('5-institution-key');
  await page.click('.settings-view button.back');
  const v = await verdictOf();
  assert.equal(v.verdict, 'VALID');
  await page.waitForSelector('.sealed .case-number');
  assert.match(await page.$eval('.sealed .case-number', (e) => e.textContent), /\S/);
  await shot('6-sealed-opened');
});

test('offline: a tampered card picked as a photo is NO VÁLIDA, with no claims shown', async () => {
  await scanAgain();
  const v = await photoVerdict(cards.tampered, 'VALID');
  assert.equal(v.verdict, 'INVALID');
  assert.match(v.text, /NO VÁLIDA/);
  assert.equal(await page.$('dl.claims'), null);
  await shot('7-tampered');
});

test('the supervisor revokes the card; back online, the phone refreshes and says REVOCADA', async () => {
  await server.resume();
  const supervisor = await login('sofia', 'password of sofia 42');
  const r = await server.api('POST', `/api/v1/cards/${cards.first.serial}/revoke`, supervisor, { reason: 'reported stolen' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.setOfflineMode(false);
  await scanAgain();
  await page.click('header button.link');
  await page.waitForSelector('.settings-view');
  await page.click('.settings-view button.primary');
  await page.waitForFunction(() => /actualizadas y verificadas/.test(document.querySelector('.settings-view .message')?.textContent ?? ''), { timeout: 20000 });
  const text = await page.$eval('dl.settings', (e) => e.innerText);
  assert.match(text, /Tarjetas revocadas: 1/);
  await shot('8-settings');
  await page.click('.settings-view button.back');
  const v = await verdictOf();
  assert.equal(v.verdict, 'REVOKED');
  assert.match(v.text, /REVOCADA/);
  await shot('9-revoked');
  // The other card, Brotli-compressed, picked as a photo: read by the Brotli decoder's wasm from the app's folder.
  const b = await photoVerdict(cards.brotli, 'REVOKED');
  assert.equal(b.verdict, 'VALID');
  assert.match(await page.$eval('dl.claims', (e) => e.innerText), new RegExp(cards.second.reg));
});

test('three days on, offline, the lists are past their next update: LISTAS DESACTUALIZADAS', async () => {
  await server.halt();
  await page.setOfflineMode(true);
  await page.evaluateOnNewDocument(() => {
    const shift = 3 * 24 * 3600 * 1000;
    const RealDate = Date;
    // The phone's clock three days on; the rest of Date as it is.
    globalThis.Date = class extends RealDate {
      constructor(...a) { super(...(a.length ? a : [RealDate.now() + shift])); }
      static now() { return RealDate.now() + shift; }
    };
  });
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('.lists.stale');
  // The camera still shows the revoked card (REVOKED comes before STALE LISTS): the other card, as a photo.
  const w = await photoVerdict(cards.secondPhoto, 'REVOKED');
  assert.equal(w.verdict, 'STALE LISTS');
  assert.match(w.text, /LISTAS DESACTUALIZADAS/);
  await shot('10-stale');
});

test('nothing went wrong in the page and nothing left the origin', () => {
  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.foreign, []);
});
