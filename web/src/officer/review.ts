// Supervisors' review of possible duplicates: the held enrollments, oldest
// first; then one enrollment side by side with each candidate (tabs in score
// order): both photos at the same size, the recorded data aligned with the
// differences marked, the scores and reasons, and the decision with a note.
// Keyboard: S same person, D different, ←/→ between candidates.
import * as api from './api';
import { applicantRows, fullName, reasonText } from './applicant';
import { h, replace } from '../common/dom';
import { Key, t } from './i18n';
import type { Screen, Shell } from './screens';
import { authImage, errorText, sessionEnded, when } from './ui';

const score = (s: number | null | undefined) => (s === null || s === undefined ? '—' : s.toFixed(2));

function list(shell: Shell): HTMLElement {
  const body = h('div', { id: 'review-list', 'aria-live': 'polite' });
  const flagged = h('input', { type: 'checkbox', id: 'review-flagged' });
  const load = async () => {
    try {
      const list = await api.heldEnrollments(flagged.checked);
      list.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
      if (list.length === 0) {
        replace(body, h('p', {}, t('review.empty')));
        return;
      }
      const rows = list.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, e.applicant.registration_number),
          h('td', {}, fullName(e.applicant)),
          h('td', {}, when(e.created_at)),
          h('td', {}, String(e.candidates.filter((c) => c.decision === null).length)),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'review-open',
                'data-number': e.applicant.registration_number,
                onclick: () => shell.go('review', e.applicant.registration_number),
              },
              t('review.open'),
            ),
          ),
        ),
      );
      replace(
        body,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('review.number')),
              h('th', { scope: 'col' }, t('field.given_names')),
              h('th', { scope: 'col' }, t('review.enrolled')),
              h('th', { scope: 'col' }, t('review.candidates')),
              h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('review.open'))),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      );
    } catch (err) {
      if (sessionEnded(err)) return;  // the dialog says it
      replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  flagged.addEventListener('change', load);
  shell.setReload(load);
  void load();
  return h(
    'section',
    { id: 'review' },
    h('h1', {}, t('review.title')),
    h('p', {}, flagged, ' ', h('label', { for: 'review-flagged' }, t('review.flagged'))),
    body,
  );
}

