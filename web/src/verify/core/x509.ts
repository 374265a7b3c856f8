// Just enough DER to read the public key of an X.509 certificate
// (Certificate -> tbsCertificate -> subjectPublicKeyInfo), for the trust
// list's certificate-authority entries, whose certificate must be of the
// entry's key. Certificate chains themselves (COSE x5chain) are not verified
// here yet: see docs/verifier-web.md.
import { hex } from './bytes.js';

interface Tlv {
  tag: number;
  start: number; // of the content
  end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
    start += n;
  }
  if (start + len > limit) return undefined;
  return { tag, start, end: start + len };
}

const OID_ED25519 = '06032b6570';
const OID_EC_PUBLIC_KEY = '06072a8648ce3d0201';

/** The raw key (Ed25519: 32 bytes; P-256: the SEC1 point), or undefined. */
export function publicKeyOfCertificate(der: Uint8Array): Uint8Array | undefined {
  const cert = readTlv(der, 0, der.length);
  if (cert?.tag !== 0x30 || cert.end !== der.length) return undefined;
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs?.tag !== 0x30) return undefined;
  // version [0] (optional), serial, signature, issuer, validity, subject, spki
  let at = tbs.start;
  let field = readTlv(der, at, tbs.end);
  if (field?.tag === 0xa0) {
    at = field.end;
    field = readTlv(der, at, tbs.end);
  }
  for (let i = 0; i < 5; i++) {
    if (field === undefined) return undefined;
    at = field.end;
    field = readTlv(der, at, tbs.end);
  }
  if (field?.tag !== 0x30) return undefined;
  const algId = readTlv(der, field.start, field.end);
  if (algId?.tag !== 0x30) return undefined;
  const oid = readTlv(der, algId.start, algId.end);
  if (oid === undefined) return undefined;
  const oidHex = hex(der.subarray(algId.start, oid.end));
  if (oidHex !== OID_ED25519 && oidHex !== OID_EC_PUBLIC_KEY) return undefined;
  const bits = readTlv(der, algId.end, field.end);
  if (bits?.tag !== 0x03 || bits.end - bits.start < 2 || der[bits.start] !== 0) return undefined;
  return der.slice(bits.start + 1, bits.end);
}
