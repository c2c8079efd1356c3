/**
 * Reads policy and inventory files for the CLI and the file watcher: files as given, directories
 * walked for `*.yaml`, `*.yml` and `*.json` (sorted, hidden entries skipped). A file over the size
 * limit is reported without being read into memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PARSE_LIMITS, type Diagnostic, type SourceFile } from '../policy-compiler/index.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ReadResult {
  readonly files: SourceFile[];
  readonly diagnostics: Diagnostic[];
}

export function readSourceFiles(paths: readonly string[], maxFileBytes = DEFAULT_PARSE_LIMITS.maxFileBytes): ReadResult {
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
    if (stat.size > maxFileBytes) {
      fail(p, 'source.too-large', `file is ${stat.size} bytes; the limit is ${maxFileBytes}`);
      return;
    }
    try {
      files.push({ name: p, text: fs.readFileSync(p, 'utf8') });
    } catch (error) {
      fail(p, 'source.unreadable', describeFsError(error));
    }
  };
  for (const p of paths) visit(p, true);
  return { files, diagnostics };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
