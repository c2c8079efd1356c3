/**
 * Policy and inventory sources → validated model. Every document of every file is parsed,
 * schema-checked and validated; each problem becomes a diagnostic and nothing throws. A document
 * that fails is reported with the policy key it claims (when readable), so a runtime can keep that
 * policy's last good version.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Inventory as SourceInventory } from '../generated/inventory.js';
import type { L7Policy as SourcePolicy } from '../generated/l7policy.js';
import type { Inventory, Policy } from '../model/types.js';
import { DocumentContext } from '../validate/context.js';
import { validateInventory } from '../validate/inventory.js';
import { validatePolicy } from '../validate/policy.js';
import { objectKey } from '../names.js';
import { checkSchema, type SchemaKind } from './schema-check.js';
import { DEFAULT_PARSE_LIMITS, parseYamlDocuments, type ParsedDocument, type ParseLimits, type SourceFile } from './yaml-documents.js';

export interface LoadedDocument {
  readonly file: string;
  readonly document: number;
  readonly kind: SchemaKind | 'unknown';
  /** `namespace/name` when the document names a policy, even if it is otherwise invalid. */
  readonly policyKey?: string;
  readonly policy?: Policy;
  readonly inventory?: Inventory;
  readonly diagnostics: readonly Diagnostic[];
  /** Line and column of a field path in this document (for diagnostics found after loading). */
  readonly locate: ParsedDocument['locate'];
}

export interface LoadResult {
  readonly documents: readonly LoadedDocument[];
  /** Valid policies, sorted by key. A key defined twice is an error on the second definition. */
  readonly policies: readonly Policy[];
  /** The valid inventory, when exactly one was given. */
  readonly inventory?: Inventory;
  readonly diagnostics: readonly Diagnostic[];
}

const KINDS: readonly SchemaKind[] = ['L7Policy', 'Inventory'];

interface LoadedFile {
  readonly text: string;
  readonly documents: readonly LoadedDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Remembers each file's loaded documents by its name and text, so a reload re-reads only the
 * files that changed, and unchanged policies stay the very same objects (which the incremental
 * compiler relies on).
 */
export class LoadCache {
  private files = new Map<string, { loaded: LoadedFile; seen: number }>();
  private round = 0;

  /** `onParse`: told of every file parsed (not found unchanged in the cache), by name. */
  constructor(private readonly onParse?: (file: string) => void) {}

  load(file: SourceFile, limits: ParseLimits): LoadedFile {
    const hit = this.files.get(file.name);
    if (hit && hit.loaded.text === file.text) {
      hit.seen = this.round;
      return hit.loaded;
    }
    const loaded = loadFile(file, limits);
    this.onParse?.(file.name);
    this.files.set(file.name, { loaded, seen: this.round });
    return loaded;
  }

  /** Forgets the files not loaded since the last sweep (no longer among the sources), and starts a new round. */
  sweep(): void {
    for (const [name, f] of this.files) if (f.seen !== this.round) this.files.delete(name);
    this.round++;
  }
}

function loadFile(file: SourceFile, limits: ParseLimits): LoadedFile {
  const parsed = parseYamlDocuments(file, limits);
  const documents = parsed.documents.map(loadDocument);
  return { text: file.text, documents, diagnostics: [...parsed.diagnostics, ...documents.flatMap((d) => d.diagnostics)] };
}

export function loadSources(files: readonly SourceFile[], limits: ParseLimits = DEFAULT_PARSE_LIMITS, cache?: LoadCache): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const documents: LoadedDocument[] = [];
  for (const file of files) {
    const loaded = cache ? cache.load(file, limits) : loadFile(file, limits);
    documents.push(...loaded.documents);
    diagnostics.push(...loaded.diagnostics);
  }
  cache?.sweep();
  const byKey = new Map<string, Policy>();
  for (const d of documents) {
    if (!d.policy) continue;
    const first = byKey.get(d.policy.key);
    if (first) diagnostics.push(duplicatePolicy(d, first));
    else byKey.set(d.policy.key, d.policy);
  }
  const inventories = documents.filter((d) => d.kind === 'Inventory');
  if (inventories.length > 1) {
    for (const extra of inventories.slice(1)) {
      diagnostics.push({ severity: 'error', code: 'inventory.duplicate', file: extra.file, document: extra.document, path: '', message: `only one Inventory document is allowed; the first is in ${inventories[0]?.file ?? ''}` });
    }
  }
  const inventory = inventories.length === 1 ? inventories[0]?.inventory : undefined;
  return {
    documents,
    policies: [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)),
    ...(inventory ? { inventory } : {}),
    diagnostics,
  };
}

/** The error on a document that defines a policy `first` already defines. */
export function duplicatePolicy(d: LoadedDocument, first: Policy): Diagnostic {
  return {
    severity: 'error',
    code: 'policy.duplicate',
    file: d.file,
    document: d.document,
    path: 'metadata.name',
    ...d.locate(['metadata', 'name']),
    message: `policy ${first.key} is already defined in ${first.source.file}${first.source.document ? ` (document ${first.source.document + 1})` : ''}`,
  };
}

function loadDocument(doc: ParsedDocument): LoadedDocument {
  const base = { file: doc.file, document: doc.index };
  const locate = doc.locate;
  const value = doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`;
    return { ...base, locate, kind: 'unknown', diagnostics: [{ severity: 'error', code: 'source.not-object', ...base, path: '', ...doc.locate([]), message: `expected a mapping with apiVersion and kind, found ${what}` }] };
  }
  const kind = (value as { kind?: unknown }).kind;
  if (!KINDS.includes(kind as SchemaKind)) {
    const message = kind === undefined ? `missing kind: expected one of ${KINDS.join(', ')}` : `unknown kind ${JSON.stringify(kind)}: expected one of ${KINDS.join(', ')}`;
    return { ...base, locate, kind: 'unknown', diagnostics: [{ severity: 'error', code: 'source.kind', ...base, path: 'kind', ...doc.locate(['kind']), message }] };
  }
  const schemaKind = kind as SchemaKind;
  const policyKey = schemaKind === 'L7Policy' ? claimedKey(value) : undefined;
  const schemaErrors = checkSchema(schemaKind, doc);
  const withKey = policyKey ? { policyKey } : {};
  if (schemaErrors.length > 0) return { ...base, locate, kind: schemaKind, ...withKey, diagnostics: schemaErrors };
  const ctx = new DocumentContext(doc);
  if (schemaKind === 'L7Policy') {
    const policy = validatePolicy(ctx, value as SourcePolicy);
    const failed = ctx.diagnostics.some((d) => d.severity === 'error');
    return { ...base, locate, kind: schemaKind, ...withKey, ...(failed ? {} : { policy }), diagnostics: ctx.diagnostics };
  }
  const inventory = validateInventory(ctx, value as SourceInventory);
  const failed = ctx.diagnostics.some((d) => d.severity === 'error');
  return { ...base, locate, kind: schemaKind, ...(failed ? {} : { inventory }), diagnostics: ctx.diagnostics };
}

function claimedKey(value: object): string | undefined {
  const meta = (value as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  if (typeof meta?.name !== 'string') return undefined;
  return objectKey(typeof meta.namespace === 'string' ? meta.namespace : 'default', meta.name);
}
