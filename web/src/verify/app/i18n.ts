// The verifier's messages, Spanish first, English selectable (its own
// localStorage key: the phone may also run the officers' app).
import { createI18n } from '../../common/i18n';
import verifyEn from './messages/verify.en.json';
import verifyEs from './messages/verify.es.json';

export type { Lang } from '../../common/i18n';
export type Key = keyof typeof verifyEs;
export const { lang, setLang, t, tMaybe } = createI18n<Key>(verifyEs, verifyEn, 'puente.verify.lang');
