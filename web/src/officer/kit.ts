// Field-kit mode (docs/web.md, "Field-kit mode"): the same app on a field
// kit, its screens shown only when GET /api/v1/session names the kit.
//   jornadas  the registration days: list, open (location, dates, team),
//             close with what was registered while it was open
//   birth     birth registration: the form with each error beside its field;
//             then the attestation's PDF in the page and a Print button
//   sync      what is waiting to export, the last export, push and pull, and
//             the lists' age, with a warning once past their next update
import * as api from './api';
import { h, replace, select } from '../common/dom';
import { Key, t } from './i18n';
import type { Screen, Shell } from './screens';
import { errorText, pdfFrame, sessionEnded, when } from './ui';

// ---- the API of these screens (docs/api.md) ----------------------------------

interface Jornada {
  id: string;
  kit_id: string;
  location_code: string;
  starts_on: string;
  ends_on: string;
  officers: string[];
  status: 'open' | 'closed';
  counts: { births: number; attestations: number; enrollments: number; held_for_adjudication: number } | null;
  created_at: string;
  closed_at: string;
}

interface Attestation {
  serial: number;
  provisional: boolean;
  issuer: string;
  guardian: string;
  expires_at: string;
  pdf: string;
}

interface RegisteredBirth {
  birth_number: string;
  attestation: Attestation | null;
  attestation_error?: string;
}

interface SyncEvent {
  at: string;
  bundle_id: string;
  detail: Record<string, unknown>;
}

interface ListAge {
  sequence: number;
  issued_at: string;
  next_update: string;
  entries: number;
  stale: boolean;
}

interface SyncStatus {
  kit_id: string;
  office_code: string;
  now: string;
  waiting: { enrollments: number; births: number; jornadas: number; provisional_cards: number; total: number };
  last_export: SyncEvent | null;
  last_push: SyncEvent | null;
  last_pull: SyncEvent | null;
  lists: { trust: ListAge | null; revocation: ListAge | null };
}

const jornadas = async () => (await api.call<{ jornadas: Jornada[] }>('GET', '/api/v1/jornadas')).jornadas;

const onKit = (s: api.Session) => s.kit !== null && s.kit !== undefined;
const kitRoles = ['officer', 'supervisor'] as const;

// ---- field errors ------------------------------------------------------------

// A 400's problems by field: the registry reports every problem of a
// registration at once, "born_on: ... in the future; facility: is required".
function fieldErrors(e: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(e instanceof api.ApiError) || e.status !== 400) return out;
  for (const part of e.message.split('; ')) {
    const m = /^([A-Za-z_][A-Za-z0-9_.[\]]*): (.*)$/s.exec(part);
    if (!m) continue;
    // "parents[0].document.number" → "parents[0].document"; the form has one
    // place per parent's document.
    const field = m[1].replace(/^(parents\[\d+\]\.document)\..*$/, '$1');
    if (!out.has(field)) out.set(field, localized(m[2]));
  }
  return out;
}

// The registry's words (English) for the common problems, in the user's
// language; anything else as the server says it.
function localized(what: string): string {
  const rules: [RegExp, Key][] = [
    [/^is required/, 'kit.err.required'],
    [/ is in the future$/, 'kit.err.future'],
    [/ is not a date/, 'kit.err.not_date'],
    [/ is before 1900$/, 'kit.err.too_old'],
    [/is not a time HH:MM$/, 'kit.err.not_time'],
  ];
  for (const [re, key] of rules) if (re.test(what)) return t(key);
  return what;
}

// A labelled input with its error line below (aria-describedby).
interface Field {
  wrap: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): Field {
  input.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    error,
  );
  return { wrap, input, error };
}

function textInput(attrs: Record<string, string | boolean> = {}): HTMLInputElement {
  return h('input', { type: 'text', ...attrs });
}


