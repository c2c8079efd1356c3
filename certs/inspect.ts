/**
 * What a certificate says, as plain data: subject, issuer, serial, validity (and its state at the
 * injected clock), key type, SANs, key usages, extended key usages, basic constraints, key
 * identifiers and the SHA-256 fingerprint (the form `openssl x509 -fingerprint -sha256` prints).
 */
import { createHash } from 'node:crypto';
import { describeSpki } from './keys.js';
import { x509 } from './x509-lib.js';

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** Lower-case hex, as openssl prints it without the colons. */
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly state: 'valid' | 'expired' | 'not-yet-valid';
  /** `ecdsa-p256`, `rsa-2048`, `rsa-3072`, or a description of another key (`ecdsa secp384r1`, `ed25519`). */
  readonly keyType: string;
  readonly sans: { readonly dns: readonly string[]; readonly ip: readonly string[]; readonly uri: readonly string[]; readonly email: readonly string[] };
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number } | null;
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  /** SHA-256 of the DER, colon-separated upper-case hex. */
  readonly fingerprintSha256: string;
  /** SHA-256 of the public key (SubjectPublicKeyInfo DER): the same for the certificate and its private key. */
  readonly publicKeySha256: string;
}

const KEY_USAGE_NAMES: readonly [x509.KeyUsageFlags, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const EKU_NAMES: Readonly<Record<string, string>> = {
  [x509.ExtendedKeyUsage.serverAuth]: 'serverAuth',
  [x509.ExtendedKeyUsage.clientAuth]: 'clientAuth',
  [x509.ExtendedKeyUsage.codeSigning]: 'codeSigning',
  [x509.ExtendedKeyUsage.emailProtection]: 'emailProtection',
  [x509.ExtendedKeyUsage.timeStamping]: 'timeStamping',
  [x509.ExtendedKeyUsage.ocspSigning]: 'OCSPSigning',
};

export function fingerprintSha256(der: ArrayBuffer | Uint8Array): string {
  const hex = createHash('sha256').update(der instanceof Uint8Array ? der : new Uint8Array(der)).digest('hex').toUpperCase();
  return (hex.match(/../g) ?? []).join(':');
}

/** The subject alternative names by kind (other kinds, such as directory names, are left out). */
export function subjectAltNames(cert: x509.X509Certificate): CertificateInfo['sans'] {
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  return { dns: of('dns'), ip: of('ip'), uri: of('url'), email: of('email') };
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

export function inspectCertificate(cert: x509.X509Certificate, now: Date): CertificateInfo {
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  const t = now.getTime();
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serialNumber.toLowerCase(),
    notBefore: iso(cert.notBefore),
    notAfter: iso(cert.notAfter),
    state: t > cert.notAfter.getTime() ? 'expired' : t < cert.notBefore.getTime() ? 'not-yet-valid' : 'valid',
    keyType: describeSpki(cert.publicKey.rawData).description,
    sans: subjectAltNames(cert),
    keyUsage: ku ? KEY_USAGE_NAMES.filter(([flag]) => (ku.usages & flag) !== 0).map(([, name]) => name) : [],
    extendedKeyUsage: Array.from(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [], (u) => EKU_NAMES[String(u)] ?? String(u)),
    basicConstraints: bc ? { ca: bc.ca, ...(bc.pathLength !== undefined ? { pathLength: bc.pathLength } : {}) } : null,
    ...(ski ? { subjectKeyId: ski.toLowerCase() } : {}),
    ...(aki ? { authorityKeyId: aki.toLowerCase() } : {}),
    fingerprintSha256: fingerprintSha256(cert.rawData),
    publicKeySha256: fingerprintSha256(cert.publicKey.rawData),
  };
}

function relative(ms: number): string {
  const days = Math.floor(Math.abs(ms) / 86_400_000);
  const hours = Math.floor((Math.abs(ms) % 86_400_000) / 3_600_000);
  const span = days > 0 ? `${days}d${hours > 0 ? `${hours}h` : ''}` : `${hours}h${Math.floor((Math.abs(ms) % 3_600_000) / 60_000)}m`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

/** The readable form `sluice certs inspect` prints, one block per certificate. */
export function formatCertificateInfo(info: CertificateInfo, heading: string, now: Date): string {
  const sans = [...info.sans.dns.map((n) => `DNS:${n}`), ...info.sans.ip.map((n) => `IP:${n}`), ...info.sans.uri.map((n) => `URI:${n}`), ...info.sans.email.map((n) => `email:${n}`)];
  const bc = info.basicConstraints;
  const state = info.state === 'valid' ? `expires ${relative(Date.parse(info.notAfter) - now.getTime())}` : info.state === 'expired' ? `EXPIRED ${relative(Date.parse(info.notAfter) - now.getTime())}` : 'NOT YET VALID';
  const rows: [string, string][] = [
    ['subject', info.subject || '(empty)'],
    ['issuer', info.issuer || '(empty)'],
    ['serial', info.serial],
    ['valid', `${info.notBefore} to ${info.notAfter} (${state})`],
    ['key', info.keyType],
    ['SANs', sans.join(', ') || '(none)'],
    ['key usage', info.keyUsage.join(', ') || '(none)'],
    ['ext key usage', info.extendedKeyUsage.join(', ') || '(none)'],
    ['basic constraints', bc ? `CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLength !== undefined ? `, pathlen:${bc.pathLength}` : ''}` : '(none)'],
    ['subject key id', info.subjectKeyId ?? '(none)'],
    ['authority key id', info.authorityKeyId ?? '(none)'],
    ['sha256', info.fingerprintSha256],
    ['public key sha256', info.publicKeySha256],
  ];
  return `${heading}\n${rows.map(([k, v]) => `  ${k.padEnd(19)}${v}`).join('\n')}\n`;
}