// The candidate's panel: photos, aligned data, scores, the decision.
function comparison(
  held: api.Enrollment,
  c: api.Candidate,
  other: api.Enrollment,
  decided: (e: api.Enrollment) => void,
): HTMLElement {
  const mine = applicantRows(held.applicant);
  const theirs = applicantRows(other.applicant);
  const rows = mine.map((r, i) => {
    const differs = r.value !== theirs[i].value;
    return h(
      'tr',
      { class: differs ? 'differs' : '' },
      h('th', { scope: 'row' }, r.label),
      h('td', {}, r.value),
      h('td', {}, theirs[i].value, differs ? h('span', { class: 'badge' }, t('review.differs')) : null),
    );
  });
  const note = h('textarea', { id: 'review-note', rows: '2', maxlength: '1000' });
  const error = h('p', { class: 'error', role: 'alert', id: 'review-error' });
  const send = async (d: 'same_person' | 'different') => {
    error.textContent = '';
    if (note.value.trim() === '') {
      error.textContent = t('review.note_required');
      note.focus();
      return;
    }
    for (const b of buttons) b.disabled = true;
    try {
      decided(await api.decide(c.id, d, note.value.trim()));
    } catch (err) {
      if (!sessionEnded(err)) error.textContent = errorText(err);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  const buttons = [
    h('button', { type: 'button', id: 'decide-same', onclick: () => send('same_person') },
      t('review.same'), ' ', h('kbd', {}, 'S')),
    h('button', { type: 'button', id: 'decide-different', onclick: () => send('different') },
      t('review.different'), ' ', h('kbd', {}, 'D')),
  ];
  const decision =
    c.decision === null
      ? h(
          'div',
          { class: 'decision' },
          h('label', { for: 'review-note' }, t('review.note')),
          note,
          error,
          h('div', { class: 'actions' }, ...buttons),
          h('p', { class: 'hint' }, t('review.shortcuts')),
        )
      : h(
          'p',
          { class: 'notice', role: 'status', id: 'review-decided' },
          t('review.decided', {
            decision: t(`review.decision.${c.decision}` as Key),
            user: c.decided_by ?? '',
          }),
        );
  const panel = h(
    'div',
    { class: 'comparison', role: 'tabpanel', id: 'review-panel' },
    h(
      'div',
      { class: 'photos' },
      h(
        'figure',
        {},
        authImage(api.photoPath(held.applicant.registration_number), t('review.photo_new'), {
          class: 'face',
          id: 'photo-new',
        }),
        h('figcaption', {}, t('review.new')),
      ),
      h(
        'figure',
        {},
        authImage(api.photoPath(c.registration_number), t('review.photo_candidate', { number: c.registration_number }), {
          class: 'face',
          id: 'photo-candidate',
        }),
        h('figcaption', {}, t('review.candidate', { number: c.registration_number })),
      ),
    ),
    h(
      'ul',
      { class: 'scores', id: 'review-scores' },
      h('li', {}, c.face_score === null ? t('review.no_face_score') : t('review.face_score', { score: score(c.face_score) })),
      h('li', {}, t('review.demographic_score', { score: score(c.demographic_score) })),
      h('li', {}, t('review.fused_score', { score: score(c.fused_score) }), ' (',
        t(`review.tier.${c.tier}` as Key), ')'),
    ),
    c.reasons.length
      ? h('p', { id: 'review-reasons' }, `${t('review.reasons')}: `, c.reasons.map(reasonText).join(' · '))
      : null,
    h(
      'table',
      { class: 'side-by-side' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('review.field')),
          h('th', { scope: 'col' }, t('review.new')),
          h('th', { scope: 'col' }, t('review.candidate', { number: c.registration_number })),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    decision,
  );
  return panel;
}

function detail(shell: Shell, number: string): HTMLElement {
  const body = h('div', { id: 'review-detail', 'aria-live': 'polite' }, h('p', {}, t('review.loading')));
  let selected = 0;
  const records = new Map<string, api.Enrollment>();
  let keyHandler: ((e: KeyboardEvent) => void) | null = null;
  const section = h(
    'section',
    { id: 'review' },
    h('p', {}, h('button', { type: 'button', id: 'review-back', onclick: () => shell.go('review') }, t('review.back'))),
    h('h1', {}, t('review.heading', { number })),
    body,
  );
  const show = async (held: api.Enrollment) => {
    // Candidates in the server's score order (fused score, best first).
    const candidates = [...held.candidates].sort((a, b) => (b.fused_score ?? -1) - (a.fused_score ?? -1));
    if (candidates.length === 0) {
      replace(body, h('p', { role: 'status' }, t('review.result', { status: t(`enrollment.${held.status}` as Key) })));
      return;
    }
    // Each candidate's record, fetched once for this screen.
    for (const c of candidates) {
      if (!records.has(c.registration_number)) {
        records.set(c.registration_number, await api.enrollmentOf(c.registration_number));
      }
    }
    const others = candidates.map((c) => records.get(c.registration_number)!);
    const tabs = candidates.map((c, i) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `review-tab-${i}`,
          'aria-selected': i === selected ? 'true' : 'false',
          'aria-controls': 'review-panel',
          tabindex: i === selected ? '0' : '-1',
          onclick: () => select(i),
        },
        t('review.tab', { number: c.registration_number, score: score(c.fused_score) }),
        c.decision === null ? ` (${t('review.waiting')})` : ' ✓',
      ),
    );
    const select = (i: number) => {
      selected = (i + candidates.length) % candidates.length;
      void show(held);
    };
    const decided = (e: api.Enrollment) => {
      // The next undecided candidate, else the outcome.
      const next = e.candidates.findIndex((c) => c.decision === null);
      if (next >= 0) selected = next;
      void show(e);
    };
    replace(
      body,
      h('p', { id: 'review-status', role: 'status' }, t('review.result', { status: t(`enrollment.${held.status}` as Key) })),
      h('div', { role: 'tablist', 'aria-label': t('review.tabs'), class: 'tabs' }, ...tabs),
      comparison(held, candidates[selected], others[selected], decided),
    );
    if (keyHandler) document.removeEventListener('keydown', keyHandler);
    keyHandler = (e: KeyboardEvent) => {
      if (!document.body.contains(section)) {
        document.removeEventListener('keydown', keyHandler!);
        return;
      }
      const target = e.target as HTMLElement;
      if (target.closest('textarea, input, select, [role=dialog]') || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        select(selected + (e.key === 'ArrowRight' ? 1 : -1));
        document.getElementById(`review-tab-${selected}`)?.focus();
        e.preventDefault();
      } else if (e.key === 's' || e.key === 'S') {
        (document.getElementById('decide-same') as HTMLButtonElement | null)?.click();
        e.preventDefault();
      } else if (e.key === 'd' || e.key === 'D') {
        (document.getElementById('decide-different') as HTMLButtonElement | null)?.click();
        e.preventDefault();
      }
    };
    document.addEventListener('keydown', keyHandler);
  };
  const load = async () => {
    try {
      await show(await api.enrollmentOf(number));
    } catch (err) {
      if (sessionEnded(err)) return;
      replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  shell.setReload(load);
  void load();
  return section;
}

export const reviewScreen: Screen = {
  id: 'review',
  nav: 'nav.review',
  roles: ['supervisor'],
  render(shell, arg) {
    return arg ? detail(shell, arg) : list(shell);
  },
};
