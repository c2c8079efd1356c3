/**
 * Regular expressions in policies follow RE2 semantics and are matched against the whole value.
 * A pattern must be accepted by both proxies that will run it:
 * - Envoy compiles `safe_regex` with RE2 as written (`re2Problem`, raw RE2 through re2-wasm);
 * - gRPC's xDS RBAC engine builds `new RE2('^' + regex + '$', 'u')` with re2-wasm's JavaScript-
 *   flavoured `RE2` class, which translates the pattern first. sluice emits `(?:regex)`, so that is
 *   what is checked here, exactly as gRPC will see it.
 *
 * re2-wasm's heap is a fixed 16 MiB shared by the whole process and its objects are not garbage
 * collected: everything compiled here is freed at once, and results are memoized per pattern.
 * Patterns raw RE2 rejects never reach the `RE2` class, which would leak them.
 */
import { createRequire } from 'node:module';
import { re2Problem } from '../../envoy-api/index.js';

interface Re2Instance {
  test(s: string): boolean;
  readonly wrapper?: { delete(): void };
}

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => Re2Instance };

const MEMO_LIMIT = 20_000;
const memo = new Map<string, string | undefined>();

function grpcProblem(pattern: string): string | undefined {
  try {
    new RE2(`^(?:${pattern})$`, 'u').wrapper?.delete();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `gRPC's RE2 refuses it: ${message.replace(/^Invalid regular expression: \/.*\/u: /s, '')}`;
  }
}

/** `undefined` when valid for Envoy and gRPC; otherwise the reason, e.g. `invalid perl operator: (?<`. */
export function checkRe2(pattern: string): string | undefined {
  if (memo.has(pattern)) return memo.get(pattern);
  const problem = re2Problem(pattern) ?? grpcProblem(pattern);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(pattern, problem);
  return problem;
}

/** Whether `value` matches `pattern` in full, with RE2 semantics (for `sluice simulate` and tests). */
export function re2FullMatch(pattern: string, value: string): boolean {
  if (checkRe2(pattern) !== undefined) return false;
  const re = new RE2(`^(?:${pattern})$`, 'u');
  try {
    return re.test(value);
  } finally {
    re.wrapper?.delete();
  }
}
