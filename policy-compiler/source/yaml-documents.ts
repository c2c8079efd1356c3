/**
 * YAML (and JSON) text → plain documents that can say where each value came from, so every
 * later diagnostic can name a line. Hostile input is bounded: file size, alias expansion
 * (billion laughs), nesting depth; duplicate keys are errors, not "last one wins".
 *
 * Two parsers, for speed: js-yaml (about ten times faster) reads the values; the `yaml` package,
 * which keeps source positions, reads a file only when a line must be named (a diagnostic), or
 * when js-yaml declines the file (anchors and aliases, syntax errors), to report precisely.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic, PathSegment } from '../diagnostics.js';

export interface SourceFile {
  /** Shown in diagnostics: a path, `<stdin>`, or an object reference. */
  readonly name: string;
  readonly text: string;
  /** This source's size limit when it is not the parse limits' (an inventory: `INVENTORY_MAX_BYTES`). */
  readonly maxBytes?: number;
}

export interface ParsedDocument {
  readonly file: string;
  readonly index: number;
  readonly value: unknown;
  /** Line and column (1-based) of the value at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PathSegment[]): { line: number; column: number } | undefined;
}

export interface ParseLimits {
  /** Largest accepted file, in bytes (default 1 MiB). */
  readonly maxFileBytes: number;
  /** Most alias expansions per document (default 100). */
  readonly maxAliasCount: number;
  /** Deepest nesting of collections (default 64). */
  readonly maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxFileBytes: 1024 * 1024, maxAliasCount: 100, maxDepth: 64 };

/**
 * The size limit of an inventory. Policies are written by people, 1 MiB each at most; an inventory
 * lists every workload (a tool or the cluster writes it): 5,000 Pods are about 1.2 MB of JSON.
 * 32 MiB holds over 100,000 workloads and still bounds what one source may cost.
 */
export const INVENTORY_MAX_BYTES = 32 * 1024 * 1024;

export function parseYamlDocuments(source: SourceFile, limits: ParseLimits = DEFAULT_PARSE_LIMITS): { documents: ParsedDocument[]; diagnostics: Diagnostic[] } {
  const bytes = Buffer.byteLength(source.text, 'utf8');
  const maxBytes = source.maxBytes ?? limits.maxFileBytes;
  if (bytes > maxBytes) {
    return { documents: [], diagnostics: [{ severity: 'error', code: 'source.too-large', file: source.name, path: '', message: `file is ${bytes} bytes; the limit is ${maxBytes}` }] };
  }
  let values: unknown[];
  try {
    // No aliases on the fast path: js-yaml shares aliased nodes, and walking a shared graph can
    // cost exponential time. Files with aliases take the careful path, which counts expansions.
    values = loadAll(source.text, { schema: CORE_SCHEMA, maxDepth: limits.maxDepth, maxAliases: 0 }) as unknown[];
  } catch {
    return parseCarefully(source, limits);
  }
  let careful: { documents: ParsedDocument[] } | undefined;
  const locateLazily = (index: number) => (path: readonly PathSegment[]) => {
    careful ??= parseCarefully(source, limits);
    return careful.documents.find((d) => d.index === index)?.locate(path);
  };
  const documents: ParsedDocument[] = [];
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    documents.push({ file: source.name, index, value, locate: locateLazily(index) });
  });
  return { documents, diagnostics: [] };
}

/** The `yaml` package's parse: slower, with positions, alias expansion counting and precise errors. */
function parseCarefully(source: SourceFile, limits: ParseLimits): { documents: ParsedDocument[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source.text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const documents: ParsedDocument[] = [];
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  docs.forEach((doc, index) => {
    const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'DUPLICATE_KEY')];
    for (const e of problems) {
      diagnostics.push({ severity: 'error', code: 'yaml.syntax', file: source.name, document: index, path: '', ...at(e.pos[0]), message: e.message.split('\n')[0] ?? e.message });
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    const depth = nodeDepth(doc.contents, limits.maxDepth + 1);
    if (depth > limits.maxDepth) {
      diagnostics.push({ severity: 'error', code: 'yaml.too-deep', file: source.name, document: index, path: '', message: `nesting is deeper than ${limits.maxDepth} levels` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (error) {
      diagnostics.push({ severity: 'error', code: 'yaml.aliases', file: source.name, document: index, path: '', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    // An empty document (`---` with nothing after it) says nothing; it is not an error.
    if (value === null || value === undefined) return;
    documents.push({ file: source.name, index, value, locate: (path) => locateIn(doc, path, at) });
  });
  return { documents, diagnostics };
}

function nodeDepth(node: unknown, cap: number, depth = 0): number {
  if (depth >= cap || !isCollection(node)) return depth;
  let max = depth + 1;
  for (const item of node.items) {
    const child = isPair(item) ? item.value : item;
    max = Math.max(max, nodeDepth(child, cap, depth + 1));
    if (max >= cap) break;
  }
  return max;
}

function locateIn(doc: Document, path: readonly PathSegment[], at: (offset: number) => { line: number; column: number }) {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best = node?.range ? at(node.range[0]) : undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) best = at(keyNode.range[0]);
      node = pair.value as Node | null;
      if (node?.range && !isCollection(node)) best = at(node.range[0]);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      if (item.range) best = at(item.range[0]);
    } else {
      break;
    }
  }
  return best;
}
