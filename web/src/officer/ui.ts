// Pieces every screen uses: errors said in the user's language, a server
// validation error placed beside its field, images fetched with the token.
import * as api from './api';
import { h } from '../common/dom';
import { Key, t, tMaybe } from './i18n';

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

// The fields a 400 names, each with what it says: the request's own
// parsing names one ("applicant.date_of_birth: ..."), the registry's
// validation may name several ("given_names: is required; phone: ...").
// "applicant.documents[].number" → "documents".
export function fieldErrors(e: unknown, prefix: string): { field: string; message: string }[] {
  if (!(e instanceof api.ApiError) || e.status !== 400) return [];
  const out: { field: string; message: string }[] = [];
  for (const part of e.message.split(/; (?=[A-Za-z_][A-Za-z0-9_.[\]]*: )/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_.[\]]*): (.*)$/s.exec(part);
    if (!m) return [];
    const name = m[1].startsWith(prefix) ? m[1].slice(prefix.length) : m[1];
    out.push({ field: name.replace(/\[\].*$/, '').split('.')[0], message: validationText(m[2]) });
  }
  return out;
}

// The first field a 400 names (for forms with one field per request).
export function fieldError(e: unknown, prefix: string): { field: string; message: string } | null {
  return fieldErrors(e, prefix)[0] ?? null;
}

// The registry's validation messages (English) in the user's language, the
// common ones; any other is shown as the server wrote it.
const validationPatterns: [RegExp, Key][] = [
  [/^is required \(XXA for stateless/, 'invalid.nationality_required'],
  [/^is required$/, 'invalid.required'],
  [/^'(.*)' is not a date \(expected YYYY-MM-DD\)$/, 'invalid.date'],
  [/^is not a date \(expected YYYY-MM-DD\)$/, 'invalid.date'],
  [/^'(.*)' is not a year \(expected YYYY\)$/, 'invalid.year'],
  [/^(.*) is in the future$/, 'invalid.future'],
  [/^(.*) is before 1900$/, 'invalid.before1900'],
  [/^'(.*)' is not an ISO 3166-1 alpha-3 code/, 'invalid.country'],
  [/^'(.*)' is not an ISO 639 language code$/, 'invalid.language'],
  [/^'(.*)' needs its country code/, 'invalid.phone_country'],
  [/^'(.*)' is not an E\.164 number$/, 'invalid.phone'],
  [/^'(.*)' is not a 3-digit office code$/, 'invalid.office'],
  [/^set surname1 first/, 'invalid.surname_order'],
  [/^a dependant needs the case number/, 'invalid.dependant_case'],
  [/^the case already has a principal/, 'invalid.has_principal'],
  [/^must have 3 to 30 letters or digits$/, 'invalid.document_number'],
];

export function validationText(message: string): string {
  for (const [re, key] of validationPatterns) {
    const m = re.exec(message);
    if (m) return t(key, { value: m[1] ?? '' });
  }
  return message;
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

// A PDF of the API (a card, an attestation) fetched with the token into a
// blob: URL and shown in a frame (CSP frame-src blob:). `ready` resolves with
// the URL once it is set (for a download link); `print` opens the frame's
// print dialog, or the PDF itself where the frame cannot print.
export function pdfFrame(path: string, id: string, title: string): {
  frame: HTMLIFrameElement;
  ready: Promise<string>;
  print: () => void;
} {
  const frame = h('iframe', { id, title });
  let url = '';
  const ready = api.fetchBlob(path).then((pdf) => {
    url = blobUrl(pdf.type === 'application/pdf' ? pdf : new Blob([pdf], { type: 'application/pdf' }));
    frame.src = url;
    return url;
  });
  const print = () => {
    try {
      frame.contentWindow?.focus();
      frame.contentWindow?.print();
    } catch {
      if (url) window.open(url);
    }
  };
  return { frame, ready, print };
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
