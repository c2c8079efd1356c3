/**
 * The two Secrets of the webhooks' certificates, in and out, judged without trusting them:
 *
 * - the CA Secret (`sluice-webhook-ca`, Opaque): `ca.crt` + `ca.key` (the CA that signs the serving
 *   leaf), during a rotation `next.crt` + `next.key` (the new CA, in the bundle, not signing yet)
 *   or `previous.crt` (the replaced CA's root, in the bundle until the annotation
 *   `sluice.dev/previous-ca-until`);
 * - the serving Secret (`sluice-webhook-tls`, kubernetes.io/tls): `tls.crt` (the leaf), `tls.key`,
 *   and `ca.crt`, the bundle the webhook configurations carry.
 *
 * Every problem is a line naming the Secret, its key and what is wrong (certs/' diagnostics), for
 * the log line that says why the leader replaces it. Pure apart from WebCrypto.
 */
import { fingerprintSha256, issuedBy, loadCaFromPem, parseCertificate, parseCertificates, privateKeyPem, subjectAltNames, canonicalIp, type Ca, type CertsEnv, type PemSource, type x509 } from '../../../certs/index.js';
import { formatDiagnostic } from '../../../policy-compiler/index.js';
import { checkServingPems, pemOf, type RetiringCa, type RotationState, type ServedLeaf, type ServingCertificate, type ServingNames } from '../../admission/index.js';
import { field } from '../objects.js';
import { secretKeys } from '../secret-data.js';

export const CA_SECRET_KEYS = { cert: 'ca.crt', key: 'ca.key', nextCert: 'next.crt', nextKey: 'next.key', previousCert: 'previous.crt' } as const;
export const SERVING_SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;
/** When the replaced CA leaves the bundle (RFC 3339), on the CA Secret. */
export const PREVIOUS_UNTIL_ANNOTATION = 'sluice.dev/previous-ca-until';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

export const secretPath = (ref: SecretRef): string => `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`;
export const secretsPath = (namespace: string): string => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

/** A Secret's keys as texts; a key that cannot be decoded is a problem, as is one that is missing. */
function texts(ref: SecretRef, object: unknown, wanted: readonly string[]): { found: Map<string, PemSource>; problems: string[] } {
  const keys = secretKeys(object);
  const found = new Map<string, PemSource>();
  const problems: string[] = [];
  for (const key of wanted) {
    const value = keys.get(key);
    const file = `Secret ${ref.namespace}/${ref.name} ${key}`;
    if (!value) continue;
    if ('problem' in value) problems.push(`${file}: ${value.problem}`);
    else found.set(key, { file, text: value.text });
  }
  return { found, problems };
}

const lines = (diagnostics: readonly Parameters<typeof formatDiagnostic>[0][]) => diagnostics.map((d) => formatDiagnostic(d));

/** What a CA Secret holds: the CA in use (absent: the Secret is not usable, `problems` say why), and the rotation's other CAs. */
export interface CaSecretRead {
  readonly state?: Omit<RotationState, 'leaf'>;
  readonly problems: readonly string[];
  /** The rotation's other CAs that were dropped because they are not usable (the CA in use is). */
  readonly dropped: readonly string[];
}