// Shows each error beside its field (or in `general` when no field is
// named); focuses the first field in error. True if any was shown.
function showErrors(fields: Map<string, Field>, errors: Map<string, string>, general: HTMLElement): boolean {
  for (const f of fields.values()) {
    f.error.textContent = '';
    f.input.removeAttribute('aria-invalid');
  }
  general.textContent = '';
  let first: Field | null = null;
  const unplaced: string[] = [];
  for (const [name, message] of errors) {
    const f = fields.get(name);
    if (!f) {
      unplaced.push(`${name}: ${message}`);
      continue;
    }
    f.error.textContent = message;
    f.input.setAttribute('aria-invalid', 'true');
    first ??= f;
  }
  if (errors.size > 0) general.textContent = [t('kit.check_fields'), ...unplaced].join(' ');
  first?.input.focus();
  return errors.size > 0;
}

// A form's submit handler: `send` runs with the button disabled; a 400 is
// shown field by field, any other error in `general`.
function onSubmit(
  fields: Map<string, Field>,
  general: HTMLElement,
  submit: HTMLButtonElement,
  send: () => Promise<void>,
): (e: Event) => Promise<void> {
  return async (e: Event) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await send();
      showErrors(fields, new Map(), general);
    } catch (err) {
      if (sessionEnded(err)) return;
      if (!showErrors(fields, fieldErrors(err), general)) general.textContent = errorText(err);
    } finally {
      submit.disabled = false;
    }
  };
}

const today = () => new Date().toISOString().slice(0, 10);

// ---- jornadas ------------------------------------------------------------------

function countsText(j: Jornada): string {
  if (!j.counts) return t('value.none');
  return t('kit.jornada.counts', {
    births: String(j.counts.births),
    attestations: String(j.counts.attestations),
    enrollments: String(j.counts.enrollments),
    held: String(j.counts.held_for_adjudication),
  });
}

function jornadasView(shell: Shell): HTMLElement {
  const list = h('div', { id: 'jornada-list', 'aria-live': 'polite' }, h('p', {}, t('kit.loading')));
  const status = h('p', { role: 'status', id: 'jornada-status' });
  const load = async () => {
    try {
      const all = await jornadas();
      if (all.length === 0) {
        replace(list, h('p', {}, t('kit.jornada.none')));
        return;
      }
      const rows = [...all].reverse().map((j) => {
        const close = h(
          'button',
          {
            type: 'button',
            class: 'jornada-close',
            'data-id': j.id,
            'aria-label': t('kit.jornada.close_label', { location: j.location_code, from: j.starts_on }),
            onclick: async () => {
              close.disabled = true;
              status.textContent = '';
              try {
                const closed = await api.call<Jornada>('POST', `/api/v1/jornadas/${encodeURIComponent(j.id)}/close`);
                await load();
                status.textContent = t('kit.jornada.closed_now', { location: closed.location_code, counts: countsText(closed) });
              } catch (err) {
                close.disabled = false;
                if (!sessionEnded(err)) status.textContent = errorText(err);
              }
            },
          },
          t('kit.jornada.close'),
        );
        return h(
          'tr',
          { 'data-id': j.id },
          h('td', {}, j.location_code),
          h('td', {}, `${j.starts_on} – ${j.ends_on}`),
          h('td', {}, j.officers.join(', ')),
          h('td', { class: `jornada-${j.status}` }, t(`kit.jornada.status.${j.status}` as Key)),
          h('td', { class: 'jornada-counts' }, countsText(j)),
          h('td', {}, j.status === 'open' ? close : null),
        );
      });
      replace(
        list,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['kit.jornada.location', 'kit.jornada.dates', 'kit.jornada.officers', 'kit.jornada.state', 'kit.jornada.registered'].map(
                (k) => h('th', { scope: 'col' }, t(k as Key)),
              ),
              h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('kit.jornada.close'))),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      );
    } catch (err) {
      if (!sessionEnded(err)) replace(list, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };

  // The open form.
  const fields = new Map<string, Field>([
    ['location_code', field('jornada-location', t('kit.jornada.location'), textInput({ required: true, maxlength: '32' }), t('kit.jornada.location_hint'))],
    ['starts_on', field('jornada-from', t('kit.jornada.from'), h('input', { type: 'date', required: true, value: today() }))],
    ['ends_on', field('jornada-to', t('kit.jornada.to'), h('input', { type: 'date', required: true, value: today() }))],
    ['officers', field('jornada-officers', t('kit.jornada.officers'), textInput({ required: true, value: shell.session.user }), t('kit.jornada.officers_hint'))],
  ]);
  const general = h('p', { class: 'error', role: 'alert', id: 'jornada-error' });
  const submit = h('button', { type: 'submit', id: 'jornada-open' }, t('kit.jornada.open'));
  const form = h(
    'form',
    {
      class: 'kit-form',
      id: 'jornada-form',
      novalidate: true,
      'aria-labelledby': 'jornada-form-title',
      onsubmit: onSubmit(fields, general, submit, async () => {
        const value = (k: string) => fields.get(k)!.input.value.trim();
        const j = await api.call<Jornada>('POST', '/api/v1/jornadas', {
          location_code: value('location_code'),
          starts_on: value('starts_on'),
          ends_on: value('ends_on'),
          officers: value('officers').split(',').map((s) => s.trim()).filter((s) => s !== ''),
        });
        (fields.get('location_code')!.input as HTMLInputElement).value = '';
        await load();
        status.textContent = t('kit.jornada.opened', { location: j.location_code });
      }),
    },
    h('h2', { id: 'jornada-form-title' }, t('kit.jornada.new')),
    h('div', { class: 'fields' }, ...[...fields.values()].map((f) => f.wrap)),
    general,
    submit,
  );
  shell.setReload(load);
  void load();
  return h('section', { id: 'jornadas' }, h('h1', {}, t('kit.jornada.title')), status, list, form);
}

