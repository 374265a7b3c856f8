// Bundles the web apps into static files for puente-server (--web-dir):
//   node build.mjs [--out DIR]      (default ../build/web)
// DIR/ is the officers' app (served at /), DIR/verify/ the institutions'
// offline verifier (served at /verify/, and a plain folder any static host
// can serve). One minified ES module and one stylesheet an app; no source
// maps, no inline script or style (the server's Content-Security-Policy
// forbids both). The verifier also gets the QR reader's WebAssembly (from
// zxing-wasm, self-hosted: never its CDN), the Brotli decoder's (brotli-dec-wasm)
// and a service worker that
// precaches every file of the folder under a version made of their hashes.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--out');
const out = path.resolve(at > 0 ? process.argv[at + 1] : path.join(here, '..', 'build', 'web'));
const common = { bundle: true, minify: true, format: 'esm', target: 'es2022', legalComments: 'none', logLevel: 'warning' };

async function bundle(entry, outfile, define = {}) {
  await build({ ...common, entryPoints: [path.join(here, entry)], outfile, define });
}

async function copyAll(fromDir, files, toDir) {
  for (const f of files) await copyFile(path.join(here, fromDir, f), path.join(toDir, f));
}

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
// The officers' app: app.js, and the chunks it loads when a screen needs them
// (the statistics dashboard's charts), so the first load stays small.
await build({ ...common, entryPoints: { app: path.join(here, 'src/officer/main.ts') }, outdir: out, splitting: true,
  chunkNames: 'chunk-[hash]' });
await copyAll('src/officer', ['index.html', 'app.css'], out);

const verify = path.join(out, 'verify');
await mkdir(verify, { recursive: true });
await bundle('src/verify/app/main.ts', path.join(verify, 'app.js'));
await copyAll('src/verify/app', ['index.html', 'app.css', 'manifest.json', 'icon.svg'], verify);
await copyFile(path.join(here, 'node_modules/zxing-wasm/dist/reader/zxing_reader.wasm'), path.join(verify, 'zxing_reader.wasm'));
await copyFile(path.join(here, 'node_modules/brotli-dec-wasm/pkg/brotli_dec_wasm_bg.wasm'), path.join(verify, 'brotli_dec_wasm_bg.wasm'));
const files = (await readdir(verify)).sort();
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(await readFile(path.join(verify, f)));
const version = hash.digest('hex').slice(0, 16);
await bundle('src/verify/app/sw.ts', path.join(verify, 'sw.js'), {
  PRECACHE_VERSION: JSON.stringify(version),
  PRECACHE_FILES: JSON.stringify(['./', ...files.filter((f) => f !== 'index.html')]),
});
console.log(`web: officer app in ${out}, verifier in ${verify} (version ${version})`);
