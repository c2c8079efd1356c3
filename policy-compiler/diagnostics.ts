/**
 * Diagnostics: what the compiler says about its input. User errors are diagnostics (never
 * exceptions); each names the file, the field path inside the document and, for YAML, the line.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** A stable machine-readable code, e.g. `schema.unknown-field`, `regex.invalid`. */
  readonly code: string;
  /** Where the document came from (a file path, or `<stdin>`, or a Kubernetes object reference). */
  readonly file?: string;
  /** The document's index within a multi-document YAML file (0-based). */
  readonly document?: number;
  /** The field path inside the document, e.g. `spec.ingress[0].toPorts[1].rules.http[2].path.regex`. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

/** `['spec', 'ingress', 0, 'from']` → `spec.ingress[0].from`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `spec.ingress[0].from` → `['spec', 'ingress', 0, 'from']` (the inverse of `formatPath`). */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(JSON.parse(m[3]) as string);
  }
  return segments;
}

/** `file:line:column: error: path: message`, the form editors and CI logs link to. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file ?? '<input>', d.line, d.line !== undefined ? d.column : undefined].filter((x) => x !== undefined).join(':');
  const path = d.path ? `${d.path}: ` : '';
  return `${where}: ${d.severity}: ${path}${d.message} [${d.code}]`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, document, line, then path, so output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.document ?? 0) - (b.document ?? 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.path.localeCompare(b.path) ||
      a.message.localeCompare(b.message),
  );
}
