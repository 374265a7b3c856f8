// The sealed section in Debian's chromium: the verifier core, bundled by
// esbuild and served from 127.0.0.1 under a strict CSP, imports the key file
// `puente keys export-web` wrote, puts it behind a PIN, unlocks it into a
// non-extractable X25519 CryptoKey (the record and a device key kept in
// IndexedDB and read back, as the app would) and opens the sealed sections of cards the
// real `puente` made (one recipient: HPKE on the content; three: a wrapped
// content key; another institution's), with the verdict, sealed status and
// case number `puente-verify --json --institution-key` gives. Node's WebCrypto
// is covered by web/test (web_unit, web_verify_core); this is Chromium's.
// ctest: web_verify_sealed_browser (PUENTE_BIN_DIR: where puente and
// puente-verify are).
import { build } from 'esbuild';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dirs, openBrowser, watchPage } from './browser.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'puente-verify-sealed-'));
const env = { ...process.env, PUENTE_KEY_PASSPHRASE: 'sealed-e2e-passphrase',
  PUENTE_WEB_KEY_PASSPHRASE: 'sealed-e2e-web-file-passphrase' };
const now = Math.floor(Date.now() / 1000) + 300;

function run(program, args) {
  const r = spawnSync(path.join(dirs.bin, program), args, { cwd: work, env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function puente(args) {
  const r = run('puente', args);
  assert.equal(r.status, 0, `puente ${args.join(' ')}: ${r.out}${r.err}`);
}

const cards = {}; // name -> QR text
let server;
let origin;
let browser;

before(async () => {
  mkdirSync(path.join(work, 'www'));
  puente(['keys', 'generate', '--kind', 'root', '--out', 'root']);
  puente(['keys', 'generate', '--kind', 'issuer', '--out', 'onpar']);
  for (const who of ['hospital', 'clinic', 'police']) puente(['keys', 'generate', '--kind', 'institution', '--out', who]);
  puente(['keys', 'export-web', '--key', 'hospital.pem', '--out', 'hospital.web.json']);
  puente(['lists', 'trust', '--root', 'root.pem', '--issuer', 'onpar.pub.json', '--out', 'trust.cbor']);
  puente(['lists', 'revocation', '--root', 'root.pem', '--out', 'revoked.cbor']);
  const issue = (name, serial, recipients) => {
    puente(['card', 'issue', '--out', name, '--issuer-key', 'onpar.pem', '--serial', serial, '--registration-number',
      `ONP-2026-000${serial}-1`, '--name', 'Rosa Elena Castillo', '--case-number', `CPA-2026-000${serial}`,
      ...recipients.flatMap((r) => ['--recipient', `${r}.pub.json`])]);
    cards[name] = readFileSync(path.join(work, `${name}.qr.txt`), 'utf8').trim();
  };
  issue('one', '71', ['hospital']);
  issue('three', '72', ['clinic', 'hospital', 'police']);
  issue('other', '73', ['clinic']);
  await build({ entryPoints: [path.resolve(import.meta.dirname, '..', 'src', 'verify', 'core', 'index.ts')],
    bundle: true, format: 'esm', platform: 'browser', outfile: path.join(work, 'www', 'core.js'), logLevel: 'error' });
  const files = {
    '/': ['text/html', '<!doctype html><html lang="en"><title>core</title><p>verifier core</p></html>'],
    '/core.js': ['text/javascript', readFileSync(path.join(work, 'www', 'core.js'))],
  };
  server = http.createServer((req, res) => {
    const f = files[req.url];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f[0], 'content-security-policy': "default-src 'self'; script-src 'self'" });
    res.end(f[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

function cli(text, key) {
  const r = run('puente-verify', ['--root', 'root.pub.json', '--trust-list', 'trust.cbor', '--revocation-list',
    'revoked.cbor', '--text', text, '--at', String(now), '--json', ...(key ? ['--institution-key', key] : [])]);
  const j = JSON.parse(r.out);
  return { verdict: j.verdict, status: j.sealed.status, caseNumber: j.sealed.case_number ?? null };
}

test('Chromium opens the sealed sections puente-verify opens, with the exported key behind a PIN', async () => {
  const page = await browser.browser.newPage();
  const seen = watchPage(page, []);
  await page.goto(`${origin}/`);
  const input = {
    root: readFileSync(path.join(work, 'root.pub.json'), 'utf8'),
    trust: readFileSync(path.join(work, 'trust.cbor')).toString('base64'),
    revoked: readFileSync(path.join(work, 'revoked.cbor')).toString('base64'),
    keyFile: readFileSync(path.join(work, 'hospital.web.json'), 'utf8'),
    passphrase: env.PUENTE_WEB_KEY_PASSPHRASE,
    cards,
    now,
  };
  const out = await page.evaluate(async (i) => {
    const m = await import('/core.js');
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const verifier = await m.createVerifier(await m.rootKeyFromFile(i.root), bytes(i.trust), bytes(i.revoked));
    const imported = await m.importInstitutionKeyFile(i.keyFile, i.passphrase);
    // As the app would: the PIN record and a device key kept in IndexedDB, read back.
    const device = await m.createDeviceKey();
    const stored = await m.protectWithPin({ file: i.keyFile, passphrase: i.passphrase }, '605142', { deviceKey: device });
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('sealed-e2e', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('keys');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = (mode, f) => new Promise((resolve, reject) => {
      const t = db.transaction('keys', mode);
      const r = f(t.objectStore('keys'));
      t.oncomplete = () => resolve(r.result);
      t.onerror = () => reject(t.error);
    });
    await tx('readwrite', (s) => s.put({ stored, device }, 'hospital'));
    const back = await tx('readonly', (s) => s.get('hospital'));
    const key = await m.unlockWithPin(back.stored, '605142', back.device);
    let wrongPin = '';
    try {
      await m.unlockWithPin(back.stored, '605143', back.device);
    } catch (e) {
      wrongPin = e.message;
    }
    let exported = 'refused';
    try {
      await crypto.subtle.exportKey('pkcs8', key.keyPair.privateKey);
      exported = 'exported';
    } catch {
      // non-extractable, as it must be
    }
    const results = {};
    for (const [name, text] of Object.entries(i.cards)) {
      for (const [who, k] of [['none', undefined], ['pin', key], ['file', imported]]) {
        const r = await verifier.verify(text, i.now, { institution: k });
        results[`${name}/${who}`] = { verdict: r.verdict, status: r.sealedStatus, caseNumber: r.card?.sealed?.caseNumber ?? null };
      }
    }
    return { results, wrongPin, exported, extractable: key.keyPair.privateKey.extractable,
      deviceExtractable: back.device.extractable,
      storedHasKey: JSON.stringify(stored).includes(JSON.parse(i.keyFile).wrapped_key) };
  }, input);
  assert.equal(out.exported, 'refused');
  assert.equal(out.extractable, false);
  assert.equal(out.deviceExtractable, false);
  assert.equal(out.storedHasKey, false);
  assert.equal(out.wrongPin, 'wrong PIN or damaged stored key');
  for (const name of Object.keys(cards)) {
    const none = cli(cards[name]);
    const hospital = cli(cards[name], 'hospital.pem');
    assert.deepEqual(out.results[`${name}/none`], none, `${name} without a key`);
    assert.deepEqual(out.results[`${name}/pin`], hospital, `${name} with the PIN-unlocked key`);
    assert.deepEqual(out.results[`${name}/file`], hospital, `${name} with the imported file`);
  }
  assert.deepEqual(out.results['one/pin'], { verdict: 'VALID', status: 'opened', caseNumber: 'CPA-2026-00071' });
  assert.deepEqual(out.results['three/pin'], { verdict: 'VALID', status: 'opened', caseNumber: 'CPA-2026-00072' });
  assert.deepEqual(out.results['other/pin'], { verdict: 'VALID', status: 'not for this institution',
    caseNumber: null });
  assert.deepEqual(seen.problems, []);
  await page.close();
});

// The same core's certificate-chain check (COSE x5chain) in Chromium: its
// WebCrypto verifies Ed25519, ECDSA P-256 / P-384 and RSA certificate
// signatures, and each chain is decided as `openssl verify -x509_strict`
// decides it (the full card-level cross-check runs in Node: web_verify_core).
test('Chromium checks certificate chains as openssl verify does', async () => {
  const certs = path.join(work, 'certs');
  mkdirSync(certs);
  const made = spawnSync('bash', [path.resolve(import.meta.dirname, '..', 'test', 'x5chain_certs.sh'), certs]);
  assert.equal(made.status, 0, String(made.stderr));
  const chains = [['root', 'leaf'], ['root', 'leafec'], ['root', 'leaf2', 'inter'], ['root', 'leaf384', 'inter384'],
    ['root', 'leafrsa', 'interrsa'], ['rootec', 'leafunder_ec'], ['root', 'leaf2'], ['root', 'leaf_nobc', 'inter_nobc'],
    ['root', 'leaf_other'], ['root', 'self'], ['root_pl0', 'leaf_pl0', 'inter_pl0']];
  const b64 = (name) => readFileSync(path.join(certs, `${name}.pem`), 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const at = Math.floor(Date.now() / 1000) + 60;
  const expected = chains.map(([anchor, leaf, ...others]) => {
    const args = ['verify', '-x509_strict', '-attime', String(at), '-CAfile', `${anchor}.pem`];
    if (others.length) args.push('-untrusted', `${others[0]}.pem`);
    return spawnSync('openssl', [...args, `${leaf}.pem`], { cwd: certs }).status === 0 ? 'OK' : 'refused';
  });
  assert.equal(expected.filter((e) => e === 'OK').length, 6);
  const page = await browser.browser.newPage();
  const seen = watchPage(page, []);
  await page.goto(`${origin}/`);
  const got = await page.evaluate(async (input, when) => {
    const m = await import('/core.js');
    const der = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const out = [];
    for (const [anchor, ...chain] of input) {
      try {
        const key = await m.verifyCertificateChain(chain.map(der), der(anchor), BigInt(when));
        out.push(key.algorithm === 'Ed25519' || key.algorithm === 'ES256' ? 'OK' : 'wrong key');
      } catch (e) {
        out.push(e instanceof m.ChainError ? 'refused' : `threw ${e}`);
      }
    }
    return out;
  }, chains.map((names) => names.map(b64)), at);
  assert.deepEqual(got, expected);
  assert.deepEqual(seen.problems, []);
  await page.close();
});
