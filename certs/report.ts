/**
 * `sluice certs inspect PATH` as data: a PEM file (certificates or a private key), a secret
 * directory (tls.crt, tls.key, ca.crt, checked as a whole) or a CA directory (checked as `issue`
 * would load it). The CLI prints it as text or JSON.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../policy-compiler/index.js';
import { parseCertificates } from './certificates.js';
import { fingerprintSha256, inspectCertificate, type CertificateInfo } from './inspect.js';
import { parsePrivateKeyPem } from './keys.js';
import { parsePem } from './pem.js';
import { CertsError, inFile } from './problems.js';
import { checkSecret } from './secret.js';
import { CA_FILES, loadCa, readPemFile, readSecretFiles, SECRET_FILES } from './store.js';
import type { CertsEnv, KeyMaterial } from './types.js';
import type { x509 } from './x509-lib.js';

export interface InspectedCertificate extends CertificateInfo {
  readonly file: string;
  readonly index: number;
}

export interface InspectedKey {
  readonly file: string;
  readonly keyType: string;
  readonly publicKeySha256: string;
}

export interface InspectReport {
  readonly path: string;
  readonly kind: 'certificates' | 'private-key' | 'secret' | 'ca';
  readonly certificates: readonly InspectedCertificate[];
  readonly privateKeys: readonly InspectedKey[];
  /** Errors make the command exit 1; warnings are printed only. */
  readonly diagnostics: readonly Diagnostic[];
}

function keySummary(file: string, key: KeyMaterial): InspectedKey {
  const spki = createPublicKey(KeyObject.from(key.privateKey)).export({ format: 'der', type: 'spki' });
  return { file, keyType: key.type, publicKeySha256: fingerprintSha256(spki) };
}

const certificatesOf = (file: string, certs: readonly x509.X509Certificate[], now: Date): InspectedCertificate[] => certs.map((c, index) => ({ file, index, ...inspectCertificate(c, now) }));

async function inspectFile(file: string, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<InspectReport> {
  const now = env.now();
  const read = await readPemFile(file);
  if (!read.ok) return { path: file, kind: 'certificates', certificates: [], privateKeys: [], diagnostics: read.diagnostics };
  const blocks = parsePem(read.value.text);
  const isKey = blocks.ok && blocks.value.some((b) => b.label.includes('PRIVATE KEY'));
  if (isKey) {
    const key = await parsePrivateKeyPem(env.crypto, read.value.text);
    return { path: file, kind: 'private-key', certificates: [], privateKeys: key.ok ? [keySummary(file, key.value)] : [], diagnostics: key.ok ? [] : inFile(key.diagnostics, file) };
  }
  const certs = parseCertificates(read.value.text);
  if (!certs.ok) return { path: file, kind: 'certificates', certificates: [], privateKeys: [], diagnostics: inFile(certs.diagnostics, file) };
  return { path: file, kind: 'certificates', certificates: certificatesOf(file, certs.value, now), privateKeys: [], diagnostics: [] };
}

async function inspectSecret(dir: string, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<InspectReport> {
  const now = env.now();
  const files = await readSecretFiles(dir);
  if (!files.ok) return { path: dir, kind: 'secret', certificates: [], privateKeys: [], diagnostics: files.diagnostics };
  const check = await checkSecret(files.value, now, env.crypto);
  return {
    path: dir,
    kind: 'secret',
    certificates: [...certificatesOf(files.value.cert.file, check.chain ?? [], now), ...certificatesOf(files.value.ca.file, check.trust ?? [], now)],
    privateKeys: check.key ? [keySummary(files.value.key.file, check.key)] : [],
    diagnostics: [...files.warnings, ...check.diagnostics],
  };
}

async function inspectCaDir(dir: string, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<InspectReport> {
  const now = env.now();
  const ca = await loadCa(dir, env);
  if (!ca.ok) return { path: dir, kind: 'ca', certificates: [], privateKeys: [], diagnostics: ca.diagnostics };
  const { root, intermediate, rootKey, signer } = ca.value;
  return {
    path: dir,
    kind: 'ca',
    certificates: [
      ...certificatesOf(path.join(dir, CA_FILES.root), [root], now),
      ...certificatesOf(path.join(dir, CA_FILES.intermediate), intermediate ? [intermediate] : [], now),
    ],
    privateKeys: [...(rootKey ? [keySummary(path.join(dir, CA_FILES.rootKey), rootKey)] : []), ...(intermediate ? [keySummary(path.join(dir, CA_FILES.intermediateKey), signer.key)] : [])],
    diagnostics: ca.warnings,
  };
}

/** Inspects a PEM file, a secret directory (it has tls.crt) or a CA directory (it has root.crt). */
export async function inspectPath(target: string, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<InspectReport> {
  const info = await fsp.stat(target).catch(() => undefined);
  if (!info?.isDirectory()) return inspectFile(target, env); // readPemFile names a missing file
  const has = async (name: string) => (await fsp.stat(path.join(target, name)).catch(() => undefined))?.isFile() === true;
  if (await has(SECRET_FILES.cert)) return inspectSecret(target, env);
  if (await has(CA_FILES.root)) return inspectCaDir(target, env);
  throw new CertsError('file-missing', `${target} holds neither ${SECRET_FILES.cert} (a secret directory) nor ${CA_FILES.root} (a CA directory)`, target);
}
