/**
 * Where the runtime's documents come from: one interface for every source, so the rules of
 * policy-set.ts (last good per document, stale, deliberate removal) and the persisted state are
 * the same code whatever the source. A source reads everything it holds now, as source documents
 * and the problems met reading them, and calls back when something may have changed.
 *
 * - `fileSource`: policy directories and an inventory file, watched (source-watch.ts).
 * - the Kubernetes source (k8s/controller/kube-source.ts): L7Policy objects, one document each
 *   (`k8s://<namespace>/<name>`), and the inventory built from Pods, Services and EndpointSlices.
 */
import type { Diagnostic, SourceFile } from '../policy-compiler/index.js';
import type { Logger } from '../telemetry/index.js';
import { readFingerprint, readSourceFiles } from './source-files.js';
import { watchSources, type WatchMetrics, type WatchTrigger } from './source-watch.js';

export interface SourceRead {
  readonly files: readonly SourceFile[];
  /** Problems met while reading; an error on a file (or a directory above it) makes its policies stale. */
  readonly readDiagnostics: readonly Diagnostic[];
}

export interface DocumentSource {
  /** Everything the source holds now; `undefined` while it cannot say yet (a cluster source before its first list). */
  read(): SourceRead | undefined;
  close(): void;
}

/** A content hash of a read: equal reads, equal prints (a reload that finds nothing new does nothing). */
export function fingerprintOf(read: SourceRead): string {
  return readFingerprint({ files: [...read.files], diagnostics: [...read.readDiagnostics] });
}

export interface FileSourceOptions {
  readonly paths: readonly string[];
  /** The inventory among `paths` (read with the inventory's size limit). */
  readonly inventory?: string;
  /** Watched like `paths` but not read as documents (a secrets directory, read by its own source). */
  readonly watchPaths?: readonly string[];
  readonly onChange: (trigger: WatchTrigger) => void;
  readonly logger: Logger;
  readonly metrics?: WatchMetrics;
  readonly quietMs?: number;
  readonly rescanMs?: number;
}

/** Policy directories and the inventory file, watched so that no change goes unnoticed. */
export function fileSource(o: FileSourceOptions): DocumentSource {
  const watcher = watchSources({ paths: [...o.paths, ...(o.watchPaths ?? [])], onChange: o.onChange, logger: o.logger, quietMs: o.quietMs ?? 100, ...(o.metrics ? { metrics: o.metrics } : {}), ...(o.rescanMs !== undefined ? { rescanMs: o.rescanMs } : {}) });
  return {
    read: () => {
      const read = readSourceFiles(o.paths, o.inventory !== undefined ? { inventory: o.inventory } : {});
      return { files: read.files, readDiagnostics: read.diagnostics };
    },
    close: () => watcher.close(),
  };
}
