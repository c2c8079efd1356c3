/**
 * The file edge of certs/: a CA directory (root.crt, root.key, and intermediate.crt,
 * intermediate.key with an intermediate) and a secret directory with the keys of a Kubernetes TLS
 * Secret (tls.crt: the leaf then the intermediate; tls.key; ca.crt: the root). Reads are bounded
 * in size; keys are written 0600, everything atomically (atomic-write.ts).
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import type { webcrypto } from 'node:crypto';
import type { Diagnostic } from '../policy-compiler/index.js';
import { loadCaFromPem, type Ca, type PemSource } from './ca.js';
import type { IssuedLeaf } from './issue.js';
import { privateKeyPem, reason } from './keys.js';
import { MAX_PEM_BYTES, tooLarge } from './pem.js';
import { CertsError, inFile, warning } from './problems.js';
import { nodeFs, writeFilesAtomically, type FsSeam } from './atomic-write.js';
import { failed, ok, type CertsEnv, type Result } from './types.js';
import type { x509 } from './x509-lib.js';

export const CA_FILES = { root: 'root.crt', rootKey: 'root.key', intermediate: 'intermediate.crt', intermediateKey: 'intermediate.key' } as const;
export const SECRET_FILES = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;
export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;

export interface PemFile extends PemSource {
  readonly mode: number;
}

/** Reads a PEM file of at most MAX_PEM_BYTES; a missing or unreadable file is a CertsError, an oversized one a diagnostic. */
export async function readPemFile(file: string, limit = MAX_PEM_BYTES): Promise<Result<PemFile>> {
  let handle: fsp.FileHandle | undefined;
  try {
    const info = await fsp.stat(file); // before open(): opening a FIFO would block
    if (!info.isFile()) throw new CertsError('file-unreadable', `${file}: ${info.isDirectory() ? 'is a directory' : 'is not a regular file'}`, file);
    handle = await fsp.open(file, 'r');
    const size = (await handle.stat()).size;
    if (size > limit) return failed(inFile([tooLarge(size)], file));
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0 || length + bytesRead > limit) {
        length += bytesRead;
        break;
      }
      length += bytesRead;
    }
    if (length > limit) return failed(inFile([tooLarge(length)], file)); // it grew while being read
    return ok({ file, text: buffer.subarray(0, length).toString('utf8'), mode: info.mode & 0o777 });
  } catch (error) {
    if (error instanceof CertsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CertsError('file-missing', `${file}: no such file`, file);
    throw new CertsError('file-unreadable', `${file}: ${reason(error)}`, file);
  } finally {
    await handle?.close();
  }
}

function keyModeWarning(file: PemFile): Diagnostic[] {
  return (file.mode & 0o077) !== 0 ? [warning('key.permissions', 'privateKey', `mode ${file.mode.toString(8).padStart(4, '0')}: the key is readable by others than its owner (chmod 600 it)`, file.file)] : [];
}

const exists = async (file: string) => (await nodeFs.kindOf(file)) !== 'missing';

