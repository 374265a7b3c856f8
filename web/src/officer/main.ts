// The officers' app: sign in, then the screens the caller's role allows.
// Screens render from the API's answers; nothing personal is kept after
// sign-out (the DOM is cleared, images' object URLs revoked, the token
// forgotten; storage holds only the language).
import * as api from './api';
import { auditScreen } from './audit';
import { stopCameras } from './camera';
import { h, replace } from '../common/dom';
import { enrollScreen } from './enroll';
import { homeScreen } from './home';
import { birthScreen, jornadasScreen, syncScreen } from './kit';
import { Key, Lang, lang, setLang, t } from './i18n';
import { personScreen } from './person';
import { reviewScreen } from './review';
import type { Screen, Shell } from './screens';
import { errorText, forgetImages } from './ui';
import { overdueScreen } from './overdue';
import { statsScreen } from './stats';
import { usersScreen } from './users';

// The menu, in this order; each screen only for its roles.
const screens: Screen[] = [
  homeScreen, enrollScreen, reviewScreen, personScreen, jornadasScreen, birthScreen, syncScreen, auditScreen, usersScreen, statsScreen, overdueScreen,
];

const root = document.getElementById('app') as HTMLElement;
let session: api.Session | null = null;
let current: { id: string; arg?: string } = { id: 'home' };

function roleName(role: string): string {
  return t(`role.${role}` as Key);
}

// The current screen's data loader, run again after signing in anew.
let reload: () => void = () => {};

function languagePicker(): HTMLElement {
  const select = h(
    'select',
    {
      id: 'lang',
      onchange: (e: Event) => {
        setLang((e.target as HTMLSelectElement).value as Lang);
        render();
      },
    },
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

function allowed(s: Screen): boolean {
  return session !== null && s.roles.includes(session.role) && (s.when?.(session) ?? true);
}

function go(id: string, arg?: string): void {
  current = { id, arg };
  render();
}

function nav(): HTMLElement {
  return h(
    'nav',
    { 'aria-label': t('nav.label') },
    ...screens
      .filter((s) => s.nav !== null && allowed(s))
      .map((s) =>
        h(
          'button',
          {
            type: 'button',
            id: `nav-${s.id}`,
            'aria-current': current.id === s.id ? 'page' : false,
            onclick: () => go(s.id),
          },
          t(s.nav as Key),
        ),
      ),
  );
}

function render(): void {
  document.title = t('app.title');
  reload = () => {};
  stopCameras();
  if (!session) {
    replace(root, header(), h('main', {}, signInForm(signedIn)));
    (document.getElementById('signin-user') as HTMLInputElement | null)?.focus();
    return;
  }
  const screen = screens.find((s) => s.id === current.id && allowed(s)) ?? homeScreen;
  const shell: Shell = {
    session,
    go,
    setReload: (load) => {
      reload = load;
    },
  };
  replace(root, header(), nav(), h('main', {}, screen.render(shell, current.arg)));
}

function signedIn(s: api.Session): void {
  session = s;
  current = { id: 'home' };
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
  document.getElementById('session-ended')?.remove();
  forgetImages();
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
