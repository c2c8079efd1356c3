/**
 * Flow export to JSON lines in a file, rotated by size: when the next batch would take
 * `path` past `maxBytes`, `path` becomes `path.1` (`path.1` becomes `path.2`, ...) and the oldest
 * past `files` is removed, as logrotate's `rotate N` with `size`. One write per batch; a failed
 * write is counted and the batch lost (the store still has it), never retried in a loop.
 */
import fs from 'node:fs';
import { flowToJson } from './codec.js';
import type { FlowRecord } from './record.js';

export interface FileExportOptions {
  readonly path: string;
  /** Rotate before the file would pass this size (default 64 MiB). */
  readonly maxBytes?: number;
  /** Files kept besides the current one (default 5). */
  readonly files?: number;
}

export const FILE_EXPORT_DEFAULTS = { maxBytes: 64 * 1024 * 1024, files: 5 } as const;

export class FileExport {
  private fd: number | undefined;
  private size = 0;
  readonly maxBytes: number;
  readonly files: number;
  written = 0;
  failed = 0;
  lastError: string | undefined;

  constructor(readonly options: FileExportOptions) {
    this.maxBytes = options.maxBytes ?? FILE_EXPORT_DEFAULTS.maxBytes;
    this.files = options.files ?? FILE_EXPORT_DEFAULTS.files;
  }

  write(flows: readonly FlowRecord[]): void {
    if (flows.length === 0) return;
    const text = flows.map((f) => `${JSON.stringify(flowToJson(f))}\n`).join('');
    const bytes = Buffer.byteLength(text);
    try {
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.writeSync(this.fd as number, text);
      this.size += bytes;
      this.written += flows.length;
    } catch (error) {
      this.failed += flows.length;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.closeFd();
    }
  }

  close(): void {
    this.closeFd();
  }

  private open(): void {
    this.fd = fs.openSync(this.options.path, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already gone
      }
    }
    this.fd = undefined;
  }

  private rotate(): void {
    this.closeFd();
    const p = this.options.path;
    fs.rmSync(`${p}.${this.files}`, { force: true });
    for (let i = this.files - 1; i >= 1; i--) if (fs.existsSync(`${p}.${i}`)) fs.renameSync(`${p}.${i}`, `${p}.${i + 1}`);
    if (this.files >= 1) fs.renameSync(p, `${p}.1`);
    else fs.rmSync(p, { force: true });
    this.open();
  }
}
