// Admins' screen of the accounts: the list (role, enabled or not, locked
// after failed logins), create a user (the server's password rule said
// beside the field), change a role, reset a password, disable and enable,
// unlock. What ends someone's sessions asks first; every action says what
// it did.
import * as api from './api';
import { h, replace } from '../common/dom';
import { Key, t } from './i18n';
import type { Screen, Shell } from './screens';
import { dataTable } from './table';
import { errorText, fieldError, sessionEnded, when } from './ui';

interface UserAccount {
  name: string;
  role: string;
  active: boolean;
  locked: boolean;
  locked_until: string | null;
  failed_logins: number;
  created_at: string;
  created_by: string;
}

const roles = ['officer', 'supervisor', 'auditor', 'admin', 'verifier', 'analyst'] as const;
const roleName = (r: string) => t(`role.${r}` as Key);
const userPath = (name: string, what: string) => `/api/v1/users/${encodeURIComponent(name)}/${what}`;

// The password rule's reasons (registry/office/src/password_policy.cc) and
// the user-name rule's, in the user's language; anything else as the server
// said it.
const reasons: [RegExp, Key][] = [
  [/^at least 10 characters/, 'users.pw.short'],
  [/^at most 256 characters/, 'users.pw.long'],
  [/^needs at least 5 different characters/, 'users.pw.distinct'],
  [/^must not be only digits/, 'users.pw.digits'],
  [/^must not be a run of the keyboard or alphabet/, 'users.pw.run'],
  [/^must not be the user's name/, 'users.pw.name'],
  [/^is a common word or password/, 'users.pw.common'],
  [/^must be 1 to 64 characters/, 'users.name.length'],
  [/^may hold only a-z 0-9/, 'users.name.chars'],
];

function reasonText(message: string): string {
  for (const [re, key] of reasons) if (re.test(message)) return t(key);
  return message;
}

// A refusal in the user's language: the ones this screen can meet by name.
function refusal(e: unknown): string {
  if (e instanceof api.ApiError && e.status === 409) {
    if (/last active admin/.test(e.message)) return t('users.last_admin');
    if (/is already/.test(e.message)) return t('users.same_role');
    if (/your own account/.test(e.message)) return t('users.not_yourself');
    if (e.code === 'already_exists') return t('users.name.taken');
  }
  if (e instanceof api.ApiError && e.status === 404) return t('users.not_found');
  return errorText(e);
}

// Asks before something that cannot be taken back quietly: a dialog with
// the question and two buttons (focus starts on "Cancel"; Escape cancels;
// Tab stays inside). Resolves true for `yes`.
function confirmAction(question: string, yes: string): Promise<boolean> {
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const no = h('button', { type: 'button', id: 'confirm-no' }, t('users.cancel'));
    const ok = h('button', { type: 'button', id: 'confirm-yes', class: 'danger' }, yes);
    const box = h(
      'div',
      { class: 'confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-title' }, t('users.confirm_title')),
      h('p', { id: 'confirm-text' }, question),
      h('div', { class: 'actions' }, no, ok),
    );
    const overlay = h('div', { class: 'overlay', id: 'confirm' }, box);
    const close = (answer: boolean) => {
      overlay.remove();
      opener?.focus();
      resolve(answer);
    };
    no.addEventListener('click', () => close(false));
    ok.addEventListener('click', () => close(true));
    overlay.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close(false);
      } else if (e.key === 'Tab') {
        e.preventDefault();
        (document.activeElement === no ? ok : no).focus();
      }
    });
    document.body.append(overlay);
    no.focus();
  });
}

