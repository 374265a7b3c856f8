// The officers' web app in a real browser (Debian's chromium through
// puppeteer-core) against a real puente-server: sign-in errors, a
// supervisor's review queue, Spanish and English, a session ended by the
// server (the screen kept, sign in again in a dialog), sign-out (token
// revoked, nothing personal left in storage), an officer who is not shown
// the queue and whom the API refuses too, the security headers, no console
// errors (a CSP violation would be one). Screenshots go to $PUENTE_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { chromium, dirs, watchPage } from './browser.mjs';
import { chromiumArgs, startServer } from './server.mjs';

const { bin: binDir, web: webDir, models: modelsDir, shots } = dirs;

test('officer app: sign in, review queue, languages, session end, sign out, roles', async () => {
  mkdirSync(shots, { recursive: true });
  const server = await startServer({ binDir, webDir, modelsDir, adminPassword: 'e2e admin password 7' });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'puente-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: chromiumArgs(),
  });
  try {
    const admin = (await server.api('POST', '/api/v1/sessions', null, { user: 'admin', password: 'e2e admin password 7' })).body.token;
    for (const [name, role] of [['sara', 'supervisor'], ['ana', 'officer']]) {
      const r = await server.api('POST', '/api/v1/users', admin, { name, role, password: `password of ${name} 42` });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 768 });
    // The 401s this test provokes (a wrong password, an ended session) are expected.
    const seen = watchPage(page, [401]);
    const { problems } = seen;

    const first = await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
    const headers = first.headers();
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.match(headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(await page.title(), 'Puente — Registro');
    assert.equal(await page.$eval('label[for=signin-user]', (e) => e.textContent), 'Usuario');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-user', 'focus starts in the form');
    await page.screenshot({ path: path.join(shots, '01-signin.png') });

    // A wrong password: a clear message, the form kept.
    await page.type('#signin-user', 'sara');
    await page.type('#signin-password', 'not the password');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('signin-error').textContent.length > 0);
    assert.equal(await page.$eval('#signin-error', (e) => e.textContent), 'Usuario o contraseña incorrectos.');
    assert.equal(await page.$eval('#signin-user', (e) => e.value), 'sara');
    await page.screenshot({ path: path.join(shots, '02-signin-error.png') });

    await page.type('#signin-password', 'password of sara 42');
    await page.click('#signin-submit');
    await page.waitForSelector('#who');
    assert.equal(await page.$eval('#who', (e) => e.textContent), 'sara (supervisor)');
    await page.screenshot({ path: path.join(shots, '03-home.png') });

    await page.click('#nav-review');
    await page.waitForFunction(() => document.getElementById('review-list')?.textContent.length > 0);
    assert.equal(await page.$eval('#review-list', (e) => e.textContent), 'No hay inscripciones retenidas.');
    await page.screenshot({ path: path.join(shots, '04-review.png') });

    await page.select('#lang', 'en');
    await page.waitForFunction(() => document.getElementById('nav-review')?.textContent === 'Possible duplicates to review');
    await page.waitForFunction(() => document.getElementById('review-list')?.textContent === 'No enrollment is held.');
    await page.screenshot({ path: path.join(shots, '05-review-en.png') });

    // The server ends the session (as expiry or an admin would): the next
    // call opens the sign-in dialog over the screen, which stays.
    assert.ok(seen.token, 'the app sent its bearer token');
    assert.equal((await server.api('DELETE', '/api/v1/sessions', seen.token)).status, 204);
    await page.click('#review-flagged');
    await page.waitForSelector('#session-ended');
    assert.match(await page.$eval('#session-ended', (e) => e.textContent), /Your session ended/);
    assert.ok(await page.$('#review'), 'the screen under the dialog is kept');
    await page.screenshot({ path: path.join(shots, '06-session-ended.png') });
    await page.type('#session-ended #signin-user', 'sara');
    await page.type('#session-ended #signin-password', 'password of sara 42');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.getElementById('session-ended'));
    assert.equal(await page.$eval('#review-flagged', (e) => e.checked), true, 'what was set is still set');
    await page.waitForFunction(() => document.getElementById('review-list')?.textContent === 'No enrollment is held.');

    // Sign out: the token is revoked, nothing but the language is stored.
    const before = seen.token;
    await page.click('#signout');
    await page.waitForSelector('#signin-user');
    assert.equal((await server.api('GET', '/api/v1/session', before)).status, 401);
    const storage = await page.evaluate(() => ({ local: Object.keys(localStorage), session: sessionStorage.length }));
    assert.deepEqual(storage, { local: ['puente.lang'], session: 0 });
    assert.equal(await page.$('#who'), null);

    // An officer: no review queue in the menu, and the API refuses it too.
    await page.type('#signin-user', 'ana');
    await page.type('#signin-password', 'password of ana 42');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#who');
    assert.equal(await page.$('#nav-review'), null);
    assert.equal((await server.api('GET', '/api/v1/enrollments?status=held', seen.token)).status, 403);
    await page.screenshot({ path: path.join(shots, '07-officer-home.png') });

    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  } finally {
    await browser.close();
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
