// X.509 for the verifier, as crypto/src/asymmetric.cc does it with OpenSSL:
// the public key of a trust-list certificate authority's certificate, and an
// issuer's certificate chain (COSE x5chain, leaf first) verified up to such an
// authority as of a given time. Certificates are read with @peculiar/asn1-x509
// and their signatures checked with WebCrypto; the path rules are those
// OpenSSL 3's X509_verify_cert applies with X509_V_FLAG_X509_STRICT (checked
// case by case against `openssl verify -x509_strict`, docs/verifier-web.md):
//   - the path is built from the leaf through the chain's other certificates
//     (any order) to the authority, issuer by subject name and key identifier;
//     the authority must be self-signed (its own signature is not checked,
//     as OpenSSL does not check a trust anchor's);
//   - every certificate, the authority too, valid at that time
//     (notBefore <= t < notAfter);
//   - every issuing certificate a CA: basic constraints critical with CA
//     true, key usage present with keyCertSign, a subject key identifier,
//     path length constraints kept;
//   - every certificate below the authority has an authority key identifier;
//     keyCertSign only on a CA; no critical extension OpenSSL does not
//     handle (key identifiers included);
//   - each signature verified with its issuer's key (Ed25519, ECDSA P-256,
//     P-384 and P-521 with SHA-256/384/512, RSA PKCS#1 v1.5).
// Not done here (OpenSSL does them; none is met in practice by card
// issuers): name constraints and policy processing (a CA with name
// constraints is refused), RSA-PSS signatures, names compared after
// canonicalisation (here: byte for byte).
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BasicConstraints, Certificate, id_ce_authorityKeyIdentifier, id_ce_basicConstraints,
  id_ce_keyUsage, id_ce_nameConstraints, id_ce_subjectKeyIdentifier, KeyUsage, KeyUsageFlags, SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { ECDSASigValue, ECParameters } from '@peculiar/asn1-ecc';
import { equalBytes } from './bytes.js';
import { importVerifyingKey, type SignatureAlgorithm, type VerifyingKey } from './cose.js';

const OID_ED25519 = '1.3.101.112';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_RSA = '1.2.840.113549.1.1.1';
const CURVES: Record<string, { name: string; bytes: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bytes: 32 },
  '1.3.132.0.34': { name: 'P-384', bytes: 48 },
  '1.3.132.0.35': { name: 'P-521', bytes: 66 },
};
const ECDSA_HASH: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'SHA-256', '1.2.840.10045.4.3.3': 'SHA-384', '1.2.840.10045.4.3.4': 'SHA-512',
};
const RSA_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'SHA-256', '1.2.840.113549.1.1.12': 'SHA-384', '1.2.840.113549.1.1.13': 'SHA-512',
};
// The extensions OpenSSL handles (v3_purp.c, supported_nids): a critical one
// outside this list makes a certificate unusable (key identifiers included).
const HANDLED_EXTENSIONS = new Set([
  '2.16.840.1.113730.1.1', // Netscape certificate type
  '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.32', '2.5.29.37', '2.5.29.30', '2.5.29.33', '2.5.29.36',
  '2.5.29.54',
  '1.3.6.1.5.5.7.1.7', '1.3.6.1.5.5.7.1.8', // IP address and AS identifier blocks (RFC 3779)
  '1.3.6.1.5.5.7.1.14', // proxy certificate information
  '1.3.6.1.5.5.7.1.24', // TLS feature
]);
const MAX_PATH = 10;

/** Thrown by verifyCertificateChain: what is wrong, prefixed "certificate chain: ". */
export class ChainError extends Error {
  constructor(what: string) {
    super(`certificate chain: ${what}`);
  }
}

interface Cert {
  der: Uint8Array;
  asn: Certificate;
  tbs: Uint8Array;
  subject: Uint8Array;
  issuer: Uint8Array;
  ca?: BasicConstraints;
  bcCritical: boolean;
  keyUsage?: number; // KeyUsageFlags bits
  skid?: Uint8Array;
  akid?: AuthorityKeyIdentifier;
  unhandledCritical: boolean;
  nameConstraints: boolean;
}