// ---- birth registration -----------------------------------------------------

// One parent's fieldset: enrolled (registration number) or from documents.
function parentFieldset(index: number, role: string, optional: boolean, fields: Map<string, Field>): {
  el: HTMLElement;
  value(): Record<string, unknown> | null;
} {
  const p = `birth-p${index}`;
  const key = (k: string) => `parents[${index}].${k}`;
  const roleSel = select([
    ['mother', t('kit.birth.role.mother')],
    ['father', t('kit.birth.role.father')],
    ['guardian', t('kit.birth.role.guardian')],
  ], role);
  const entries: [string, Field][] = [
    [key('role'), field(`${p}-role`, t('kit.birth.role'), roleSel)],
    [key('registration_number'), field(`${p}-number`, t('kit.birth.parent_number'), textInput({ maxlength: '20' }), t('kit.birth.parent_number_hint'))],
    [key('full_name'), field(`${p}-name`, t('kit.birth.parent_name'), textInput({ maxlength: '200', autocomplete: 'off' }))],
    [key('nationality'), field(`${p}-nationality`, t('field.nationality'), textInput({ maxlength: '3', size: '4' }), t('kit.birth.nationality_hint'))],
    [key('document'), field(`${p}-doc`, t('kit.birth.parent_document'), textInput({ maxlength: '64', autocomplete: 'off' }), t('kit.birth.document_hint'))],
  ];
  const docType = select(
    ['national_id', 'passport', 'birth_certificate', 'travel_document', 'other'].map((d) => [d, t(`doc.${d}` as Key)]),
    'national_id',
  );
  const docTypeField = field(`${p}-doc-type`, t('kit.birth.document_type'), docType);
  const docCountry = field(`${p}-doc-country`, t('kit.birth.document_country'), textInput({ maxlength: '3', size: '4' }));
  for (const [k, f] of entries) fields.set(k, f);
  const get = (k: string) => fields.get(key(k))!.input.value.trim();
  const el = h(
    'fieldset',
    { class: 'parent', id: `${p}` },
    h('legend', {}, t(optional ? 'kit.birth.parent_optional' : 'kit.birth.parent', { n: String(index + 1) })),
    ...entries.slice(0, 4).map(([, f]) => f.wrap),
    docTypeField.wrap,
    docCountry.wrap,
    entries[4][1].wrap,
  );
  return {
    el,
    value() {
      const number = get('registration_number');
      const name = get('full_name');
      if (optional && number === '' && name === '') return null;
      const out: Record<string, unknown> = { role: get('role') };
      if (number !== '') {
        out.registration_number = number;
        return out;
      }
      out.full_name = name;
      const nat = get('nationality').toUpperCase();
      if (nat !== '') out.nationality = nat;
      const doc = get('document');
      if (doc !== '') out.document = { type: docType.value, country: docCountry.input.value.trim().toUpperCase(), number: doc };
      return out;
    },
  };
}