function usersView(shell: Shell): HTMLElement {
  const result = h('p', { id: 'users-result', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, ok = true) => {
    result.className = ok ? 'notice' : 'error';
    result.textContent = text;
  };
  const list = h('div', { id: 'users-list' }, h('p', {}, t('users.loading')));
  const panel = h('div', { id: 'users-panel' });
  let accounts: UserAccount[] = [];

  const load = async () => {
    try {
      accounts = (await api.call<{ users: UserAccount[] }>('GET', '/api/v1/users')).users;
      replace(list, table());
    } catch (err) {
      if (!sessionEnded(err)) replace(list, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };

  // Runs an action, says its outcome (a refusal `beside` does not place by
  // its field goes in the result line), and shows the list as it now is.
  // True when it was done.
  const run = async (action: () => Promise<unknown>, done: string, beside?: (e: unknown) => boolean) => {
    try {
      await action();
    } catch (err) {
      if (sessionEnded(err)) return false;
      if (beside?.(err)) {
        result.textContent = '';
      } else {
        say(refusal(err), false);
      }
      return false;
    }
    say(done);
    replace(panel);
    await load();
    return true;
  };

  const accessText = (u: UserAccount) => {
    if (u.locked && u.locked_until) return t('users.locked_until', { when: when(u.locked_until) });
    if (u.failed_logins === 1) return t('users.failure_one');
    if (u.failed_logins > 1) return t('users.failures', { n: String(u.failed_logins) });
    return t('value.none');
  };

  const rowButtons = (u: UserAccount) => {
    const mine = u.name === shell.session.user;
    const button = (cls: string, label: Key, onclick: () => void) =>
      h(
        'button',
        { type: 'button', class: cls, 'data-user': u.name, 'aria-label': t(`${label}_of` as Key, { name: u.name }), onclick },
        t(label),
      );
    return [
      button('users-role', 'users.change_role', () => rolePanel(u)),
      button('users-password', 'users.reset', () => passwordPanel(u)),
      u.active
        ? mine
          ? null
          : button('users-disable', 'users.disable', () => {
              void (async () => {
                if (!(await confirmAction(t('users.disable_q', { name: u.name }), t('users.disable')))) return;
                await run(() => api.call('POST', userPath(u.name, 'disable')), t('users.disabled_done', { name: u.name }));
              })();
            })
        : button('users-enable', 'users.enable', () => {
            void run(() => api.call('POST', userPath(u.name, 'enable')), t('users.enabled_done', { name: u.name }));
          }),
      u.locked || u.failed_logins > 0
        ? button('users-unlock', 'users.unlock', () => {
            void run(() => api.call('POST', userPath(u.name, 'unlock')), t('users.unlocked_done', { name: u.name }));
          })
        : null,
    ];
  };

  const table = () =>
    dataTable(
      'users-table',
      t('users.caption'),
      (['name', 'role', 'state', 'access', 'created', 'actions'] as const).map((c) => t(`users.col.${c}`)),
      accounts.map((u) =>
        h(
          'tr',
          { 'data-user': u.name, class: u.active ? '' : 'users-inactive' },
          h('th', { scope: 'row' }, u.name),
          h('td', { class: 'users-role-name' }, roleName(u.role)),
          h('td', { class: 'users-state' }, u.active ? t('users.active') : t('users.inactive')),
          h('td', { class: 'users-access' }, accessText(u)),
          h('td', {}, t('users.created_by', { when: when(u.created_at), user: u.created_by })),
          h('td', {}, h('div', { class: 'users-actions' }, ...rowButtons(u))),
        ),
      ),
    );

  // The form for one user's change, below the list.
  const openPanel = (title: string, form: HTMLFormElement, focus: HTMLElement) => {
    result.textContent = '';  // what was said concerned the last action
    replace(panel, h('section', { class: 'users-panel', 'aria-labelledby': 'users-panel-title' }, h('h2', { id: 'users-panel-title' }, title), form));
    focus.focus();
  };
  const cancel = () =>
    h('button', { type: 'button', id: 'users-panel-cancel', onclick: () => replace(panel) }, t('users.cancel'));

  const rolePanel = (u: UserAccount) => {
    const select = h(
      'select',
      { id: 'users-panel-role' },
      ...roles.map((r) => h('option', { value: r, selected: r === u.role }, roleName(r))),
    );
    const form = h(
      'form',
      {
        id: 'users-role-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const to = select.value;
          if (to === u.role) {
            say(t('users.same_role'), false);
            return;
          }
          const q = t('users.role_q', { name: u.name, from: roleName(u.role), to: roleName(to) });
          if (!(await confirmAction(q, t('users.change_role')))) return;
          await run(() => api.call('POST', userPath(u.name, 'role'), { role: to }),
            t('users.role_done', { name: u.name, role: roleName(to) }));
        },
      },
      h('label', { for: 'users-panel-role' }, t('users.new_role')),
      select,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'users-panel-submit' }, t('users.change_role')), cancel()),
    );
    openPanel(t('users.role_title', { name: u.name }), form, select);
  };

  const passwordPanel = (u: UserAccount) => {
    const input = h('input', {
      id: 'users-panel-password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      'aria-describedby': 'users-panel-password-error users-panel-password-hint',
    });
    const error = h('span', { class: 'error', id: 'users-panel-password-error', role: 'alert' });
    const form = h(
      'form',
      {
        id: 'users-password-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          error.textContent = '';
          input.removeAttribute('aria-invalid');
          if (!(await confirmAction(t('users.reset_q', { name: u.name }), t('users.reset')))) return;
          await run(
            () => api.call('POST', userPath(u.name, 'password'), { new_password: input.value }),
            t('users.reset_done', { name: u.name }),
            (err) => {
              const f = fieldError(err, '');
              if (f?.field !== 'new_password') return false;
              error.textContent = reasonText(f.message);
              input.setAttribute('aria-invalid', 'true');
              input.focus();
              return true;
            },
          );
        },
      },
      h('label', { for: 'users-panel-password' }, t('users.new_password')),
      input,
      h('span', { class: 'hint', id: 'users-panel-password-hint' }, t('users.pw_rule')),
      error,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'users-panel-submit' }, t('users.reset')), cancel()),
    );
    openPanel(t('users.reset_title', { name: u.name }), form, input);
  };

  // Create: name, role, first password; each refusal beside its field.
  const name = h('input', {
    id: 'users-new-name',
    required: true,
    maxlength: '64',
    autocomplete: 'off',
    'aria-describedby': 'users-new-name-error users-new-name-hint',
  });
  const role = h('select', { id: 'users-new-role' }, ...roles.map((r) => h('option', { value: r, selected: r === 'officer' }, roleName(r))));
  const password = h('input', {
    id: 'users-new-password',
    type: 'password',
    required: true,
    autocomplete: 'new-password',
    'aria-describedby': 'users-new-password-error users-new-password-hint',
  });
  const nameError = h('span', { class: 'error', id: 'users-new-name-error', role: 'alert' });
  const passwordError = h('span', { class: 'error', id: 'users-new-password-error', role: 'alert' });
  const create = h(
    'form',
    {
      id: 'users-create',
      class: 'users-create',
      'aria-labelledby': 'users-create-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        nameError.textContent = '';
        passwordError.textContent = '';
        name.removeAttribute('aria-invalid');
        password.removeAttribute('aria-invalid');
        const who = name.value.trim();
        const made = await run(
          () => api.call('POST', '/api/v1/users', { name: who, role: role.value, password: password.value }),
          t('users.created_done', { name: who, role: roleName(role.value) }),
          (err) => {
            const f = fieldError(err, '');
            const taken = err instanceof api.ApiError && err.code === 'already_exists';
            if (taken || f?.field === 'name') {
              nameError.textContent = taken ? t('users.name.taken') : reasonText(f!.message);
              name.setAttribute('aria-invalid', 'true');
              name.focus();
              return true;
            }
            if (f?.field === 'password') {
              passwordError.textContent = reasonText(f.message);
              password.setAttribute('aria-invalid', 'true');
              password.focus();
              return true;
            }
            return false;
          },
        );
        if (made) {
          name.value = '';
          password.value = '';
        }
      },
    },
    h('h2', { id: 'users-create-title' }, t('users.create')),
    h(
      'div',
      { class: 'users-fields' },
      h(
        'div',
        {},
        h('label', { for: 'users-new-name' }, t('users.name')),
        name,
        h('span', { class: 'hint', id: 'users-new-name-hint' }, t('users.name_rule')),
        nameError,
      ),
      h('div', {}, h('label', { for: 'users-new-role' }, t('users.role')), role),
      h(
        'div',
        {},
        h('label', { for: 'users-new-password' }, t('users.first_password')),
        password,
        h('span', { class: 'hint', id: 'users-new-password-hint' }, t('users.pw_rule')),
        passwordError,
      ),
    ),
    h('button', { type: 'submit', id: 'users-create-submit' }, t('users.create_submit')),
  );

  shell.setReload(load);
  void load();
  return h(
    'section',
    { id: 'users' },
    h('h1', {}, t('users.title')),
    result,
    list,
    panel,
    create,
  );
}

export const usersScreen: Screen = {
  id: 'users',
  nav: 'nav.users',
  roles: ['admin'],
  render(shell) {
    return usersView(shell);
  },
};
