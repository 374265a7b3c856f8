// The officers' web app's figures (docs/web.md, "Figures"; issue 16): a real
// puente-server on a registry of 100,000 synthetic people, Debian's chromium
// driven through web/node_modules' puppeteer-core, its fake camera fed dev
// faces. A benchmark, not a test: it prints figures and asserts nothing.
//
//   node bench/web_bench.mjs [--build build] [--n 100000] [--registry DIR]
//       [--db postgresql://USER:PW@HOST:PORT/FILLED_DB --key-file KEY]
//       [--frames 60] [--enrollments 24] [--json FILE] [--office 101]
//
// The registry: build/bench/service_bench fills one (`startup --n N` leaves
// bench.db and master.key in $TMPDIR/puente-service-bench; this script sets
// TMPDIR to a folder of its own and prints it). --registry DIR reuses such a
// folder; every run enrolls into a copy of DIR/bench.db, so the gallery is N
// each time. PostgreSQL: fill an empty database once with
//   TMPDIR=DIR build/bench/service_bench startup --n 100000 --db URL
// then pass --db URL --key-file DIR/puente-service-bench/master.key; each run
// enrolls into a copy of that database (CREATE DATABASE ... TEMPLATE, psql).
//
// --office CODE: the server's --office (default 101), the office the enroll
// screen registers for.
//
// What is timed (all clocks in the page: performance.now()):
// - first load: bytes on the wire for / and everything it loads (CDP
//   Network.loadingFinished encodedDataLength), and each built file's
//   `gzip -9c FILE | wc -c`;
// - face check: from the camera frame drawn onto the canvas (the app's
//   drawImage of the <video>) to the parsed /api/v1/faces/check answer
//   (the app's Response.json()), every check of --frames after 3 warm-up ones,
//   at 640x480 (web/e2e/camera.mjs) and 1280x720 (what the app asks a webcam
//   for); the server's own share is its request log's "ms" for that request
//   (first byte in to answer written, matched by X-Request-Id);
// - enroll: from the click on #enroll-submit (the event's timeStamp) to
//   #enroll-outcome in the DOM (a MutationObserver), one fresh browser per
//   distinct dev face and synthetic name, with the server's share likewise.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { devPhoto, photoVideo } from '../web/e2e/camera.mjs';
import { chromiumArgs } from '../web/e2e/server.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    build: { type: 'string', default: path.join(repo, 'build') },
    'web-dir': { type: 'string' },
    models: { type: 'string', default: process.env.PUENTE_MODELS_DIR ?? path.join(repo, 'var', 'models') },
    shared: { type: 'string', default: process.env.PUENTE_SHARED ?? path.join(repo, '..', 'shared') },
    chromium: { type: 'string', default: process.env.PUENTE_CHROMIUM ?? '/usr/bin/chromium' },
    n: { type: 'string', default: '100000' },
    registry: { type: 'string' },
    db: { type: 'string' },
    'key-file': { type: 'string' },
    frames: { type: 'string', default: '60' },
    enrollments: { type: 'string', default: '24' },
    json: { type: 'string' },
    office: { type: 'string', default: '101' },
    perf: { type: 'string' },
  },
});
const binDir = path.join(opt.build, 'apps');
const webDir = opt['web-dir'] ?? path.join(opt.build, 'web');
const frames = Number(opt.frames);
const enrollments = Number(opt.enrollments);
const kWarmUp = 3;

const require = createRequire(path.join(repo, 'web', 'package.json'));
const puppeteer = (await import(pathToFileURL(require.resolve('puppeteer-core')))).default;

const work = mkdtempSync(path.join(os.tmpdir(), 'puente-web-bench-'));
const log = (...a) => console.error('web_bench:', ...a);

// --- the registry -----------------------------------------------------------

