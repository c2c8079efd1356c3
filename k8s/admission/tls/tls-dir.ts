/**
 * A serving certificate from a secret directory (tls.crt, tls.key, ca.crt: what `sluice certs
 * issue` writes and a mounted `kubernetes.io/tls` Secret holds), checked as `sluice certs
 * inspect` checks it, and watched: when the files change (`sluice certs rotate`, the kubelet
 * updating a mounted Secret) the new pair is served without a restart, once it checks out. A
 * broken or half-written directory never replaces a working certificate.
 */
import { createHash, type webcrypto } from 'node:crypto';
import { checkSecret, readSecretFiles, type PemSource } from '../../../certs/index.js';
import { formatDiagnostic } from '../../../policy-compiler/index.js';
import type { ServingCertificate } from '../server.js';

export interface ServingDir {
  readonly certificate: ServingCertificate;
  /** ca.crt: the bundle the webhook configurations must carry. */
  readonly caPem: string;
  /** A hash of the three files, to notice a change. */
  readonly fingerprint: string;
}

export type ServingDirResult = { readonly ok: true; readonly value: ServingDir } | { readonly ok: false; readonly problems: readonly string[] };

/** Reads and checks `dir`; the problems are `file: error: path: message [code]` lines. Throws a CertsError when a file is missing. */
export async function readServingDir(dir: string, now: Date, crypto: webcrypto.Crypto): Promise<ServingDirResult> {
  const files = await readSecretFiles(dir);
  if (!files.ok) return { ok: false, problems: files.diagnostics.map((d) => formatDiagnostic(d)) };
  return checkServingPems(files.value, now, crypto);
}

/**
 * Checks a serving pair and its CA as `sluice certs inspect` does, wherever the three texts come
 * from (a directory; a Secret read through the API, each `file` naming its key).
 */
export async function checkServingPems(sources: { readonly cert: PemSource; readonly key: PemSource; readonly ca: PemSource }, now: Date, crypto: webcrypto.Crypto): Promise<ServingDirResult> {
  const { cert, key, ca } = sources;
  const check = await checkSecret({ cert, key, ca }, now, crypto);
  const errors = check.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { ok: false, problems: errors.map((d) => formatDiagnostic(d)) };
  const fingerprint = createHash('sha256').update(cert.text).update('\0').update(key.text).update('\0').update(ca.text).digest('hex');
  return { ok: true, value: { certificate: { cert: cert.text, key: key.text }, caPem: ca.text, fingerprint } };
}

export interface WatchServingDirOptions {
  readonly dir: string;
  readonly initial: ServingDir;
  readonly intervalMs: number;
  readonly now: () => Date;
  readonly crypto: webcrypto.Crypto;
  /** A new, valid pair (and CA). A throw here (the server refused the pair) is reported through onProblem. */
  readonly onChange: (next: ServingDir) => Promise<void> | void;
  /** The directory changed but is not usable; the current certificate stays. */
  readonly onProblem: (problems: readonly string[]) => void;
  readonly signal: AbortSignal;
}

/** Polls the directory every `intervalMs` (a mounted Secret changes by a symlink swap, which a poll sees whatever the watch API does). */
export function watchServingDir(o: WatchServingDirOptions): void {
  let current = o.initial.fingerprint;
  let lastProblem = '';
  let timer: NodeJS.Timeout | undefined;
  const round = async () => {
    try {
      const read = await readServingDir(o.dir, o.now(), o.crypto);
      if (!read.ok) {
        const text = read.problems.join('\n');
        if (text !== lastProblem) o.onProblem(read.problems);
        lastProblem = text;
        return;
      }
      lastProblem = '';
      if (read.value.fingerprint === current) return;
      await o.onChange(read.value);
      current = read.value.fingerprint;
    } catch (error) {
      o.onProblem([error instanceof Error ? error.message : String(error)]);
    }
  };
  const schedule = () => {
    if (o.signal.aborted) return;
    timer = setTimeout(() => void round().finally(schedule), o.intervalMs);
  };
  o.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  schedule();
}
