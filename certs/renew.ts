/**
 * Renewal: a pure decision ("renew now?") from the clock, the certificate's validity and a window
 * before expiry; and `rotateLeaf`, which reissues a leaf with the same names, usages and key type,
 * a new key and a new serial.
 */
import type { webcrypto } from 'node:crypto';
import type { Ca } from './ca.js';
import { issuedBy } from './certificates.js';
import { describeSpki } from './keys.js';
import { issueLeaf, type IssuedLeaf, type LeafRequest } from './issue.js';
import { subjectAltNames } from './inspect.js';
import { problem } from './problems.js';
import { BACKDATE_MS } from './profiles.js';
import { DAY_MS, failed, ok, type CertsEnv, type KeyType, type Result, type Usage } from './types.js';
import { x509 } from './x509-lib.js';

export const DEFAULT_RENEW_WINDOW_MS = 30 * DAY_MS;

export type RenewalReason =
  | 'expired' // now is after notAfter
  | 'not-yet-valid' // now is before notBefore: unusable as it is
  | 'within-window' // now is within the window before notAfter
  | 'issuer-changed' // the CA that signs leaves now did not sign this one (rotationDecision)
  | 'not-due';

export interface RenewalDecision {
  readonly due: boolean;
  readonly reason: RenewalReason;
  /** From when the certificate is due: notAfter minus the effective window. */
  readonly renewAt: Date;
  readonly notAfter: Date;
  /** The window applied: the one asked for, or a third of the lifetime when that one is not shorter than the lifetime. */
  readonly windowMs: number;
  /** True when the window asked for was not shorter than the certificate's lifetime (a third of it applies, so a renewed certificate is not due at once). */
  readonly windowClamped: boolean;
}

/** Decides whether a certificate with this validity is due for renewal at `now`. */
export function renewalDecision(validity: { readonly notBefore: Date; readonly notAfter: Date }, now: Date, windowMs: number = DEFAULT_RENEW_WINDOW_MS): RenewalDecision {
  const lifetime = validity.notAfter.getTime() - validity.notBefore.getTime();
  const windowClamped = windowMs >= lifetime;
  const effective = windowClamped ? Math.floor(lifetime / 3) : Math.max(0, windowMs);
  const renewAt = new Date(validity.notAfter.getTime() - effective);
  const t = now.getTime();
  const reason: RenewalReason =
    t > validity.notAfter.getTime() ? 'expired' : t < validity.notBefore.getTime() ? 'not-yet-valid' : t >= renewAt.getTime() ? 'within-window' : 'not-due';
  return { due: reason !== 'not-due', reason, renewAt, notAfter: validity.notAfter, windowMs: effective, windowClamped };
}

/** `renewalDecision`, and due as well when the CA's signer did not issue the leaf (the CA was replaced). */
export async function rotationDecision(leaf: x509.X509Certificate, ca: Ca, now: Date, windowMs: number, crypto: webcrypto.Crypto): Promise<RenewalDecision> {
  const decision = renewalDecision(leaf, now, windowMs);
  if (decision.due || (await issuedBy(leaf, ca.signer.certificate, crypto))) return decision;
  return { ...decision, due: true, reason: 'issuer-changed' };
}

/** What a leaf was issued for, to issue it again: its SANs, common name, usages, key type and lifetime. */
export function leafRequestFrom(cert: x509.X509Certificate): Result<LeafRequest & { readonly keyType?: KeyType }> {
  const sans = subjectAltNames(cert);
  if (sans.dns.length + sans.ip.length + sans.uri.length === 0) {
    return failed([problem('leaf.no-names', 'certificate[0].extensions.subjectAltName', `${cert.subject || 'the certificate'} has no DNS, IP or URI name to reissue it with`)]);
  }
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [x509.ExtendedKeyUsage.serverAuth];
  const usages: Usage[] = [];
  if (eku.includes(x509.ExtendedKeyUsage.serverAuth)) usages.push('server');
  if (eku.includes(x509.ExtendedKeyUsage.clientAuth)) usages.push('client');
  if (usages.length === 0) return failed([problem('leaf.extended-key-usage', 'certificate[0].extensions.extendedKeyUsage', `${cert.subject || 'the certificate'} is neither for serverAuth nor for clientAuth`)]);
  const [commonName] = cert.subjectName.getField('CN');
  const keyType = describeSpki(cert.publicKey.rawData).keyType;
  const days = Math.max(1, Math.round((cert.notAfter.getTime() - cert.notBefore.getTime() - BACKDATE_MS) / DAY_MS));
  return ok({ dns: sans.dns, ips: sans.ip, uris: sans.uri, usages, days, ...(commonName !== undefined ? { commonName } : {}), ...(keyType ? { keyType } : {}) });
}

/** Reissues `current` from `ca`: same names and usages, a new key (same type unless overridden) and a new serial. */
export async function rotateLeaf(ca: Ca, current: x509.X509Certificate, env: CertsEnv, overrides: { readonly days?: number; readonly keyType?: KeyType } = {}): Promise<Result<IssuedLeaf>> {
  const request = leafRequestFrom(current);
  if (!request.ok) return request;
  return issueLeaf(ca, { ...request.value, ...overrides }, env);
}