function psql(url, sql) {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// The database URL and master key of a fresh copy of the filled registry.
function registryCopy() {
  if (opt.db) {
    if (!opt['key-file']) throw new Error('--db needs --key-file (the master key service_bench wrote)');
    const u = new URL(opt.db);
    const filled = u.pathname.slice(1);
    const copy = `${filled}_web_bench`;
    const admin = new URL(opt.db);
    admin.pathname = '/postgres';
    psql(admin.href, `DROP DATABASE IF EXISTS ${copy}`);
    psql(admin.href, `CREATE DATABASE ${copy} TEMPLATE ${filled}`);
    u.pathname = `/${copy}`;
    return { db: u.href, key: opt['key-file'], kind: 'PostgreSQL', drop: () => psql(admin.href, `DROP DATABASE ${copy}`) };
  }
  let dir = opt.registry;
  if (!dir) {
    const tmp = path.join(work, 'filled');
    mkdirSync(tmp);
    log(`filling ${opt.n} synthetic people with service_bench (TMPDIR=${tmp})`);
    execFileSync(path.join(opt.build, 'bench', 'service_bench'), ['startup', '--n', opt.n],
      { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'inherit', 'inherit'] });
    dir = path.join(tmp, 'puente-service-bench');
  }
  const run = path.join(work, 'run');
  mkdirSync(run);
  for (const f of ['bench.db', 'bench.db-wal']) {
    if (existsSync(path.join(dir, f))) copyFileSync(path.join(dir, f), path.join(run, f));
  }
  return { db: `sqlite:${run}/bench.db`, key: path.join(dir, 'master.key'), kind: 'SQLite', filled: dir, drop: () => {} };
}

// --- the server -------------------------------------------------------------

// puente-server on the registry, its JSON request log read from stderr:
// request id -> server-side milliseconds.
async function serve(registry) {
  const served = new Map();
  const started = performance.now();
  const proc = spawn(path.join(binDir, 'puente-server'),
    ['--db', registry.db, '--key-file', registry.key, '--models', opt.models, '--web-dir', webDir,
      '--office', opt.office, '--admin', 'admin', '--port', '0', '--log-level', 'info'],
    { env: { ...process.env, PUENTE_ADMIN_PASSWORD: 'bench admin password 7' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let rest = '';
  proc.stderr.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      try {
        const e = JSON.parse(line);
        if (e.event === 'request') served.set(e.request_id, e);
        else if (e.level !== 'info') log('server:', line);
      } catch {
        log('server:', line);
      }
    }
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`puente-server exited ${code}: ${out}`)));
  });
  const startup = performance.now() - started;
  const api = async (method, p, token, body) => {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(url + p, { method, headers, body: body && JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  return {
    url, startup, served, api, pid: proc.pid,
    stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }),
  };
}

// --- the browser ------------------------------------------------------------

// Runs in the page before the app: timestamps of camera frames grabbed onto a
// canvas and of each API call (sent, headers in, body parsed), and the
// enroll button's click and outcome. The app itself is not changed.
function instrument() {
  const b = { grabs: [], calls: [], click: null, outcome: null, signin: null };
  window.__bench = b;
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (src, ...rest) {
    if (src instanceof HTMLVideoElement) b.grabs.push(performance.now());
    return draw.call(this, src, ...rest);
  };
  const fetch0 = window.fetch;
  window.fetch = async function (input, init) {
    const call = { path: new URL(String(input), location.href).pathname, sent: performance.now(),
      bytes: typeof init?.body === 'string' ? init.body.length : 0 };
    const res = await fetch0.call(this, input, init);
    call.headers = performance.now();
    call.status = res.status;
    call.requestId = res.headers.get('X-Request-Id');
    const json = res.json.bind(res);
    res.json = async () => {
      const v = await json();
      call.parsed = performance.now();
      return v;
    };
    b.calls.push(call);
    return res;
  };
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.id === 'enroll-submit') b.click = e.timeStamp;
  }, true);
  new MutationObserver(() => {
    if (b.signin === null && document.getElementById('signin-user')) b.signin = performance.now();
    if (b.click !== null && b.outcome === null && document.getElementById('enroll-outcome')) b.outcome = performance.now();
  }).observe(document, { childList: true, subtree: true });
}

const officer = { user: 'ana', password: 'password of ana 42' };

