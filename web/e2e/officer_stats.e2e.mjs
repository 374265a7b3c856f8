// The statistics dashboard (issue 18) in Debian's chromium against a real
// puente-server: 23 people registered with the CLI (nationalities and sexes
// chosen so that some cells fall under the threshold), then an analyst signs
// in: the menu offers statistics only, a release is computed, every table
// has its chart and its table, hidden cells say why (never 0), the totals
// match what was registered, the CSV downloads, and the analyst cannot read
// a person. Screenshots in $PUENTE_SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dirs, openBrowser, watchPage } from './browser.mjs';
import { login } from './cards.mjs';
import { startServer } from './server.mjs';

const adminPassword = 'e2e admin password 7';
// [nationality, sex, how many]: VEN F 9, VEN M 8, COL F 3, COL M 1, XXA F 2.
const people = [['VEN', 'F', 9], ['VEN', 'M', 8], ['COL', 'F', 3], ['COL', 'M', 1], ['XXA', 'F', 2]];
let server;
let b;
let page;
let seen;

before(async () => {
  server = await startServer({
    binDir: dirs.bin, webDir: dirs.web, modelsDir: dirs.models, adminPassword,
    prepare: ({ db, key, puente }) => {
      let i = 0;
      for (const [nat, sex, n] of people) {
        for (let k = 0; k < n; k++, i++) {
          puente(['--db', db, '--key-file', key, 'applicant', 'add', '--office', '001', '--given-names', `Persona ${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i]}`,
            '--surname1', 'Estadística', '--sex', sex, '--dob', String(1960 + i), '--nationality', nat]);
        }
      }
    },
  });
  const admin = await login(server, 'admin', adminPassword);
  for (const [name, role] of [['ines', 'analyst'], ['sara', 'supervisor']]) {
    const r = await server.api('POST', '/api/v1/users', admin, { name, role, password: `password of ${name} 42` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  b = await openBrowser();
  page = await b.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  seen = watchPage(page, [403]);
});

after(async () => {
  await b?.close();
  await server?.stop();
});

async function shot(name) {
  mkdirSync(dirs.shots, { recursive: true });
  await page.screenshot({ path: path.join(dirs.shots, `stats-${name}.png`), fullPage: true });
}

test('an analyst sees the statistics only, and a release with suppressed cells marked', async () => {
  await page.goto(server.url, { waitUntil: 'load' });
  await page.type('#signin-user', 'ines');
  await page.type('#signin-password', 'password of ines 42');
  await page.click('form.signin button[type="submit"]');
  await page.waitForSelector('#nav-stats');
  const menu = await page.$$eval('nav button', (bs) => bs.map((x) => x.id).sort());
  assert.deepEqual(menu, ['nav-home', 'nav-stats']);
  await page.click('#nav-stats');
  await page.waitForSelector('#stats form');
  await page.click('#stats form button[type="submit"]');
  await page.waitForSelector('table[data-table="registration.nationality_by_sex"]', { timeout: 30000 });
  await page.waitForSelector('.stats-release[data-charts]'); // every chart drawn
  const t = await page.$eval('table[data-table="registration.nationality_by_sex"]', (tb) => ({
    columns: [...tb.querySelectorAll('thead th')].map((c) => c.textContent),
    rows: [...tb.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent)),
    total: tb.querySelector('tfoot tr td:last-child').textContent,
  }));
  assert.equal(t.total, '23');
  // Every published cell is the true count; every other one says why it is hidden.
  const truth = (nat, sex) => people.filter(([n, x]) => n === nat && x === sex).reduce((a, [, , k]) => a + k, 0);
  let published = 0;
  for (const row of t.rows) {
    for (const [j, sex] of t.columns.entries()) {
      if (!['F', 'M', 'X'].includes(sex)) continue;
      if (/suprimida/.test(row[j])) continue;
      assert.equal(row[j], String(truth(row[0], sex)), `${row[0]} ${sex}`);
      published++;
    }
  }
  assert.ok(published > 0);
  const col = t.rows.find((r) => r[0] === 'COL');
  assert.match(col[t.columns.indexOf('M')], /suprimida/); // 1 person: under the threshold
  // Nothing hidden is shown as a number, least of all 0.
  const hidden = await page.$$eval('td.hidden-cell', (cs) => cs.map((c) => c.textContent));
  assert.ok(hidden.length > 0);
  for (const h of hidden) assert.match(h, /suprimida/);
  // Every table of counts has its chart, or says there is nothing above 0 to draw.
  const figures = await page.$$eval('.stats-release figure.stat', (fs) => fs.map((f) => ({
    table: !!f.querySelector('table.stats'), chart: !!f.querySelector('canvas'), none: !!f.querySelector('.all-hidden') })));
  const charts = figures.filter((f) => f.chart).length;
  assert.ok(figures.length >= 15 && figures.every((f) => f.table), JSON.stringify(figures));
  assert.ok(charts >= 3, `${charts} charts`);
  assert.equal(Number(await page.$eval('.stats-release', (e) => e.dataset.charts)), charts);
  // The CSV of the same release.
  // The page's download link is a blob: of what it fetched (the CSP keeps the page from re-reading it); the same query here.
  const href = await page.$eval('.stats-form a.button:not([hidden])', (a) => a.href);
  assert.match(href, /^blob:/);
  const [from, to] = await Promise.all(['#stats-from', '#stats-to'].map((q) => page.$eval(q, (e) => e.value)));
  const csv = await fetch(`${server.url}/api/v1/stats/release?from=${from}&to=${to}&method=suppress&threshold=5&format=csv`,
    { headers: { Authorization: `Bearer ${await login(server, 'ines', 'password of ines 42')}` } });
  assert.equal(csv.status, 200);
  const text = await csv.text();
  assert.match(text.split('\n')[0], /^table,row,column,value,mark/);
  assert.match(text, /registration\.nationality_by_sex,COL,M,,primary/);
  await shot('1-release');
});

test('the analyst can read no person, and the server audits the release', async () => {
  const token = await login(server, 'ines', 'password of ines 42');
  assert.equal((await server.api('GET', '/api/v1/enrollments?status=held', token)).status, 403);
  assert.equal((await server.api('GET', '/api/v1/audit/events', token)).status, 403);
  const admin = await login(server, 'admin', adminPassword);
  const auditor = await server.api('POST', '/api/v1/users', admin, { name: 'aldo', role: 'auditor', password: 'password of aldo 42' });
  assert.equal(auditor.status, 201);
  const events = await server.api('GET', '/api/v1/audit/events?action=stats.release', await login(server, 'aldo', 'password of aldo 42'));
  assert.equal(events.status, 200);
  assert.ok(events.body.events.length >= 1);
  assert.ok(events.body.events.every((e) => e.actor === 'ines'));
});

test('a supervisor has the work list of overdue cases (none yet: every case opened today), the analyst has not', async () => {
  const analyst = await login(server, 'ines', 'password of ines 42');
  assert.equal((await server.api('GET', '/api/v1/stats/overdue', analyst)).status, 403);
  await page.click('#signout');
  await page.waitForSelector('#signin-user');
  await page.type('#signin-user', 'sara');
  await page.type('#signin-password', 'password of sara 42');
  await page.click('form.signin button[type="submit"]');
  await page.waitForSelector('#nav-overdue');
  await page.click('#nav-overdue');
  await page.waitForSelector('#overdue .overdue-list .none');
  assert.match(await page.$eval('#overdue .overdue-list', (e) => e.textContent), /Ningún caso pendiente/);
  const r = await server.api('GET', '/api/v1/stats/overdue?registered=1', await login(server, 'sara', 'password of sara 42'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.cases, []);
  await shot('2-worklist');
});

test('nothing went wrong in the page', () => {
  assert.deepEqual(seen.problems, []);
});
