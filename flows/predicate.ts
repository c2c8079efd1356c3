/**
 * A parsed filter as one function over flow records. HTTP path patterns run on RE2 (re2-wasm:
 * linear time whatever the pattern, as a filter typed into an admin endpoint must be), each
 * pattern compiled once per predicate and its answers memoized per distinct path; `dispose()`
 * frees the compiled patterns (re2-wasm's heap is not garbage collected).
 */
import { createRequire } from 'node:module';
import type { Diagnostic } from '../policy-compiler/index.js';
import { checkRe2 } from '../policy-compiler/index.js';
import { peerMatches, type FlowFilter } from './filter.js';
import type { FlowRecord } from './record.js';

interface Re2 {
  test(s: string): boolean;
  readonly wrapper?: { delete(): void };
}
const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => Re2 };

export interface Predicate {
  readonly test: (f: FlowRecord) => boolean;
  dispose(): void;
}

const MEMO_LIMIT = 10_000;

/** Compiles a filter; a pattern RE2 refuses is a problem at `http-path[i]`. */
export function compilePredicate(filter: FlowFilter): { predicate: Predicate; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const patterns: Re2[] = [];
  (filter.httpPaths ?? []).forEach((p, i) => {
    const why = checkRe2(p);
    if (why) problems.push({ severity: 'error', code: 'flows.filter.regex', path: `http-path[${i}]`, message: why });
    else patterns.push(new RE2(p, 'u'));
  });
  const memo = new Map<string, boolean>();
  const pathMatches = (path: string): boolean => {
    const q = path.indexOf('?');
    const bare = q < 0 ? path : path.slice(0, q);
    const known = memo.get(bare);
    if (known !== undefined) return known;
    const hit = patterns.some((r) => r.test(bare));
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(bare, hit);
    return hit;
  };
  const f = filter;
  const verdicts = f.verdicts ? new Set(f.verdicts) : undefined;
  const protocols = f.protocols ? new Set(f.protocols) : undefined;
  const directions = f.directions ? new Set(f.directions) : undefined;
  const namespaces = f.namespaces ? new Set(f.namespaces) : undefined;
  const policies = f.policies ? new Set(f.policies) : undefined;
  const nodes = f.nodes ? new Set(f.nodes) : undefined;
  const test = (r: FlowRecord): boolean =>
    (f.since === undefined || r.time >= f.since) &&
    (f.until === undefined || r.time < f.until) &&
    (!verdicts || verdicts.has(r.verdict)) &&
    (!protocols || protocols.has(r.protocol)) &&
    (!directions || directions.has(r.direction)) &&
    (!namespaces || namespaces.has(r.source.namespace) || namespaces.has(r.destination.namespace)) &&
    (!policies || policies.has(r.policy)) &&
    (!nodes || nodes.has(r.node)) &&
    (!f.from || f.from.some((p) => peerMatches(p, r.source))) &&
    (!f.to || f.to.some((p) => peerMatches(p, r.destination))) &&
    (patterns.length === 0 || (r.http !== undefined && pathMatches(r.http.path)));
  return {
    predicate: {
      test: problems.length > 0 ? () => false : test,
      dispose: () => {
        for (const r of patterns.splice(0)) r.wrapper?.delete();
      },
    },
    problems,
  };
}
