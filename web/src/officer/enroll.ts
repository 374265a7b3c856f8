// Enrollment at the counter: the applicant's data, the case (a new one, or
// an existing one the applicant joins with their relationship), the face
// photo from the live camera or a file; the result (cleared, or held with
// the candidates). After a principal, their dependants join the same case.
// Server validation errors are shown beside their field; nothing typed is
// lost on an error or an ended session.
import * as api from './api';
import { fullName } from './applicant';
import { FaceCamera, Photo } from './camera';
import { h, replace, select } from '../common/dom';
import { Key, t } from './i18n';
import type { Screen, Shell } from './screens';
import { errorText, fieldErrors, sessionEnded } from './ui';

// Nationalities offered first (ISO 3166-1 alpha-3; any other code may be typed).
const kNationalities = ['VEN', 'COL', 'CUB', 'HTI', 'NIC', 'ECU', 'PER', 'CHN', 'IND', 'AFG', 'CMR', 'XXA', 'XXX'];
const kRelationships = ['spouse', 'child', 'parent', 'sibling', 'grandchild', 'grandparent', 'other_relative', 'unrelated'];
const kDocumentTypes = ['passport', 'national_id', 'birth_certificate', 'travel_document', 'other'];

let idCounter = 0;

// A labelled control with the place for its error (aria-describedby).
function field(name: string, label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string): HTMLElement {
  control.id = `f-${name}`;
  const err = h('span', { class: 'field-error', id: `err-${name}`, role: 'alert' });
  const described = [`err-${name}`];
  const hintEl = hint ? h('span', { class: 'hint', id: `hint-${name}` }, hint) : null;
  if (hintEl) described.push(`hint-${name}`);
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: 'field', 'data-field': name }, h('label', { for: control.id }, label), control, hintEl, err);
}


interface DocumentRow {
  element: HTMLElement;
  value(): { type: string; country: string; number: string; expiry: string } | null;
}

function documentRow(onRemove: (r: DocumentRow) => void): DocumentRow {
  const n = ++idCounter;
  const type = select(kDocumentTypes.map((d) => [d, t(`doc.${d}` as Key)]));
  const country = h('input', { maxlength: '3', size: '4', autocapitalize: 'characters', list: 'nationalities' });
  const number = h('input', { maxlength: '40' });
  const expiry = h('input', { type: 'date' });
  const ids = ['type', 'country', 'number', 'expiry'].map((k) => `doc${n}-${k}`);
  [type.id, country.id, number.id, expiry.id] = ids;
  const row: DocumentRow = {
    element: h(
      'div',
      { class: 'document' },
      h('label', { for: ids[0] }, t('enroll.doc_type')), type,
      h('label', { for: ids[1] }, t('enroll.doc_country')), country,
      h('label', { for: ids[2] }, t('enroll.doc_number')), number,
      h('label', { for: ids[3] }, t('enroll.doc_expiry')), expiry,
      h('button', { type: 'button', class: 'link', onclick: () => onRemove(row) }, t('enroll.doc_remove')),
    ),
    value: () =>
      number.value.trim() === ''
        ? null
        : { type: type.value, country: country.value.trim().toUpperCase(), number: number.value.trim(), expiry: expiry.value },
  };
  return row;
}