/** Loads and checks the CA in `dir`. root.key may be absent when an intermediate signs. */
export async function loadCa(dir: string, env: Pick<CertsEnv, 'now' | 'crypto'>): Promise<Result<Ca>> {
  const at = (name: string) => path.join(dir, name);
  if (!(await exists(at(CA_FILES.root)))) throw new CertsError('file-missing', `${at(CA_FILES.root)}: no such file (create a CA with \`sluice certs init --dir ${dir}\`)`, at(CA_FILES.root));
  const withIntermediate = await exists(at(CA_FILES.intermediate));
  const root = await readPemFile(at(CA_FILES.root));
  if (!root.ok) return root;
  // Without an intermediate the root signs, so its key must be there (readPemFile says so when it is not).
  const rootKey = !withIntermediate || (await exists(at(CA_FILES.rootKey))) ? await readPemFile(at(CA_FILES.rootKey)) : undefined;
  if (rootKey && !rootKey.ok) return rootKey;
  if (!withIntermediate) {
    if (!rootKey) throw new Error('invariant: the root key was read');
    const loaded = await loadCaFromPem({ root: root.value, rootKey: rootKey.value }, env);
    return loaded.ok ? ok(loaded.value, keyModeWarning(rootKey.value)) : loaded;
  }
  const intermediate = await readPemFile(at(CA_FILES.intermediate));
  if (!intermediate.ok) return intermediate;
  const intermediateKey = await readPemFile(at(CA_FILES.intermediateKey));
  if (!intermediateKey.ok) return intermediateKey;
  const loaded = await loadCaFromPem({ root: root.value, ...(rootKey ? { rootKey: rootKey.value } : {}), intermediate: intermediate.value, intermediateKey: intermediateKey.value }, env);
  return loaded.ok ? ok(loaded.value, [...(rootKey ? keyModeWarning(rootKey.value) : []), ...keyModeWarning(intermediateKey.value)]) : loaded;
}

const pemOf = (certs: readonly x509.X509Certificate[]) => certs.map((c) => c.toString('pem').trimEnd() + '\n').join('');

/** Writes a new CA into `dir`; refuses when the directory already holds one. Returns the paths written. */
export async function saveCa(dir: string, ca: Ca, crypto: webcrypto.Crypto, fs: FsSeam = nodeFs): Promise<string[]> {
  for (const name of Object.values(CA_FILES)) {
    if ((await fs.kindOf(path.join(dir, name))) !== 'missing') throw new CertsError('exists', `${path.join(dir, name)} exists: ${dir} already holds a CA (remove it first to make a new one)`, path.join(dir, name));
  }
  const files = [
    { name: CA_FILES.root, data: pemOf([ca.root]), mode: CERT_MODE },
    ...(ca.rootKey ? [{ name: CA_FILES.rootKey, data: await privateKeyPem(crypto, ca.rootKey), mode: KEY_MODE }] : []),
    ...(ca.intermediate
      ? [
          { name: CA_FILES.intermediate, data: pemOf([ca.intermediate]), mode: CERT_MODE },
          { name: CA_FILES.intermediateKey, data: await privateKeyPem(crypto, ca.signer.key), mode: KEY_MODE },
        ]
      : []),
  ];
  await writeFilesAtomically(dir, files, fs);
  return files.map((f) => path.join(dir, f.name));
}

/** Writes tls.crt (leaf + chain), tls.key (0600) and ca.crt into `dir`, replacing what is there. */
export async function saveSecret(dir: string, issued: Pick<IssuedLeaf, 'chain' | 'key' | 'root'>, crypto: webcrypto.Crypto, fs: FsSeam = nodeFs): Promise<string[]> {
  const files = [
    { name: SECRET_FILES.key, data: await privateKeyPem(crypto, issued.key), mode: KEY_MODE },
    { name: SECRET_FILES.cert, data: pemOf(issued.chain), mode: CERT_MODE },
    { name: SECRET_FILES.ca, data: pemOf([issued.root]), mode: CERT_MODE },
  ];
  await writeFilesAtomically(dir, files, fs);
  return files.map((f) => path.join(dir, f.name));
}

export interface SecretSources {
  readonly cert: PemFile;
  readonly key: PemFile;
  readonly ca: PemFile;
}

/** Reads the three files of a secret directory (each must exist). */
export async function readSecretFiles(dir: string): Promise<Result<SecretSources>> {
  const read = async (name: string) => readPemFile(path.join(dir, name));
  const cert = await read(SECRET_FILES.cert);
  if (!cert.ok) return cert;
  const key = await read(SECRET_FILES.key);
  if (!key.ok) return key;
  const ca = await read(SECRET_FILES.ca);
  if (!ca.ok) return ca;
  return ok({ cert: cert.value, key: key.value, ca: ca.value }, keyModeWarning(key.value));
}

