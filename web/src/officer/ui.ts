// Pieces every screen uses: errors said in the user's language, a server
// validation error placed beside its field, images fetched with the token.
import * as api from './api';
import { h } from './dom';
import { t, tMaybe } from './i18n';

// A message in the user's language: the server's own text (English) only
// where no translation of its code exists.
export function errorText(e: unknown, signingIn = false): string {
  if (e instanceof api.ApiError) {
    if (e.status === 0) return t('error.network');
    if (signingIn && e.status === 401) return t('signin.wrong');
    if (signingIn && e.status === 403) return t('signin.disabled');
    if (e.status === 429) return t('error.throttled');
    if (e.status === 403) return t('error.forbidden');
    return tMaybe(`server.${e.code}`) ?? t('error.generic', { message: e.message || e.code });
  }
  return t('error.generic', { message: String(e) });
}

// True when the error is the session ending: the sign-in dialog says so,
// the screen shows nothing more.
export function sessionEnded(e: unknown): boolean {
  return e instanceof api.ApiError && e.code === api.kSessionEnded;
}

// The field a 400 names ("applicant.date_of_birth: ..." → "date_of_birth",
// "applicant.documents[].number: ..." → "documents"), and what it says.
export function fieldError(e: unknown, prefix: string): { field: string; message: string } | null {
  if (!(e instanceof api.ApiError) || e.status !== 400) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_.[\]]*): (.*)$/s.exec(e.message);
  if (!m || !m[1].startsWith(prefix)) return null;
  const field = m[1].slice(prefix.length).replace(/\[\].*$/, '').split('.')[0];
  return { field, message: m[2] };
}

// Object URLs of personal images (photos, cards) made since sign-in; all
// revoked at sign-out.
const objectUrls = new Set<string>();

export function forgetImages(): void {
  for (const u of objectUrls) URL.revokeObjectURL(u);
  objectUrls.clear();
}

export function blobUrl(b: Blob): string {
  const u = URL.createObjectURL(b);
  objectUrls.add(u);
  return u;
}

// An <img> of an API resource that needs the token (a photo, a card).
export function authImage(path: string, alt: string, attrs: Record<string, string> = {}): HTMLImageElement {
  const img = h('img', { alt, ...attrs });
  api
    .fetchBlob(path)
    .then((b) => {
      img.src = blobUrl(b);
    })
    .catch(() => {
      img.alt = t('error.image', { what: alt });
    });
  return img;
}

// "2026-12-02T10:11:12Z" → the local date and time in the user's language.
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(document.documentElement.lang || 'es', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}
