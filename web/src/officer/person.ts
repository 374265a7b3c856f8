// A person's record: their data and photo, their case (members, status
// timeline with who and when, the transitions the lifecycle allows), their
// cards (issue, print, replace, renew after a live face check, revoke).
import * as api from './api';
import { applicantRows, fullName } from './applicant';
import { FaceCamera, Photo } from './camera';
import { h, replace } from '../common/dom';
import { Key, t, tMaybe } from './i18n';
import type { Screen, Shell } from './screens';
import { authImage, errorText, pdfFrame, sessionEnded, when } from './ui';

interface CaseRecord {
  case_number: string;
  status: string;
  office: string;
  created_at: string;
  members: { registration_number: string; relationship: string }[];
  history: { from: string | null; to: string; effective: string; changed_at: string; changed_by: string; reason: string }[];
  allowed_next: string[];
}

interface CardSummary {
  serial: number;
  type: string;
  status: string;
  issued_at: string;
  expires_at: string;
  revoked_at?: string;
  revoke_reason?: string;
  replaces?: number;
  pdf: string;
  png: string;
}

const enc = encodeURIComponent;

// A revocation's reason as the server records it ("stolen", "replaced:
// lost", "replaced: renewed", or an officer's own words).
function revokeReason(r: string): string {
  const m = /^replaced: (\w+)$/.exec(r);
  if (m) return t('person.replaced_because', { why: tMaybe(`person.reason.${m[1]}`) ?? m[1] });
  return tMaybe(`person.reason.${r}`) ?? r;
}

// The registry's own words for a status change it makes itself.
function historyReason(r: string): string {
  return r === 'case opened at registration' ? t('person.opened_at_registration') : r;
}

// The result of the last card action, said once the record is fetched anew.
let flash = '';

function lookup(shell: Shell, value = ''): HTMLElement {
  const input = h('input', { id: 'person-number', value, autocomplete: 'off', required: true });
  return h(
    'form',
    {
      class: 'lookup',
      onsubmit: (e: Event) => {
        e.preventDefault();
        if (input.value.trim()) shell.go('person', input.value.trim());
      },
    },
    h('label', { for: 'person-number' }, t('person.lookup')),
    input,
    h('button', { type: 'submit', id: 'person-open' }, t('person.open')),
  );
}

// A small form in place: a reason (select or text) and a confirm button.
function reasonForm(id: string, label: string, reasons: string[] | null, confirm: string,
  run: (reason: string) => Promise<void>): HTMLElement {
  const input: HTMLInputElement | HTMLSelectElement = reasons
    ? h('select', {}, ...reasons.map((r) => h('option', { value: r }, tMaybe(`person.reason.${r}`) ?? r)))
    : h('input', { maxlength: '200', required: true });
  input.id = `${id}-reason`;
  const error = h('span', { class: 'field-error', role: 'alert', id: `${id}-error` });
  const button = h('button', { type: 'submit', id: `${id}-confirm` }, confirm);
  return h(
    'form',
    {
      class: 'inline',
      id,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        if (!input.value.trim()) {
          error.textContent = t('person.reason_required');
          return;
        }
        button.disabled = true;
        try {
          await run(input.value.trim());
        } catch (err) {
          if (!sessionEnded(err)) error.textContent = errorText(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', { for: input.id }, label),
    input,
    button,
    error,
  );
}

function caseSection(shell: Shell, c: CaseRecord, reload: () => void): HTMLElement {
  const isSupervisor = shell.session.role === 'supervisor';
  const timeline = h(
    'ol',
    { class: 'timeline', id: 'case-history' },
    ...c.history.map((s) =>
      h(
        'li',
        {},
        h('strong', {}, t(`status.${s.to}` as Key)),
        ' — ',
        t('person.changed', { who: s.changed_by, when: when(s.changed_at) }),
        s.reason ? h('span', { class: 'reason' }, ` «${historyReason(s.reason)}»`) : null,
      ),
    ),
  );
  const members = h(
    'ul',
    { id: 'case-members' },
    ...c.members.map((m) =>
      h(
        'li',
        {},
        h('button', { type: 'button', class: 'link', onclick: () => shell.go('person', m.registration_number) },
          m.registration_number),
        ` — ${t(`rel.${m.relationship}` as Key)}`,
      ),
    ),
  );
  let change: HTMLElement | null = null;
  if (isSupervisor && c.allowed_next.length) {
    const to = h('select', { id: 'case-to' }, ...c.allowed_next.map((s) => h('option', { value: s }, t(`status.${s}` as Key))));
    const reason = h('input', { id: 'case-reason', maxlength: '500', required: true });
    const error = h('span', { class: 'field-error', role: 'alert', id: 'case-error' });
    change = h(
      'form',
      {
        class: 'inline',
        id: 'case-change',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          error.textContent = '';
          if (!reason.value.trim()) {
            error.textContent = t('person.reason_required');
            return;
          }
          if (to.value === 'closed' && !window.confirm(t('person.close_confirm'))) return;
          try {
            await api.call('POST', `/api/v1/cases/${enc(c.case_number)}/status`, { to: to.value, reason: reason.value.trim() });
            reload();
          } catch (err) {
            if (!sessionEnded(err)) error.textContent = errorText(err);
          }
        },
      },
      h('label', { for: 'case-to' }, t('person.change_to')),
      to,
      h('label', { for: 'case-reason' }, t('person.why')),
      reason,
      h('button', { type: 'submit', id: 'case-submit' }, t('person.change')),
      error,
    );
  }
  return h(
    'section',
    { class: 'panel', id: 'case' },
    h('h2', {}, t('person.case', { number: c.case_number })),
    h('p', {}, t('person.case_status'), ' ', h('strong', { id: 'case-status' }, t(`status.${c.status}` as Key))),
    change,
    h('h3', {}, t('person.timeline')),
    timeline,
    h('h3', {}, t('person.members')),
    members,
  );
}

function cardPreview(card: CardSummary): HTMLElement {
  const box = h('div', { class: 'card-preview', id: 'card-preview', 'aria-live': 'polite' }, t('review.loading'));
  const pdf = pdfFrame(card.pdf, 'card-pdf', t('person.pdf_title', { serial: String(card.serial) }));
  pdf.ready
    .then((url) => {
      replace(
        box,
        authImage(card.png, t('person.png_alt', { serial: String(card.serial) }), { class: 'card-image', id: 'card-png' }),
        pdf.frame,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'card-print', onclick: pdf.print }, t('person.print')),
          h('a', { href: url, download: `tarjeta-${card.serial}.pdf`, id: 'card-download' }, t('person.download')),
        ),
      );
    })
    .catch((err) => {
      if (!sessionEnded(err)) replace(box, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    });
  return box;
}

