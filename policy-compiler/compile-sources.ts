/** Policy and inventory sources → loaded, validated and compiled, every diagnostic with its line. */
import type { Diagnostic } from './diagnostics.js';
import { parsePath, sortDiagnostics } from './diagnostics.js';
import { compile, type CompileOutput } from './compiler.js';
import { loadSources, type LoadResult } from './source/load.js';
import type { SourceFile } from './source/yaml-documents.js';
import type { SecretCatalog } from './model/secrets.js';

export interface CompileSourcesResult {
  readonly load: LoadResult;
  /** Present when an inventory was found and loaded; compiled from the valid policies only. */
  readonly output?: CompileOutput;
  /** Every diagnostic: loading, validation and compilation. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Adds the line of a compile diagnostic's field path, from the document it names. */
function withLine(load: LoadResult, d: Diagnostic): Diagnostic {
  if (d.line !== undefined) return d;
  const doc = load.documents.find((x) => x.file === d.file && x.document === d.document);
  const at = doc?.locate(parsePath(d.path));
  return at ? { ...d, ...at } : d;
}

/** Loads sources (policies and exactly one inventory among them) and compiles the valid policies. */
export function compileSources(files: readonly SourceFile[], secrets?: SecretCatalog): CompileSourcesResult {
  const load = loadSources(files);
  if (!load.inventory) {
    const hasInventory = load.documents.some((d) => d.kind === 'Inventory');
    const missing: Diagnostic[] = hasInventory ? [] : [{ severity: 'error', code: 'inventory.missing', path: '', message: 'no Inventory document among the inputs: say which workloads exist (see examples/inventory.yaml)' }];
    return { load, diagnostics: sortDiagnostics([...load.diagnostics, ...missing]) };
  }
  const output = compile(load.policies, load.inventory, secrets);
  return { load, output, diagnostics: sortDiagnostics([...load.diagnostics, ...output.diagnostics.map((d) => withLine(load, d))]) };
}
