/**
 * The secrets in force, whatever they are read from: a directory (`serve --secrets DIR`,
 * directory.ts) or the API server (`sluice controller`, k8s/controller/secrets.ts). A source only
 * says what each secret's keys hold now (`RawSecrets`); this judges every version (judge.ts) and
 * applies the fail-safe rule once for all of them:
 *
 * - a version that is not usable (unreadable, too large, bad PEM, a key that does not match its
 *   certificate) never replaces the last good one, which stays in force, marked stale with why;
 * - a version whose certificate is expired or not yet valid does not replace a last good one that
 *   is valid now (stale too); it replaces one that is no better;
 * - a secret that never had a good version is `broken`, with why;
 * - a secret the source no longer holds (its directory removed, the Secret deleted) is gone.
 */
import type { CatalogSecret, SecretCatalog } from '../../policy-compiler/index.js';
import { invalidKeysAt, judgeSecret, type Judged, type RawValue } from './judge.js';

/** What a source holds now: each secret's keys (bytes, or why they cannot be read) by `namespace/name`, and problems reading. */
export interface RawSecrets {
  readonly secrets: ReadonlyMap<string, ReadonlyMap<string, RawValue>>;
  readonly problems: readonly string[];
}

/** A place secrets are read from. */
export interface SecretSource {
  readRaw(): RawSecrets;
}

export interface SecretsRead {
  readonly catalog: SecretCatalog;
  /** One line per secret whose newest version is not used, and per problem reading the source. */
  readonly problems: readonly string[];
}

function notWorse(judged: Judged, previous: CatalogSecret | undefined, now: Date): Judged {
  if (!judged.ok || !previous || judged.secret.version === previous.version) return judged;
  const invalid = judged.secret.invalidNow;
  if (!invalid || invalid.size === 0 || invalidKeysAt(previous, now).size > 0) return judged;
  return { ok: false, problem: `the new version's ${[...invalid].map(([k, why]) => `${k} ${why}`).join('; ')}` };
}

/** The secrets in force across reads of one source: each read judged, the last good version of each kept. */
export class SecretsInForce {
  private good = new Map<string, CatalogSecret>();

  constructor(private readonly source: SecretSource) {}

  /** Reads the source now and returns the catalog in force. */
  read(now: Date): SecretsRead {
    const read = this.source.readRaw();
    const problems = [...read.problems];
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
      } else broken.set(key, judged.problem);
      if (!judged.ok) problems.push(`secret ${key}: ${judged.problem}${previous ? ' (the last good version stays in force)' : ''}`);
    }
    this.good = new Map([...next].map(([k, s]) => [k, s.stale !== undefined ? (this.good.get(k) ?? s) : s]));
    return { catalog: { secrets: next, broken, issuer: false, issued: new Map() }, problems };
  }
}