function birthView(shell: Shell): HTMLElement {
  const fields = new Map<string, Field>();
  const add = (name: string, f: Field) => {
    fields.set(name, f);
    return f.wrap;
  };
  const jornadaSel = select([['', t('kit.birth.no_jornada')]]);
  const placeCode = textInput({ required: true, maxlength: '32' });
  const loadJornadas = async () => {
    try {
      const open = (await jornadas()).filter((j) => j.status === 'open');
      replace(
        jornadaSel,
        h('option', { value: '' }, t('kit.birth.no_jornada')),
        ...open.map((j) => h('option', { value: j.id, 'data-location': j.location_code }, `${j.location_code} (${j.starts_on} – ${j.ends_on})`)),
      );
      if (open.length > 0) {
        jornadaSel.value = open[open.length - 1].id;
        if (placeCode.value === '') placeCode.value = open[open.length - 1].location_code;
      }
    } catch (err) {
      if (!sessionEnded(err)) general.textContent = errorText(err);
    }
  };
  jornadaSel.addEventListener('change', () => {
    const loc = jornadaSel.selectedOptions[0]?.dataset.location;
    if (loc) placeCode.value = loc;
  });
  const child = h(
    'fieldset',
    { class: 'child' },
    h('legend', {}, t('kit.birth.child')),
    add('given_names', field('birth-given', t('field.given_names'), textInput({ required: true, maxlength: '100', autocomplete: 'off' }))),
    add('surname1', field('birth-surname1', t('field.surname1'), textInput({ required: true, maxlength: '100', autocomplete: 'off' }))),
    add('surname2', field('birth-surname2', t('field.surname2'), textInput({ maxlength: '100', autocomplete: 'off' }))),
    add('sex', field('birth-sex', t('field.sex'), select([['F', t('sex.F')], ['M', t('sex.M')], ['X', t('sex.X')]], 'F'))),
    add('born_on', field('birth-born_on', t('kit.birth.born_on'), h('input', { type: 'date', required: true }))),
    add('born_at', field('birth-born_at', t('kit.birth.born_at'), h('input', { type: 'time' }))),
  );
  const where = h(
    'fieldset',
    { class: 'place' },
    h('legend', {}, t('kit.birth.where')),
    add('jornada_id', field('birth-jornada', t('kit.birth.jornada'), jornadaSel)),
    add('place_code', field('birth-place_code', t('kit.birth.place_code'), placeCode, t('kit.jornada.location_hint'))),
    add('place', field('birth-place', t('kit.birth.place'), textInput({ maxlength: '200' }), t('kit.birth.place_hint'))),
    add('facility', field('birth-facility', t('kit.birth.facility'), textInput({ required: true, maxlength: '200' }), t('kit.birth.facility_hint'))),
  );
  const parents = [parentFieldset(0, 'mother', false, fields), parentFieldset(1, 'father', true, fields)];
  const general = h('p', { class: 'error', role: 'alert', id: 'birth-error' });
  const submit = h('button', { type: 'submit', id: 'birth-submit' }, t('kit.birth.submit'));
  const result = h('div', { id: 'birth-result', 'aria-live': 'polite' });
  const value = (k: string) => fields.get(k)!.input.value.trim();
  const form = h(
    'form',
    {
      class: 'kit-form',
      id: 'birth-form',
      novalidate: true,
      'aria-labelledby': 'birth-title',
      onsubmit: onSubmit(fields, general, submit, async () => {
        replace(result);
        const body = {
          given_names: value('given_names'),
          surname1: value('surname1'),
          surname2: value('surname2'),
          sex: value('sex'),
          born_on: value('born_on'),
          born_at: value('born_at'),
          jornada_id: value('jornada_id'),
          place_code: value('place_code'),
          place: value('place'),
          facility: value('facility'),
          parents: parents.map((p) => p.value()).filter((p) => p !== null),
          attest: true,
        };
        const b = await api.call<RegisteredBirth>('POST', '/api/v1/births', body);
        form.hidden = true;
        replace(result, registered(b, () => {
          form.reset();
          form.hidden = false;
          replace(result);
          void loadJornadas();
          fields.get('given_names')!.input.focus();
        }));
        (result.querySelector('h2') as HTMLElement | null)?.focus();
      }),
    },
    child,
    where,
    ...parents.map((p) => p.el),
    general,
    submit,
  );
  shell.setReload(loadJornadas);
  void loadJornadas();
  return h('section', { id: 'birth' }, h('h1', { id: 'birth-title' }, t('kit.birth.title')), form, result);
}

