// The institutions' offline verifier (issue 17): a clerk points the phone at
// a card's QR code and gets a verdict in words, colour and icon, then the
// card's public claims. Everything happens on the phone — QR decoding
// (zxing-wasm), Base45, zlib, CBOR, COSE signatures (WebCrypto) against the
// pinned root's lists; no card data leaves it. A service worker (sw.ts)
// keeps the app available offline; the lists live in IndexedDB (store.ts)
// and are refreshed whenever the phone is online (trust.ts).
import { h, replace } from '../../common/dom';
import { setBrotliWasm, type VerificationResult } from '../core/index.js';
import { t } from './i18n.js';
import { renderInstall } from './install.js';
import { institutionKey } from './institution.js';
import { renderResult } from './result.js';
import { readImage, Scanner, warmUp } from './scanner.js';
import { renderSettings } from './settings.js';
import { loadTrust, refreshLists, type TrustState } from './trust.js';
import { dateText } from './verdict.js';

export interface App {
  trust: TrustState | null;
  view: HTMLElement;
  show(view: 'scan' | 'settings' | 'install'): void;
  /** Refreshes the lists; resolves to an error message or null. */
  refresh(): Promise<string | null>;
  errorText(e: unknown): string;
}

const root = document.getElementById('app')!;
const net = h('span', { class: 'net', role: 'status' });
const settingsButton = h('button', { type: 'button', class: 'link', onclick: () => app.show('settings') }, '');
const view = h('main', { class: 'view' });
let scanner: Scanner | null = null;

function updateNet(): void {
  net.textContent = navigator.onLine ? '' : t('net.offline');
}

const app: App = {
  trust: null,
  view,
  show(v) {
    scanner?.stop();
    scanner = null;
    settingsButton.textContent = t('nav.settings');
    settingsButton.hidden = v !== 'scan';
    document.querySelector('header h1')!.textContent = t('app.title');
    updateNet();
    if (v === 'install') renderInstall(app);
    else if (v === 'settings') renderSettings(app);
    else renderScan();
  },
  async refresh() {
    if (!app.trust) return null;
    try {
      app.trust = await refreshLists(app.trust);
      return null;
    } catch (e) {
      return app.errorText(e);
    }
  },
  errorText(e) {
    const err = e as { code?: string; detail?: string; message?: string };
    if (err && typeof err.code === 'string') {
      const known = ['offline', 'server', 'root-format', 'root-changed', 'list-invalid', 'list-older'];
      if (known.includes(err.code)) return t(`error.${err.code}` as Parameters<typeof t>[0], { detail: err.detail ?? '' });
    }
    return t('error.unexpected', { detail: err?.message ?? String(e) });
  },
};

function listsLine(): HTMLElement {
  const v = app.trust?.verifier;
  if (!v) return h('p', { class: 'lists stale', role: 'status' }, t('scan.noLists'));
  const now = BigInt(Math.floor(Date.now() / 1000));
  const stale = v.trustList.nextUpdate < now || v.revocationList.nextUpdate < now ||
    now - v.trustList.issuedAt > 7n * 24n * 3600n || now - v.revocationList.issuedAt > 7n * 24n * 3600n;
  const issued = v.revocationList.issuedAt < v.trustList.issuedAt ? v.revocationList.issuedAt : v.trustList.issuedAt;
  return h('p', { class: stale ? 'lists stale' : 'lists', role: 'status' },
    stale ? t('scan.listsStale') : t('scan.lists', { date: dateText(issued) }));
}

function updateListsLine(): void {
  document.querySelector('.finder .lists')?.replaceWith(listsLine());
}

function renderScan(): void {
  const video = h('video', { 'aria-label': t('scan.hint'), muted: true, playsinline: true });
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const controls = h('div', { class: 'controls' });
  const finder = h('section', { class: 'finder', 'aria-labelledby': 'scan-title' },
    h('h2', { id: 'scan-title', class: 'visually-hidden' }, t('scan.title')),
    listsLine(),
    h('div', { class: 'viewfinder' }, video, h('div', { class: 'aim', 'aria-hidden': 'true' })),
    h('p', { class: 'hint' }, t('scan.hint')),
    controls,
    // Choosing a photo pauses the camera (a card it sees meanwhile is ignored).
    h('label', { class: 'button secondary', onclick: () => scanner?.pause() }, t('scan.photo'),
      h('input', { type: 'file', accept: 'image/*', class: 'visually-hidden', onchange: (e: Event) => void fromPhoto(e),
        oncancel: () => scanner?.resume() })),
    message);
  const result = h('section', { class: 'result', hidden: true });
  replace(view, finder, result);

  const check = async (text: string, frameAt: number): Promise<void> => {
    message.textContent = t('scan.reading');
    const verifier = app.trust?.verifier;
    const r: VerificationResult = verifier
      ? await verifier.verify(text, Date.now() / 1000, { institution: institutionKey() })
      : { verdict: 'STALE LISTS', reason: 'no lists on this phone yet', signatureVerified: false, issuerName: '', kid: '', sealedStatus: '', compression: '' };
    const ms = performance.now() - frameAt;
    message.textContent = '';
    finder.hidden = true;
    result.hidden = false;
    renderResult(result, r, ms, () => {
      result.hidden = true;
      finder.hidden = false;
      replace(result);
      scanner?.resume();
    });
    document.body.dataset['lastCheckMs'] = ms.toFixed(1);
  };

  async function fromPhoto(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    scanner?.pause();
    if (!file) {
      scanner?.resume();
      return;
    }
    const started = performance.now();
    const text = await readImage(file).catch(() => null);
    if (text) await check(text, started);
    else {
      message.textContent = t('scan.noQr');
      scanner?.resume();
    }
  }

  scanner = new Scanner(video, (text, frameAt) => void check(text, frameAt));
  scanner.start().then((caps) => {
    if (caps.torch) {
      const torch = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, t('scan.torch'));
      torch.addEventListener('click', () => {
        const on = torch.getAttribute('aria-pressed') !== 'true';
        void scanner?.setTorch(on).then(() => torch.setAttribute('aria-pressed', String(on)));
      });
      controls.append(torch);
    }
    if (caps.zoom) {
      const z = caps.zoom;
      const range = h('input', { type: 'range', id: 'zoom', min: String(z.min), max: String(z.max), step: String(z.step), value: String(z.value) });
      range.addEventListener('input', () => void scanner?.setZoom(Number(range.value)));
      controls.append(h('label', { for: 'zoom' }, t('scan.zoom')), range);
    }
  }, (e: unknown) => {
    message.textContent = t('scan.noCamera', { error: e instanceof Error ? e.name : String(e) });
  });
}

async function boot(): Promise<void> {
  replace(root, h('header', { class: 'bar' }, h('h1', {}, t('app.title')), net, settingsButton), view);
  window.addEventListener('online', () => {
    updateNet();
    void app.refresh().then(updateListsLine);
  });
  window.addEventListener('offline', updateNet);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => undefined);
  }
  void warmUp().catch(() => undefined);
  // Brotli cards (Claim 169 1.2.2): the decoder's wasm from this folder, loaded on the first one.
  setBrotliWasm(new URL('brotli_dec_wasm_bg.wasm', location.href));
  app.trust = await loadTrust();
  if (!app.trust) {
    app.show('install');
    return;
  }
  app.show('scan');
  if (navigator.onLine) {
    const error = await app.refresh();
    document.body.dataset['refresh'] = error ? 'failed' : 'ok';
    updateListsLine();
  }
}

void boot();
