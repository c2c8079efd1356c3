/**
 * Which version of each policy is in force, decided per source file. The runtime remembers, for
 * every policy in force, the file and document that produced it (with that file's text). Each load
 * is then judged file by file:
 *
 * - a valid document is in force as written (`current`);
 * - a file that cannot be read, parsed or validated, or that holds no documents any more, keeps
 *   every policy it last produced in force from its last good version (`stale`), whether or not
 *   the broken version still lets one read the policy's name;
 * - a policy leaves only deliberately: its file is deleted, or its document is gone from a file
 *   that otherwise reads, parses and validates. Renaming `metadata.name` in a valid file is such
 *   a removal of the old name and the addition of the new one.
 *
 * Pure: the runtime feeds it each load and what was in force before.
 */
import { duplicatePolicy, type Diagnostic, type Inventory, type LoadedDocument, type LoadResult, type Policy, type SourceFile } from '../policy-compiler/index.js';

export type PolicySource =
  /** The newest version is valid and in force. */
  | 'current'
  /** The newest version cannot be used (its file is broken, unreadable or emptied, or it conflicts): the last good version stays in force. */
  | 'stale'
  /** Invalid, and no earlier version was ever valid: nothing of it is in force. */
  | 'rejected';

export interface PolicyEntry {
  readonly key: string;
  readonly source: PolicySource;
  /** The version in force (absent when rejected). */
  readonly policy?: Policy;
  /** Where the newest version is (for a stale policy: the broken file). */
  readonly file?: string;
  readonly document?: number;
  /** Problems of the newest version (warnings even when valid; for a stale policy, why its file is broken). */
  readonly diagnostics: readonly Diagnostic[];
}

/** A policy version that was in force, with the text of the file version it came from (what the state file keeps). */
export interface GoodPolicy {
  readonly policy: Policy;
  readonly text: string;
}

export interface GoodInventory {
  readonly inventory: Inventory;
  readonly file: string;
  readonly document: number;
  readonly text: string;
}

/** A policy that left deliberately. */
export interface Removal {
  readonly key: string;
  readonly file: string;
  readonly reason: 'file deleted' | 'no longer in its file';
}

export interface SourcesNow {
  readonly load: LoadResult;
  readonly files: readonly SourceFile[];
  /** Problems found while reading: a path that could not be read covers every file under it. */
  readonly readDiagnostics: readonly Diagnostic[];
}

export interface PolicyChoice {
  readonly entries: Map<string, PolicyEntry>;
  readonly removed: readonly Removal[];
  /** The load's diagnostics as this choice sees them (its own duplicate and empty-file errors included). */
  readonly diagnostics: readonly Diagnostic[];
}

type FileHealth = { readonly kind: 'good' | 'gone' } | { readonly kind: 'broken'; readonly diagnostics: readonly Diagnostic[] };

/** Merges a load with the policies in force before. */
export function choosePolicies(now: SourcesNow, lastGood: ReadonlyMap<string, GoodPolicy>): PolicyChoice {
  const { winners, duplicates } = pickWinners(now.load.documents, lastGood);
  const diagnostics = [...now.load.diagnostics.filter((d) => d.code !== 'policy.duplicate'), ...duplicates];
  const diagnosticsOf = diagnosticsByDocument(diagnostics);
  const of = (doc: LoadedDocument) => diagnosticsOf(doc.file, doc.document);
  const entries = new Map<string, PolicyEntry>();
  for (const [key, doc] of winners) entries.set(key, { key, source: 'current', policy: doc.policy, file: doc.file, document: doc.document, diagnostics: of(doc) });
  // A broken document whose name is still readable: its last good version, or nothing.
  for (const doc of now.load.documents) {
    const key = doc.policyKey;
    if (!key || doc.policy || entries.has(key)) continue;
    const previous = lastGood.get(key)?.policy;
    const where = { file: doc.file, document: doc.document };
    entries.set(key, previous ? { key, source: 'stale', policy: previous, ...where, diagnostics: of(doc) } : { key, source: 'rejected', ...where, diagnostics: of(doc) });
  }
  // Everything else a file produced last time: kept while the file is broken, removed when it is
  // deleted or valid without it. (Usually every policy in force is still in its file: then none of
  // this is needed, and the file health and the attached diagnostics are not computed.)
  let health: ((file: string) => FileHealth) | undefined;
  let attached: ReadonlySet<Diagnostic> | undefined;
  const removed: Removal[] = [];
  const emptied = new Set<string>();
  for (const [key, good] of lastGood) {
    if (entries.has(key)) continue;
    const file = good.policy.source.file;
    health ??= fileHealth(now, diagnostics);
    const h = health(file);
    if (h.kind !== 'broken') {
      removed.push({ key, file, reason: h.kind === 'gone' ? 'file deleted' : 'no longer in its file' });
      continue;
    }
    // What the entries chosen above already carry (taken before this loop adds any).
    attached ??= new Set([...entries.values()].flatMap((e) => e.diagnostics));
    if (h.diagnostics.length === 0) emptied.add(file);
    const own = h.diagnostics.filter((d) => !attached?.has(d));
    const why = h.diagnostics.length === 0 ? [emptyFile(file)] : own.length > 0 ? own : h.diagnostics;
    entries.set(key, { key, source: 'stale', policy: good.policy, file, document: good.policy.source.document, diagnostics: why });
  }
  const empties = [...emptied].map(emptyFile);
  return { entries, removed, diagnostics: [...diagnostics, ...empties] };
}

const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

