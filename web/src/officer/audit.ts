// Auditors' view of the audit log: events newest first, a page at a time,
// filtered on the server (action or family of actions, user, Panama days),
// and the hash chain checked on request, its result said plainly.
import * as api from './api';
import { h, replace } from '../common/dom';
import { t } from './i18n';
import type { Screen, Shell } from './screens';
import { dataTable } from './table';
import { errorText, fieldError, sessionEnded } from './ui';

interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  details: Record<string, unknown> | null;
}

interface EventsPage {
  events: AuditEvent[];
  more: boolean;
}

interface ChainReport {
  intact: boolean;
  events_checked: number;
  first_bad_seq: number | null;
  problem: string;
}

interface Filters {
  action: string;
  actor: string;
  from: string;
  to: string;
  limit: string;
}

// The families offered beside the action field (any exact action works too).
const families = ['user.', 'session.', 'applicant.', 'case.', 'card.', 'enrollment.', 'duplicate.',
  'photo.', 'face.', 'birth.', 'kit.', 'sync.', 'jornada.', 'login.'] as const;

function eventsPath(f: Filters, before: number | null): string {
  const q = new URLSearchParams({ order: 'newest', limit: f.limit });
  if (before !== null) q.set('before', String(before));
  for (const k of ['action', 'actor', 'from', 'to'] as const) {
    if (f[k] !== '') q.set(k, f[k]);
  }
  return `/api/v1/audit/events?${q.toString()}`;
}

// "{"sessions_ended":1,"to":"auditor"}" as "sessions_ended=1 · to=auditor".
function detailsText(d: AuditEvent['details']): string {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

// "2026-12-02T15:04:05.123456Z" → the local date and time to the second
// (events a second apart must read apart).
function exactTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(document.documentElement.lang || 'es', { dateStyle: 'medium', timeStyle: 'medium' });
}

// The chain check's problem in the user's language where it is a known one.
function problemText(r: ChainReport): string {
  const n = String(r.first_bad_seq ?? '?');
  if (/was altered or inserted/.test(r.problem)) return t('audit.problem.altered', { n });
  if (/end of the log was deleted/.test(r.problem)) return t('audit.problem.tail', { n });
  if (/is missing|was deleted or inserted|out of order/.test(r.problem)) return t('audit.problem.missing', { n });
  return r.problem;
}

// What is wrong with a filter the server refused, said beside it.
function fieldProblem(field: string, message: string): string {
  if (/is after/.test(message)) return t('audit.dates_reversed');
  if (field === 'action') return t('audit.bad_action');
  if (field === 'actor') return t('audit.bad_actor');
  return t('audit.bad_date');
}

