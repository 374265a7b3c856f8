// First start: pin the root key, by the fingerprint the centre publishes
// (fetched from this server and confirmed by the user) or from its file,
// then fetch the first lists.
import { h, replace } from '../../common/dom';
import type { App } from './main.js';
import { t } from './i18n.js';
import { fingerprint, groupedFingerprint, offeredRoot, pinRoot, TrustError } from './trust.js';

export function renderInstall(app: App): void {
  const server = new URL('../', location.href).href;
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const offer = h('div', { class: 'offer' });

  async function install(file: string): Promise<void> {
    try {
      app.trust = await pinRoot(file, server);
    } catch (e) {
      message.textContent = app.errorText(e);
      return;
    }
    message.textContent = t('install.lists');
    const error = await app.refresh();
    if (error) {
      message.textContent = `${t('install.needLists')} ${error}`;
      return;
    }
    app.show('scan');
  }

  function confirm(file: string, fp: string): void {
    const yes = h('button', { type: 'button', class: 'primary', onclick: () => void install(file) }, t('install.confirm'));
    replace(offer,
      h('h3', {}, t('install.offered')),
      h('p', { class: 'fingerprint', 'data-fingerprint': fp }, groupedFingerprint(fp)),
      h('p', {}, t('install.compare')),
      yes,
      h('button', { type: 'button', class: 'secondary', onclick: () => replace(offer) }, t('install.cancel')));
    yes.focus();
  }

  const fetchButton = h('button', { type: 'button', class: 'primary', onclick: async () => {
    message.textContent = '';
    try {
      const o = await offeredRoot(server);
      confirm(o.file, o.fingerprint);
    } catch (e) {
      message.textContent = app.errorText(e);
    }
  } }, t('install.fetch'));

  const fileInput = h('input', { type: 'file', id: 'root-file', accept: '.json,application/json', onchange: async () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (!f) return;
    message.textContent = '';
    try {
      const text = await f.text();
      confirm(text, await fingerprint(text));
    } catch (e) {
      message.textContent = app.errorText(e instanceof TrustError ? e : new TrustError('root-format', String(e)));
    }
  } });

  replace(app.view, h('section', { class: 'install' },
    h('h2', {}, t('install.title')),
    h('p', {}, t('app.tagline')),
    h('p', {}, t('install.intro')),
    fetchButton,
    h('label', { for: 'root-file', class: 'file-label' }, t('install.file')),
    fileInput,
    offer,
    message));
}
