/**
 * `serve --secrets DIR`: one directory per secret, `DIR/<namespace>/<name>/`, each file a key
 * (`tls.crt`, `tls.key`, `ca.crt`, `token`, ...). Hidden entries are skipped and symbolic links
 * followed, so a Kubernetes secret volume (`tls.crt -> ..data/tls.crt`, `..data` swapped
 * atomically) reads as its current version. A key larger than the limit is not read (its
 * problem says so). Judging and the last-good rule are in-force.ts, shared with the Kubernetes
 * source; a secret removed from the directory is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_PEM_BYTES } from '../../certs/index.js';
import { objectKey } from '../../policy-compiler/index.js';
import type { RawValue } from './judge.js';
import { SecretsInForce, type RawSecrets, type SecretSource } from './in-force.js';

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
      secrets.set(objectKey(namespace, name), keys);
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

/** A directory of secrets, one per `namespace/name`, read as it is now. */
export class SecretDirectory implements SecretSource {
  constructor(private readonly root: string) {}

  readRaw(): RawSecrets {
    return readSecretDirs(this.root);
  }
}

/** `serve --secrets DIR` and `compile --secrets DIR`: the directory's secrets in force. */
export function directorySecrets(root: string): SecretsInForce {
  return new SecretsInForce(new SecretDirectory(root));
}
