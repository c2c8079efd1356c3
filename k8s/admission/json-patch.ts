/** JSON Patch (RFC 6902) operations, as mutating webhooks answer, and JSON Pointer (RFC 6901) escaping. */

export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** One reference token of a JSON Pointer: `~` → `~0`, `/` → `~1` (so `sluice.dev/proxy` → `sluice.dev~1proxy`). */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** `['metadata', 'annotations', 'sluice.dev/proxy']` → `/metadata/annotations/sluice.dev~1proxy`. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${pointerToken(s)}`).join('');
}
