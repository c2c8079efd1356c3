/**
 * A TLS secret judged as a whole (what `sluice certs inspect DIR` reports): tls.crt parses and is
 * a leaf followed by its chain in order, tls.key parses and belongs to the leaf, the chain ends at
 * a certificate of ca.crt, everything valid at the injected clock.
 */
import type { webcrypto } from 'node:crypto';
import type { Diagnostic } from '../policy-compiler/index.js';
import type { PemSource } from './ca.js';
import { chainProblems, leafProblems, parseCertificates } from './certificates.js';
import { keyMatchesSpki, parsePrivateKeyPem } from './keys.js';
import { inFile, problem } from './problems.js';
import type { KeyMaterial } from './types.js';
import type { x509 } from './x509-lib.js';

export interface SecretCheck {
  /** tls.crt's certificates (leaf first), when it parses. */
  readonly chain?: readonly x509.X509Certificate[];
  readonly key?: KeyMaterial;
  readonly trust?: readonly x509.X509Certificate[];
  readonly diagnostics: readonly Diagnostic[];
}

export async function checkSecret(sources: { cert: PemSource; key: PemSource; ca: PemSource }, now: Date, crypto: webcrypto.Crypto): Promise<SecretCheck> {
  const diagnostics: Diagnostic[] = [];
  const chain = parseCertificates(sources.cert.text);
  if (!chain.ok) diagnostics.push(...inFile(chain.diagnostics, sources.cert.file));
  const key = await parsePrivateKeyPem(crypto, sources.key.text);
  if (!key.ok) diagnostics.push(...inFile(key.diagnostics, sources.key.file));
  const trust = parseCertificates(sources.ca.text);
  if (!trust.ok) diagnostics.push(...inFile(trust.diagnostics, sources.ca.file));
  const leaf = chain.ok ? chain.value[0] : undefined;
  if (leaf && key.ok && !keyMatchesSpki(key.value, leaf.publicKey.rawData)) {
    diagnostics.push(problem('key.mismatch', 'privateKey', `this key does not belong to the leaf of ${sources.cert.file} (${leaf.subject || 'empty subject'})`, { file: sources.key.file }));
  }
  if (leaf && chain.ok) {
    diagnostics.push(...inFile(leafProblems(leaf, 'certificate[0]', []), sources.cert.file));
    if (trust.ok) diagnostics.push(...inFile(await chainProblems(chain.value, trust.value, now, crypto), sources.cert.file));
  }
  return { ...(chain.ok ? { chain: chain.value } : {}), ...(key.ok ? { key: key.value } : {}), ...(trust.ok ? { trust: trust.value } : {}), diagnostics };
}
