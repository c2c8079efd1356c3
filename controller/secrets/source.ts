/**
 * `serve --secrets DIR`: one directory per secret, `DIR/<namespace>/<name>/`, each file a key
 * (`tls.crt`, `tls.key`, `ca.crt`, `token`, ...). Hidden entries are skipped and symbolic links
 * followed, so a Kubernetes secret volume (`tls.crt -> ..data/tls.crt`, `..data` swapped
 * atomically) reads as its current version. The same fail-safe rule as policy files: a version
 * that is not usable (unreadable, too large, bad PEM, a key that does not match its certificate)
 * never replaces the last good one, which stays in force, marked stale with the reason; a secret
 * that never had a good version is `broken`. A secret removed from the directory is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_PEM_BYTES } from '../../certs/index.js';
import type { CatalogSecret, SecretCatalog } from '../../policy-compiler/index.js';
import { invalidKeysAt, judgeSecret, type Judged, type RawValue } from './judge.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Keys as Kubernetes allows them: `[-._a-zA-Z0-9]+`. */
const KEY = /^[-._a-zA-Z0-9]+$/;

/** The keys of every secret directory under `root`, by `namespace/name`, as read now. */
export function readSecretDirs(root: string, maxBytes = MAX_PEM_BYTES): { secrets: Map<string, Map<string, RawValue>>; problems: string[] } {
  const secrets = new Map<string, Map<string, RawValue>>();
  const problems: string[] = [];
  const list = (dir: string): string[] => {
    try {
      return fs.readdirSync(dir).filter((e) => !e.startsWith('.')).sort();
    } catch (error) {
      problems.push(`${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return [];
    }
  };
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  for (const namespace of list(root)) {
    if (!NAME.test(namespace) || !isDir(path.join(root, namespace))) continue;
    for (const name of list(path.join(root, namespace))) {
      const dir = path.join(root, namespace, name);
      if (!NAME.test(name) || !isDir(dir)) continue;
      const keys = new Map<string, RawValue>();
      for (const key of list(dir)) {
        if (!KEY.test(key)) continue;
        keys.set(key, readKey(path.join(dir, key), maxBytes));
      }
      secrets.set(`${namespace}/${name}`, keys);
    }
  }
  return { secrets, problems };
}

function readKey(file: string, maxBytes: number): RawValue {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { problem: 'not a regular file' };
    if (stat.size > maxBytes) return { problem: `${stat.size} bytes; the limit is ${maxBytes}` };
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : String(error) };
  }
}

/**
 * A new version whose certificate is expired or not yet valid does not replace a last good one
 * that is valid now (a rotation to a stale certificate keeps the current one); it replaces one
 * that is no better.
 */
function notWorse(judged: Judged, previous: CatalogSecret | undefined, now: Date): Judged {
  if (!judged.ok || !previous || judged.secret.version === previous.version) return judged;
  const invalid = judged.secret.invalidNow;
  if (!invalid || invalid.size === 0 || invalidKeysAt(previous, now).size > 0) return judged;
  return { ok: false, problem: `the new version's ${[...invalid].map(([k, why]) => `${k} ${why}`).join('; ')}` };
}

/** The secrets in force across reads: each read judged, the last good version of each kept. */
export class SecretSource {
  private good = new Map<string, CatalogSecret>();

  constructor(private readonly root: string) {}

  /** Reads the directory now and returns the catalog in force. */
  read(now: Date): { catalog: SecretCatalog; problems: string[] } {
    const read = readSecretDirs(this.root);
    const next = new Map<string, CatalogSecret>();
    const broken = new Map<string, string>();
    for (const [key, raw] of read.secrets) {
      const previous = this.good.get(key);
      const judged = notWorse(judgeSecret(key, raw, now), previous, now);
      if (judged.ok) next.set(key, judged.secret);
      else if (previous) {
        const { invalidNow: _then, ...kept } = previous;
        const invalidNow = invalidKeysAt(previous, now);
        next.set(key, { ...kept, stale: judged.problem, ...(invalidNow.size > 0 ? { invalidNow } : {}) });
      }
      else broken.set(key, judged.problem);
      if (!judged.ok) read.problems.push(`secret ${key}: ${judged.problem}${previous ? ' (the last good version stays in force)' : ''}`);
    }
    this.good = new Map([...next].map(([k, s]) => [k, s.stale !== undefined ? (this.good.get(k) ?? s) : s]));
    return { catalog: { secrets: next, broken, issuer: false, issued: new Map() }, problems: read.problems };
  }
}
