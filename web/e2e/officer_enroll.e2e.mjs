// The counter end to end in a real browser (Debian's chromium through
// puppeteer-core, its fake camera fed y4m videos made from dev photos)
// against a real puente-server: a frame with no face and one with two faces
// keep the capture button disabled with their reason; a principal enrolled
// through the webcam (field errors from the server beside the field first),
// a child joining the case through the webcam; a card issued, previewed and
// printed, renewed after a live face check; another photo of the principal
// under another name is held; the supervisor decides it side by side; an
// officer has no review queue and the API refuses it. Screenshots go to
// $PUENTE_SCREENSHOTS (enroll-*), and the printed card's PDF beside them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { chromium, dirs, watchPage } from './browser.mjs';
import { devPhoto, noFaceVideo, photoVideo, twoFacesVideo } from './camera.mjs';
import { chromiumArgs, startServer } from './server.mjs';

const { bin: binDir, web: webDir, models: modelsDir, shots, shared } = dirs;

const officer = { user: 'ana', password: 'password of ana 42' };
const supervisor = { user: 'sara', password: 'password of sara 42' };

test('officer app: enroll a family through the webcam, review a duplicate side by side, issue and print a card', async () => {
  mkdirSync(shots, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'puente-enroll-e2e-'));
  const videos = {
    noFace: noFaceVideo(path.join(tmp, 'noface.y4m')),
    twoFaces: twoFacesVideo(devPhoto(shared, 'Barack_Obama', 1), devPhoto(shared, 'Al_Sharpton', 1), path.join(tmp, 'two.y4m')),
    principal: photoVideo(devPhoto(shared, 'Ashanti', 1), path.join(tmp, 'principal.y4m')),
    child: photoVideo(devPhoto(shared, 'Albert_Costa', 1), path.join(tmp, 'child.y4m')),
    duplicate: photoVideo(devPhoto(shared, 'Ashanti', 2), path.join(tmp, 'duplicate.y4m')),
  };
  const server = await startServer({ binDir, webDir, modelsDir, adminPassword: 'e2e admin password 7' });
  const admin = (await server.api('POST', '/api/v1/sessions', null, { user: 'admin', password: 'e2e admin password 7' })).body.token;
  for (const [who, role] of [[supervisor, 'supervisor'], [officer, 'officer']]) {
    const r = await server.api('POST', '/api/v1/users', admin, { name: who.user, role, password: who.password });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }

  const problems = [];
  const browsers = [];
  let page = null;
  // A browser whose camera shows `video`, signed in as `who`.
  const open = async (video, who) => {
    const profile = mkdtempSync(path.join(tmp, 'profile-'));
    const browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      userDataDir: profile,
      args: chromiumArgs(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`]),
    });
    browsers.push(browser);
    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 768 });
    problems.push(watchPage(page, [400, 401, 409]).problems);
    await page.goto(server.url + '/', { waitUntil: 'networkidle0' });
    await page.type('#signin-user', who.user);
    await page.type('#signin-password', who.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#who');
    return page;
  };
  const statusText = (page) => page.$eval('#camera-status', (e) => e.textContent);
  const captureDisabled = (page) => page.$eval('#camera-capture', (e) => e.disabled);
  const startCamera = async (page) => {
    await page.click('#camera-start');
    await page.waitForFunction(() => {
      const s = document.getElementById('camera-status')?.textContent ?? '';
      return s !== '' && s !== 'Buscando la cara…';
    }, { timeout: 30000 });
  };
  const fill = async (page, values) => {
    for (const [id, v] of Object.entries(values)) {
      const el = await page.$(`#f-${id}`);
      const tag = await el.evaluate((e) => e.tagName);
      if (tag === 'SELECT') await page.select(`#f-${id}`, v);
      else {
        await el.click({ clickCount: 3 });
        await el.evaluate((e) => { e.value = ''; });
        await el.type(v);
      }
    }
  };
  const captureWhenGood = async (page) => {
    await page.waitForFunction(() => !document.getElementById('camera-capture').disabled, { timeout: 30000 });
    await page.click('#camera-capture');
    await page.waitForSelector('#camera-photo');
  };

  try {
    // 1. No face in the picture: said so, no capture.
    page = await open(videos.noFace, officer);
    assert.ok(await page.$('#nav-enroll'));
    assert.equal(await page.$('#nav-review'), null, 'an officer has no review queue');
    assert.equal((await server.api('GET', '/api/v1/enrollments?status=held', (await server.api('POST', '/api/v1/sessions', null, officer)).body.token)).status, 403);
    await page.click('#nav-enroll');
    await page.waitForSelector('#enroll-form');
    await page.screenshot({ path: path.join(shots, 'enroll-01-form.png'), fullPage: true });
    await page.setViewport({ width: 768, height: 1024 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
    await page.screenshot({ path: path.join(shots, 'enroll-01b-form-tablet.png'), fullPage: true });
    await page.setViewport({ width: 1366, height: 768 });
    await startCamera(page);
    assert.match(await statusText(page), /No se ve ninguna cara/);
    assert.equal(await captureDisabled(page), true);
    assert.equal(await page.$eval('#enroll-submit', (e) => e.disabled), true, 'no photo, no enrollment');
    await page.screenshot({ path: path.join(shots, 'enroll-02-no-face.png'), fullPage: true });
    await browsers.pop().close();

    // 2. Two faces: "otra persona en la imagen", no capture.
    page = await open(videos.twoFaces, officer);
    await page.click('#nav-enroll');
    await startCamera(page);
    await page.waitForFunction(() => /Otra persona/.test(document.getElementById('camera-status').textContent), { timeout: 30000 });
    assert.equal(await captureDisabled(page), true);
    await page.screenshot({ path: path.join(shots, 'enroll-03-two-faces.png'), fullPage: true });
    await browsers.pop().close();

    // 3. The principal through the webcam; a bad date first, said beside
    // its field, nothing typed lost.
    page = await open(videos.principal, officer);
    await page.click('#nav-enroll');
    await page.waitForSelector('#enroll-form');
    await fill(page, {
      given_names: 'María José', surname1: 'de la Cruz', surname2: 'Pérez', sex: 'F',
      date_of_birth: '1990-02-31', nationality: 'VEN', place_of_birth: 'Maracaibo',
      languages: 'spa', phone: '+507 6123 4567', address: 'Calle 50, Ciudad de Panamá',
    });
    await page.click('#enroll-add-document');
    await page.select('.document select', 'passport');
    await page.type('.document input[id$=-country]', 'VEN');
    await page.type('.document input[id$=-number]', 'V1234567');
    await startCamera(page);
    await captureWhenGood(page);
    await page.screenshot({ path: path.join(shots, 'enroll-04-captured.png'), fullPage: true });
    await page.click('#enroll-submit');
    await page.waitForFunction(() => document.getElementById('err-date_of_birth')?.textContent.length > 0);
    assert.equal(await page.$eval('#f-date_of_birth', (e) => e.getAttribute('aria-invalid')), 'true');
    assert.equal(await page.$eval('#f-given_names', (e) => e.value), 'María José', 'what was typed is kept');
    assert.ok(await page.$('#camera-photo'), 'the photo is kept');
    await page.screenshot({ path: path.join(shots, 'enroll-05-field-error.png'), fullPage: true });
    await fill(page, { date_of_birth: '1990-02-28' });
    await page.click('#enroll-submit');
    await page.waitForSelector('#enroll-outcome', { timeout: 60000 });
    assert.equal(await page.$eval('#enroll-status', (e) => e.textContent), 'Sin duplicados: inscripción aceptada');
    const principalNumber = await page.$eval('#enroll-number', (e) => e.textContent);
    const caseNumber = await page.$eval('#enroll-case', (e) => e.textContent);
    assert.match(principalNumber, /^\d{3}-\d{4}-\d{6}-\d$/);
    await page.screenshot({ path: path.join(shots, 'enroll-06-cleared.png'), fullPage: true });

    // "Enroll a family member": the same case, prefilled.
    await page.click('#enroll-dependant');
    await page.waitForSelector('#enroll-joining');
    assert.equal(await page.$eval('#f-case_number', (e) => e.value), caseNumber);
    assert.equal(await page.$eval('#f-relationship', (e) => e.value), 'child');

    // The principal's record: issue a card, preview and print its PDF.
    await page.click('#nav-person');
    await page.type('#person-number', principalNumber);
    await page.click('#person-open');
    await page.waitForSelector('#card-issue');
    await page.select('#issue-type', 'asylum-seeker');
    await page.click('#issue-submit');
    await page.waitForSelector('#cards-table .card-show');
    await page.waitForFunction(() => /emitida/.test(document.getElementById('card-message')?.textContent ?? ''));
    // The PDF the app fetched (with its token) for the preview frame.
    const pdfAnswer = page.waitForResponse((r) => /\/api\/v1\/cards\/\d+\.pdf$/.test(r.url()));
    await page.click('#cards-table .card-show');
    const pdfResponse = await pdfAnswer;
    assert.equal(pdfResponse.status(), 200);
    assert.equal(pdfResponse.headers()['content-type'], 'application/pdf');
    await page.waitForSelector('#card-pdf');
    assert.match(await page.$eval('#card-pdf', (f) => f.src), /^blob:/);
    // The same card fetched again with the officer's token (Chromium does
    // not keep a no-store body for the test to read): a PDF of that size.
    const auth = pdfResponse.request().headers().authorization;
    const again = await fetch(pdfResponse.url(), { headers: { Authorization: auth } });
    const pdfBytes = Buffer.from(await again.arrayBuffer());
    assert.equal(pdfBytes.subarray(0, 5).toString(), '%PDF-');
    assert.equal(String(pdfBytes.length), pdfResponse.headers()['content-length']);
    writeFileSync(path.join(shots, 'enroll-card.pdf'), pdfBytes);
    await page.waitForFunction(() => document.getElementById('card-png')?.naturalWidth > 0);
    await page.screenshot({ path: path.join(shots, 'enroll-07-card.png'), fullPage: true });
    // Sent to the printer: the frame's print dialog (headless prints nowhere;
    // the call must not fail), and the page itself printed to PDF.
    await page.click('#card-print');
    const printed = await page.pdf({ format: 'A4' });
    assert.equal(Buffer.from(printed).subarray(0, 5).toString(), '%PDF-');

    // Renewal after a live face check (the same face on the camera).
    await page.click('#cards-table .card-renew');
    await page.waitForSelector('#renew #camera-start');
    await startCamera(page);
    await captureWhenGood(page);
    await page.click('#renew-submit');
    await page.waitForFunction(() => /renovada/.test(document.getElementById('card-message')?.textContent ?? ''), { timeout: 30000 });
    assert.equal(await page.$$eval('#cards-table tbody tr', (r) => r.length), 2);
    await page.screenshot({ path: path.join(shots, 'enroll-08-person.png'), fullPage: true });
    await browsers.pop().close();

    // 4. The child through the webcam, joining the principal's case.
    page = await open(videos.child, officer);
    await page.click('#nav-enroll');
    await fill(page, {
      given_names: 'Santiago', surname1: 'de la Cruz', surname2: 'Pérez', sex: 'M',
      date_of_birth: '2019', dob_precision: 'year', nationality: 'VEN', case_number: caseNumber, relationship: 'child',
    });
    await startCamera(page);
    await captureWhenGood(page);
    await page.click('#enroll-submit');
    await page.waitForSelector('#enroll-outcome', { timeout: 60000 });
    assert.equal(await page.$eval('#enroll-case', (e) => e.textContent), caseNumber);
    const childNumber = await page.$eval('#enroll-number', (e) => e.textContent);
    await page.click('#enroll-open-person');
    await page.waitForSelector('#case-members');
    const members = await page.$eval('#case-members', (e) => e.textContent);
    assert.ok(members.includes(principalNumber) && members.includes(childNumber), members);
    await page.screenshot({ path: path.join(shots, 'enroll-09-child-case.png'), fullPage: true });
    await browsers.pop().close();

    // 5. The planted duplicate: another photo of the principal, another name.
    page = await open(videos.duplicate, officer);
    await page.click('#nav-enroll');
    await fill(page, { given_names: 'Rosa', surname1: 'Martínez', sex: 'F', date_of_birth: '1985-07-12', nationality: 'COL' });
    await startCamera(page);
    await captureWhenGood(page);
    await page.click('#enroll-submit');
    await page.waitForSelector('#enroll-outcome', { timeout: 60000 });
    assert.equal(await page.$eval('#enroll-status', (e) => e.textContent), 'Retenida: posible duplicado');
    assert.match(await page.$eval('#enroll-candidates', (e) => e.textContent), new RegExp(principalNumber));
    const heldNumber = await page.$eval('#enroll-number', (e) => e.textContent);
    await page.screenshot({ path: path.join(shots, 'enroll-10-held.png'), fullPage: true });
    await page.click('#signout');
    await page.waitForSelector('#signin-user');

    // 6. The supervisor decides it side by side.
    await page.type('#signin-user', supervisor.user);
    await page.type('#signin-password', supervisor.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#nav-review');
    await page.click('#nav-review');
    await page.waitForSelector(`.review-open[data-number="${heldNumber}"]`);
    await page.screenshot({ path: path.join(shots, 'enroll-11-queue.png'), fullPage: true });
    await page.click(`.review-open[data-number="${heldNumber}"]`);
    await page.waitForSelector('#review-panel');
    await page.waitForFunction(() => ['photo-new', 'photo-candidate'].every((id) => document.getElementById(id)?.src.startsWith('blob:')));
    await page.waitForFunction(() => ['photo-new', 'photo-candidate'].every((id) => document.getElementById(id).complete));
    const sizes = await page.$$eval('#photo-new, #photo-candidate', (imgs) => imgs.map((i) => [i.clientWidth, i.clientHeight]));
    assert.deepEqual(sizes[0], sizes[1], 'both photos at the same size');
    assert.match(await page.$eval('#review-scores', (e) => e.textContent), /Similitud facial: 0\.\d\d/);
    assert.ok((await page.$$('tr.differs')).length >= 3, 'names, birth date, nationality differ');
    await page.screenshot({ path: path.join(shots, 'enroll-12-side-by-side.png'), fullPage: true });
    // On a tablet: the same view, nothing cut off sideways.
    await page.setViewport({ width: 768, height: 1024 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
    await page.screenshot({ path: path.join(shots, 'enroll-12b-side-by-side-tablet.png'), fullPage: true });
    await page.setViewport({ width: 1366, height: 768 });
    // The shortcut without a note is refused; with one, decided.
    await page.keyboard.press('s');
    await page.waitForFunction(() => document.getElementById('review-error')?.textContent.length > 0);
    await page.type('#review-note', 'Misma cara que la titular, otro nombre');
    await page.$eval('#review-note', (e) => e.blur());
    await page.keyboard.press('s');
    await page.waitForSelector('#review-decided');
    assert.match(await page.$eval('#review-status', (e) => e.textContent), /Duplicado/);
    await page.screenshot({ path: path.join(shots, 'enroll-13-decided.png'), fullPage: true });
    const after = await server.api('GET', `/api/v1/applicants/${heldNumber}`, (await server.api('POST', '/api/v1/sessions', null, supervisor)).body.token);
    assert.equal(after.body.status, 'duplicate');
    assert.equal(after.body.candidates[0].decided_by, 'sara');

    // 7. The supervisor on the principal's record: only the transitions the
    // lifecycle allows, the timeline with who, the active card revoked.
    page.on('dialog', (d) => d.accept());
    await page.click('#nav-person');
    await page.type('#person-number', principalNumber);
    await page.click('#person-open');
    await page.waitForSelector('#case-change');
    assert.deepEqual(await page.$$eval('#case-to option', (o) => o.map((x) => x.value)), ['admitted', 'closed']);
    assert.equal(await page.$('#card-issue'), null, 'supervisors do not issue cards');
    await page.select('#case-to', 'admitted');
    await page.type('#case-reason', 'Solicitud admitida a trámite');
    await page.click('#case-submit');
    await page.waitForFunction(() => document.getElementById('case-status')?.textContent === 'Admitido a trámite');
    assert.deepEqual(await page.$$eval('#case-to option', (o) => o.map((x) => x.value)), ['recognized', 'rejected', 'closed']);
    assert.match(await page.$eval('#case-history', (e) => e.textContent), /Admitido a trámite — por sara/);
    const activeRow = await page.$$eval('#cards-table tbody tr', (rows) =>
      rows.findIndex((r) => r.querySelector('.card-revoke')));
    assert.ok(activeRow >= 0, 'an active card to revoke');
    await page.click('#cards-table .card-revoke');
    await page.type('#revoke-reason', 'Documento retenido por fraude');
    await page.click('#revoke-confirm');
    await page.waitForFunction(() => /revocada/.test(document.getElementById('card-message')?.textContent ?? ''));
    assert.equal(await page.$('#cards-table .card-revoke'), null, 'no active card left');
    await page.screenshot({ path: path.join(shots, 'enroll-14-supervisor-person.png'), fullPage: true });

    assert.deepEqual(problems.flat(), [], 'no console errors or CSP violations');
  } catch (e) {
    // What the screen showed when it failed.
    if (page && !page.isClosed()) await page.screenshot({ path: path.join(shots, 'enroll-failed.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    for (const b of browsers) await b.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
