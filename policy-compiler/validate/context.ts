/** Collects diagnostics for one document, filling in file, document index and line. */
import type { Diagnostic, PathSegment, Severity } from '../diagnostics.js';
import { formatPath } from '../diagnostics.js';
import type { ParsedDocument } from '../source/yaml-documents.js';

export class DocumentContext {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly doc: ParsedDocument) {}

  get file(): string {
    return this.doc.file;
  }
  get index(): number {
    return this.doc.index;
  }

  error(path: readonly PathSegment[], code: string, message: string): void {
    this.report('error', path, code, message);
  }
  warn(path: readonly PathSegment[], code: string, message: string): void {
    this.report('warning', path, code, message);
  }

  private report(severity: Severity, path: readonly PathSegment[], code: string, message: string): void {
    this.diagnostics.push({ severity, code, file: this.doc.file, document: this.doc.index, path: formatPath(path), ...this.doc.locate(path), message });
  }
}
