// The officers' app: sign in, then the screens the caller's role allows.
// Screens render from the API's answers; nothing personal is kept after
// sign-out (the DOM is cleared, the token forgotten, storage holds only the
// language).
import * as api from './api';
import { h, replace } from './dom';
import { Key, Lang, lang, setLang, t } from './i18n';

type Screen = 'home' | 'review';

const root = document.getElementById('app') as HTMLElement;
let session: api.Session | null = null;
let screen: Screen = 'home';

function roleName(role: string): string {
  return t(`role.${role}` as Key);
}

// A message in the user's language: the server's own text (English) only
// where no translation of its code exists yet.
function errorText(e: unknown, signingIn = false): string {
  if (e instanceof api.ApiError) {
    if (e.status === 0) return t('error.network');
    if (signingIn && e.status === 401) return t('signin.wrong');
    if (signingIn && e.status === 403) return t('signin.disabled');
    if (e.status === 429) return t('error.throttled');
    if (e.status === 403) return t('error.forbidden');
    return t('error.generic', { message: e.message || e.code });
  }
  return t('error.generic', { message: String(e) });
}

// The current screen's data loader, run again after signing in anew.
let reload: () => void = () => {};

function languagePicker(): HTMLElement {
  const select = h(
    'select',
    { id: 'lang', onchange: (e: Event) => {
      setLang((e.target as HTMLSelectElement).value as Lang);
      render();
    } },
    h('option', { value: 'es', selected: lang() === 'es' }, 'Español'),
    h('option', { value: 'en', selected: lang() === 'en' }, 'English'),
  );
  return h('span', { class: 'lang' }, h('label', { for: 'lang' }, t('lang.label')), select);
}

// The sign-in form; `then` runs after a successful sign-in.
function signInForm(then: (s: api.Session) => void, notice?: string): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' });
  const user = h('input', { id: 'signin-user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'signin-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', id: 'signin-submit' }, t('signin.submit'));
  const form = h(
    'form',
    {
      class: 'signin',
      'aria-labelledby': 'signin-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        submit.textContent = t('signin.working');
        error.textContent = '';
        try {
          const s = await api.signIn(user.value, password.value);
          password.value = '';
          then(s);
        } catch (err) {
          error.textContent = errorText(err, true);
          password.value = '';
          password.focus();
        } finally {
          submit.disabled = false;
          submit.textContent = t('signin.submit');
        }
      },
    },
    h('h1', { id: 'signin-title' }, t('signin.title')),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    h('label', { for: 'signin-user' }, t('signin.user')),
    user,
    h('label', { for: 'signin-password' }, t('signin.password')),
    password,
    error,
    submit,
  );
  return form;
}

function header(): HTMLElement {
  return h(
    'header',
    {},
    h('span', { class: 'brand' }, t('app.title')),
    languagePicker(),
    session
      ? h(
          'span',
          { class: 'who' },
          h('span', { id: 'who' }, t('shell.signedin', { user: session.user, role: roleName(session.role) })),
          h('button', { type: 'button', id: 'signout', onclick: signOut }, t('signout')),
        )
      : null,
  );
}

function nav(): HTMLElement {
  const item = (s: Screen, key: Key) =>
    h(
      'button',
      {
        type: 'button',
        id: `nav-${s}`,
        'aria-current': screen === s ? 'page' : false,
        onclick: () => {
          screen = s;
          render();
        },
      },
      t(key),
    );
  return h(
    'nav',
    { 'aria-label': 'menu' },
    item('home', 'nav.home'),
    session?.role === 'supervisor' ? item('review', 'nav.review') : null,
  );
}

function home(): HTMLElement {
  return h(
    'section',
    { id: 'home' },
    h('h1', {}, t('home.welcome', { user: session!.user })),
    h('p', {}, t('home.role', { role: roleName(session!.role) })),
  );
}

function review(): HTMLElement {
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
          h('td', {}, e.applicant.registration_number ?? ''),
          h('td', {}, String(e.created_at)),
          h('td', {}, String(e.candidates.length)),
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
              h('th', { scope: 'col' }, t('review.enrolled')),
              h('th', { scope: 'col' }, t('review.candidates')),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      );
    } catch (err) {
      if (err instanceof api.ApiError && err.code === api.kSessionEnded) return;  // the dialog says it
      replace(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  flagged.addEventListener('change', load);
  reload = load;
  void load();
  return h(
    'section',
    { id: 'review' },
    h('h1', {}, t('review.title')),
    h('p', {}, flagged, ' ', h('label', { for: 'review-flagged' }, t('review.flagged'))),
    body,
  );
}

function render(): void {
  document.title = t('app.title');
  reload = () => {};
  if (!session) {
    replace(root, header(), h('main', {}, signInForm(signedIn)));
    (document.getElementById('signin-user') as HTMLInputElement | null)?.focus();
    return;
  }
  replace(root, header(), nav(), h('main', {}, screen === 'review' ? review() : home()));
}

function signedIn(s: api.Session): void {
  session = s;
  screen = 'home';
  render();
}

async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } catch {
    // The token is forgotten either way; the server expires it.
  }
  session = null;
  root.replaceChildren();
  render();
}

// A session that ends while working (expired, revoked): sign in again in a
// dialog over the screen, which stays as it was.
api.whenSessionEnds(() => {
  if (document.getElementById('session-ended')) return;
  const dialog = h('div', { class: 'overlay', id: 'session-ended', role: 'dialog', 'aria-modal': 'true' });
  dialog.append(
    signInForm((s) => {
      session = s;
      dialog.remove();
      reload();
    }, t('signin.ended')),
  );
  document.body.append(dialog);
  (document.getElementById('signin-user') as HTMLInputElement | null)?.focus();
});

setLang(lang());
render();
