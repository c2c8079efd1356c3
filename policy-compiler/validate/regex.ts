/**
 * Regular expressions in policies follow RE2 semantics, as Envoy's `safe_regex` does, and are
 * matched against the whole value. They are checked with `re2-wasm`, the RE2 build that gRPC's
 * own xDS RBAC engine uses, so "valid here" means valid for both kinds of proxy.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => { test(s: string): boolean } };

/** `undefined` when valid; otherwise RE2's reason, e.g. `invalid perl operator: (?<`. */
export function checkRe2(pattern: string): string | undefined {
  try {
    new RE2(pattern, 'u');
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // re2-wasm prefixes "Invalid regular expression: /…/u: "; keep RE2's own words.
    return message.replace(/^Invalid regular expression: \/.*\/u: /s, '');
  }
}

/** Whether `value` matches `pattern` in full, with RE2 semantics (used by `sluice simulate` and tests). */
export function re2FullMatch(pattern: string, value: string): boolean {
  return new RE2(`^(?:${pattern})$`, 'u').test(value);
}
