/**
 * One version of a secret (its keys' bytes) judged into the facts the compiler reads
 * (policy-compiler/model/secrets.ts): each key is PEM certificates, a PEM private key, or text (a
 * token). What makes a version unusable as a whole: a key that is not readable, too large, PEM
 * that does not parse, more than one private key, a `tls.key` that is not the key of `tls.crt`'s
 * leaf. Certificates not valid at `now` (expired, not yet valid) are recorded, not refused: the
 * compiler reports them at the field that uses them.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { fingerprintSha256, inspectCertificate, parseCertificates, parsePem, type x509 } from '../../certs/index.js';
import type { CatalogSecret, CertificateFacts, SecretValue } from '../../policy-compiler/index.js';

/** One key's bytes as read, or why it could not be. */
export type RawValue = { readonly text: string } | { readonly problem: string };

export type Judged = { readonly ok: true; readonly secret: CatalogSecret } | { readonly ok: false; readonly problem: string };

function facts(cert: x509.X509Certificate, now: Date): CertificateFacts {
  const info = inspectCertificate(cert, now);
  const ca = info.basicConstraints?.ca === true && (info.keyUsage.length === 0 || info.keyUsage.includes('keyCertSign'));
  const eku = info.extendedKeyUsage;
  return {
    subject: info.subject,
    dns: info.sans.dns.map((d) => d.toLowerCase()),
    uris: info.sans.uri,
    notBefore: Date.parse(info.notBefore),
    notAfter: Date.parse(info.notAfter),
    ca,
    selfSigned: info.subject === info.issuer,
    serverAuth: eku.length === 0 || eku.includes('serverAuth'),
    clientAuth: eku.length === 0 || eku.includes('clientAuth'),
    digitalSignature: info.keyUsage.length === 0 || info.keyUsage.includes('digitalSignature'),
    publicKey: info.publicKeySha256,
  };
}

/** Why a certificate is not valid at `now` (absent: it is). */
export function validityAt(leaf: CertificateFacts | undefined, now: Date): string | undefined {
  const t = now.getTime();
  if (!leaf) return undefined;
  if (t > leaf.notAfter) return `expired at ${new Date(leaf.notAfter).toISOString()}`;
  if (t < leaf.notBefore) return `not valid before ${new Date(leaf.notBefore).toISOString()}`;
  return undefined;
}

/** The keys of a version whose leaf certificate is not valid at `now`, with why. */
export function invalidKeysAt(secret: CatalogSecret, now: Date): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of secret.values) {
    const why = value.kind === 'certificates' ? validityAt(value.certificates[0], now) : undefined;
    if (why !== undefined) out.set(key, why);
  }
  return out;
}

function judgeValue(key: string, text: string, now: Date): { value: SecretValue; invalid?: string } | { problem: string } {
  if (!text.includes('-----BEGIN ')) return { value: { kind: 'text', text } };
  const pem = parsePem(text);
  if (!pem.ok) return { problem: `${key}: ${pem.diagnostics.map((d) => d.message).join('; ')}` };
  const labels = pem.value.map((b) => b.label);
  if (labels.some((l) => l.endsWith('PRIVATE KEY'))) {
    if (labels.length !== 1) return { problem: `${key}: a private key must be the only PEM block of its key (found ${labels.join(', ')})` };
    try {
      const spki = createPublicKey(createPrivateKey(text)).export({ type: 'spki', format: 'der' });
      return { value: { kind: 'private-key', text, publicKey: fingerprintSha256(spki) } };
    } catch (error) {
      return { problem: `${key}: not a usable private key (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  const certs = parseCertificates(text, key);
  if (!certs.ok) return { problem: certs.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ') };
  const all = certs.value.map((c) => facts(c, now));
  const invalid = validityAt(all[0], now);
  return { value: { kind: 'certificates', text, certificates: all }, ...(invalid ? { invalid } : {}) };
}

/** Judges one version of secret `key` (`namespace/name`). */
export function judgeSecret(key: string, raw: ReadonlyMap<string, RawValue>, now: Date): Judged {
  const hash = createHash('sha256');
  const values = new Map<string, SecretValue>();
  const invalidNow = new Map<string, string>();
  for (const [name, value] of [...raw].sort(([a], [b]) => a.localeCompare(b))) {
    if ('problem' in value) return { ok: false, problem: `${name}: ${value.problem}` };
    hash.update(`${name}\0${value.text.length}\0${value.text}\0`);
    const judged = judgeValue(name, value.text, now);
    if ('problem' in judged) return { ok: false, problem: judged.problem };
    values.set(name, judged.value);
    if (judged.invalid !== undefined) invalidNow.set(name, judged.invalid);
  }
  if (values.size === 0) return { ok: false, problem: 'it holds no keys' };
  const cert = values.get('tls.crt');
  const pk = values.get('tls.key');
  if (cert?.kind === 'certificates' && pk?.kind === 'private-key' && cert.certificates[0]?.publicKey !== pk.publicKey) {
    return { ok: false, problem: `tls.key is not the key of tls.crt's certificate (${cert.certificates[0]?.subject || 'empty subject'})` };
  }
  return { ok: true, secret: { key, version: hash.digest('hex').slice(0, 16), values, ...(invalidNow.size > 0 ? { invalidNow } : {}) } };
}
