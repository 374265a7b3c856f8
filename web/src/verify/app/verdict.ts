// What the clerk is shown for a verification result: the verdict in words,
// colour and icon together (never colour alone), and the card's public
// claims in plain words. Pure: the screen (result.ts) lays it out, and the
// logic tests check it in Node.
import type { Card, VerificationResult, Verdict } from '../core/index.js';
import { NO_EXPIRY } from '../core/index.js';
import { type Key, lang, t, tMaybe } from './i18n.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'unknown';

export interface Look {
  word: string; // VÁLIDA, REVOCADA…
  explain: string;
  tone: Tone; // the colour
  icon: string; // a symbol, read out by screen readers as part of the word
}

const LOOKS: Record<Verdict, { key: string; tone: Tone; icon: string }> = {
  VALID: { key: 'VALID', tone: 'ok', icon: '✓' },
  REVOKED: { key: 'REVOKED', tone: 'bad', icon: '⛔' },
  EXPIRED: { key: 'EXPIRED', tone: 'warn', icon: '⌛' },
  'NOT YET VALID': { key: 'NOTYET', tone: 'warn', icon: '⌛' },
  INVALID: { key: 'INVALID', tone: 'bad', icon: '✗' },
  'UNKNOWN ISSUER': { key: 'UNKNOWN', tone: 'unknown', icon: '?' },
  'STALE LISTS': { key: 'STALE', tone: 'warn', icon: '⟳' },
};

export function look(v: Verdict): Look {
  const l = LOOKS[v];
  return { word: t(`verdict.${l.key}` as Key), explain: t(`explain.${l.key}` as Key), tone: l.tone, icon: l.icon };
}

/** A date in Panama's time zone, in the app's language. */
export function dateText(unixSeconds: bigint | number): string {
  return new Intl.DateTimeFormat(lang() === 'es' ? 'es-PA' : 'en-GB', { dateStyle: 'long', timeZone: 'America/Panama' })
    .format(new Date(Number(unixSeconds) * 1000));
}

/** A moment (ms) with its time, in Panama's time zone. */
export function dateTimeText(ms: number): string {
  return new Intl.DateTimeFormat(lang() === 'es' ? 'es-PA' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'America/Panama' })
    .format(new Date(ms));
}

// Claim 169's dateOfBirth is YYYYMMDD; puente also writes YYYY-MM-DD or a year alone.
function birthText(v: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) return v;
  return new Intl.DateTimeFormat(lang() === 'es' ? 'es-PA' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export interface Row {
  label: string;
  value: string;
}

export interface EntitlementRow {
  meaning: string;
  until: string; // "hasta el …" or "vencido el …"
  expired: boolean;
}

/** The public claims, in the order a clerk reads them; empty values left out. */
export function claimRows(card: Card): Row[] {
  const h = card.holder;
  const name = str(h['fullName']) || [str(h['firstName']), str(h['middleName']), str(h['lastName'])].filter((s) => s).join(' ');
  const status = str(h['legalStatus']);
  const nationality = str(h['nationality']);
  const sex = str(h['gender']);
  const rows: Row[] = [
    { label: t('claim.name'), value: name },
    { label: t('claim.regNo'), value: str(h['id']) },
    { label: t('claim.dob'), value: birthText(str(h['dateOfBirth'])) },
    { label: t('claim.sex'), value: sex ? tMaybe(`sex.${sex}`) ?? sex : '' },
    { label: t('claim.nationality'), value: nationality ? (tMaybe(`nat.${nationality}`) ? `${t(`nat.${nationality}` as Key)} (${nationality})` : nationality) : '' },
    { label: t('claim.status'), value: status ? tMaybe(`status.${status}`) ?? status : '' },
    { label: t('claim.guardian'), value: str(h['guardian']) },
    { label: t('claim.cardType'), value: t(card.profile === 'claim169' ? 'type.claim169' : (`type.${card.type}` as Key)) },
    {
      label: t('claim.validity'),
      value: card.expiresAt === NO_EXPIRY
        ? t('claim.noExpiry')
        : t('claim.validityRange', { from: dateText(card.notBefore || card.issuedAt), to: dateText(card.expiresAt) }),
    },
  ];
  return rows.filter((r) => r.value !== '');
}

export function entitlementRows(card: Card, now: number): EntitlementRow[] {
  return card.entitlements.map((e) => {
    const expired = e.expiresAt !== 0n && e.expiresAt < BigInt(Math.floor(now));
    const date = dateText(e.expiresAt);
    return {
      meaning: tMaybe(`ent.${e.code}`) ?? e.code,
      until: e.expiresAt === 0n ? '' : t(expired ? 'claim.entitlementExpired' : 'claim.entitlementUntil', { date }),
      expired,
    };
  });
}

/** Claims are shown only when the signature checked out (never for INVALID or UNKNOWN ISSUER). */
export function showsClaims(r: VerificationResult): boolean {
  return r.signatureVerified && r.card !== undefined && r.verdict !== 'INVALID' && r.verdict !== 'UNKNOWN ISSUER';
}
