// The institution's key on the phone (a hospital's, a ministry's): installed
// once from the file `puente keys export-web` makes (its passphrase), kept in
// IndexedDB only as ciphertext under a PIN (PBKDF2 600,000 + AES-GCM) and a
// device key (non-extractable, this browser's own), and
// unlocked with the PIN into a non-extractable X25519 key that lives in
// memory only until the app is closed or locked. With it the sealed section
// of cards addressed to this institution opens (case number; the face
// template is never shown).
import { h, replace } from '../../common/dom';
import { createDeviceKey, importInstitutionKeyFile, type InstitutionKey, InstitutionKeyError, MIN_PIN_LENGTH,
  type PinProtectedKey, protectWithPin, unlockWithPin } from '../core/index.js';
import { hex } from '../core/bytes.js';
import { t } from './i18n.js';
import { load, remove, save } from './store.js';

let unlocked: InstitutionKey | undefined;

// This browser's own non-extractable AES key (IndexedDB), under which the PIN
// record is encrypted once more: a copy of the record alone cannot be guessed at.
async function deviceKey(): Promise<CryptoKey> {
  const have = await load<CryptoKey>('deviceKey');
  if (have) return have;
  const key = await createDeviceKey();
  await save('deviceKey', key);
  return key;
}

/** The unlocked key, if any: what the verifier opens sealed sections with. */
export function institutionKey(): InstitutionKey | undefined {
  return unlocked;
}

function message(e: unknown): string {
  if (e instanceof InstitutionKeyError) return t('inst.error', { detail: e.message });
  return t('error.unexpected', { detail: e instanceof Error ? e.message : String(e) });
}

function field(id: string, label: string, input: HTMLInputElement): HTMLElement {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** The settings' section for the institution key; `changed` re-renders the settings. */
export async function institutionSection(changed: () => void): Promise<HTMLElement> {
  const stored = await load<PinProtectedKey>('institution');
  const status = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const section = h('section', { class: 'institution', 'aria-labelledby': 'inst-title' },
    h('h3', { id: 'inst-title' }, t('inst.title')));

  if (!stored) {
    const file = h('input', { type: 'file', accept: '.json,application/json' });
    const passphrase = h('input', { type: 'password', autocomplete: 'off' });
    const pin = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'new-password', minlength: String(MIN_PIN_LENGTH) });
    const pin2 = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'new-password' });
    const install = h('button', { type: 'submit', class: 'primary' }, t('inst.install'));
    const form = h('form', { class: 'inst-install', novalidate: true, onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = file.files?.[0];
      if (!f) { status.textContent = t('inst.needFile'); return; }
      if (pin.value !== pin2.value) { status.textContent = t('inst.pinMismatch'); return; }
      install.disabled = true;
      status.textContent = t('inst.working');
      try {
        const text = await f.text();
        const key = await importInstitutionKeyFile(text, passphrase.value); // checks the file and its passphrase
        const protectedKey = await protectWithPin({ file: text, passphrase: passphrase.value }, pin.value, { deviceKey: await deviceKey() });
        await save('institution', protectedKey);
        unlocked = key;
        changed();
      } catch (err) {
        status.textContent = message(err);
        install.disabled = false;
      } finally {
        passphrase.value = '';
        pin.value = '';
        pin2.value = '';
      }
    } },
    h('p', {}, t('inst.intro')),
    field('inst-file', t('inst.file'), file),
    field('inst-passphrase', t('inst.passphrase'), passphrase),
    field('inst-pin', t('inst.pin', { min: String(MIN_PIN_LENGTH) }), pin),
    field('inst-pin2', t('inst.pin2'), pin2),
    install);
    replace(section, section.firstChild, form, status);
    return section;
  }

  const state = h('p', { class: 'inst-state', 'data-unlocked': String(unlocked !== undefined) },
    unlocked ? t('inst.unlocked', { kid: stored.kid }) : t('inst.locked', { kid: stored.kid }));
  const parts: HTMLElement[] = [state];
  if (unlocked) {
    parts.push(h('button', { type: 'button', class: 'secondary', onclick: () => { unlocked = undefined; changed(); } }, t('inst.lock')));
  } else {
    const pin = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'current-password' });
    const unlock = h('button', { type: 'submit', class: 'primary' }, t('inst.unlock'));
    parts.push(h('form', { class: 'inst-unlock', novalidate: true, onsubmit: async (e: Event) => {
      e.preventDefault();
      unlock.disabled = true;
      status.textContent = t('inst.working');
      try {
        const key = await unlockWithPin(stored, pin.value, await deviceKey());
        if (hex(key.kid) !== stored.kid) throw new InstitutionKeyError('the stored key does not match its kid');
        unlocked = key;
        changed();
      } catch (err) {
        status.textContent = message(err);
        unlock.disabled = false;
      } finally {
        pin.value = '';
      }
    } }, field('inst-unlock-pin', t('inst.pinEnter'), pin), unlock));
  }
  parts.push(h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!window.confirm(t('inst.removeConfirm'))) return;
    unlocked = undefined;
    await remove('institution');
    changed();
  } }, t('inst.remove')));
  replace(section, section.firstChild, ...parts, status);
  return section;
}