const bytesOf = (b: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);

// The whole input is one SEQUENCE: nothing after the certificate (as ParseDer).
function oneSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  let len = der[1]!;
  let start = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || der.length < 2 + n) return false;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
    start += n;
  }
  return start + len === der.length;
}

function parse(der: Uint8Array): Cert | undefined {
  if (!oneSequence(der)) return undefined;
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    return undefined;
  }
  const t = asn.tbsCertificate;
  if (asn.tbsCertificateRaw === undefined) return undefined;
  // The signature, the last item: a BIT STRING with no unused bits (OpenSSL
  // refuses "bits left" in a signature; the reader here would drop them).
  const unusedBits = der.length - asn.signatureValue.byteLength - 1;
  if (der[unusedBits] !== 0) return undefined;
  const c: Cert = {
    der, asn, tbs: bytesOf(asn.tbsCertificateRaw), subject: bytesOf(AsnConvert.serialize(t.subject)),
    issuer: bytesOf(AsnConvert.serialize(t.issuer)), bcCritical: false,
    unhandledCritical: false, nameConstraints: false,
  };
  try {
    for (const e of t.extensions ?? []) {
      const value = e.extnValue.buffer;
      if (e.critical && !HANDLED_EXTENSIONS.has(e.extnID)) c.unhandledCritical = true;
      if (e.extnID === id_ce_basicConstraints) {
        c.ca = AsnConvert.parse(value, BasicConstraints);
        c.bcCritical = e.critical;
      } else if (e.extnID === id_ce_keyUsage) {
        const ku = AsnConvert.parse(value, KeyUsage);
        c.keyUsage = ku.toNumber();
      } else if (e.extnID === id_ce_subjectKeyIdentifier) {
        c.skid = bytesOf(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
      } else if (e.extnID === id_ce_authorityKeyIdentifier) {
        c.akid = AsnConvert.parse(value, AuthorityKeyIdentifier);
      } else if (e.extnID === id_ce_nameConstraints) {
        c.nameConstraints = true;
      }
    }
  } catch {
    return undefined; // an extension that does not parse: OpenSSL refuses the certificate too
  }
  return c;
}

const isCa = (c: Cert) => c.ca?.cA === true;
const mayCertSign = (c: Cert) => c.keyUsage === undefined || (c.keyUsage & KeyUsageFlags.keyCertSign) !== 0;

// OpenSSL's check_issued without the signature: names, key identifiers, key usage.
function likelyIssued(issuer: Cert, subject: Cert): boolean {
  if (!equalBytes(issuer.subject, subject.issuer)) return false;
  const akid = subject.akid;
  if (akid?.keyIdentifier !== undefined && issuer.skid !== undefined &&
      !equalBytes(bytesOf(akid.keyIdentifier.buffer), issuer.skid)) return false;
  if (akid?.authorityCertSerialNumber !== undefined &&
      !equalBytes(bytesOf(akid.authorityCertSerialNumber), bytesOf(issuer.asn.tbsCertificate.serialNumber))) return false;
  return true;
}

const selfSigned = (c: Cert) => likelyIssued(c, c) && mayCertSign(c);

function seconds(d: Date): bigint {
  return BigInt(Math.floor(d.getTime() / 1000));
}

function fixedWidth(n: Uint8Array, width: number): Uint8Array | undefined {
  let at = 0;
  while (at < n.length - 1 && n[at] === 0) at++;
  const v = n.subarray(at);
  if (v.length > width) return undefined;
  const out = new Uint8Array(width);
  out.set(v, width - v.length);
  return out;
}