function form(shell: Shell, joinCase?: { case_number: string; principal: string }): HTMLElement {
  const given = h('input', { autocomplete: 'off', maxlength: '200', required: true });
  const surname1 = h('input', { autocomplete: 'off', maxlength: '200' });
  const surname2 = h('input', { autocomplete: 'off', maxlength: '200' });
  const sex = select([['', t('enroll.choose')], ['F', t('sex.F')], ['M', t('sex.M')], ['X', t('sex.X')]]);
  const dob = h('input', { autocomplete: 'off', inputmode: 'numeric', placeholder: t('enroll.dob_placeholder') });
  const precision = select([['exact', t('precision.exact')], ['year', t('precision.year')], ['estimated', t('precision.estimated')]]);
  const nationality = h('input', { list: 'nationalities', maxlength: '3', size: '5', autocapitalize: 'characters' });
  const placeOfBirth = h('input', { maxlength: '200' });
  const languages = h('input', { maxlength: '100', placeholder: 'spa, hat' });
  const phone = h('input', { type: 'tel', maxlength: '30', autocomplete: 'off' });
  const address = h('textarea', { rows: '2', maxlength: '500' });
  const caseNumber = h('input', { maxlength: '40', value: joinCase?.case_number ?? '' });
  const office = h('input', { maxlength: '3', size: '4', inputmode: 'numeric', value: shell.session.office ?? '' });
  const relationship = select(
    joinCase
      ? kRelationships.map((r) => [r, t(`rel.${r}` as Key)])
      : [['principal', t('rel.principal')], ...kRelationships.map((r): [string, string] => [r, t(`rel.${r}` as Key)])],
    joinCase ? 'child' : 'principal',
  );
  const datalist = h('datalist', { id: 'nationalities' },
    ...kNationalities.map((c) => h('option', { value: c }, t(`country.${c}` as Key))));

  const docs: DocumentRow[] = [];
  const docsBox = h('div', { id: 'documents' });
  const addDoc = () => {
    const r = documentRow((gone) => {
      docs.splice(docs.indexOf(gone), 1);
      gone.element.remove();
    });
    docs.push(r);
    docsBox.append(r.element);
  };

  const submit = h('button', { type: 'submit', id: 'enroll-submit', disabled: true }, t('enroll.submit'));
  let photo: Photo | null = null;
  const camera = new FaceCamera((p) => {
    photo = p;
    submit.disabled = p === null;
  });
  const formError = h('p', { class: 'error', role: 'alert', id: 'enroll-error' });
  const result = h('div', { id: 'enroll-result', 'aria-live': 'polite' });

  // The same request retried (a lost answer) reuses its Idempotency-Key, so
  // the server enrolls once.
  let retry: { body: string; key: string } | null = null;

  const body = () => {
    const a: Record<string, unknown> = {
      given_names: given.value.trim(),
      surname1: surname1.value.trim(),
      surname2: surname2.value.trim(),
      sex: sex.value,
      date_of_birth: dob.value.trim(),
      dob_precision: precision.value,
      nationality: nationality.value.trim().toUpperCase(),
      place_of_birth: placeOfBirth.value.trim(),
      phone: phone.value.trim(),
      address: address.value.trim(),
      relationship: relationship.value,
      languages: languages.value.split(/[\s,;]+/).filter((s) => s),
      documents: docs.map((d) => d.value()).filter((d) => d !== null),
    };
    if (caseNumber.value.trim()) a.case_number = caseNumber.value.trim();
    if (office.value.trim()) a.office_code = office.value.trim();
    return { applicant: a, photo_base64: photo?.base64 ?? '' };
  };

  const clearErrors = (root: HTMLElement) => {
    formError.textContent = '';
    for (const e of root.querySelectorAll('.field-error')) e.textContent = '';
    for (const e of root.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  };

  const el: HTMLFormElement = h(
    'form',
    {
      class: 'enroll',
      id: 'enroll-form',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        clearErrors(el);
        if (!photo) return;
        const request = body();
        const text = JSON.stringify(request);
        if (!retry || retry.body !== text) retry = { body: text, key: crypto.randomUUID() };
        submit.disabled = true;
        submit.textContent = t('enroll.working');
        try {
          const enrolled = await api.call<api.Enrollment>('POST', '/api/v1/enrollments', request, {
            'Idempotency-Key': retry.key,
          });
          retry = null;
          camera.stop();
          el.hidden = true;
          replace(result, outcome(shell, enrolled, joinCase));
          (document.getElementById('enroll-outcome') as HTMLElement | null)?.focus();
        } catch (err) {
          if (sessionEnded(err)) return;  // the dialog; everything stays
          if (!(err instanceof api.ApiError && err.status === 0)) retry = null;
          // Each field the server names gets its message beside it; the
          // photo's goes to the camera; anything else above the button.
          const errors = fieldErrors(err, 'applicant.');
          let first: HTMLElement | null = null;
          const rest: string[] = [];
          for (const f of errors) {
            const name = f.field === 'office' ? 'office_code' : f.field;
            const target = el.querySelector<HTMLElement>(`#err-${name}`);
            if (target) {
              target.textContent = target.textContent ? `${target.textContent} ${f.message}` : f.message;
              const control = el.querySelector<HTMLElement>(`#f-${name}`);
              control?.setAttribute('aria-invalid', 'true');
              first ??= control;
            } else if (name === 'photo') {
              const s = document.getElementById('camera-status');
              if (s) s.textContent = f.message;
            } else {
              rest.push(`${f.field}: ${f.message}`);
            }
          }
          if (errors.length === 0) formError.textContent = errorText(err);
          else if (rest.length) formError.textContent = rest.join(' · ');
          first?.focus();
        } finally {
          submit.disabled = photo === null;
          submit.textContent = t('enroll.submit');
        }
      },
    },
    datalist,
    joinCase
      ? h('p', { class: 'notice', id: 'enroll-joining' }, t('enroll.joining', { case_number: joinCase.case_number, principal: joinCase.principal }))
      : null,
    h(
      'fieldset',
      {},
      h('legend', {}, t('enroll.person')),
      h(
        'div',
        { class: 'grid' },
        field('given_names', t('field.given_names'), given),
        field('surname1', t('field.surname1'), surname1, t('enroll.surname_hint')),
        field('surname2', t('field.surname2'), surname2),
        field('sex', t('field.sex'), sex),
        field('date_of_birth', t('field.date_of_birth'), dob),
        field('dob_precision', t('field.dob_precision'), precision),
        field('nationality', t('field.nationality'), nationality, t('enroll.nationality_hint')),
        field('place_of_birth', t('field.place_of_birth'), placeOfBirth),
        field('languages', t('field.languages'), languages, t('enroll.languages_hint')),
        field('phone', t('field.phone'), phone),
        field('address', t('field.address'), address),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('enroll.case')),
      h(
        'div',
        { class: 'grid' },
        field('case_number', t('field.case_number'), caseNumber, t('enroll.case_hint')),
        field('relationship', t('field.relationship'), relationship),
        field('office_code', t('field.office'), office, t('enroll.office_hint')),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('field.documents')),
      docsBox,
      h('span', { class: 'field-error', id: 'err-documents', role: 'alert' }),
      h('button', { type: 'button', id: 'enroll-add-document', onclick: addDoc }, t('enroll.doc_add')),
    ),
    camera.element,
    formError,
    h('div', { class: 'actions' }, submit),
  );
  shell.setReload(() => {});
  return h('div', {}, el, result);
}

