// What every screen of the officers' app is: a menu entry for the roles that
// may use it (the API refuses the others too) and a render function. main.ts
// holds the list; a screen module exports one `Screen`.
import type { Session } from './api';
import type { Key } from './i18n';

export interface Shell {
  readonly session: Session;
  // Opens another screen (e.g. a person's record from an enrollment result).
  go(screen: string, arg?: string): void;
  // The screen's data loader, run again after signing in anew when the
  // session ended mid-work (the screen itself is kept).
  setReload(load: () => void): void;
}

export interface Screen {
  id: string;  // the menu button is #nav-ID, the screen's section #ID
  nav: Key | null;  // the menu label; null: reached only through Shell.go
  roles: readonly string[];
  // Shown only when this says so for the session (e.g. the field-kit
  // screens, only on a kit); absent: always.
  when?(session: Session): boolean;
  render(shell: Shell, arg?: string): HTMLElement;
}
