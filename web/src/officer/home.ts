// The first screen after sign-in: who is signed in, in which role.
import { h } from '../common/dom';
import { t } from './i18n';
import type { Screen } from './screens';

export const homeScreen: Screen = {
  id: 'home',
  nav: 'nav.home',
  roles: ['officer', 'supervisor', 'auditor', 'admin', 'verifier', 'analyst'],
  render(shell) {
    return h(
      'section',
      { id: 'home' },
      h('h1', {}, t('home.welcome', { user: shell.session.user })),
      h('p', {}, t('home.role', { role: t(`role.${shell.session.role}` as 'role.officer') })),
    );
  },
};
