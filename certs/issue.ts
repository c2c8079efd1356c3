/**
 * Issuing TLS leaves from a CA: server certificates for the names a policy intercepts, client
 * certificates for proxies and the xDS channel (a SPIFFE URI SAN), or both at once. The request
 * is checked first (names, days, common name): bad input is a diagnostic, never a signature.
 */
import type { Diagnostic } from '../policy-compiler/index.js';
import { servedChain, lifetimeProblem, type Ca } from './ca.js';
import { validityProblem } from './certificates.js';
import { checkNames, commonNameProblem, MAX_COMMON_NAME, type SubjectNames } from './names.js';
import { problem } from './problems.js';
import { DEFAULT_LEAF_DAYS, leafExtensions, serialNumber, subjectName, validityFor } from './profiles.js';
import { DEFAULT_KEY_TYPE, failed, ok, type CertsEnv, type KeyMaterial, type KeyType, type Result, type Usage } from './types.js';
import { x509 } from './x509-lib.js';

export interface LeafRequest {
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly uris?: readonly string[];
  /** Default `['server']`. */
  readonly usages?: readonly Usage[];
  /** Default: the first DNS name, else the first URI, else the first IP that fits in 64 characters; else an empty subject. */
  readonly commonName?: string;
  readonly keyType?: KeyType;
  /** Default 90; never past the signing CA's notAfter (`clamped` says when it was cut). */
  readonly days?: number;
  /** A validity in milliseconds instead of `days` (at least MIN_LIFETIME_MS): short-lived leaves, tests of renewal. */
  readonly lifetimeMs?: number;
}

export interface IssuedLeaf {
  readonly certificate: x509.X509Certificate;
  readonly key: KeyMaterial;
  /** What the server sends: the leaf, then the intermediate when there is one (tls.crt). */
  readonly chain: readonly x509.X509Certificate[];
  /** The trust anchor peers verify against (ca.crt). */
  readonly root: x509.X509Certificate;
  readonly names: SubjectNames;
  readonly usages: readonly Usage[];
  readonly clamped: boolean;
}

function defaultCommonName(names: SubjectNames): string | undefined {
  return [...names.dns, ...names.uris, ...names.ips].find((n) => n.length <= MAX_COMMON_NAME);
}

/** Issues a leaf signed by the CA's signer (the intermediate when there is one). */
export async function issueLeaf(ca: Ca, request: LeafRequest, env: CertsEnv): Promise<Result<IssuedLeaf>> {
  const names = checkNames(request);
  const diagnostics: Diagnostic[] = names.ok ? [] : [...names.diagnostics];
  const days = request.days ?? DEFAULT_LEAF_DAYS;
  const badDays = lifetimeProblem(days, request.lifetimeMs);
  if (badDays) diagnostics.push(badDays);
  const badName = request.commonName === undefined ? undefined : commonNameProblem(request.commonName);
  if (badName) diagnostics.push(problem('request.common-name', 'commonName', `"${request.commonName ?? ''}": ${badName}`));
  const usages: Usage[] = [...new Set<Usage>(request.usages ?? ['server'])];
  if (usages.length === 0) diagnostics.push(problem('request.names', 'usages', 'a leaf is for server or client use, or both'));
  const now = env.now();
  const signerInvalid = validityProblem(ca.signer.certificate, now, 'signer');
  if (signerInvalid) diagnostics.push(signerInvalid);
  if (!names.ok || diagnostics.length > 0) return failed(diagnostics);

  const keyType = request.keyType ?? DEFAULT_KEY_TYPE;
  const key = await env.generateKey(keyType);
  const commonName = request.commonName ?? defaultCommonName(names.value);
  const validity = validityFor(now, days, ca.signer.certificate, request.lifetimeMs);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(env.randomBytes),
      subject: subjectName(commonName),
      issuer: ca.signer.certificate.subjectName,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      publicKey: key.publicKey,
      signingKey: ca.signer.key.privateKey,
      extensions: await leafExtensions(env.crypto, { names: names.value, usages, keyType, emptySubject: commonName === undefined, subjectKey: key.publicKey, issuer: ca.signer.certificate }),
    },
    env.crypto,
  );
  return ok({ certificate, key, chain: [certificate, ...servedChain(ca)], root: ca.root, names: names.value, usages, clamped: validity.clamped });
}
