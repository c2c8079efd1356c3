/**
 * The one formatter of diagnostics: the CLI, the logs and `/status` all print them with it (and
 * `/status` also returns them structured). The styles differ only in what the context already says.
 */
import type { Diagnostic } from './diagnostic.js';

/**
 * - `line` (the default): `file:line:column: error: path: message [code]`, the form editors and CI
 *   logs link to; the CLI and the logs.
 * - `in-policy`: `line 12: path: message`, in a policy's `/status` entry (which names the file, and
 *   lists errors and warnings apart).
 * - `in-sources`: `error: file:12: path: message`, in `/status`'s lists of source and state problems.
 * - `brief`: `path: message`, where one subject's problems are joined into one message (a NACK's
 *   `error_detail`).
 */
export type DiagnosticStyle = 'line' | 'in-policy' | 'in-sources' | 'brief';

export function formatDiagnostic(d: Diagnostic, style: DiagnosticStyle = 'line'): string {
  const path = d.path ? `${d.path}: ` : '';
  switch (style) {
    case 'line': {
      const where = [d.file ?? '<input>', d.line, d.line !== undefined ? d.column : undefined].filter((x) => x !== undefined).join(':');
      return `${where}: ${d.severity}: ${path}${d.message} [${d.code}]`;
    }
    case 'in-policy':
      return `${d.line !== undefined ? `line ${d.line}: ` : ''}${path}${d.message}`;
    case 'in-sources':
      return `${d.severity}: ${d.file ?? ''}${d.line !== undefined ? `:${d.line}` : ''}: ${path}${d.message}`;
    case 'brief':
      return `${path}${d.message}`;
    default: {
      const never: never = style;
      throw new Error(`unknown diagnostic style ${String(never)}`);
    }
  }
}