async function browse(server, video) {
  const profile = mkdtempSync(path.join(work, 'profile-'));
  const camera = video ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`] : [];
  const browser = await puppeteer.launch({
    executablePath: opt.chromium, headless: true, userDataDir: profile, args: chromiumArgs(camera),
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 768 });
  page.on('pageerror', (e) => log('page error:', String(e)));
  await page.evaluateOnNewDocument(instrument);
  return { browser, page };
}

async function signInToEnroll(server, page) {
  await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
  await page.type('#signin-user', officer.user);
  await page.type('#signin-password', officer.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav-enroll');
  await page.click('#nav-enroll');
  await page.waitForSelector('#enroll-form');
}

// --- figures ----------------------------------------------------------------

// fn() with the server's CPU profile in --perf DIR/NAME.data (perf record
// attached to the server for fn's time only), where --perf is given.
async function profiled(server, name, fn) {
  if (!opt.perf) return fn();
  mkdirSync(opt.perf, { recursive: true });
  const perf = spawn('perf', ['record', '-q', '-F', '499', '-g', '-p', String(server.pid), '-o',
    path.join(opt.perf, `${name}.data`)], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 1000));  // attached
  try {
    return await fn();
  } finally {
    const done = new Promise((r) => perf.once('exit', r));
    perf.kill('SIGINT');
    await done;
  }
}

function pct(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
}
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: Math.max(...xs) });

async function firstLoad(server) {
  const { browser, page } = await browse(server, null);
  try {
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const reqs = new Map();
    cdp.on('Network.responseReceived', (e) => reqs.set(e.requestId, {
      url: e.response.url, headerBytes: e.response.encodedDataLength,
      encoding: e.response.headers['Content-Encoding'] ?? e.response.headers['content-encoding'] ?? 'identity',
    }));
    cdp.on('Network.loadingFinished', (e) => {
      const r = reqs.get(e.requestId);
      if (r) r.total = e.encodedDataLength;
    });
    await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#signin-user');
    const files = [...reqs.values()].map((r) => {
      const name = new URL(r.url).pathname.replace(/^\/$/, '/index.html').slice(1);
      const file = path.join(webDir, name);
      const gzip9 = existsSync(file) ? execFileSync('sh', ['-c', 'gzip -9c "$1" | wc -c', 'sh', file]).toString().trim() : '-';
      return { path: new URL(r.url).pathname, encoding: r.encoding, wire: r.total, body: r.total - r.headerBytes, gzip9: Number(gzip9) };
    });
    // From navigation start: the last byte of / and of the script, and the
    // sign-in form in the DOM.
    const times = await page.evaluate(() => ({
      html: performance.getEntriesByType('navigation')[0].responseEnd,
      script: performance.getEntriesByType('resource').find((r) => r.name.endsWith('/app.js'))?.responseEnd,
      signin: window.__bench.signin,
    }));
    return { files, times, wire: files.reduce((s, f) => s + f.wire, 0), gzip9: files.reduce((s, f) => s + f.gzip9, 0) };
  } finally {
    await browser.close();
  }
}

function video1280(photo, out) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-t', '1', '-r', '10',
    '-vf', 'scale=720:720,pad=1280:720:280:0:gray,format=yuv420p', out]);
  return out;
}

async function faceChecks(server, video) {
  const { browser, page } = await browse(server, video);
  try {
    await signInToEnroll(server, page);
    await page.click('#camera-start');
    await page.waitForFunction((n) => window.__bench.calls.filter((c) => c.path === '/api/v1/faces/check' && c.parsed).length >= n,
      { timeout: 600000, polling: 200 }, frames + kWarmUp);
    const b = await page.evaluate(() => window.__bench);
    const size = await page.evaluate(() => [document.getElementById('camera-video').videoWidth, document.getElementById('camera-video').videoHeight]);
    const checks = b.calls.filter((c) => c.path === '/api/v1/faces/check' && c.parsed).slice(kWarmUp, kWarmUp + frames);
    const rows = checks.map((c) => {
      const grab = b.grabs.filter((g) => g <= c.sent).pop();
      const srv = server.served.get(c.requestId)?.ms ?? NaN;
      return { total: c.parsed - grab, encode: c.sent - grab, http: c.headers - c.sent, server: srv, parse: c.parsed - c.headers, bytes: c.bytes, status: c.status };
    });
    return { size: size.join('x'), rows };
  } finally {
    await browser.close();
  }
}

const kSurnames = ['Pérez', 'González', 'Rodríguez', 'Hernández', 'García', 'Martínez', 'López', 'Díaz',
  'Moreno', 'Castillo', 'Rojas', 'Vargas'];
const kGiven = ['María', 'José', 'Ana', 'Luis', 'Carmen', 'Juan', 'Rosa', 'Pedro'];
// A synthetic name part per number, like bench/synthetic_names.h's Letters.
const letters = (i) => {
  let s = '';
  do {
    s += String.fromCharCode(97 + (i % 26));
    i = Math.floor(i / 26);
  } while (i > 0);
  return s[0].toUpperCase() + s.slice(1);
};

// One enrollment through the screen: the face on the camera, a synthetic
// name; null if no photo of this person passes the camera's quality check.
async function enrollOnce(server, person, i) {
  for (const n of [1, 2, 3, 4]) {
    const photo = devPhoto(opt.shared, person, n);
    if (!existsSync(photo)) return null;
    const video = photoVideo(photo, path.join(work, `${person}-${n}.y4m`));
    const { browser, page } = await browse(server, video);
    try {
      await signInToEnroll(server, page);
      const values = {
        given_names: `${kGiven[i % 8]} ${letters(100003 + i * 7919)}`, surname1: kSurnames[(i * 7) % 12],
        surname2: kSurnames[(i * 5 + 3) % 12], sex: i % 2 ? 'F' : 'M',
        date_of_birth: `${1950 + ((i * 13) % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        nationality: 'VEN', office_code: '101',
      };
      await page.evaluate((v) => {
        for (const [k, x] of Object.entries(v)) {
          const el = document.getElementById(`f-${k}`);
          if (el) el.value = x;
        }
      }, values);
      await page.click('#camera-start');
      const passed = await page.waitForFunction(() => !document.getElementById('camera-capture').disabled, { timeout: 15000 })
        .then(() => true, () => false);
      if (!passed) {
        log(`${person}/${n}.jpg never passes the camera check: ${await page.$eval('#camera-status', (e) => e.textContent)}`);
        continue;
      }
      await page.click('#camera-capture');
      await page.waitForSelector('#camera-photo');
      await page.click('#enroll-submit');
      await page.waitForFunction(() => document.getElementById('enroll-outcome') ||
        document.getElementById('enroll-error')?.textContent || document.querySelector('.field-error:not(:empty)'),
      { timeout: 120000, polling: 'mutation' });
      const b = await page.evaluate(() => window.__bench);
      if (b.outcome === null) {
        const why = await page.evaluate(() => [document.getElementById('enroll-error')?.textContent,
          ...[...document.querySelectorAll('.field-error')].map((e) => e.textContent)].filter((s) => s).join('; '));
        throw new Error(`enrollment of ${person} refused: ${why}`);
      }
      const call = b.calls.filter((c) => c.path === '/api/v1/enrollments').pop();
      const status = await page.$eval('#enroll-outcome', (e) => e.className.replace('outcome ', ''));
      return {
        person: `${person}/${n}`, status, total: b.outcome - b.click, http: call.headers - call.sent,
        server: server.served.get(call.requestId)?.ms ?? NaN, bytes: call.bytes,
        candidates: await page.$$eval('#enroll-candidates li', (l) => l.length),
      };
    } finally {
      await browser.close();
    }
  }
  return null;
}

