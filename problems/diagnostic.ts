/**
 * Diagnostics: the one shape of every problem with an input, wherever it is found: a policy or an
 * inventory (the compiler), a certificate or key (certs/), a KafkaPolicy the enforcer is sent, a
 * redirect entry the eBPF maps cannot hold, a snapshot that is not consistent, a proxy's NACK.
 * Bad input is a diagnostic, never an exception; each says what (`code`), how bad, where (file,
 * document, field path, line and column) and what it concerns (`subject`). The environment failing
 * is an `EnvironmentError` instead (environment-error.ts).
 */
export type Severity = 'error' | 'warning';

/** What a diagnostic concerns, when that is not just its file. */
export type Subject =
  /** A policy, by key (`namespace/name`). */
  | { readonly kind: 'policy'; readonly key: string }
  /** An xDS resource by type (its short name: LDS, KAFKA, ...) and name, on a node when the problem is one node's. */
  | { readonly kind: 'resource'; readonly type: string; readonly name: string; readonly node?: string }
  /** A proxy node (an Envoy node, a Kafka enforcer, a proxyless client's id). */
  | { readonly kind: 'node'; readonly node: string }
  /** A redirect entry of the eBPF maps, by its key (`redirectKey`). */
  | { readonly kind: 'redirect'; readonly key: string };

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
  /** The policy, resource, node or redirect entry it concerns, when the file and path do not say. */
  readonly subject?: Subject;
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
