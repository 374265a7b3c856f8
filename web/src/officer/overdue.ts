// The supervisors' work list (issue 18): pending cases past their status's
// target time (GET /api/v1/stats/overdue), longest over first. It names
// cases, so it is a work list for supervisors, never a published table.
import * as api from './api';
import { h, replace } from '../common/dom';
import { t } from './i18n';
import type { Screen, Shell } from './screens';
import { dataTable } from './table';
import { errorText, sessionEnded } from './ui';

interface Overdue {
  targets: { registered: number; admitted: number; appeal: number };
  cases: { case_number: string; status: string; office_code: string; since: string; days_in_status: number; target_days: number }[];
}

const STATUSES = [['registered', '30'], ['admitted', '90'], ['appeal', '60']] as const;

export const overdueScreen: Screen = {
  id: 'overdue',
  nav: 'nav.overdue',
  roles: ['supervisor'],
  render(shell: Shell) {
    const inputs = STATUSES.map(([s, d]) => h('input', { id: `target-${s}`, type: 'number', min: '1', value: d }));
    const error = h('p', { class: 'error', role: 'alert' });
    const out = h('div', { class: 'overdue-list', 'aria-live': 'polite' });
    async function load(): Promise<void> {
      error.textContent = '';
      const q = new URLSearchParams(STATUSES.map(([s], i) => [s, inputs[i]!.value]));
      let r: Overdue;
      try {
        r = await api.call<Overdue>('GET', `/api/v1/stats/overdue?${q.toString()}`);
      } catch (e) {
        if (!sessionEnded(e)) error.textContent = errorText(e);
        return;
      }
      if (r.cases.length === 0) {
        replace(out, h('p', { class: 'none' }, t('overdue.none')));
        return;
      }
      replace(out, dataTable('overdue-cases', t('overdue.title'),
        [t('overdue.case'), t('overdue.status'), t('overdue.office'), t('overdue.since'), t('overdue.days'), t('overdue.target')],
        r.cases.map((c) => h('tr', {}, ...[c.case_number, t(`status.${c.status}` as 'status.registered'), c.office_code, c.since,
          String(c.days_in_status), String(c.target_days)].map((v) => h('td', {}, v))))));
    }
    shell.setReload(() => void load());
    void load();
    return h('section', { id: 'overdue' }, h('h1', {}, t('overdue.title')), h('p', {}, t('overdue.intro')),
      h('form', { novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void load(); } },
        h('div', { class: 'grid' }, ...STATUSES.map(([s], i) => h('div', { class: 'field' },
          h('label', { for: `target-${s}` }, t('overdue.targetFor', { status: t(`status.${s}` as 'status.registered') })), inputs[i]!))),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('overdue.show')))),
      error, out);
  },
};
