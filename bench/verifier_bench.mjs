// The phone verifier's figures (docs/verifier-web.md, "Figures"; issue 17):
// a real puente-server, Debian's chromium at a 360x800 phone viewport, its
// fake camera fed a card photographed-like (web/e2e/camera.mjs). A
// benchmark, not a test: it prints figures and asserts nothing.
//
//   node bench/verifier_bench.mjs [--build build] [--runs 15] [--json FILE]
//
// What is measured (clocks in the page, performance.now()):
// - app size: every file of build/web/verify, raw and `gzip -9`, the QR
//   reader's wasm included;
// - camera frame → verdict: from the frame the scanner grabbed off the
//   <video> (drawImage) to the verdict on screen (the app's own figure,
//   body[data-last-check-ms]), one a start, --runs starts;
// - offline start-up: the server stopped and the page offline, a reload:
//   navigation start → the scanning screen ready (the <video> playing), and
//   → the first verdict, from the service worker's cache;
// - the QR version of the card, as zxing reads it from the card PNG.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { photographedCard } from '../web/e2e/camera.mjs';
import { enrolWithCard, login } from '../web/e2e/cards.mjs';
import { chromiumArgs, startServer } from '../web/e2e/server.mjs';

const { values: o } = parseArgs({ options: { build: { type: 'string', default: 'build' }, runs: { type: 'string', default: '15' }, json: { type: 'string' } } });
const repo = path.resolve(import.meta.dirname, '..');
const build = path.resolve(o.build);
const shared = process.env.PUENTE_SHARED ?? path.join(repo, '..', 'shared');
const require = createRequire(path.join(repo, 'web', 'package.json'));
const puppeteer = (await import(pathToFileURL(require.resolve('puppeteer-core')))).default;
const zxing = await import(pathToFileURL(require.resolve('zxing-wasm/reader')));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const fmt = (x) => `${x.toFixed(0)} ms`;

const verifyDir = path.join(build, 'web', 'verify');
const files = readdirSync(verifyDir).map((f) => {
  const p = path.join(verifyDir, f);
  return { file: f, bytes: statSync(p).size, gzip: Number(execFileSync('sh', ['-c', `gzip -9c '${p}' | wc -c`]).toString()) };
});
const size = { bytes: files.reduce((a, f) => a + f.bytes, 0), gzip: files.reduce((a, f) => a + f.gzip, 0) };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'puente-verifier-bench-'));
const server = await startServer({ binDir: path.join(build, 'apps'), webDir: path.join(build, 'web'), modelsDir: process.env.PUENTE_MODELS_DIR ?? path.join(repo, 'var', 'models'), adminPassword: 'bench admin password 7',
  // Cards sealed to one institution, as the typical card (docs/credentials.md): QR version 15-17.
  prepare: ({ puente }) => puente(['keys', 'generate', '--kind', 'institution', '--out', 'hospital']),
  extraArgs: (dir) => ['--recipient', path.join(dir, 'hospital.pub.json')] });
let browser;
try {
  const admin = await login(server, 'admin', 'bench admin password 7');
  await server.api('POST', '/api/v1/users', admin, { name: 'olga', role: 'officer', password: 'password of olga 42' });
  const officer = await login(server, 'olga', 'password of olga 42');
  const person = readdirSync(path.join(shared, 'faces', 'dev')).sort()[0];
  const card = await enrolWithCard(server, officer, { shared, person, surname: 'Pérez', dir: tmp });
  const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  zxing.prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) } });
  const [read] = await zxing.readBarcodes(new Uint8Array(readFileSync(card.png)), { formats: ['QRCode'] });
  const video = path.join(tmp, 'card.y4m');
  photographedCard(card.png, path.join(tmp, 'card.jpg'), video);

  browser = await puppeteer.launch({
    executablePath: process.env.PUENTE_CHROMIUM ?? '/usr/bin/chromium', headless: true, userDataDir: path.join(tmp, 'profile'),
    args: chromiumArgs(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]),
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 360, height: 800, isMobile: true, hasTouch: true });
  await page.goto(`${server.url}/verify/`, { waitUntil: 'load' });
  await page.waitForSelector('.install button.primary');
  await page.click('.install button.primary');
  await page.waitForSelector('.offer button.primary');
  await page.click('.offer button.primary');
  await page.waitForSelector('.verdict[data-verdict]', { timeout: 60000 });
  await page.evaluate(() => navigator.serviceWorker.ready);

  const online = [];
  const offline = { check: [], ready: [], verdict: [] };
  const once = async (into) => {
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.verdict[data-verdict]', { timeout: 60000 });
    const t = await page.evaluate(() => ({ check: Number(document.body.dataset.lastCheckMs), verdict: performance.now() }));
    into.check.push(t.check);
    into.verdict?.push(t.verdict);
  };
  for (let i = 0; i < Number(o.runs); i++) {
    const r = { check: [] };
    await once(r);
    online.push(r.check[0]);
  }
  await server.halt();
  await page.setOfflineMode(true);
  for (let i = 0; i < Number(o.runs); i++) {
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => { const v = document.querySelector('video'); return v && v.readyState >= 2; }, { timeout: 60000 });
    offline.ready.push(await page.evaluate(() => performance.now()));
    await page.waitForSelector('.verdict[data-verdict]', { timeout: 60000 });
    const t = await page.evaluate(() => ({ check: Number(document.body.dataset.lastCheckMs), verdict: performance.now() }));
    offline.check.push(t.check);
    offline.verdict.push(t.verdict);
  }
  const verdict = await page.$eval('.verdict', (e) => e.dataset.verdict);
  const figures = {
    chromium: await browser.version(),
    card: { qr_chars: card.qr.length, qr_version: read?.version ?? '?', verdict },
    size, files,
    frame_to_verdict_ms: stats([...online, ...offline.check]),
    offline_start_ms: { scanning_ready: stats(offline.ready), first_verdict: stats(offline.verdict) },
  };
  console.log(`chromium ${figures.chromium}; card: ${figures.card.qr_chars} characters, QR version ${figures.card.qr_version}, verdict ${verdict}`);
  console.log(`app size: ${(size.bytes / 1024).toFixed(0)} KiB (${(size.gzip / 1024).toFixed(0)} KiB gzip -9), target <= 1.5 MB`);
  for (const f of files) console.log(`  ${f.file.padEnd(20)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(8)} B gzip`);
  const fv = figures.frame_to_verdict_ms;
  console.log(`camera frame -> verdict (n=${fv.n}): median ${fmt(fv.median)}, p95 ${fmt(fv.p95)}, max ${fmt(fv.max)} (target <= 300 ms)`);
  const os_ = figures.offline_start_ms;
  console.log(`offline start (n=${os_.scanning_ready.n}): scanning ready median ${fmt(os_.scanning_ready.median)} (p95 ${fmt(os_.scanning_ready.p95)}), first verdict median ${fmt(os_.first_verdict.median)} (p95 ${fmt(os_.first_verdict.p95)})`);
  if (o.json) writeFileSync(o.json, JSON.stringify(figures, null, 2));
} finally {
  await browser?.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