export async function readCaSecret(ref: SecretRef, object: unknown, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<CaSecretRead> {
  const k = CA_SECRET_KEYS;
  const { found, problems } = texts(ref, object, Object.values(k));
  const cert = found.get(k.cert);
  const key = found.get(k.key);
  if (!cert || !key) {
    const missing = [k.cert, k.key].filter((name) => !found.has(name) && !problems.some((p) => p.includes(` ${name}: `)));
    return { problems: [...problems, ...missing.map((name) => `Secret ${ref.namespace}/${ref.name} ${name}: missing`)], dropped: [] };
  }
  const ca = await loadCaFromPem({ root: cert, rootKey: key }, env);
  if (!ca.ok) return { problems: lines(ca.diagnostics), dropped: [] };
  const dropped: string[] = [...problems];
  let pending: Ca | undefined;
  const nextCert = found.get(k.nextCert);
  const nextKey = found.get(k.nextKey);
  if (nextCert && nextKey) {
    const next = await loadCaFromPem({ root: nextCert, rootKey: nextKey }, env);
    if (next.ok) pending = next.value;
    else dropped.push(...lines(next.diagnostics));
  } else if (nextCert || nextKey) dropped.push(`Secret ${ref.namespace}/${ref.name}: ${nextCert ? k.nextKey : k.nextCert} missing beside ${nextCert ? k.nextCert : k.nextKey}`);
  let previous: RetiringCa | undefined;
  const previousCert = found.get(k.previousCert);
  if (previousCert) {
    const parsed = parseCertificate(previousCert.text, 'previous');
    const untilText = field(object, 'metadata', 'annotations', PREVIOUS_UNTIL_ANNOTATION);
    const until = typeof untilText === 'string' ? Date.parse(untilText) : NaN;
    if (!parsed.ok) dropped.push(...lines(parsed.diagnostics).map((l) => `${previousCert.file}: ${l}`));
    else if (!Number.isFinite(until)) dropped.push(`Secret ${ref.namespace}/${ref.name}: annotation ${PREVIOUS_UNTIL_ANNOTATION} ${JSON.stringify(untilText ?? null)} is not a time`);
    else previous = { root: parsed.value, until };
  }
  return { state: { ca: ca.value, ...(pending ? { pending } : {}), ...(previous ? { previous } : {}) }, problems: [], dropped };
}

/** The CA Secret to write for a rotation state (`resourceVersion`: the one read, for an update). */
export async function caSecretBody(ref: SecretRef, state: Omit<RotationState, 'leaf'>, crypto: CertsEnv['crypto'], resourceVersion?: string): Promise<Record<string, unknown>> {
  const k = CA_SECRET_KEYS;
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const data: Record<string, string> = { [k.cert]: b64(pemOf([state.ca.root])), [k.key]: b64(await caKeyPem(state.ca, crypto)) };
  if (state.pending) Object.assign(data, { [k.nextCert]: b64(pemOf([state.pending.root])), [k.nextKey]: b64(await caKeyPem(state.pending, crypto)) });
  if (state.previous) data[k.previousCert] = b64(pemOf([state.previous.root]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { 'app.kubernetes.io/part-of': 'sluice', 'app.kubernetes.io/managed-by': 'sluice-controller' },
      ...(state.previous ? { annotations: { [PREVIOUS_UNTIL_ANNOTATION]: new Date(state.previous.until).toISOString() } } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    data,
  };
}

async function caKeyPem(ca: Ca, crypto: CertsEnv['crypto']): Promise<string> {
  if (!ca.rootKey) throw new Error('invariant: the webhooks\' CA is a root with its key');
  return privateKeyPem(crypto, ca.rootKey);
}

/** Which CAs a state is made of (the roots' fingerprints, the overlap's end): equal identities need no write. */
export function caIdentity(state: Omit<RotationState, 'leaf'>): string {
  const fp = (c: x509.X509Certificate) => fingerprintSha256(c.rawData);
  return [fp(state.ca.root), state.pending ? fp(state.pending.root) : '', state.previous ? `${fp(state.previous.root)}@${state.previous.until}` : ''].join('|');
}

export interface ServingSecretRead {
  /** The leaf and its key, checked (parsed, the key its own, valid now, chained to the Secret's ca.crt, every name there). */
  readonly leaf?: { readonly served: ServedLeaf; readonly keyPem: string };
  /** The roots of its ca.crt, when the leaf is usable. */
  readonly bundle?: readonly x509.X509Certificate[];
  readonly problems: readonly string[];
}

/** A serving Secret as a replica serves it: the pair checked as `sluice certs inspect` does (tls-dir.ts's check). */
export async function readServingPair(ref: SecretRef, object: unknown, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<{ ok: true; certificate: ServingCertificate; caPem: string } | { ok: false; problems: readonly string[] }> {
  const k = SERVING_SECRET_KEYS;
  const { found, problems } = texts(ref, object, Object.values(k));
  const cert = found.get(k.cert);
  const key = found.get(k.key);
  const ca = found.get(k.ca);
  if (!cert || !key || !ca) {
    const missing = Object.values(k).filter((name) => !found.has(name) && !problems.some((p) => p.includes(` ${name}: `)));
    return { ok: false, problems: [...problems, ...missing.map((name) => `Secret ${ref.namespace}/${ref.name} ${name}: missing`)] };
  }
  const checked = await checkServingPems({ cert, key, ca }, env.now(), env.crypto);
  if (!checked.ok) return { ok: false, problems: checked.problems };
  return { ok: true, certificate: checked.value.certificate, caPem: checked.value.caPem };
}

/**
 * A serving Secret as the leader judges it: usable to serve (readServingPair), naming every name
 * the API server may reach the webhook by, and issued by one of `issuers` (the CAs of the rotation).
 */
export async function readServingSecret(ref: SecretRef, object: unknown, names: ServingNames, issuers: readonly x509.X509Certificate[], env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<ServingSecretRead> {
  const pair = await readServingPair(ref, object, env);
  if (!pair.ok) return { problems: pair.problems };
  const chain = parseCertificates(pair.certificate.cert);
  const bundle = parseCertificates(pair.caPem);
  if (!chain.ok || !bundle.ok) return { problems: [`Secret ${ref.namespace}/${ref.name}: does not parse again`] };
  const [leaf] = chain.value;
  if (!leaf) return { problems: [`Secret ${ref.namespace}/${ref.name} ${SERVING_SECRET_KEYS.cert}: no certificate`] };
  const sans = subjectAltNames(leaf);
  const ips = new Set(sans.ip.map((ip) => canonicalIp(ip) ?? ip));
  const missing = [...names.dns.filter((n) => !sans.dns.includes(n)), ...names.ips.filter((ip) => !ips.has(canonicalIp(ip) ?? ip))];
  if (missing.length > 0) return { problems: [`Secret ${ref.namespace}/${ref.name} ${SERVING_SECRET_KEYS.cert}: the leaf does not name ${missing.join(', ')} (it names ${[...sans.dns, ...sans.ip].join(', ') || 'nothing'})`] };
  let known = false;
  for (const issuer of issuers) if (await issuedBy(leaf, issuer, env.crypto)) known = true;
  if (!known) return { problems: [`Secret ${ref.namespace}/${ref.name} ${SERVING_SECRET_KEYS.cert}: the leaf (issuer ${leaf.issuer}) is not issued by the webhooks' CA`] };
  return { leaf: { served: { certificate: leaf, chain: chain.value }, keyPem: pair.certificate.key }, bundle: bundle.value, problems: [] };
}

/** The serving Secret to write: the leaf (and chain), its key, and the bundle as ca.crt. */
export function servingSecretBody(ref: SecretRef, certificate: ServingCertificate, bundlePem: string, resourceVersion?: string): Record<string, unknown> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const k = SERVING_SECRET_KEYS;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { 'app.kubernetes.io/part-of': 'sluice', 'app.kubernetes.io/managed-by': 'sluice-controller' },
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    data: { [k.cert]: b64(certificate.cert), [k.key]: b64(certificate.key), [k.ca]: b64(bundlePem) },
  };
}

/** What of a serving Secret matters: the served pair and the bundle. */
export function servingIdentity(certificate: ServingCertificate, bundlePem: string): string {
  return `${certificate.cert}\0${bundlePem}`;
}

/** A Secret's resourceVersion (undefined when the object has none). */
export function resourceVersionOf(object: unknown): string | undefined {
  const rv = field(object, 'metadata', 'resourceVersion');
  return typeof rv === 'string' ? rv : undefined;
}
