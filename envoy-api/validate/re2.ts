/**
 * RE2, the regex engine of PGV's `string.pattern` (C++ PGV uses RE2's partial match) and of
 * Envoy's `google_re2` matchers, through re2-wasm's low-level `WrappedRE2` (the build gRPC's xDS
 * RBAC engine uses too). Patterns are given to RE2 as written: they are RE2 syntax already, so the
 * JavaScript-to-RE2 translation of re2-wasm's `RE2` class is not wanted.
 *
 * re2-wasm's heap is a fixed 16 MiB shared by the whole process and its objects are not garbage
 * collected. Its `RE2` class also leaks the compiled object when a pattern is invalid (it throws
 * before anything can free it): some 34,000 invalid patterns abort the wasm module for good. So
 * this module uses `WrappedRE2` directly and frees every object it does not keep:
 * - `re2Problem` (validity of patterns from resources: unbounded, possibly hostile input) frees
 *   each compiled object at once and memoizes the answer for a bounded number of patterns;
 * - `compileRe2` (patterns from PGV annotations: a fixed, small set) keeps one compiled object per
 *   distinct pattern for the life of the process.
 */
import { createRequire } from 'node:module';

interface WrappedRe2 {
  ok(): boolean;
  error(): string;
  match(input: string, start: number, anchored: boolean): { readonly index: number };
  delete(): void;
}

const require = createRequire(import.meta.url);
const { WrappedRE2 } = require('re2-wasm/build/wasm/re2.js') as {
  WrappedRE2: new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => WrappedRe2;
};

/** A compiled pattern, or RE2's reason for refusing it. */
export type CompiledRe2 = { readonly ok: true; readonly test: (input: string) => boolean } | { readonly ok: false; readonly reason: string };

const MEMO_LIMIT = 20_000;
const problems = new Map<string, string | undefined>();
const compiled = new Map<string, CompiledRe2>();

/** `undefined` when RE2 accepts `pattern`, else RE2's reason. Frees what it compiles. */
export function re2Problem(pattern: string): string | undefined {
  if (problems.has(pattern)) return problems.get(pattern);
  const re = new WrappedRE2(pattern, false, false, false);
  let problem: string | undefined;
  try {
    problem = re.ok() ? undefined : re.error();
  } finally {
    re.delete();
  }
  if (problems.size >= MEMO_LIMIT) {
    const oldest = problems.keys().next();
    if (!oldest.done) problems.delete(oldest.value);
  }
  problems.set(pattern, problem);
  return problem;
}

/** Compiles `pattern` once per process; `test` is an unanchored (partial) match, as PGV's. */
export function compileRe2(pattern: string): CompiledRe2 {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const re = new WrappedRE2(pattern, false, false, false);
  let result: CompiledRe2;
  if (re.ok()) {
    result = { ok: true, test: (input) => re.match(input, 0, false).index >= 0 };
  } else {
    result = { ok: false, reason: re.error() };
    re.delete();
  }
  compiled.set(pattern, result);
  return result;
}
