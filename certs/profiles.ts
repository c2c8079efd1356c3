/**
 * What goes into a certificate, decided in one place: validity (with a backdate for clock skew,
 * never past the issuer), random positive serial numbers, subject names, and the extension
 * profiles of a CA and of a TLS leaf (basic constraints, key usage, extended key usage, SANs,
 * subject and authority key identifiers). Pure: time and randomness come in as arguments.
 */
import { createHash, type webcrypto } from 'node:crypto';
import type { SubjectNames } from './names.js';
import type { KeyType, Usage } from './types.js';
import { x509 } from './x509-lib.js';

/** How far notBefore is set before the clock, so that a peer whose clock runs behind accepts it. */
export const BACKDATE_MS = 5 * 60_000;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_LEAF_DAYS = 90;
export const MAX_DAYS = 36_500;
/** Serial numbers are this many bytes: 126 random bits (CA/B asks for at least 64). */
export const SERIAL_BYTES = 16;

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** True when notAfter was cut back to the issuer's notAfter. */
  readonly clamped: boolean;
}

/** The shortest lifetime a request may give in milliseconds (`lifetimeMs`: short-lived certificates, tests of renewal). */
export const MIN_LIFETIME_MS = 1000;

/**
 * notBefore = now (whole seconds, as X.509 stores it) − backdate, but not before the issuer's
 * notBefore; notAfter = now + days (or + `lifetimeMs`, when given), at most the issuer's notAfter.
 */
export function validityFor(now: Date, days: number, issuer?: { readonly notBefore: Date; readonly notAfter: Date }, lifetimeMs?: number): Validity {
  const start = Math.floor(now.getTime() / 1000) * 1000;
  const wanted = start + (lifetimeMs ?? days * 86_400_000);
  const limit = issuer?.notAfter.getTime() ?? Infinity;
  const notBefore = Math.max(start - BACKDATE_MS, issuer?.notBefore.getTime() ?? -Infinity);
  return { notBefore: new Date(notBefore), notAfter: new Date(Math.min(wanted, limit)), clamped: wanted > limit };
}

/**
 * A random serial number as hex: SERIAL_BYTES bytes whose first byte is 0x40-0x7f, so the DER
 * INTEGER is positive, minimally encoded and always the same length.
 */
export function serialNumber(randomBytes: (length: number) => Uint8Array): string {
  const bytes = Uint8Array.from(randomBytes(SERIAL_BYTES).subarray(0, SERIAL_BYTES));
  if (bytes.length !== SERIAL_BYTES) throw new Error(`the random source returned ${bytes.length} bytes, not ${SERIAL_BYTES}`);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

/** A distinguished name holding one common name, as UTF8String (no DN-string escaping involved). */
export function subjectName(commonName: string | undefined): x509.Name {
  return new x509.Name(commonName === undefined ? [] : [{ '2.5.4.3': [{ utf8String: commonName }] }]);
}

/** DER tag-length header at `offset`: where the content starts and how long it is. */
function derItem(der: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset] ?? -1;
  const first = der[offset + 1] ?? 0;
  let length = first;
  let start = offset + 2;
  if (first >= 0x80) {
    const n = first & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[offset + 2 + i] ?? 0);
    start += n;
  }
  return { tag, start, end: start + length };
}

/**
 * The key identifier of RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's
 * bits, from our own SPKI (computed here: the library's path through ASN.1 objects costs ~1 ms).
 */
function keyIdentifier(spki: Uint8Array): string {
  const outer = derItem(spki, 0);
  const algorithm = derItem(spki, outer.start);
  const bits = derItem(spki, algorithm.end);
  if (outer.tag !== 0x30 || algorithm.tag !== 0x30 || bits.tag !== 0x03 || bits.end > spki.length) throw new Error('invariant: not a SubjectPublicKeyInfo');
  return createHash('sha1').update(spki.subarray(bits.start + 1, bits.end)).digest('hex');
}

async function keyIds(crypto: webcrypto.Crypto, subjectKey: webcrypto.CryptoKey, issuer: x509.X509Certificate | undefined): Promise<x509.Extension[]> {
  const ski = new x509.SubjectKeyIdentifierExtension(keyIdentifier(new Uint8Array(await crypto.subtle.exportKey('spki', subjectKey))));
  if (!issuer) return [ski]; // a self-signed root: its SKI identifies it; RFC 5280 lets it omit the AKI
  const issuerSki = issuer.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? keyIdentifier(new Uint8Array(issuer.publicKey.rawData));
  return [ski, new x509.AuthorityKeyIdentifierExtension(issuerSki)];
}

/** A CA: CA:TRUE with a path length (critical), keyCertSign + cRLSign (critical), SKI, and AKI below a root. */
export async function caExtensions(crypto: webcrypto.Crypto, pathLength: number, subjectKey: webcrypto.CryptoKey, issuer?: x509.X509Certificate): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ...(await keyIds(crypto, subjectKey, issuer)),
  ];
}

/**
 * A TLS leaf: CA:FALSE (critical); digitalSignature, plus keyEncipherment for RSA keys (RSA key
 * exchange), critical; serverAuth and/or clientAuth; the SANs, critical when the subject is
 * empty (RFC 5280 4.2.1.6); SKI and AKI.
 */
export async function leafExtensions(
  crypto: webcrypto.Crypto,
  input: { names: SubjectNames; usages: readonly Usage[]; keyType: KeyType; emptySubject: boolean; subjectKey: webcrypto.CryptoKey; issuer: x509.X509Certificate },
): Promise<x509.Extension[]> {
  const keyUsage = input.keyType === 'ecdsa-p256' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  const eku = input.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const sans: x509.JsonGeneralName[] = [
    ...input.names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...input.names.ips.map((value) => ({ type: 'ip' as const, value })),
    ...input.names.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(keyUsage, true),
    new x509.ExtendedKeyUsageExtension(eku, false),
    new x509.SubjectAlternativeNameExtension(sans, input.emptySubject),
    ...(await keyIds(crypto, input.subjectKey, input.issuer)),
  ];
}
