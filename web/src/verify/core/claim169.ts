// The Claim 169 identity map (MOSIP, IANA CWT claim 169, 1.2.2) as
// credentials/src/claim169.cc reads it: a known key of the wrong type is an
// error (stage Claim169Invalid); unknown keys are kept. The result is the
// schema's JSON (claim169.schema.json): camelCase names, bytes as base64,
// unknown fields under unknownFields by their decimal key — the same object
// `puente-verify --json` prints as "claim169".
import { type Cbor } from './cbor.js';
import { StageError } from './stage.js';

const TEXT_FIELDS: Record<number, string> = {
  1: 'id', 2: 'version', 3: 'language', 4: 'fullName', 5: 'firstName', 6: 'middleName', 7: 'lastName',
  8: 'dateOfBirth', 10: 'address', 11: 'email', 12: 'phone', 13: 'nationality', 15: 'guardian',
  19: 'secondaryFullName', 20: 'secondaryLanguage', 21: 'locationCode', 22: 'legalStatus',
  23: 'countryOfIssuance',
};
const INT_FIELDS: Record<number, string> = { 9: 'gender', 14: 'maritalStatus', 17: 'photoFormat' };
const BIOMETRICS = [
  'rightThumb', 'rightPointerFinger', 'rightMiddleFinger', 'rightRingFinger', 'rightLittleFinger',
  'leftThumb', 'leftPointerFinger', 'leftMiddleFinger', 'leftRingFinger', 'leftLittleFinger',
  'rightIris', 'leftIris', 'face', 'rightPalm', 'leftPalm', 'voice',
];
const FIRST_BIOMETRIC = 50;
const LAST_BIOMETRIC = 65;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Claim169 = { [field: string]: Json };

function wrongType(key: bigint, name: string, want: string): StageError {
  return new StageError('Claim169Invalid', `key ${key} (${name}) must be ${want}`);
}

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function num(v: bigint): number | string {
  return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
}

/** CBOR as JSON the way credentials' CborToJson writes it. */
export function cborToJson(v: Cbor): Json {
  switch (v.t) {
    case 'int': return num(v.v);
    case 'bytes': return base64(v.v);
    case 'text': return v.v;
    case 'array': return v.v.map(cborToJson);
    case 'map': {
      const out: { [key: string]: Json } = {};
      for (const [k, item] of v.v) out[k.t === 'int' ? k.v.toString() : k.t === 'text' ? k.v : ''] = cborToJson(item);
      return out;
    }
    case 'tag': return cborToJson(v.v);
    case 'bool': return v.v;
    case 'float': return v.v;
    default: return null;
  }
}

function biometric(v: Cbor, key: bigint, name: string): Json {
  if (v.t !== 'map') throw wrongType(key, name, 'an array of maps');
  const out: { [key: string]: Json } = {};
  let hasData = false;
  for (const [k, item] of v.v) {
    if (k.t !== 'int') continue; // unknown text keys are ignored
    if (k.v === 0n) {
      if (item.t !== 'bytes') throw wrongType(key, name, 'maps whose data (0) is bytes');
      out['data'] = base64(item.v);
      hasData = true;
    } else if (k.v === 1n) {
      if (item.t !== 'int') throw wrongType(key, name, 'maps whose format (1) is an integer');
      out['format'] = num(item.v);
    } else if (k.v === 2n) {
      if (item.t !== 'int') throw wrongType(key, name, 'maps whose subFormat (2) is an integer');
      out['subFormat'] = num(item.v);
    } else if (k.v === 3n) {
      if (item.t !== 'text') throw wrongType(key, name, 'maps whose issuer (3) is text');
      out['issuer'] = item.v;
    }
  }
  if (!hasData) throw wrongType(key, name, 'maps with data (0)');
  return out;
}

/** Throws StageError('Claim169Invalid') for a known key of the wrong type. */
export function claim169FromCbor(map: Cbor): Claim169 {
  if (map.t !== 'map') throw new StageError('Claim169Invalid', 'claim 169 is not a map');
  const out: Claim169 = {};
  const unknown: { [key: string]: Json } = {};
  for (const [k, v] of map.v) {
    if (k.t !== 'int') throw new StageError('Claim169Invalid', 'keys must be integers');
    const key = k.v;
    const small = key >= -(2n ** 31n) && key < 2n ** 31n ? Number(key) : NaN;
    const textName = TEXT_FIELDS[small];
    const intName = INT_FIELDS[small];
    if (textName !== undefined) {
      if (v.t !== 'text') throw wrongType(key, textName, 'text');
      out[textName] = v.v;
    } else if (intName !== undefined) {
      if (v.t !== 'int') throw wrongType(key, intName, 'an integer');
      out[intName] = num(v.v);
    } else if (small === 16) {
      if (v.t !== 'bytes') throw wrongType(key, 'photo', 'bytes');
      out['photo'] = base64(v.v);
    } else if (small === 18) {
      if (v.t !== 'array' || v.v.some((i) => i.t !== 'int')) {
        throw wrongType(key, 'bestQualityFingers', 'an array of integers');
      }
      out['bestQualityFingers'] = v.v.map((i) => (i.t === 'int' ? num(i.v) : 0));
    } else if (small >= FIRST_BIOMETRIC && small <= LAST_BIOMETRIC) {
      const name = BIOMETRICS[small - FIRST_BIOMETRIC]!;
      if (v.t !== 'array') throw wrongType(key, name, 'an array of maps');
      out[name] = v.v.map((item) => biometric(item, key, name));
    } else {
      unknown[key.toString()] = cborToJson(v);
    }
  }
  if (Object.keys(unknown).length > 0) out['unknownFields'] = unknown;
  return out;
}
