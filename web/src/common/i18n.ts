// The two-language message lookup both web apps share: Spanish first,
// English selectable; the chosen language is the only thing kept in
// localStorage (under the app's own key). Each app passes its merged
// catalogs (web/test/i18n.test.mjs checks that each pair has the same keys
// and placeholders).
export type Lang = 'es' | 'en';

export interface I18n<Key extends string> {
  lang(): Lang;
  setLang(l: Lang): void;
  /** The message `key` with its {placeholders} filled in. */
  t(key: Key, params?: Record<string, string>): string;
  /** `key` when the catalog has it (a code the server sends, say), else null. */
  tMaybe(key: string, params?: Record<string, string>): string | null;
}

export function createI18n<Key extends string>(es: Record<Key, string>, en: Record<Key, string>,
  storageKey: string): I18n<Key> {
  const catalogs: Record<Lang, Record<Key, string>> = { es, en };
  let current: Lang = localStorage.getItem(storageKey) === 'en' ? 'en' : 'es';
  const t = (key: Key, params: Record<string, string> = {}): string =>
    catalogs[current][key].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
  return {
    lang: () => current,
    setLang(l: Lang) {
      current = l;
      localStorage.setItem(storageKey, l);
      document.documentElement.lang = l;
    },
    t,
    tMaybe: (key, params = {}) => (key in catalogs[current] ? t(key as Key, params) : null),
  };
}