/**
 * The diagnostics of a file's document (matched by file and document number exactly as given,
 * absent ones included), in their order, from one pass over them: a lookup per policy instead of
 * a scan of every diagnostic per policy.
 */
export function diagnosticsByDocument(diagnostics: readonly Diagnostic[]): (file: string | undefined, document: number | undefined) => readonly Diagnostic[] {
  if (diagnostics.length === 0) return () => NO_DIAGNOSTICS;
  const byFile = new Map<string | undefined, Map<number | undefined, Diagnostic[]>>();
  for (const d of diagnostics) {
    let docs = byFile.get(d.file);
    if (!docs) byFile.set(d.file, (docs = new Map()));
    const list = docs.get(d.document);
    if (list) list.push(d);
    else docs.set(d.document, [d]);
  }
  return (file, document) => byFile.get(file)?.get(document) ?? NO_DIAGNOSTICS;
}

type ValidDocument = LoadedDocument & { policy: Policy };

/**
 * One valid document per policy key. When several files define a key, the file that holds the
 * version in force keeps it and the newcomer is the duplicate; otherwise the first in load order.
 */
function pickWinners(documents: readonly LoadedDocument[], lastGood: ReadonlyMap<string, GoodPolicy>): { winners: Map<string, ValidDocument>; duplicates: Diagnostic[] } {
  // The first document of each key, in load order; the keys defined more than once, with all their documents.
  const first = new Map<string, ValidDocument>();
  let several: Map<string, ValidDocument[]> | undefined;
  for (const doc of documents) {
    if (!doc.policy) continue;
    const valid = doc as ValidDocument;
    const key = valid.policy.key;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, valid);
      continue;
    }
    several ??= new Map();
    const docs = several.get(key);
    if (docs) docs.push(valid);
    else several.set(key, [earlier, valid]);
  }
  const duplicates: Diagnostic[] = [];
  if (!several) return { winners: first, duplicates };
  const winners = new Map<string, ValidDocument>();
  for (const [key, earlier] of first) {
    const docs = several.get(key);
    if (!docs) {
      winners.set(key, earlier);
      continue;
    }
    const owner = lastGood.get(key)?.policy.source.file;
    const winner = docs.find((d) => d.file === owner) ?? earlier;
    winners.set(key, winner);
    for (const d of docs) if (d !== winner) duplicates.push(duplicatePolicy(d, winner.policy));
  }
  return { winners, duplicates };
}

/**
 * Whether a file can speak for its policies now: `good` when it was read and every document in it
 * parsed and validated, `gone` when it is no longer among the sources (and nothing above it failed
 * to read), `broken` otherwise (no diagnostics: it holds no documents).
 */
function fileHealth(now: SourcesNow, diagnostics: readonly Diagnostic[]): (file: string) => FileHealth {
  const present = new Set(now.files.map((f) => f.name));
  const withDocuments = new Set(now.load.documents.map((d) => d.file));
  return (file) => {
    const unread = now.readDiagnostics.filter((d) => d.severity === 'error' && d.file !== undefined && (file === d.file || file.startsWith(`${d.file.replace(/\/$/, '')}/`)));
    if (unread.length > 0) return { kind: 'broken', diagnostics: unread };
    if (!present.has(file)) return { kind: 'gone' };
    const errors = diagnostics.filter((d) => d.file === file && d.severity === 'error');
    if (errors.length > 0) return { kind: 'broken', diagnostics: errors };
    return withDocuments.has(file) ? { kind: 'good' } : { kind: 'broken', diagnostics: [] };
  };
}

function emptyFile(file: string): Diagnostic {
  return { severity: 'error', code: 'source.empty', file, path: '', message: 'the file holds no documents: the policies it held stay in force from their last good version until the file is deleted' };
}

/** The inventory in force: the valid one of this load, else the last good one (stale), else none. */
export function chooseInventory(now: SourcesNow, lastGood: GoodInventory | undefined): { readonly source: 'current' | 'stale' | 'missing'; readonly good?: GoodInventory } {
  const doc = now.load.inventory ? now.load.documents.find((d) => d.inventory === now.load.inventory) : undefined;
  const text = doc ? now.files.find((f) => f.name === doc.file)?.text : undefined;
  if (doc?.inventory && text !== undefined) return { source: 'current', good: { inventory: doc.inventory, file: doc.file, document: doc.document, text } };
  return lastGood ? { source: 'stale', good: lastGood } : { source: 'missing' };
}

/**
 * After compiling, a policy can still be in error (a conflict with another policy). A policy that
 * changed (or is new) falls back like an invalid one: to its last good version, or out. One that
 * did not change stays: the newcomer that conflicts with it is the one to go.
 */
export function demote(entries: Map<string, PolicyEntry>, keys: ReadonlySet<string>, lastGood: ReadonlyMap<string, GoodPolicy>, extra: readonly Diagnostic[]): boolean {
  let changed = false;
  for (const key of keys) {
    const entry = entries.get(key);
    if (!entry || entry.source !== 'current') continue;
    const previous = lastGood.get(key)?.policy;
    const diagnostics = [...entry.diagnostics, ...extra.filter((d) => d.file === entry.file && d.document === entry.document)];
    if (previous && JSON.stringify(previous, bigintSafe) === JSON.stringify(entry.policy, bigintSafe)) continue;
    entries.set(key, previous ? { ...entry, source: 'stale', policy: previous, diagnostics } : { key, source: 'rejected', ...(entry.file !== undefined ? { file: entry.file } : {}), ...(entry.document !== undefined ? { document: entry.document } : {}), diagnostics });
    changed = true;
  }
  return changed;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