// The signature on `subject` by `issuer`'s key, through WebCrypto.
async function signedBy(subject: Cert, issuer: Cert): Promise<boolean> {
  const outer = subject.asn.signatureAlgorithm;
  const inner = subject.asn.tbsCertificate.signature;
  if (!outer.isEqual(inner)) return false;
  const spki = issuer.asn.tbsCertificate.subjectPublicKeyInfo;
  const keyAlg = spki.algorithm.algorithm;
  const spkiDer = bytesOf(AsnConvert.serialize(spki)) as BufferSource;
  let signature = bytesOf(subject.asn.signatureValue);
  let importParams: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams;
  let verifyParams: AlgorithmIdentifier | EcdsaParams;
  try {
    if (outer.algorithm === OID_ED25519 && keyAlg === OID_ED25519) {
      importParams = verifyParams = { name: 'Ed25519' };
    } else if (ECDSA_HASH[outer.algorithm] && keyAlg === OID_EC_PUBLIC_KEY && spki.algorithm.parameters) {
      const curve = CURVES[AsnConvert.parse(spki.algorithm.parameters, ECParameters).namedCurve ?? ''];
      if (curve === undefined) return false;
      const sig = AsnConvert.parse(signature, ECDSASigValue);
      const r = fixedWidth(bytesOf(sig.r), curve.bytes);
      const s = fixedWidth(bytesOf(sig.s), curve.bytes);
      if (r === undefined || s === undefined) return false;
      signature = new Uint8Array([...r, ...s]);
      importParams = { name: 'ECDSA', namedCurve: curve.name };
      verifyParams = { name: 'ECDSA', hash: ECDSA_HASH[outer.algorithm]! };
    } else if (RSA_HASH[outer.algorithm] && keyAlg === OID_RSA) {
      importParams = { name: 'RSASSA-PKCS1-v1_5', hash: RSA_HASH[outer.algorithm]! };
      verifyParams = { name: 'RSASSA-PKCS1-v1_5' };
    } else {
      return false;
    }
    const key = await crypto.subtle.importKey('spki', spkiDer, importParams, false, ['verify']);
    return await crypto.subtle.verify(verifyParams, key, signature as BufferSource, subject.tbs as BufferSource);
  } catch {
    return false;
  }
}

/** A card signer's key from its certificate: Ed25519 or P-256 (uncompressed), else undefined. */
export function signerKeyOfCertificate(der: Uint8Array): { alg: SignatureAlgorithm; raw: Uint8Array } | undefined {
  const c = parse(der);
  if (c === undefined) return undefined;
  const spki = c.asn.tbsCertificate.subjectPublicKeyInfo;
  const raw = bytesOf(spki.subjectPublicKey).slice();
  if (spki.algorithm.algorithm === OID_ED25519) return raw.length === 32 ? { alg: 'Ed25519', raw } : undefined;
  if (spki.algorithm.algorithm !== OID_EC_PUBLIC_KEY || !spki.algorithm.parameters) return undefined;
  try {
    if (AsnConvert.parse(spki.algorithm.parameters, ECParameters).namedCurve !== '1.2.840.10045.3.1.7') return undefined;
  } catch {
    return undefined;
  }
  return raw.length === 65 && raw[0] === 0x04 ? { alg: 'ES256', raw } : undefined;
}

/** The raw key (Ed25519: 32 bytes; P-256: the SEC1 point) of a trust-list authority's certificate. */
export function publicKeyOfCertificate(der: Uint8Array): Uint8Array | undefined {
  return signerKeyOfCertificate(der)?.raw;
}