// After registering: the number, the attestation's PDF in the page and Print.
function registered(b: RegisteredBirth, another: () => void): HTMLElement {
  const out = h(
    'div',
    { class: 'birth-done' },
    h('h2', { tabindex: '-1', id: 'birth-done-title' }, t('kit.birth.done', { number: b.birth_number })),
  );
  const again = h('button', { type: 'button', id: 'birth-another', onclick: another }, t('kit.birth.another'));
  const a = b.attestation;
  if (!a) {
    out.append(h('p', { class: 'error', role: 'alert', id: 'birth-attestation-error' }, t('kit.birth.no_attestation', { why: b.attestation_error ?? '' })), again);
    return out;
  }
  out.append(
    h(
      'p',
      { id: 'birth-attestation' },
      t(a.provisional ? 'kit.birth.attestation_provisional' : 'kit.birth.attestation', {
        serial: String(a.serial),
        until: when(a.expires_at),
        guardian: a.guardian,
      }),
    ),
  );
  const pdf = pdfFrame(a.pdf, 'birth-pdf', t('kit.birth.pdf_title', { number: b.birth_number }));
  pdf.frame.classList.add('attestation');
  const status = h('p', { role: 'status', id: 'birth-pdf-status' }, t('kit.loading'));
  const download = h('a', { id: 'birth-download', download: `atestado-${b.birth_number}.pdf`, hidden: true }, t('kit.birth.download'));
  const print = h(
    'button',
    { type: 'button', id: 'birth-print', class: 'primary', disabled: true, onclick: pdf.print },
    t('kit.birth.print'),
  );
  pdf.ready
    .then((url) => {
      // Set after the src (an empty frame loads about:blank first); the
      // load event comes later than this callback.
      pdf.frame.addEventListener('load', () => {
        print.disabled = false;
        status.textContent = '';
      }, { once: true });
      download.href = url;
      download.hidden = false;
    })
    .catch((err) => {
      if (!sessionEnded(err)) status.textContent = t('error.image', { what: t('kit.birth.pdf_title', { number: b.birth_number }) });
    });
  out.append(status, pdf.frame, h('div', { class: 'actions' }, print, download, again));
  return out;
}

// ---- sync ---------------------------------------------------------------------

// "3 h", "2 d": how long ago (or until) `iso` from `now`.
function age(iso: string, now: string): string {
  const s = Math.abs(Date.parse(now) - Date.parse(iso)) / 1000;
  if (s < 3600) return t('kit.age.minutes', { n: String(Math.max(0, Math.round(s / 60))) });
  if (s < 2 * 86400) return t('kit.age.hours', { n: String(Math.round(s / 3600)) });
  return t('kit.age.days', { n: String(Math.round(s / 86400)) });
}

function eventText(e: SyncEvent | null, kind: 'export' | 'push' | 'pull', now: string): string {
  if (!e) return t(`kit.sync.never_${kind}` as Key);
  const d = e.detail;
  const at = { when: when(e.at), ago: age(e.at, now) };
  if (kind === 'export') {
    return t('kit.sync.exported', { ...at, bundle: e.bundle_id.slice(0, 16), births: String(d.births ?? 0), applicants: String(d.applicants ?? 0) });
  }
  if (kind === 'push') {
    const outcome = d.already_imported
      ? t('kit.sync.push_already')
      : d.complete
        ? t('kit.sync.push_complete')
        : t('kit.sync.push_incomplete', { n: String(d.missing_chunks ?? '?') });
    return t('kit.sync.pushed', { ...at, bundle: e.bundle_id.slice(0, 16), outcome });
  }
  const skew = Number(d.clock_skew_seconds ?? 0);
  return t('kit.sync.pulled', at) + (Math.abs(skew) > 300 ? ` ${t('kit.sync.clock_skew', { s: String(skew) })}` : '');
}

