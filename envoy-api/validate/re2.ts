/**
 * RE2, the regex engine of PGV's `string.pattern` (C++ PGV uses RE2's partial match) and of
 * Envoy's `google_re2` matchers, through `re2-wasm` (the build gRPC's xDS RBAC engine uses too).
 */
import { createRequire } from 'node:module';

interface Re2Instance {
  test(input: string): boolean;
}

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => Re2Instance };

/** A compiled pattern, or RE2's reason for refusing it. */
export type CompiledRe2 = { readonly ok: true; readonly test: (input: string) => boolean } | { readonly ok: false; readonly reason: string };

/** Compiles `pattern` with RE2 syntax; `test` is an unanchored (partial) match. */
export function compileRe2(pattern: string): CompiledRe2 {
  try {
    const re = new RE2(pattern, 'u');
    return { ok: true, test: (input) => re.test(input) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: message.replace(/^Invalid regular expression: \/.*\/u: /s, '') };
  }
}
