// Loads a module of the app in Node for logic tests: bundled by esbuild
// (the app's own build tool) into a temporary file, with the little of the
// browser it touches at load time (localStorage, document) stubbed.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const store = new Map();
globalThis.localStorage ??= {
  getItem: (k) => store.get(k) ?? null,
  setItem: (k, v) => store.set(k, String(v)),
};
globalThis.document ??= { documentElement: {} };

export async function load(entry, exports) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'puente-web-test-'));
  const out = path.join(dir, 'module.mjs');
  const src = path.resolve(import.meta.dirname, '..', 'src', 'officer');
  const stdin = exports.map((e) => `export { ${e.names.join(', ')} } from ${JSON.stringify(path.join(src, e.from))};`).join('\n') +
    `\nexport { setBrotliWasm as __setBrotliWasm } from ${JSON.stringify(path.join(src, '../verify/core/inflate.ts'))};`;
  await build({ stdin: { contents: stdin, resolveDir: src, loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'],
    outfile: out, logLevel: 'error' });
  try {
    const m = await import(pathToFileURL(out).href);
    // The verifier core's Brotli decoder: in the browser its .wasm is beside the app; here, its bytes.
    m.__setBrotliWasm(readFileSync(path.resolve(import.meta.dirname, '..', 'node_modules/brotli-dec-wasm/pkg/brotli_dec_wasm_bg.wasm')));
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
