/**
 * The certificate authority: a self-signed root, optionally an intermediate below it that signs
 * the leaves (so the root key can stay offline). Created from the injected environment, or
 * loaded from PEM and checked: each certificate a CA valid now, the root self-signed, the
 * intermediate issued by the root, each key the one of its certificate.
 */
import type { Diagnostic } from '../policy-compiler/index.js';
import { caProblems, issuedBy, parseCertificate, selfSigned, validityProblem } from './certificates.js';
import { keyMatchesSpki, parsePrivateKeyPem } from './keys.js';
import { commonNameProblem, MAX_COMMON_NAME } from './names.js';
import { inFile, problem } from './problems.js';
import { caExtensions, DEFAULT_CA_DAYS, MAX_DAYS, MIN_LIFETIME_MS, serialNumber, subjectName, validityFor } from './profiles.js';
import { DEFAULT_KEY_TYPE, failed, ok, type CertsEnv, type KeyMaterial, type KeyType, type Result } from './types.js';
import { x509 } from './x509-lib.js';

export interface CertifiedKey {
  readonly certificate: x509.X509Certificate;
  readonly key: KeyMaterial;
}

export interface Ca {
  readonly root: x509.X509Certificate;
  /** Absent when an intermediate signs and the root key is kept elsewhere. */
  readonly rootKey?: KeyMaterial;
  readonly intermediate?: x509.X509Certificate;
  /** What signs leaves: the intermediate and its key when there is one, else the root and its key. */
  readonly signer: CertifiedKey;
}

/** The certificates a server sends after its leaf, in order (the intermediate, when there is one). */
export function servedChain(ca: Ca): x509.X509Certificate[] {
  return ca.intermediate ? [ca.intermediate] : [];
}

export interface CaRequest {
  readonly keyType?: KeyType;
  /** Validity of the root (and of the intermediate, which never outlives it). Default 3650. */
  readonly days?: number;
  /** A validity in milliseconds instead of `days` (at least MIN_LIFETIME_MS): short-lived CAs, tests of rotation. */
  readonly lifetimeMs?: number;
  /** The root's common name (default "sluice root CA"); the intermediate's is this + " intermediate". */
  readonly commonName?: string;
  readonly intermediate?: boolean;
}

export const DEFAULT_CA_NAME = 'sluice root CA';

export function daysProblem(days: number, path = 'days'): Diagnostic | undefined {
  return Number.isInteger(days) && days >= 1 && days <= MAX_DAYS ? undefined : problem('request.days', path, `${days}: expected a whole number of days from 1 to ${MAX_DAYS}`);
}

/** `days`, or `lifetimeMs` when given (a whole number of milliseconds from MIN_LIFETIME_MS to MAX_DAYS days). */
export function lifetimeProblem(days: number, lifetimeMs: number | undefined): Diagnostic | undefined {
  if (lifetimeMs === undefined) return daysProblem(days);
  return Number.isInteger(lifetimeMs) && lifetimeMs >= MIN_LIFETIME_MS && lifetimeMs <= MAX_DAYS * 86_400_000
    ? undefined
    : problem('request.days', 'lifetimeMs', `${lifetimeMs}: expected a whole number of milliseconds from ${MIN_LIFETIME_MS} to ${MAX_DAYS} days`);
}

/** A new CA: root (CA:TRUE, path length 1 with an intermediate, else 0), and the intermediate (path length 0). */
export async function createCa(request: CaRequest, env: CertsEnv): Promise<Result<Ca>> {
  const days = request.days ?? DEFAULT_CA_DAYS;
  const rootName = request.commonName ?? DEFAULT_CA_NAME;
  const intermediateName = `${rootName} intermediate`;
  const diagnostics: Diagnostic[] = [];
  const badDays = lifetimeProblem(days, request.lifetimeMs);
  if (badDays) diagnostics.push(badDays);
  const badName = commonNameProblem(request.intermediate ? intermediateName : rootName);
  if (badName) diagnostics.push(problem('request.common-name', 'commonName', `"${rootName}": ${request.intermediate ? `with " intermediate" appended, ${badName} (keep it under ${MAX_COMMON_NAME - 12})` : badName}`));
  if (diagnostics.length > 0) return failed(diagnostics);
  const keyType = request.keyType ?? DEFAULT_KEY_TYPE;
  const crypto = env.crypto;
  const rootKey = await env.generateKey(keyType);
  const validity = validityFor(env.now(), days, undefined, request.lifetimeMs);
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(env.randomBytes),
      name: subjectName(rootName),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      keys: { privateKey: rootKey.privateKey, publicKey: rootKey.publicKey },
      extensions: await caExtensions(crypto, request.intermediate ? 1 : 0, rootKey.publicKey),
    },
    crypto,
  );
  if (!request.intermediate) return ok({ root, rootKey, signer: { certificate: root, key: rootKey } });
  const key = await env.generateKey(keyType);
  const intermediate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(env.randomBytes),
      subject: subjectName(intermediateName),
      issuer: root.subjectName,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter, // the root's: made at the same instant, for as many days
      publicKey: key.publicKey,
      signingKey: rootKey.privateKey,
      extensions: await caExtensions(crypto, 0, key.publicKey, root),
    },
    crypto,
  );
  return ok({ root, rootKey, intermediate, signer: { certificate: intermediate, key } });
}