// --- main -------------------------------------------------------------------

const registry = registryCopy();
const server = await serve(registry);
const result = { date: new Date().toISOString(), registry: registry.kind, load_before: os.loadavg()[0] };
try {
  log(`server up in ${(server.startup / 1000).toFixed(1)} s at ${server.url} (${registry.kind}${registry.filled ? `, filled registry ${registry.filled}` : ''})`);
  const admin = (await server.api('POST', '/api/v1/sessions', null, { user: 'admin', password: 'bench admin password 7' })).body.token;
  const made = await server.api('POST', '/api/v1/users', admin, { name: officer.user, role: 'officer', password: officer.password });
  if (made.status !== 201) throw new Error(`officer not created: ${JSON.stringify(made.body)}`);
  const metrics = async () => Object.fromEntries((await (await fetch(server.url + '/metrics')).text()).split('\n')
    .filter((l) => l.startsWith('puente_')).map((l) => l.split(' ')));
  result.startup_ms = server.startup;
  result.gallery = (await metrics()).puente_gallery_templates;

  log('first load');
  result.first_load = await firstLoad(server);

  const face = devPhoto(opt.shared, 'Ashanti', 1);
  result.face_check = [];
  for (const video of [photoVideo(face, path.join(work, 'face-640.y4m')), video1280(face, path.join(work, 'face-1280.y4m'))]) {
    log(`face checks, ${path.basename(video)}`);
    result.face_check.push(await profiled(server, path.basename(video, '.y4m'), () => faceChecks(server, video)));
  }

  const people = readdirSync(path.join(opt.shared, 'faces', 'dev')).sort();
  result.enroll = [];
  try {
    await profiled(server, 'enroll', async () => {
      for (let i = 0; i < people.length && result.enroll.length < enrollments; ++i) {
        const r = await enrollOnce(server, people[i], i);
        if (r) {
          log(`enrolled ${r.person}: ${r.status} in ${r.total.toFixed(0)} ms`);
          result.enroll.push(r);
        }
      }
    });
  } catch (err) {
    result.enroll_error = err.message;
  }
  result.gallery_after = (await metrics()).puente_gallery_templates;
  result.load_after = os.loadavg()[0];
} finally {
  await server.stop();
  registry.drop();
  rmSync(work, { recursive: true, force: true });
}