// OpenSSL's check_chain_extensions under X509_STRICT, for path[0] (the leaf)
// up to path[n-1] (the authority); its strict rules only on a path of more
// than one certificate, as there.
function extensionProblem(path: Cert[]): string {
  let pathLength = 0; // CA certificates below the one being checked, not self-issued
  const strict = path.length > 1;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const depth = `at depth ${i}`;
    if (c.unhandledCritical) return `unhandled critical extension ${depth}`;
    if (i > 0 && (!isCa(c) || !mayCertSign(c))) return `invalid CA certificate ${depth}`;
    if (i > 1 && c.ca?.pathLenConstraint !== undefined && pathLength > c.ca.pathLenConstraint) {
      return `path length constraint exceeded ${depth}`;
    }
    if (i > 0 && !equalBytes(c.subject, c.issuer)) pathLength++;
    if (isCa(c) && c.nameConstraints) return `name constraints are not checked by this verifier ${depth}`;
    if (!strict) continue;
    if (isCa(c)) {
      if (!c.bcCritical) return `Basic Constraints of CA cert not marked critical ${depth}`;
      if (c.keyUsage === undefined) return `CA cert does not include key usage extension ${depth}`;
      if (c.skid === undefined) return `Missing Subject Key Identifier ${depth}`;
    } else if (c.keyUsage !== undefined && (c.keyUsage & KeyUsageFlags.keyCertSign) !== 0) {
      return `Key usage keyCertSign invalid for non-CA cert ${depth}`;
    }
    if (c.asn.tbsCertificate.issuer.length === 0) return `Issuer name empty ${depth}`;
    if (c.asn.tbsCertificate.subject.length === 0 && isCa(c)) return `Subject name empty ${depth}`;
    if (i + 1 < path.length && c.akid === undefined) return `Missing Authority Key Identifier ${depth}`;
  }
  return '';
}

/**
 * The leaf's key (x5chain[0]) when the chain leads to the authority's
 * certificate `anchor` and holds at `at` (Unix seconds); throws ChainError.
 */
export async function verifyCertificateChain(x5chain: Uint8Array[], anchorDer: Uint8Array, at: bigint):
  Promise<VerifyingKey> {
  if (x5chain.length === 0) throw new ChainError('empty');
  const anchor = parse(anchorDer);
  if (anchor === undefined) throw new ChainError('the trust anchor is not a certificate');
  const certs = x5chain.map((der, i) => {
    const c = parse(der);
    if (c === undefined) throw new ChainError(`certificate ${i + 1} is malformed`);
    return c;
  });
  // Build: the authority first at each step, then the chain's other certificates.
  const path: Cert[] = [certs[0]!];
  const unused = certs.slice(1);
  for (;;) {
    const current = path[path.length - 1]!;
    const depth = path.length - 1;
    if (depth === 0 && equalBytes(current.der, anchor.der) && selfSigned(current)) break;
    if (likelyIssued(anchor, current)) {
      if (!selfSigned(anchor)) throw new ChainError('unable to get issuer certificate');
      path.push(anchor);
      break;
    }
    const next = unused.findIndex((c) => likelyIssued(c, current));
    if (next < 0 || selfSigned(current) || path.length >= MAX_PATH) {
      if (selfSigned(current)) {
        throw new ChainError(depth === 0 ? 'self-signed certificate' : 'self-signed certificate in certificate chain');
      }
      throw new ChainError(depth === 0 ? 'unable to get local issuer certificate' : 'unable to get issuer certificate');
    }
    path.push(unused.splice(next, 1)[0]!);
  }
  const problem = extensionProblem(path);
  if (problem !== '') throw new ChainError(problem);
  // Signatures from the top down (the authority's own is not checked), then times.
  for (let i = path.length - 2; i >= 0; i--) {
    if (!(await signedBy(path[i]!, path[i + 1]!))) throw new ChainError('certificate signature failure');
  }
  for (const c of path) {
    const v = c.asn.tbsCertificate.validity;
    if (at < seconds(v.notBefore.getTime())) throw new ChainError('certificate is not yet valid');
    if (at >= seconds(v.notAfter.getTime())) throw new ChainError('certificate has expired');
  }
  const leaf = signerKeyOfCertificate(path[0]!.der);
  if (leaf === undefined) throw new ChainError('the signer\'s certificate holds no Ed25519 or P-256 key');
  return importVerifyingKey(leaf.alg, leaf.raw);
}