function cardsSection(shell: Shell, e: api.Enrollment, cards: CardSummary[], reload: () => void): HTMLElement {
  const officer = shell.session.role === 'officer';
  const supervisor = shell.session.role === 'supervisor';
  const area = h('div', { id: 'card-action', 'aria-live': 'polite' });
  const message = h('p', { id: 'card-message', role: 'status' }, flash);
  flash = '';
  // After an action: the record fetched again, and what was done said there.
  const done = (text: string) => {
    flash = text;
    reload();
  };
  const rows = cards.map((c) => {
    const actions: HTMLElement[] = [];
    const active = c.status === 'active';
    actions.push(h('button', { type: 'button', class: 'card-show', 'data-serial': String(c.serial),
      onclick: () => replace(area, cardPreview(c)) }, t('person.show')));
    if (active && officer) {
      actions.push(h('button', { type: 'button', class: 'card-replace', onclick: () =>
        replace(area, reasonForm('replace', t('person.replace_reason'), ['lost', 'stolen', 'damaged'], t('person.replace'),
          async (reason) => {
            const n = await api.call<{ serial: number }>('POST', `/api/v1/cards/${c.serial}/replace`, { reason });
            done(t('person.replaced', { serial: String(n.serial) }));
          })) }, t('person.replace')));
      actions.push(h('button', { type: 'button', class: 'card-renew', onclick: () => replace(area, renewBox(c, done)) },
        t('person.renew')));
    }
    if (active && supervisor) {
      actions.push(h('button', { type: 'button', class: 'card-revoke', onclick: () =>
        replace(area, reasonForm('revoke', t('person.revoke_reason'), null, t('person.revoke'), async (reason) => {
          if (!window.confirm(t('person.revoke_confirm', { serial: String(c.serial) }))) return;
          await api.call('POST', `/api/v1/cards/${c.serial}/revoke`, { reason });
          done(t('person.revoked', { serial: String(c.serial) }));
        })) }, t('person.revoke')));
    }
    return h(
      'tr',
      { 'data-serial': String(c.serial) },
      h('td', {}, String(c.serial)),
      h('td', {}, tMaybe(`person.type.${c.type}`) ?? c.type),
      h('td', { class: `card-status ${c.status}` }, t(`person.card.${c.status}` as Key),
        c.revoke_reason ? ` (${revokeReason(c.revoke_reason)})` : ''),
      h('td', {}, c.issued_at.slice(0, 10)),
      h('td', {}, c.expires_at.slice(0, 10)),
      h('td', { class: 'actions' }, ...actions),
    );
  });
  let issue: HTMLElement | null = null;
  // Types the person has no active card of (one active card per type).
  const issuable = ['asylum-seeker', 'refugee'].filter((ty) => !cards.some((c) => c.type === ty && c.status === 'active'));
  if (officer && (e.status === 'cleared' || e.status === 'flagged') && issuable.length) {
    const type = h('select', { id: 'issue-type' },
      ...issuable.map((ty) => h('option', { value: ty }, t(`person.type.${ty}` as Key))));
    const error = h('span', { class: 'field-error', role: 'alert', id: 'issue-error' });
    issue = h(
      'form',
      {
        class: 'inline',
        id: 'card-issue',
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          error.textContent = '';
          try {
            const n = await api.call<{ serial: number }>('POST', `/api/v1/applicants/${enc(e.applicant.registration_number)}/cards`, { type: type.value });
            done(t('person.issued', { serial: String(n.serial) }));
          } catch (err) {
            if (!sessionEnded(err)) error.textContent = errorText(err);
          }
        },
      },
      h('label', { for: 'issue-type' }, t('person.issue_type')),
      type,
      h('button', { type: 'submit', id: 'issue-submit' }, t('person.issue')),
      error,
    );
  } else if (officer && e.status === 'held') {
    issue = h('p', { class: 'notice' }, t('person.held_no_card'));
  }
  return h(
    'section',
    { class: 'panel', id: 'cards' },
    h('h2', {}, t('person.cards')),
    message,
    issue,
    cards.length
      ? h(
          'table',
          { id: 'cards-table' },
          h('thead', {}, h('tr', {},
            ...['person.serial', 'person.type', 'person.status', 'person.issued_col', 'person.expires', 'person.actions']
              .map((k) => h('th', { scope: 'col' }, t(k as Key))))),
          h('tbody', {}, ...rows),
        )
      : h('p', { id: 'cards-none' }, t('person.no_cards')),
    area,
  );
}

