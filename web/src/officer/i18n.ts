// Every label and message of the app, in Spanish (first) and English. The
// chosen language is the only thing the app keeps in localStorage.
import en from './messages.en.json';
import es from './messages.es.json';

export type Lang = 'es' | 'en';
export type Key = keyof typeof es;
const catalogs: Record<Lang, Record<Key, string>> = { es, en };
const storageKey = 'puente.lang';

let current: Lang = localStorage.getItem(storageKey) === 'en' ? 'en' : 'es';

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem(storageKey, l);
  document.documentElement.lang = l;
}

// The message `key` with its {placeholders} filled in.
export function t(key: Key, params: Record<string, string> = {}): string {
  return catalogs[current][key].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}
