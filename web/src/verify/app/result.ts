// The verdict screen: full width, the word, the icon and the colour together,
// what it means for the clerk, then (only for a card whose signature checked
// out) its public claims and entitlements, and the technical details folded.
import { h, replace } from '../../common/dom';
import type { VerificationResult } from '../core/index.js';
import { t } from './i18n.js';
import { claimRows, entitlementRows, look, showsClaims } from './verdict.js';

export function renderResult(into: HTMLElement, r: VerificationResult, ms: number, again: () => void): void {
  const l = look(r.verdict);
  const banner = h('div', { class: `verdict tone-${l.tone}`, role: 'alert', 'data-verdict': r.verdict },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, l.icon),
    h('p', { class: 'word' }, l.word),
    h('p', { class: 'explain' }, l.explain));
  const parts: (HTMLElement | null)[] = [banner];
  if (showsClaims(r)) {
    const card = r.card!;
    if (card.provisional) parts.push(h('p', { class: 'provisional' }, t('result.provisional')));
    parts.push(h('dl', { class: 'claims' }, ...claimRows(card).flatMap((row) => [h('dt', {}, row.label), h('dd', {}, row.value)])));
    const ents = entitlementRows(card, Date.now() / 1000);
    if (ents.length > 0) {
      parts.push(h('h3', {}, t('claim.entitlements')),
        h('ul', { class: 'entitlements' }, ...ents.map((e) =>
          h('li', { class: e.expired ? 'expired' : '' }, h('span', {}, e.meaning), e.until ? h('small', {}, e.until) : null))));
    }
  }
  if (showsClaims(r)) {
    const sealed = r.card?.sealed;
    if (r.sealedStatus === 'opened' && sealed) {
      parts.push(h('section', { class: 'sealed', 'aria-labelledby': 'sealed-title' },
        h('h3', { id: 'sealed-title' }, t('sealed.title')),
        h('dl', { class: 'claims' },
          h('dt', {}, t('sealed.caseNumber')), h('dd', { class: 'case-number' }, sealed.caseNumber),
          ...Object.entries(sealed.details).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        sealed.hasFaceTemplate ? h('p', {}, t('sealed.face')) : null));
    } else if (r.sealedStatus === 'no key') {
      parts.push(h('p', { class: 'sealed-note' }, t('sealed.noKey')));
    } else if (r.sealedStatus === 'not for this institution') {
      parts.push(h('p', { class: 'sealed-note' }, t('sealed.notForUs')));
    }
  }
  const details: [string, string][] = [
    [t('result.reason'), r.reason],
    [t('result.issuer'), r.issuerName],
    [t('result.kid'), r.kid],
    [t('result.serial'), r.card && r.card.serial > 0n ? r.card.serial.toString() : ''],
    [t('result.time'), `${ms.toFixed(0)} ms`],
  ];
  parts.push(h('details', { class: 'technical' }, h('summary', {}, t('result.details')),
    h('dl', {}, ...details.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))));
  const button = h('button', { type: 'button', class: 'primary again', onclick: again }, t('result.again'));
  parts.push(button);
  replace(into, ...parts);
  button.focus();
}
