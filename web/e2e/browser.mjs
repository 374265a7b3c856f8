// Debian's chromium for the browser tests, headless in a profile of its
// own, and a page that records what must not happen (console errors other
// than the HTTP refusals a test provokes on purpose, page errors: a CSP
// violation is one) and the bearer token it last sent.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { chromiumArgs } from './server.mjs';

// Where the built programs, the web app, the models and the screenshots
// are: from ctest's environment, else the default build folders.
const repo = path.resolve(import.meta.dirname, '..', '..');
export const dirs = {
  bin: process.env.PUENTE_BIN_DIR ?? path.join(repo, 'build', 'apps'),
  web: process.env.PUENTE_WEB_DIR ?? path.join(repo, 'build', 'web'),
  models: process.env.PUENTE_MODELS_DIR ?? path.join(repo, 'var', 'models'),
  shots: process.env.PUENTE_SCREENSHOTS ?? path.join(repo, 'build', 'web-screenshots'),
  shared: process.env.PUENTE_SHARED ?? path.join(repo, '..', 'shared'),
};
export const chromium = process.env.PUENTE_CHROMIUM ?? '/usr/bin/chromium';

export async function openBrowser(executablePath = chromium) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'puente-chromium-'));
  const browser = await puppeteer.launch({ executablePath, headless: true, userDataDir: profile, args: chromiumArgs() });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// `expected`: the HTTP statuses whose console errors are the test's own
// doing (e.g. [400, 401]).
export function watchPage(page, expected) {
  const problems = [];
  const refusal = new RegExp(`status of (${expected.join('|')})`);
  page.on('console', (m) => {
    if (m.type() === 'error' && !refusal.test(m.text())) problems.push(`${m.text()} ${m.location().url ?? ''}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  const seen = { problems, token: null };
  page.on('request', (r) => {
    const auth = r.headers().authorization;
    if (auth) seen.token = auth.slice('Bearer '.length);
  });
  return seen;
}