// Renewal: a live photo must match the enrolled face (1:1 at the server).
function renewBox(c: CardSummary, done: (text: string) => void): HTMLElement {
  let photo: Photo | null = null;
  const error = h('p', { class: 'error', role: 'alert', id: 'renew-error' });
  const go = h('button', { type: 'button', id: 'renew-submit', disabled: true }, t('person.renew_confirm'));
  const camera = new FaceCamera((p) => {
    photo = p;
    go.disabled = p === null;
  });
  go.addEventListener('click', async () => {
    if (!photo) return;
    error.textContent = '';
    go.disabled = true;
    try {
      const n = await api.call<{ serial: number }>('POST', `/api/v1/cards/${c.serial}/renew`, { photo_base64: photo.base64 });
      done(t('person.renewed', { serial: String(n.serial) }));
    } catch (err) {
      if (!sessionEnded(err)) error.textContent = errorText(err);
      go.disabled = false;
    }
  });
  return h('div', { id: 'renew' }, h('p', {}, t('person.renew_explain')), camera.element, error, go);
}

function record(shell: Shell, number: string): HTMLElement {
  const body = h('div', { id: 'person-body', 'aria-live': 'polite' }, h('p', {}, t('review.loading')));
  const load = async () => {
    try {
      const e = await api.enrollmentOf(number);
      const [cases, cards] = await Promise.all([
        api.call<CaseRecord>('GET', `/api/v1/cases/${enc(e.applicant.case_number)}`),
        api.call<{ cards: CardSummary[] }>('GET', `/api/v1/applicants/${enc(number)}/cards`),
      ]);
      const a = e.applicant;
      replace(
        body,
        h('h2', { id: 'person-name' }, fullName(a)),
        h('p', { id: 'person-enrollment' }, t(`enrollment.${e.status}` as Key)),
        h(
          'div',
          { class: 'person' },
          authImage(api.photoPath(number), t('person.photo'), { class: 'face', id: 'person-photo' }),
          h('table', { class: 'data' }, h('tbody', {}, ...applicantRows(a).map((r) =>
            h('tr', {}, h('th', { scope: 'row' }, r.label), h('td', {}, r.value))))),
        ),
        cardsSection(shell, e, cards.cards, load),
        caseSection(shell, cases, load),
      );
    } catch (err) {
      if (sessionEnded(err)) return;
      replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  shell.setReload(load);
  void load();
  return body;
}

export const personScreen: Screen = {
  id: 'person',
  nav: 'nav.person',
  roles: ['officer', 'supervisor'],
  render(shell, arg) {
    return h(
      'section',
      { id: 'person' },
      h('h1', {}, arg ? t('person.title_of', { number: arg }) : t('person.title')),
      lookup(shell, arg ?? ''),
      arg ? record(shell, arg) : null,
    );
  },
};