function verifier(): HTMLElement {
  const result = h('p', { id: 'audit-verify-result', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: 'audit-verify' }, t('audit.verify'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.className = '';
    result.textContent = t('audit.verifying');
    try {
      const r = await api.call<ChainReport>('GET', '/api/v1/audit/verify');
      if (r.intact) {
        result.className = 'audit-intact';
        result.textContent = t('audit.intact', { n: String(r.events_checked) });
      } else {
        result.className = 'audit-broken';
        result.textContent = t('audit.broken', {
          n: String(r.first_bad_seq ?? '?'),
          checked: String(r.events_checked),
          problem: problemText(r),
        });
      }
    } catch (err) {
      result.textContent = sessionEnded(err) ? '' : errorText(err);
    } finally {
      button.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'audit-chain', 'aria-labelledby': 'audit-chain-title' },
    h('h2', { id: 'audit-chain-title' }, t('audit.chain')),
    h('p', {}, t('audit.chain_hint')),
    button,
    result,
  );
}

function table(events: AuditEvent[]): HTMLElement {
  const columns = (['seq', 'at', 'actor', 'action', 'entity', 'details'] as const).map((c) => t(`audit.col.${c}`));
  return dataTable(
    'audit-table',
    t('audit.caption'),
    columns,
    events.map((e) =>
      h(
        'tr',
        { 'data-seq': String(e.seq) },
        h('td', {}, String(e.seq)),
        h('td', { class: 'audit-at' }, h('time', { datetime: e.at }, exactTime(e.at))),
        h('td', { class: 'audit-actor' }, e.actor),
        h('td', { class: 'audit-action' }, h('code', {}, e.action)),
        h('td', { class: 'audit-about' }, e.entity_id ? `${e.entity} ${e.entity_id}` : e.entity),
        h('td', { class: 'audit-details' }, detailsText(e.details)),
      ),
    ),
  );
}

function auditView(shell: Shell): HTMLElement {
  const field = (id: string, label: string, input: HTMLElement, hint?: string) =>
    h(
      'div',
      { class: 'audit-field' },
      h('label', { for: id }, label),
      input,
      hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
      h('span', { class: 'error', id: `${id}-error`, role: 'alert' }),
    );
  const action = h('input', {
    id: 'audit-action',
    name: 'action',
    list: 'audit-families',
    autocomplete: 'off',
    maxlength: '64',
    'aria-describedby': 'audit-action-hint',
  });
  const actor = h('input', { id: 'audit-actor', name: 'actor', autocomplete: 'off', maxlength: '64' });
  const from = h('input', { id: 'audit-from', name: 'from', type: 'date', 'aria-describedby': 'audit-dates-hint' });
  const to = h('input', { id: 'audit-to', name: 'to', type: 'date', 'aria-describedby': 'audit-dates-hint' });
  const limit = h(
    'select',
    { id: 'audit-limit', name: 'limit' },
    ...['10', '25', '50', '100'].map((n) => h('option', { value: n, selected: n === '25' }, n)),
  );
  const datalist = h(
    'datalist',
    { id: 'audit-families' },
    ...families.map((f) => h('option', { value: f }, t('audit.family', { family: f }))),
  );
  const body = h('div', { id: 'audit-list', 'aria-live': 'polite' }, h('p', {}, t('audit.loading')));
  const pageLabel = h('span', { id: 'audit-page' });
  const prev = h('button', { type: 'button', id: 'audit-prev', disabled: true }, t('audit.prev'));
  const next = h('button', { type: 'button', id: 'audit-next', disabled: true }, t('audit.next'));

  // The query shown, and the cursors of the pages before this one: page k
  // starts before cursors[k] (null: the newest event).
  let filters: Filters = { action: '', actor: '', from: '', to: '', limit: '25' };
  let cursors: (number | null)[] = [null];
  const clearErrors = () => {
    for (const id of ['audit-action', 'audit-actor', 'audit-from', 'audit-to']) {
      document.getElementById(`${id}-error`)?.replaceChildren();
      document.getElementById(id)?.removeAttribute('aria-invalid');
    }
  };
  const load = async () => {
    const page = cursors.length;
    prev.disabled = true;
    next.disabled = true;
    try {
      const r = await api.call<EventsPage>('GET', eventsPath(filters, cursors[page - 1]));
      clearErrors();
      pageLabel.textContent = t('audit.page', { n: String(page) });
      prev.disabled = page === 1;
      next.disabled = !r.more;
      next.onclick = () => {
        cursors = [...cursors, r.events[r.events.length - 1].seq];
        void load();
      };
      replace(body, r.events.length === 0 ? h('p', { id: 'audit-empty' }, t('audit.empty')) : table(r.events));
    } catch (err) {
      if (sessionEnded(err)) return;
      const f = fieldError(err, '');
      const input = f ? { action: 'audit-action', actor: 'audit-actor', from: 'audit-from', to: 'audit-to' }[f.field] : undefined;
      if (f && input) {
        const error = document.getElementById(`${input}-error`);
        if (error) error.textContent = fieldProblem(f.field, f.message);
        document.getElementById(input)?.setAttribute('aria-invalid', 'true');
        document.getElementById(input)?.focus();
        replace(body);
        return;
      }
      replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  prev.addEventListener('click', () => {
    cursors = cursors.slice(0, -1);
    void load();
  });
  const form = h(
    'form',
    {
      id: 'audit-filters',
      class: 'audit-filters',
      'aria-labelledby': 'audit-filters-title',
      onsubmit: (e: Event) => {
        e.preventDefault();
        filters = { action: action.value.trim(), actor: actor.value.trim(), from: from.value, to: to.value, limit: limit.value };
        cursors = [null];
        void load();
      },
    },
    h('h2', { id: 'audit-filters-title' }, t('audit.filters')),
    h(
      'div',
      { class: 'audit-fields' },
      field('audit-action', t('audit.action'), action, t('audit.action_hint')),
      field('audit-actor', t('audit.actor'), actor),
      field('audit-from', t('audit.from'), from),
      field('audit-to', t('audit.to'), to),
      field('audit-limit', t('audit.limit'), limit),
    ),
    datalist,
    h('p', { class: 'hint', id: 'audit-dates-hint' }, t('audit.dates_hint')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'audit-search' }, t('audit.search')),
      h(
        'button',
        {
          type: 'button',
          id: 'audit-clear',
          onclick: () => {
            for (const i of [action, actor, from, to]) i.value = '';
            limit.value = '25';
            form.requestSubmit();
          },
        },
        t('audit.clear'),
      ),
    ),
  );
  shell.setReload(load);
  void load();
  return h(
    'section',
    { id: 'audit' },
    h('h1', {}, t('audit.title')),
    verifier(),
    form,
    h('h2', {}, t('audit.events')),
    body,
    h('div', { class: 'pager', role: 'group', 'aria-label': t('audit.paging') }, prev, pageLabel, next),
  );
}

export const auditScreen: Screen = {
  id: 'audit',
  nav: 'nav.audit',
  roles: ['auditor'],
  render(shell) {
    return auditView(shell);
  },
};
