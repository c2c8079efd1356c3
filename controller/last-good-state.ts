/**
 * The last good state as `serve` persists it: for every policy in force and for the inventory, the
 * file and document it came from and the text of that file version. Texts, not compiled output: a
 * restart re-validates them with the same code as a live load, so a restored policy is exactly the
 * policy a fresh read of that text gives, and compiles to byte-identical resources (same versions).
 *
 * The encoding is deterministic (sorted, no timestamps), so an unchanged state encodes to the same
 * bytes. Texts are stored once, keyed by their SHA-256, which decoding verifies. Pure.
 */
import { createHash } from 'node:crypto';
import { loadSources, type Diagnostic, type LoadedDocument } from '../policy-compiler/index.js';
import type { GoodInventory, GoodPolicy } from './policy-set.js';

export const STATE_FORMAT = 'sluice/last-good-state';
export const STATE_VERSION = 1;

export interface StateDocument {
  readonly file: string;
  readonly document: number;
  readonly text: string;
}

export interface LastGoodState {
  readonly policies: readonly (StateDocument & { readonly key: string })[];
  readonly inventory?: StateDocument;
}

interface Encoded {
  format: string;
  version: number;
  policies: { key: string; file: string; document: number; text: string }[];
  inventory?: { file: string; document: number; text: string };
  texts: Record<string, string>;
}

const hashOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function encodeState(state: LastGoodState): string {
  const texts: Record<string, string> = {};
  const ref = (text: string) => {
    const h = hashOf(text);
    texts[h] = text;
    return h;
  };
  const policies = [...state.policies].sort((a, b) => a.key.localeCompare(b.key)).map((p) => ({ key: p.key, file: p.file, document: p.document, text: ref(p.text) }));
  const inventory = state.inventory ? { file: state.inventory.file, document: state.inventory.document, text: ref(state.inventory.text) } : undefined;
  const sorted = Object.fromEntries(Object.keys(texts).sort().map((k) => [k, texts[k] ?? '']));
  const encoded: Encoded = { format: STATE_FORMAT, version: STATE_VERSION, policies, ...(inventory ? { inventory } : {}), texts: sorted };
  return `${JSON.stringify(encoded, null, 1)}\n`;
}

export type DecodeResult = { readonly ok: true; readonly state: LastGoodState } | { readonly ok: false; readonly problem: string };

/** Reads a state file's text; anything unexpected (not JSON, another format or version, a text whose hash differs) is a problem, never an exception. */
export function decodeState(text: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${error instanceof Error ? error.message : String(error)}): the file is corrupt` };
  }
  if (!isRecord(value) || value.format !== STATE_FORMAT) return { ok: false, problem: `not a sluice state file (format ${JSON.stringify(isRecord(value) ? value.format : undefined)}, expected ${JSON.stringify(STATE_FORMAT)})` };
  if (value.version !== STATE_VERSION) return { ok: false, problem: `state format version ${JSON.stringify(value.version)}; this sluice reads version ${STATE_VERSION}` };
  const texts = value.texts;
  if (!isRecord(texts)) return { ok: false, problem: 'no texts: the file is corrupt' };
  for (const [h, t] of Object.entries(texts)) {
    if (typeof t !== 'string' || hashOf(t) !== h) return { ok: false, problem: `the text stored as ${h} does not match its hash: the file is corrupt` };
  }
  const doc = (v: unknown, where: string): StateDocument | string => {
    if (!isRecord(v) || typeof v.file !== 'string' || !Number.isInteger(v.document) || typeof v.text !== 'string') return `${where}: expected file, document and text`;
    const t = texts[v.text];
    if (typeof t !== 'string') return `${where}: text ${v.text} is missing`;
    return { file: v.file, document: v.document as number, text: t };
  };
  if (!Array.isArray(value.policies)) return { ok: false, problem: 'policies: expected a list' };
  const policies: (StateDocument & { key: string })[] = [];
  for (const [i, p] of value.policies.entries()) {
    const d = doc(p, `policies[${i}]`);
    if (typeof d === 'string') return { ok: false, problem: d };
    if (!isRecord(p) || typeof p.key !== 'string') return { ok: false, problem: `policies[${i}]: expected a key` };
    policies.push({ ...d, key: p.key });
  }
  if (value.inventory === undefined) return { ok: true, state: { policies } };
  const inventory = doc(value.inventory, 'inventory');
  if (typeof inventory === 'string') return { ok: false, problem: inventory };
  return { ok: true, state: { policies, inventory } };
}

export interface Restored {
  readonly policies: Map<string, GoodPolicy>;
  readonly inventory?: GoodInventory;
  /** Entries that no longer validate (a newer sluice is stricter): each is dropped, with why. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Re-validates a decoded state with the loader a live read uses. */
export function restoreState(state: LastGoodState, stateFile: string): Restored {
  const loaded = new Map<string, readonly LoadedDocument[]>();
  const documentOf = (d: StateDocument) => {
    const id = `${d.file}\0${hashOf(d.text)}`;
    let docs = loaded.get(id);
    if (!docs) loaded.set(id, (docs = loadSources([{ name: d.file, text: d.text }]).documents));
    return docs.find((x) => x.document === d.document);
  };
  const diagnostics: Diagnostic[] = [];
  const drop = (what: string, d: StateDocument) =>
    diagnostics.push({ severity: 'warning', code: 'state.entry-invalid', file: stateFile, path: '', message: `${what} (${d.file}, document ${d.document + 1}) no longer validates; it is not restored` });
  const policies = new Map<string, GoodPolicy>();
  for (const p of state.policies) {
    const policy = documentOf(p)?.policy;
    if (policy?.key === p.key) policies.set(p.key, { policy, text: p.text });
    else drop(`policy ${p.key}`, p);
  }
  let inventory: GoodInventory | undefined;
  if (state.inventory) {
    const found = documentOf(state.inventory)?.inventory;
    if (found) inventory = { inventory: found, file: state.inventory.file, document: state.inventory.document, text: state.inventory.text };
    else drop('the inventory', state.inventory);
  }
  return { policies, ...(inventory ? { inventory } : {}), diagnostics };
}

/** What to persist: every policy and the inventory in force, as the texts they came from. */
export function stateOf(policies: ReadonlyMap<string, GoodPolicy>, inventory: GoodInventory | undefined): LastGoodState {
  return {
    policies: [...policies.values()].map((g) => ({ key: g.policy.key, file: g.policy.source.file, document: g.policy.source.document, text: g.text })),
    ...(inventory ? { inventory: { file: inventory.file, document: inventory.document, text: inventory.text } } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
