/**
 * Which version of each policy is in force. A policy whose file is valid is in force as written;
 * one whose newest version is invalid keeps its last good version in force (and says so); one that
 * was never valid is rejected. Pure: the runtime feeds it each load and the previous set.
 */
import type { Diagnostic, LoadResult, Policy } from '../policy-compiler/index.js';

export type PolicySource =
  /** The file's current version is valid and in force. */
  | 'current'
  /** The file's current version is invalid; the last good version stays in force. */
  | 'last-good'
  /** Invalid, and no earlier version was ever valid: nothing of it is in force. */
  | 'rejected';

export interface PolicyEntry {
  readonly key: string;
  readonly source: PolicySource;
  /** The version in force (absent when rejected). */
  readonly policy?: Policy;
  /** Where the newest version came from. */
  readonly file?: string;
  readonly document?: number;
  /** Problems of the newest version (warnings even when valid). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Merges a load with the previously good policies. */
export function choosePolicies(load: LoadResult, lastGood: ReadonlyMap<string, Policy>): Map<string, PolicyEntry> {
  const entries = new Map<string, PolicyEntry>();
  const valid = new Map(load.policies.map((p) => [p.key, p]));
  for (const doc of load.documents) {
    const key = doc.policy?.key ?? doc.policyKey;
    if (!key || entries.has(key)) continue;
    const diagnostics = load.diagnostics.filter((d) => d.file === doc.file && d.document === doc.document);
    const policy = valid.get(key);
    const where = { file: doc.file, document: doc.document };
    if (policy && policy.source.file === doc.file && policy.source.document === doc.document) {
      entries.set(key, { key, source: 'current', policy, ...where, diagnostics });
      continue;
    }
    const previous = lastGood.get(key);
    entries.set(key, previous ? { key, source: 'last-good', policy: previous, ...where, diagnostics } : { key, source: 'rejected', ...where, diagnostics });
  }
  return entries;
}

/**
 * After compiling, a policy can still be in error (a conflict with another policy). A policy that
 * changed (or is new) falls back like an invalid one: to its last good version, or out. One that
 * did not change stays: the newcomer that conflicts with it is the one to go.
 */
export function demote(entries: Map<string, PolicyEntry>, keys: ReadonlySet<string>, lastGood: ReadonlyMap<string, Policy>, extra: readonly Diagnostic[]): boolean {
  let changed = false;
  for (const key of keys) {
    const entry = entries.get(key);
    if (!entry || entry.source !== 'current') continue;
    const previous = lastGood.get(key);
    const diagnostics = [...entry.diagnostics, ...extra.filter((d) => d.file === entry.file && d.document === entry.document)];
    if (previous && JSON.stringify(previous, bigintSafe) === JSON.stringify(entry.policy, bigintSafe)) continue;
    entries.set(key, previous ? { ...entry, source: 'last-good', policy: previous, diagnostics } : { key, source: 'rejected', ...(entry.file !== undefined ? { file: entry.file } : {}), ...(entry.document !== undefined ? { document: entry.document } : {}), diagnostics });
    changed = true;
  }
  return changed;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
