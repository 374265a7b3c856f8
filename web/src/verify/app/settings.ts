// Settings: which root is pinned (its fingerprint), the lists in use and when
// they were refreshed, refresh now, the language, and forgetting the root.
import { h, replace, select } from '../../common/dom';
import { type Lang, lang, setLang, t } from './i18n.js';
import type { App } from './main.js';
import { institutionSection } from './institution.js';
import { forgetTrust, groupedFingerprint } from './trust.js';
import { dateText, dateTimeText } from './verdict.js';

function row(label: string, ...values: (string | HTMLElement)[]): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, ...values)];
}

export function renderSettings(app: App): void {
  const trust = app.trust;
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const body = h('dl', { class: 'settings' });

  function fill(): void {
    replace(body);
    if (!trust) return;
    const s = app.trust!;
    body.append(
      ...row(t('settings.root'), t('settings.pinnedAt', { date: dateText(Math.floor(s.root.pinnedAt / 1000)) })),
      ...row(t('settings.fingerprint'), h('span', { class: 'fingerprint', 'data-fingerprint': s.root.fingerprint }, groupedFingerprint(s.root.fingerprint))),
      ...row(t('settings.server'), s.root.server),
    );
    const v = s.verifier;
    if (v) {
      const info = (l: { sequence: bigint; issuedAt: bigint; nextUpdate: bigint }) =>
        t('settings.listInfo', { seq: l.sequence.toString(), issued: dateText(l.issuedAt), next: dateText(l.nextUpdate) });
      body.append(
        ...row(t('settings.trust'), info(v.trustList), h('br'), t('settings.issuers', { count: String(v.trustList.issuers.length) })),
        ...row(t('settings.revocation'), info(v.revocationList), h('br'),
          t('settings.revokedCount', { count: String(v.revocationList.revoked.length) })),
      );
    }
    body.append(...row(t('settings.lastRefresh'),
      h('span', { class: 'refreshed' }, s.lists ? dateTimeText(s.lists.refreshedAt) : t('settings.never'))));
  }
  fill();

  const refresh = h('button', { type: 'button', class: 'primary', onclick: async () => {
    refresh.disabled = true;
    message.textContent = t('settings.refreshing');
    const error = await app.refresh();
    refresh.disabled = false;
    message.textContent = error ?? t('settings.refreshOk');
    fill();
  } }, t('settings.refresh'));

  const language = select([['es', 'Español'], ['en', 'English']], lang());
  language.id = 'language';
  language.addEventListener('change', () => {
    setLang(language.value as Lang);
    app.show('settings');
  });

  const forget = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!window.confirm(t('settings.forgetConfirm'))) return;
    await forgetTrust();
    app.trust = null;
    app.show('install');
  } }, t('settings.forget'));

  const institution = h('div', { class: 'institution-slot' });
  void institutionSection(() => app.show('settings')).then((section) => replace(institution, section));

  replace(app.view, h('section', { class: 'settings-view' },
    h('button', { type: 'button', class: 'link back', onclick: () => app.show(app.trust ? 'scan' : 'install') }, `← ${t('nav.back')}`),
    h('h2', {}, t('settings.title')),
    body,
    trust ? refresh : null,
    message,
    institution,
    h('label', { for: 'language' }, t('lang.label')), language,
    h('p', { class: 'privacy' }, t('settings.privacy')),
    trust ? forget : null));
}
