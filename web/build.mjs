// Bundles the web apps into static files for puente-server (--web-dir):
//   node build.mjs [--out DIR]      (default ../build/web)
// One minified ES module and one stylesheet an app; no source maps, no
// inline script or style (the server's Content-Security-Policy forbids both).
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--out');
const out = path.resolve(at > 0 ? process.argv[at + 1] : path.join(here, '..', 'build', 'web'));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(here, 'src/officer/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outfile: path.join(out, 'app.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css']) {
  await copyFile(path.join(here, 'src/officer', f), path.join(out, f));
}
console.log(`web: officer app in ${out}`);