/** A PEM text and the file it came from (named in diagnostics). */
export interface PemSource {
  readonly file: string;
  readonly text: string;
}

/** A CA's files: the root and its key, or the root (its key optional) with the intermediate and its key. */
export type CaSources =
  | { readonly root: PemSource; readonly rootKey: PemSource; readonly intermediate?: undefined; readonly intermediateKey?: undefined }
  | { readonly root: PemSource; readonly rootKey?: PemSource; readonly intermediate: PemSource; readonly intermediateKey: PemSource };

/** Parses and checks a CA; every problem is a diagnostic naming its file and field. */
export async function loadCaFromPem(sources: CaSources, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<Result<Ca>> {
  const now = env.now();
  const rootPair = await certifiedPair(sources.root, sources.rootKey, 'root', now, env);
  if (!rootPair.ok) return rootPair;
  const { certificate: root, key: rootKey } = rootPair.value;
  if (!(await selfSigned(root, env.crypto))) {
    return failed([problem('ca.not-self-signed', 'root', `${root.subject} is not self-signed (issuer ${root.issuer}): a root CA signs itself; put an intermediate in intermediate.crt`, { file: sources.root.file })]);
  }
  if (!sources.intermediate) {
    if (!rootKey) throw new Error('invariant: a CA without an intermediate has its root key');
    return ok({ root, rootKey, signer: { certificate: root, key: rootKey } });
  }
  const pair = await certifiedPair(sources.intermediate, sources.intermediateKey, 'intermediate', now, env);
  if (!pair.ok) return pair;
  const intermediate = pair.value.certificate;
  if (!pair.value.key) throw new Error('invariant: an intermediate comes with its key');
  if (!(await issuedBy(intermediate, root, env.crypto))) {
    return failed([problem('chain.issuer', 'intermediate', `${intermediate.subject} is not issued by the root ${root.subject}`, { file: sources.intermediate.file })]);
  }
  if (root.getExtension(x509.BasicConstraintsExtension)?.pathLength === 0) {
    return failed([problem('ca.path-length', 'root.extensions.basicConstraints.pathLenConstraint', `${root.subject} has path length 0: it may not have an intermediate below it`, { file: sources.root.file })]);
  }
  return ok({ root, ...(rootKey ? { rootKey } : {}), intermediate, signer: { certificate: intermediate, key: pair.value.key } });
}

/** A CA certificate and (when given) its key: parsed, a CA, valid now, the key its own. */
async function certifiedPair(
  certSource: PemSource,
  keySource: PemSource | undefined,
  name: string,
  now: Date,
  env: Pick<CertsEnv, 'crypto'>,
): Promise<Result<{ certificate: x509.X509Certificate; key?: KeyMaterial }>> {
  const parsed = parseCertificate(certSource.text, name);
  if (!parsed.ok) return failed(inFile(parsed.diagnostics, certSource.file));
  const certificate = parsed.value;
  const invalid = [...caProblems(certificate, name), ...[validityProblem(certificate, now, name)].filter((d) => d !== undefined)];
  if (invalid.length > 0) return failed(inFile(invalid, certSource.file));
  if (!keySource) return ok({ certificate });
  const key = await parsePrivateKeyPem(env.crypto, keySource.text);
  if (!key.ok) return failed(inFile(key.diagnostics, keySource.file));
  if (!keyMatchesSpki(key.value, certificate.publicKey.rawData)) {
    return failed([problem('key.mismatch', 'privateKey', `this key does not belong to ${certSource.file} (${certificate.subject})`, { file: keySource.file })]);
  }
  return ok({ certificate, key: key.value });
}
