// Every label and message of the app, in Spanish (first) and English: one
// catalog pair per part of the app in messages/ (PART.es.json, PART.en.json;
// web/test/i18n.test.mjs checks each pair has the same keys and
// placeholders). The chosen language is the only thing the app keeps in
// localStorage.
import { createI18n } from '../common/i18n';
import cameraEn from './messages/camera.en.json';
import cameraEs from './messages/camera.es.json';
import auditEn from './messages/audit.en.json';
import auditEs from './messages/audit.es.json';
import commonEn from './messages/common.en.json';
import commonEs from './messages/common.es.json';
import enrollEn from './messages/enroll.en.json';
import enrollEs from './messages/enroll.es.json';
import personEn from './messages/person.en.json';
import personEs from './messages/person.es.json';
import kitEn from './messages/kit.en.json';
import kitEs from './messages/kit.es.json';
import reviewEn from './messages/review.en.json';
import reviewEs from './messages/review.es.json';
import shellEn from './messages/shell.en.json';
import shellEs from './messages/shell.es.json';
import statsEn from './messages/stats.en.json';
import statsEs from './messages/stats.es.json';
import usersEn from './messages/users.en.json';
import usersEs from './messages/users.es.json';

const es = { ...shellEs, ...commonEs, ...cameraEs, ...enrollEs, ...reviewEs, ...personEs, ...auditEs, ...usersEs, ...kitEs, ...statsEs };
const en: Record<Key, string> = { ...shellEn, ...commonEn, ...cameraEn, ...enrollEn, ...reviewEn, ...personEn, ...auditEn, ...usersEn, ...kitEn, ...statsEn };

export type { Lang } from '../common/i18n';
export type Key = keyof typeof es;
const i18n = createI18n<Key>(es, en, 'puente.lang');
export const { lang, setLang, t, tMaybe } = i18n;