function outcome(shell: Shell, e: api.Enrollment, joined?: { case_number: string; principal: string }): HTMLElement {
  const a = e.applicant;
  const principal = joined?.principal ?? fullName(a);
  const candidates = [...e.candidates].sort((x, y) => (y.fused_score ?? -1) - (x.fused_score ?? -1));
  return h(
    'div',
    { class: `outcome ${e.status}`, id: 'enroll-outcome', tabindex: '-1' },
    h('h2', { id: 'enroll-status' }, t(`enrollment.${e.status}` as Key)),
    h(
      'dl',
      {},
      h('dt', {}, t('field.registration_number')), h('dd', { id: 'enroll-number' }, a.registration_number),
      h('dt', {}, t('field.case_number')), h('dd', { id: 'enroll-case' }, a.case_number),
      h('dt', {}, t('enroll.name')), h('dd', {}, fullName(a)),
      h('dt', {}, t('field.relationship')), h('dd', {}, t(`rel.${a.relationship}` as Key)),
    ),
    candidates.length
      ? h(
          'div',
          { id: 'enroll-candidates' },
          h('p', {}, e.status === 'held' ? t('enroll.held_explain') : t('enroll.flagged_explain')),
          h(
            'ul',
            {},
            ...candidates.map((c) =>
              h('li', {}, t('enroll.candidate', {
                number: c.registration_number,
                score: c.fused_score === null ? '—' : c.fused_score.toFixed(2),
              })),
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      h('button', {
        type: 'button',
        id: 'enroll-dependant',
        onclick: () => shell.go('enroll', JSON.stringify({ case_number: a.case_number, principal })),
      }, t('enroll.add_dependant')),
      h('button', { type: 'button', id: 'enroll-open-person', onclick: () => shell.go('person', a.registration_number) },
        t('enroll.open_person')),
      h('button', { type: 'button', id: 'enroll-new', onclick: () => shell.go('enroll', '') }, t('enroll.new')),
    ),
  );
}

export const enrollScreen: Screen = {
  id: 'enroll',
  nav: 'nav.enroll',
  roles: ['officer'],
  render(shell, arg) {
    let joinCase: { case_number: string; principal: string } | undefined;
    if (arg) {
      try {
        joinCase = JSON.parse(arg);
      } catch {
        joinCase = undefined;
      }
    }
    return h(
      'section',
      { id: 'enroll' },
      h('h1', {}, joinCase ? t('enroll.title_dependant') : t('enroll.title')),
      form(shell, joinCase),
    );
  },
};