// --- the table --------------------------------------------------------------

const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;
const lines = [];
const row = (what, p50, p95, max, note = '') => lines.push(`${what.padEnd(44)} ${String(p50).padStart(9)} ${String(p95).padStart(9)} ${String(max).padStart(9)}  ${note}`);
const cpu = os.cpus();
lines.push(`web_bench ${result.date}: ${cpu.length} x ${cpu[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
  `${execFileSync(opt.chromium, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()}; ${result.registry}, gallery ${result.gallery ?? '?'} ` +
  `(server start-up ${(result.startup_ms / 1000).toFixed(1)} s); load average ${result.load_before.toFixed(1)} before, ` +
  `${result.load_after?.toFixed(1) ?? '?'} after`);
lines.push('');
lines.push('first load (target <= 300 KB compressed):');
for (const f of result.first_load.files) {
  lines.push(`  ${f.path.padEnd(14)} ${String(f.wire).padStart(8)} B on the wire (${f.encoding}, body ${f.body} B); gzip -9 ${f.gzip9} B`);
}
lines.push(`  all ${result.first_load.files.length} requests: ${kb(result.first_load.wire)} on the wire, ${kb(result.first_load.gzip9)} gzip -9`);
const lt = result.first_load.times;
lines.push(`  from navigation start: / in ${ms(lt.html)}, app.js in ${ms(lt.script)}, sign-in form in ${ms(lt.signin)}`);
lines.push('');
row('', 'p50', 'p95', 'max');
for (const fc of result.face_check) {
  const r = fc.rows;
  const s = summary(r.map((x) => x.total));
  row(`face check ${fc.size}, ${r.length} frames (<= 80 ms)`, ms(s.p50), ms(s.p95), ms(s.max),
    `${kb(pct(r.map((x) => x.bytes), 0.5))} JSON`);
  for (const [k, what] of [['encode', 'frame -> JPEG -> base64 -> sent'], ['http', 'sent -> answer headers'], ['server', 'of which the server'], ['parse', 'headers -> parsed']]) {
    const t = summary(r.map((x) => x[k]));
    row(`  ${what}`, ms(t.p50), ms(t.p95), ms(t.max));
  }
}
const e = result.enroll;
if (e.length) {
  const s = summary(e.map((x) => x.total));
  const statuses = Object.entries(e.reduce((m, x) => ({ ...m, [x.status]: (m[x.status] ?? 0) + 1 }), {})).map(([k, v]) => `${v} ${k}`).join(', ');
  row(`enroll click -> outcome, ${e.length} faces (<= 1 s)`, ms(s.p50), ms(s.p95), ms(s.max), statuses);
  for (const [k, what] of [['http', 'POST /api/v1/enrollments in the page'], ['server', 'of which the server']]) {
    const t = summary(e.map((x) => x[k]));
    row(`  ${what}`, ms(t.p50), ms(t.p95), ms(t.max));
  }
}
if (result.enroll_error) lines.push(`enroll stopped: ${result.enroll_error}`);
lines.push(`gallery after: ${result.gallery_after ?? '?'}`);
console.log(lines.join('\n'));
if (opt.json) writeFileSync(opt.json, JSON.stringify(result, null, 2));
