// A real puente-server for browser tests: a fresh SQLite registry in a
// temporary folder, the built web app, an admin, office 001, an issuer key
// (cards) and a list-signing root key (e2e-issuer.pem, e2e-root.pem in the folder),
// on a free loopback port.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// `prepare({dir, db, key, puente})`, if given, runs after `puente init` and
// before the server starts (e.g. to make the registry a field kit's);
// `puente(args, env)` runs the CLI. `env` is added to the server's.
// `office`: the server's --office (none on a field kit: the kit's own).
// `extraArgs(dir)`: more puente-server options, e.g. ['--recipient', dir + '/inst.pub.json'].
export async function startServer({ binDir, webDir, modelsDir, adminPassword, prepare, env = {}, office = '001', extraArgs = () => [] }) {
  binDir = path.resolve(binDir);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'puente-web-'));
  const db = `sqlite:${dir}/puente.db`;
  const key = path.join(dir, 'master.key');
  // The keys' PKCS#8 passphrase, for this throwaway registry only.
  env = { PUENTE_KEY_PASSPHRASE: 'e2e only: key passphrase', ...env };
  const puente = (args, extraEnv = {}) =>
    execFileSync(path.join(binDir, 'puente'), args, { cwd: dir, env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  puente(['--db', db, '--key-file', key, 'init']);
  for (const [kind, name] of [['root', 'e2e-root'], ['issuer', 'e2e-issuer']]) puente(['keys', 'generate', '--kind', kind, '--out', name]);
  if (prepare) await prepare({ dir, db, key, puente });
  const args = ['--db', db, '--key-file', key, '--models', modelsDir, '--web-dir', webDir, '--admin', 'admin',
    ...(office ? ['--office', office] : []), '--issuer-key', path.join(dir, 'e2e-issuer.pem'), '--root-key', path.join(dir, 'e2e-root.pem'),
    '--log-level', 'warn', ...extraArgs(dir)];
  let proc;
  const launch = (port) => {
    proc = spawn(path.join(binDir, 'puente-server'), [...args, '--port', String(port)],
      { env: { ...process.env, ...env, PUENTE_ADMIN_PASSWORD: adminPassword }, stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`puente-server did not start: ${out}`)), 60000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.on('exit', (code) => reject(new Error(`puente-server exited ${code}: ${out}`)));
    });
  };
  const halt = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  };
  const url = await launch(0);
  return {
    url,
    async api(method, p, token, body) {
      const headers = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    dir,
    puente,
    // The server down (the phone's network gone), the registry kept; then up
    // again on the same address (same origin for the browser).
    halt,
    async resume() {
      await launch(new URL(url).port);
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Debian's chromium, headless, with nothing reaching out to the network.
export function chromiumArgs(extra = []) {
  return ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', ...extra];
}
