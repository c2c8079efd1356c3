/**
 * Regular expressions in policies follow RE2 semantics, as Envoy's `safe_regex` does, and are
 * matched against the whole value. They are checked with `re2-wasm`, the RE2 build that gRPC's
 * own xDS RBAC engine uses, so "valid here" means valid for both kinds of proxy.
 *
 * re2-wasm's heap is a fixed 16 MiB and its objects are not garbage-collected: every compiled
 * pattern must be freed explicitly (`wrapper.delete()`), or a few thousand patterns exhaust it.
 * Results are memoized per pattern, so unchanged policies cost nothing on reload.
 */
import { createRequire } from 'node:module';

interface Re2Instance {
  test(s: string): boolean;
  readonly wrapper?: { delete(): void };
}

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => Re2Instance };

const MEMO_LIMIT = 20_000;
const memo = new Map<string, string | undefined>();

function withRe2<T>(pattern: string, use: (re: Re2Instance) => T): T {
  const re = new RE2(pattern, 'u');
  try {
    return use(re);
  } finally {
    re.wrapper?.delete();
  }
}

/** `undefined` when valid; otherwise RE2's reason, e.g. `invalid perl operator: (?<`. */
export function checkRe2(pattern: string): string | undefined {
  if (memo.has(pattern)) return memo.get(pattern);
  let problem: string | undefined;
  try {
    withRe2(pattern, () => undefined);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // re2-wasm prefixes "Invalid regular expression: /…/u: "; keep RE2's own words.
    problem = message.replace(/^Invalid regular expression: \/.*\/u: /s, '');
  }
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(pattern, problem);
  return problem;
}

/** Whether `value` matches `pattern` in full, with RE2 semantics (used by `sluice simulate` and tests). */
export function re2FullMatch(pattern: string, value: string): boolean {
  return withRe2(`^(?:${pattern})$`, (re) => re.test(value));
}
