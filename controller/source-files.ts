/**
 * Reads policy and inventory files for the CLI and the file watcher: files as given, directories
 * walked for `*.yaml`, `*.yml` and `*.json` (sorted, hidden entries skipped, symbolic links
 * followed: a ConfigMap volume's `x.yaml -> ..data/x.yaml` is read through the link). A file over
 * the size limit is reported without being read into memory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PARSE_LIMITS, INVENTORY_MAX_BYTES, type Diagnostic, type SourceFile } from '../policy-compiler/index.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ReadResult {
  readonly files: SourceFile[];
  readonly diagnostics: Diagnostic[];
}

/**
 * `inventory`: the path of the inventory among `paths`, read with the inventory's size limit
 * (`INVENTORY_MAX_BYTES`) instead of a policy file's.
 */
export function readSourceFiles(paths: readonly string[], options: { readonly maxFileBytes?: number; readonly inventory?: string } = {}): ReadResult {
  const maxPolicyBytes = options.maxFileBytes ?? DEFAULT_PARSE_LIMITS.maxFileBytes;
  const inventory = options.inventory !== undefined ? path.resolve(options.inventory) : undefined;
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string, code: string, message: string) => diagnostics.push({ severity: 'error', code, file, path: '', message });
  const visit = (p: string, explicit: boolean): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (error) {
      fail(p, 'source.unreadable', describeFsError(error));
      return;
    }
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = fs.readdirSync(p).filter((e) => !e.startsWith('.')).sort();
      } catch (error) {
        fail(p, 'source.unreadable', describeFsError(error));
        return;
      }
      for (const entry of entries) visit(path.join(p, entry), false);
      return;
    }
    if (!explicit && !EXTENSIONS.has(path.extname(p))) return;
    if (!stat.isFile()) {
      fail(p, 'source.not-file', 'not a regular file');
      return;
    }
    const isInventory = explicit && inventory !== undefined && path.resolve(p) === inventory;
    const maxFileBytes = isInventory ? INVENTORY_MAX_BYTES : maxPolicyBytes;
    if (stat.size > maxFileBytes) {
      fail(p, 'source.too-large', `file is ${stat.size} bytes; the limit is ${maxFileBytes}`);
      return;
    }
    try {
      files.push({ name: p, text: fs.readFileSync(p, 'utf8'), ...(isInventory ? { maxBytes: INVENTORY_MAX_BYTES } : {}) });
    } catch (error) {
      fail(p, 'source.unreadable', describeFsError(error));
    }
  };
  for (const p of paths) visit(p, true);
  return { files, diagnostics };
}

/** A content hash of everything a read found (names, texts, problems): equal reads, equal prints. */
export function readFingerprint(read: ReadResult): string {
  const hash = createHash('sha256');
  for (const f of read.files) hash.update(`file\0${f.name}\0${f.text.length}\0${f.text}\0`);
  for (const d of read.diagnostics) hash.update(`problem\0${d.file ?? ''}\0${d.code}\0${d.message}\0`);
  return hash.digest('hex');
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
