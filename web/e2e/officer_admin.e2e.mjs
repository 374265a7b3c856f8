// The admins' Users screen and the auditors' Audit screen in a real browser
// (Debian's chromium through puppeteer-core) against a real puente-server:
// an admin creates an auditor and officers (a weak password refused with
// the server's reason beside the field), resets a password, disables an
// officer (whose sign-in is then refused) and enables them again, changes a
// role (the old session ends), is refused demoting the last admin, unlocks
// an account; the auditor finds those events newest first, filters them by
// user, action and day, pages through the whole log, checks the chain
// (intact, the count the server gives); an officer sees neither screen and
// the API refuses both. Screenshots (admin-*) go to $PUENTE_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dirs, openBrowser, watchPage } from './browser.mjs';
import { startServer } from './server.mjs';

const shots = dirs.shots;
const adminPassword = 'e2e admin password 7';
const pw = { olga: 'olga audits the ledger 26', ana: 'password of ana 42', beto: 'password of beto 42' };
const anaNew = 'ana has a new secret 2026';

// A day in Panama's time (UTC-5), `days` from today: what the filters take.
const panamaDay = (days = 0) => new Date(Date.now() - 5 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
const waitText = (page, sel, pattern) =>
  page.waitForFunction(
    (s, p) => new RegExp(p).test(document.querySelector(s)?.textContent ?? ''),
    {},
    sel,
    pattern.source,
  );

async function signIn(page, user, password) {
  await page.waitForSelector('#signin-user');
  await page.type('#signin-user', user);
  await page.type('#signin-password', password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#who');
}

async function confirmYes(page) {
  await page.waitForSelector('#confirm');
  await page.click('#confirm-yes');
  await page.waitForFunction(() => !document.getElementById('confirm'));
}

// The rows of the audit table: [seq, date and time, user, action, about, details].
const auditRows = (page) =>
  page.$$eval('#audit-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

// Sets the filters and searches; resolves once the list shown is the answer.
async function search(page, { action = '', actor = '', from = '', to = '', limit = '25' }) {
  for (const [id, v] of [['#audit-action', action], ['#audit-actor', actor], ['#audit-from', from], ['#audit-to', to]]) {
    await page.$eval(id, (e, value) => { e.value = value; }, v);
  }
  await page.select('#audit-limit', limit);
  await page.evaluate(() => {
    const shown = document.getElementById('audit-list').firstElementChild;
    if (shown) shown.dataset.stale = '1';
  });
  await page.click('#audit-search');
  await page.waitForFunction(() => {
    const shown = document.getElementById('audit-list').firstElementChild;
    return shown === null || !shown.dataset.stale;
  });
}

test('admin screens: users created, reset, disabled, role changed; audit filtered, paged, verified', async () => {
  mkdirSync(shots, { recursive: true });
  const server = await startServer({ binDir: dirs.bin, webDir: dirs.web, modelsDir: dirs.models, adminPassword });
  const { browser, close } = await openBrowser();
  const login = (user, password) => server.api('POST', '/api/v1/sessions', null, { user, password });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 900 });
    await page.emulateTimezone('America/Panama');
    // The refusals this test provokes (a weak password 400, wrong or
    // disabled sign-ins 401, the last admin 409) are expected.
    const seen = watchPage(page, [400, 401, 409]);

    await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
    await signIn(page, 'admin', adminPassword);
    assert.equal(await page.$('#nav-audit'), null, 'an admin is not an auditor');
    await page.click('#nav-users');
    await page.waitForSelector('#users-table tr[data-user=admin]');
    assert.equal(await text(page, 'tr[data-user=admin] .users-role-name'), 'administrador');
    assert.equal(await page.$('.users-disable[data-user=admin]'), null, 'no one disables themself');
    await page.screenshot({ path: path.join(shots, 'admin-01-users.png'), fullPage: true });

    // A weak password: the server's reason beside the field, in Spanish; the name kept.
    await page.type('#users-new-name', 'olga');
    await page.select('#users-new-role', 'auditor');
    await page.type('#users-new-password', 'sunshine2024');
    await page.click('#users-create-submit');
    await waitText(page, '#users-new-password-error', /./);
    assert.equal(await text(page, '#users-new-password-error'), 'Es una palabra o contraseña común (diccionario de cracklib).');
    const direct = await server.api('POST', '/api/v1/users', seen.token, { name: 'olga', role: 'auditor', password: 'sunshine2024' });
    assert.equal(direct.status, 400);
    assert.equal(direct.body.error.message, 'password: is a common word or password (cracklib dictionary)');
    assert.equal(await page.$eval('#users-new-name', (e) => e.value), 'olga');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'users-new-password');
    assert.equal(await page.$('tr[data-user=olga]'), null, 'nothing created');
    await page.screenshot({ path: path.join(shots, 'admin-02-weak-password.png'), fullPage: true });

    await page.$eval('#users-new-password', (e) => { e.value = ''; });
    await page.type('#users-new-password', pw.olga);
    await page.click('#users-create-submit');
    await page.waitForSelector('tr[data-user=olga]');
    assert.equal(await text(page, '#users-result'), 'Usuario olga creado con la función auditor.');
    assert.equal(await text(page, '#users-new-password-error'), '');
    assert.equal(await page.$eval('#users-new-password', (e) => e.value), '', 'the password is not kept');
    for (const name of ['ana', 'beto']) {
      await page.type('#users-new-name', name);
      await page.select('#users-new-role', 'officer');
      await page.type('#users-new-password', pw[name]);
      await page.click('#users-create-submit');
      await page.waitForSelector(`tr[data-user=${name}]`);
    }
    assert.equal(await text(page, 'tr[data-user=ana] .users-role-name'), 'oficial de registro');
    assert.equal(await text(page, 'tr[data-user=ana] .users-state'), 'Activa');
    // The list the screen shows is the server's, and holds no password material.
    const listed = await server.api('GET', '/api/v1/users', seen.token);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.users.map((u) => u.name), ['admin', 'ana', 'beto', 'olga']);
    assert.doesNotMatch(JSON.stringify(listed.body), /scrypt|hash|password/);
    await page.screenshot({ path: path.join(shots, 'admin-03-created.png'), fullPage: true });

    // Reset ana's password: asked first (focus on Cancel), then done.
    await page.click('.users-password[data-user=ana]');
    await page.waitForSelector('#users-panel-password');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'users-panel-password');
    await page.type('#users-panel-password', anaNew);
    await page.click('#users-panel-submit');
    await page.waitForSelector('#confirm');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-no', 'the safe answer has the focus');
    assert.match(await text(page, '#confirm-text'), /¿Restablecer la contraseña de ana\?/);
    await page.screenshot({ path: path.join(shots, 'admin-04-confirm-reset.png') });
    await confirmYes(page);
    await waitText(page, '#users-result', /^Contraseña de ana restablecida/);
    assert.equal((await login('ana', pw.ana)).status, 401, 'the old password no longer works');
    assert.equal((await login('ana', anaNew)).status, 201);

    // Escape cancels a confirmation: nothing changes.
    await page.click('.users-disable[data-user=beto]');
    await page.waitForSelector('#confirm');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('confirm'));
    assert.equal(await page.evaluate(() => document.activeElement.className), 'users-disable');
    assert.equal(await text(page, 'tr[data-user=beto] .users-state'), 'Activa');

    // Disable ana: her sign-in is refused in another browser session.
    await page.click('.users-disable[data-user=ana]');
    await page.waitForSelector('#confirm');
    assert.match(await text(page, '#confirm-text'), /¿Desactivar la cuenta de ana\?/);
    await confirmYes(page);
    await waitText(page, '#users-result', /^Cuenta de ana desactivada/);
    await waitText(page, 'tr[data-user=ana] .users-state', /^Desactivada$/);
    await page.screenshot({ path: path.join(shots, 'admin-05-disabled.png'), fullPage: true });
    const elsewhere = await browser.createBrowserContext();
    const other = await elsewhere.newPage();
    await other.goto(server.url + '/', { waitUntil: 'networkidle0' });
    await other.type('#signin-user', 'ana');
    await other.type('#signin-password', anaNew);
    await other.keyboard.press('Enter');
    await waitText(other, '#signin-error', /./);
    assert.equal(await text(other, '#signin-error'), 'Usuario o contraseña incorrectos.');
    assert.equal(await other.$('#who'), null);
    await other.screenshot({ path: path.join(shots, 'admin-06-disabled-signin.png') });
    await elsewhere.close();
    assert.equal((await login('ana', anaNew)).status, 401);
    await page.click('.users-enable[data-user=ana]');
    await waitText(page, '#users-result', /^Cuenta de ana activada/);
    await waitText(page, 'tr[data-user=ana] .users-state', /^Activa$/);

    // Change beto's role: his open session ends, a new one has the new role.
    const betoOld = (await login('beto', pw.beto)).body.token;
    await page.click('.users-role[data-user=beto]');
    await page.waitForSelector('#users-panel-role');
    await page.select('#users-panel-role', 'supervisor');
    await page.click('#users-panel-submit');
    await page.waitForSelector('#confirm');
    assert.equal(await text(page, '#confirm-text'),
      '¿Cambiar la función de beto de oficial de registro a supervisor? Sus sesiones abiertas terminarán ahora.');
    await confirmYes(page);
    await waitText(page, '#users-result', /^beto tiene ahora la función supervisor/);
    await waitText(page, 'tr[data-user=beto] .users-role-name', /^supervisor$/);
    assert.equal((await server.api('GET', '/api/v1/session', betoOld)).status, 401);
    const betoNew = (await login('beto', pw.beto)).body.token;
    assert.equal((await server.api('GET', '/api/v1/session', betoNew)).body.role, 'supervisor');

    // The last admin cannot be demoted: said plainly, nothing changed.
    await page.click('.users-role[data-user=admin]');
    await page.select('#users-panel-role', 'officer');
    await page.click('#users-panel-submit');
    await confirmYes(page);
    await waitText(page, '#users-result', /último administrador activo/);
    assert.equal(await page.$eval('#users-result', (e) => e.className), 'error');
    assert.equal(await text(page, 'tr[data-user=admin] .users-role-name'), 'administrador');
    await page.screenshot({ path: path.join(shots, 'admin-07-last-admin.png'), fullPage: true });
    await page.click('#users-panel-cancel');

    // Failed sign-ins show in the list; an admin clears them.
    for (let i = 0; i < 3; ++i) assert.equal((await login('beto', 'not his password')).status, 401);
    await page.click('#nav-users');
    await waitText(page, 'tr[data-user=beto] .users-access', /^3 intentos fallidos$/);
    await page.click('.users-unlock[data-user=beto]');
    await waitText(page, '#users-result', /^Cuenta de beto desbloqueada/);
    await waitText(page, 'tr[data-user=beto] .users-access', /^—$/);
    assert.equal(await page.$('.users-unlock[data-user=beto]'), null);
    await page.click('#signout');

    // The auditor: the Audit screen only.
    await signIn(page, 'olga', pw.olga);
    assert.equal(await page.$('#nav-users'), null);
    await page.click('#nav-audit');
    await page.waitForSelector('#audit-table');
    const newest = await auditRows(page);
    assert.equal(newest[0][3], 'session.create', 'newest first: her own sign-in');
    assert.equal(newest[0][2], 'olga');
    for (let i = 1; i < newest.length; ++i) assert.ok(Number(newest[i - 1][0]) > Number(newest[i][0]));
    await page.screenshot({ path: path.join(shots, 'admin-08-audit.png'), fullPage: true });

    // What the admin just did, and only that: by user and family of actions.
    await search(page, { actor: 'admin', action: 'user.' });
    await page.waitForSelector('#audit-table');
    const mine = (await auditRows(page)).map((r) => `${r[3]} ${r[4]}`);
    assert.deepEqual(mine, [
      'user.unlock user beto', 'user.role_change user beto', 'user.enable user ana', 'user.disable user ana',
      'user.password_reset user ana', 'user.create user beto', 'user.create user ana', 'user.create user olga',
    ]);
    const roleRow = (await auditRows(page))[1];
    assert.match(roleRow[5], /from=officer/);
    assert.match(roleRow[5], /to=supervisor/);
    assert.ok((await auditRows(page)).every((r) => r[2] === 'admin'));
    await page.screenshot({ path: path.join(shots, 'admin-09-audit-filtered.png'), fullPage: true });
    // By day: today holds them all; tomorrow none; reversed days said beside the field.
    await search(page, { actor: 'admin', action: 'user.', from: panamaDay(), to: panamaDay() });
    await page.waitForSelector('#audit-table');
    assert.equal((await auditRows(page)).length, 8);
    await search(page, { actor: 'admin', action: 'user.', from: panamaDay(1) });
    await page.waitForSelector('#audit-empty');
    assert.equal(await text(page, '#audit-empty'), 'Ningún evento coincide con los filtros.');
    await search(page, { from: panamaDay(1), to: panamaDay() });
    await waitText(page, '#audit-from-error', /./);
    assert.equal(await text(page, '#audit-from-error'), 'El día «desde» es posterior al día «hasta».');
    // An exact action.
    await search(page, { action: 'user.role_change' });
    await page.waitForSelector('#audit-table');
    assert.deepEqual((await auditRows(page)).map((r) => r[4]), ['user beto']);
    assert.equal(await text(page, '#audit-from-error'), '');

    // Paging: ten at a time through the whole log, then back.
    await search(page, { limit: '10' });
    await page.waitForSelector('#audit-table');
    const first = await auditRows(page);
    assert.equal(first.length, 10);
    assert.equal(await text(page, '#audit-page'), 'Página 1');
    assert.equal(await page.$eval('#audit-prev', (e) => e.disabled), true);
    const seqs = first.map((r) => Number(r[0]));
    let pages = 1;
    while (!(await page.$eval('#audit-next', (e) => e.disabled))) {
      await page.click('#audit-next');
      ++pages;
      await waitText(page, '#audit-page', new RegExp(`^Página ${pages}$`));
      seqs.push(...(await auditRows(page)).map((r) => Number(r[0])));
    }
    assert.ok(pages >= 2, `${pages} pages`);
    await page.screenshot({ path: path.join(shots, 'admin-10-audit-last-page.png'), fullPage: true });
    const auditorToken = seen.token;
    const report = (await server.api('GET', '/api/v1/audit/verify', auditorToken)).body;
    assert.equal(report.intact, true);
    assert.deepEqual(seqs, Array.from({ length: report.events_checked }, (_, i) => report.events_checked - i),
      'every event once, newest first');
    await page.click('#audit-prev');
    await waitText(page, '#audit-page', new RegExp(`^Página ${pages - 1}$`));
    while (!(await page.$eval('#audit-prev', (e) => e.disabled))) {
      const at = await text(page, '#audit-page');
      await page.click('#audit-prev');
      await page.waitForFunction((was) => document.getElementById('audit-page').textContent !== was, {}, at);
    }
    assert.deepEqual((await auditRows(page)).map((r) => r[0]), first.map((r) => r[0]), 'back on the first page');

    // The chain, checked on request: intact, with the server's count.
    await page.click('#audit-verify');
    await waitText(page, '#audit-verify-result', /^Cadena íntegra/);
    assert.equal(await text(page, '#audit-verify-result'),
      `Cadena íntegra: ${report.events_checked} eventos comprobados, ninguno alterado ni borrado.`);
    await page.screenshot({ path: path.join(shots, 'admin-11-audit-verified.png'), fullPage: true });

    // English.
    await page.select('#lang', 'en');
    await waitText(page, '#audit-verify', /^Check the chain$/);
    await page.waitForSelector('#audit-table');
    assert.equal(await page.$eval('label[for=audit-actor]', (e) => e.textContent), 'User');
    assert.equal(await page.$eval('#audit-table thead th:nth-child(2)', (e) => e.textContent), 'Date and time');
    await page.click('#audit-verify');
    await waitText(page, '#audit-verify-result', /^Chain intact: \d+ events checked/);
    await page.screenshot({ path: path.join(shots, 'admin-12-audit-en.png'), fullPage: true });
    await page.select('#lang', 'es');
    await page.click('#signout');

    // An officer: neither screen in the menu, and the API refuses both.
    await signIn(page, 'ana', anaNew);
    assert.equal(await page.$('#nav-audit'), null);
    assert.equal(await page.$('#nav-users'), null);
    for (const [method, p] of [['GET', '/api/v1/users'], ['GET', '/api/v1/audit/events'], ['GET', '/api/v1/audit/verify'],
      ['POST', '/api/v1/users/beto/role']]) {
      const r = await server.api(method, p, seen.token, method === 'POST' ? { role: 'admin' } : undefined);
      assert.equal(r.status, 403, `${method} ${p}`);
    }
    await page.screenshot({ path: path.join(shots, 'admin-13-officer-home.png') });

    assert.deepEqual(seen.problems, [], 'no console errors or CSP violations');
  } finally {
    await close();
    await server.stop();
  }
});