function listRow(name: 'trust' | 'revocation', l: ListAge | null, now: string): HTMLElement {
  const label = t(`kit.sync.list.${name}` as Key);
  if (!l) {
    return h('tr', { class: 'stale', id: `sync-list-${name}` }, h('th', { scope: 'row' }, label),
      h('td', { colspan: '3' }, h('span', { class: 'warning' }, t('kit.sync.list_never'))));
  }
  return h(
    'tr',
    { class: l.stale ? 'stale' : '', id: `sync-list-${name}` },
    h('th', { scope: 'row' }, label),
    h('td', {}, t('kit.sync.issued', { when: when(l.issued_at), ago: age(l.issued_at, now) })),
    h('td', {}, when(l.next_update)),
    h('td', {}, l.stale ? h('span', { class: 'warning' }, t('kit.sync.stale', { ago: age(l.next_update, now) })) : t('kit.sync.current')),
  );
}

function syncView(shell: Shell): HTMLElement {
  const body = h('div', { id: 'sync-body', 'aria-live': 'polite' }, h('p', {}, t('kit.loading')));
  const load = async () => {
    try {
      const s = await api.call<SyncStatus>('GET', '/api/v1/kit/sync');
      const w = s.waiting;
      const stale = [s.lists.trust, s.lists.revocation].some((l) => l === null || l.stale);
      replace(
        body,
        h('p', {}, t('kit.sync.kit', { kit: s.kit_id, office: s.office_code })),
        stale ? h('p', { class: 'notice warning-box', role: 'alert', id: 'sync-stale' }, t('kit.sync.stale_warning')) : null,
        h('h2', {}, t('kit.sync.waiting')),
        h(
          'table',
          { id: 'sync-waiting', class: 'counts' },
          h('tbody', {},
            ...([['enrollments', w.enrollments], ['births', w.births], ['jornadas', w.jornadas], ['provisional_cards', w.provisional_cards]] as [string, number][]).map(([k, n]) =>
              h('tr', { id: `sync-waiting-${k}` }, h('th', { scope: 'row' }, t(`kit.sync.w.${k}` as Key)), h('td', {}, String(n))),
            ),
            h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('kit.sync.w.total')), h('td', { id: 'sync-waiting-total' }, String(w.total))),
          ),
        ),
        w.total > 0 ? h('p', { class: 'hint' }, t('kit.sync.export_hint')) : null,
        h('h2', {}, t('kit.sync.transfers')),
        h('ul', { id: 'sync-events' },
          h('li', { id: 'sync-export' }, eventText(s.last_export, 'export', s.now)),
          h('li', { id: 'sync-push' }, eventText(s.last_push, 'push', s.now)),
          h('li', { id: 'sync-pull' }, eventText(s.last_pull, 'pull', s.now)),
        ),
        h('h2', {}, t('kit.sync.lists')),
        h(
          'table',
          { id: 'sync-lists' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('kit.sync.list')),
            h('th', { scope: 'col' }, t('kit.sync.list_issued')),
            h('th', { scope: 'col' }, t('kit.sync.list_next')),
            h('th', { scope: 'col' }, t('kit.sync.list_state')))),
          h('tbody', {}, listRow('trust', s.lists.trust, s.now), listRow('revocation', s.lists.revocation, s.now)),
        ),
      );
    } catch (err) {
      if (!sessionEnded(err)) replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  shell.setReload(load);
  void load();
  return h(
    'section',
    { id: 'sync' },
    h('h1', {}, t('kit.sync.title')),
    h('p', {}, h('button', { type: 'button', id: 'sync-refresh', onclick: () => void load() }, t('kit.sync.refresh'))),
    body,
  );
}

// ---- the screens ----------------------------------------------------------------

export const jornadasScreen: Screen = {
  id: 'jornadas',
  nav: 'nav.jornadas',
  roles: kitRoles,
  when: onKit,
  render: (shell) => jornadasView(shell),
};

export const birthScreen: Screen = {
  id: 'birth',
  nav: 'nav.birth',
  roles: ['officer'],
  when: onKit,
  render: (shell) => birthView(shell),
};

export const syncScreen: Screen = {
  id: 'sync',
  nav: 'nav.sync',
  roles: kitRoles,
  when: onKit,
  render: (shell) => syncView(shell),
};
