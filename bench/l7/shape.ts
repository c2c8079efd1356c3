/**
 * A prototype of what the compiler could emit instead of a list of RBAC policies, measured by
 * bench:l7 beside what it emits today: the same allow rules as an RBAC `matcher` (Envoy's
 * unified matcher tree), whose first level is a prefix map over `:path` (a trie: a lookup costs
 * the path's length, not the rule count) and whose leaves are the rules sharing that literal
 * prefix, each ending in an action named by its rule id, so `effective_policy_id`, the per-rule
 * stats and the access log still name the rule that allowed. Envoy 1.40 retries shorter
 * prefixes when a leaf does not match (`prefix_map_matcher_resume_after_subtree_miss`), and rules
 * without a literal path prefix are tried last (`on_no_match`); no match is a deny.
 *
 * Prototype limits (it is a benchmark, not the compiler): rules with peers (`from`) are refused,
 * and `:path` includes the query string where RBAC's `url_path` does not (the benchmark sends
 * none). A deny filter keeps its policies: with a matcher, a deny filter's "no match" would have
 * to be an ALLOW action of some name.
 */
import type { CompiledRule } from '../../policy-compiler/index.js';

type Json = Record<string, unknown>;
type Matcher = { kind: 'exact' | 'prefix' | 'suffix' | 'regex'; value: string } | { kind: 'present' };

const header = (name: string): Json => ({
  name: name,
  typed_config: { '@type': 'type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput', header_name: name },
});

/**
 * An `xds.type.matcher.v3.StringMatcher` (the matcher tree's own message: unlike Envoy's
 * `type.matcher.v3.StringMatcher`, which the compiler emits, its regex must name its engine).
 */
function valueMatch(m: Matcher): Json {
  switch (m.kind) {
    case 'exact':
      return { exact: m.value };
    case 'prefix':
      return { prefix: m.value };
    case 'suffix':
      return { suffix: m.value };
    case 'regex':
      return { safe_regex: { google_re2: {}, regex: `(?:${m.value})` } };
    case 'present':
      return { safe_regex: { google_re2: {}, regex: '.*' } };
  }
}

const single = (name: string, m: Matcher): Json => ({ single_predicate: { input: header(name), value_match: valueMatch(m) } });

/** The literal text every path the matcher accepts starts with ('' when there is none). */
function literalPrefix(m: Matcher | undefined): string {
  if (!m || m.kind === 'present' || m.kind === 'suffix') return '';
  if (m.kind !== 'regex') return m.value;
  const literal = /^[^\\^$.|?*+()[\]{}]*/.exec(m.value)?.[0] ?? '';
  // A quantifier applies to the character before it, which is then not literal.
  return /^[?*{]/.test(m.value.slice(literal.length)) ? literal.slice(0, -1) : literal;
}

/** A rule as its trie key and the conditions left to check below it. */
function split(rule: CompiledRule): { key: string; conditions: Json[] } {
  if (rule.peers.kind !== 'any') throw new Error(`shape prototype: rule ${rule.id} has peers, which it does not handle`);
  const request = rule.request;
  switch (request.kind) {
    case 'any':
      return { key: '', conditions: [] };
    case 'http': {
      const key = literalPrefix(request.path);
      const conditions: Json[] = [];
      if (request.method !== undefined) conditions.push(single(':method', { kind: 'exact', value: request.method }));
      if (request.path && !(request.path.kind === 'prefix' && key === request.path.value)) conditions.push(single(':path', request.path));
      if (request.host) conditions.push(single(':authority', request.host));
      for (const h of request.headers) conditions.push(single(h.name, h.match));
      return { key, conditions };
    }
    case 'grpc': {
      const key = `/${request.service}/`;
      const conditions: Json[] = [];
      if (request.methods !== 'all') {
        const methods = request.methods.map((m) => single(':path', { kind: 'exact', value: `${key}${m}` }));
        conditions.push(methods.length === 1 ? (methods[0] ?? {}) : { or_matcher: { predicate: methods } });
      }
      for (const h of request.headers) conditions.push(single(h.name, h.match));
      return { key, conditions };
    }
  }
}

const action = (rule: CompiledRule, verdict: 'ALLOW' | 'DENY'): Json => ({
  action: { name: 'rbac', typed_config: { '@type': 'type.googleapis.com/envoy.config.rbac.v3.Action', name: rule.id, action: verdict } },
});

/** The rules of one trie key, in id order: a rule with nothing left to check ends the list. */
function leaf(rules: ReadonlyArray<{ rule: CompiledRule; conditions: Json[] }>, verdict: 'ALLOW' | 'DENY'): Json {
  const unconditional = rules.find((r) => r.conditions.length === 0);
  if (unconditional) return action(unconditional.rule, verdict);
  const matchers = rules.map((r) => ({
    predicate: r.conditions.length === 1 ? r.conditions[0] : { and_matcher: { predicate: r.conditions } },
    on_match: action(r.rule, verdict),
  }));
  return { matcher: { matcher_list: { matchers } } };
}

/** An RBAC `matcher` equivalent to allow (or deny) policies for `rules`; no match is a deny. */
export function rbacMatcher(rules: readonly CompiledRule[], verdict: 'ALLOW' | 'DENY' = 'ALLOW'): Json {
  const buckets = new Map<string, Array<{ rule: CompiledRule; conditions: Json[] }>>();
  for (const rule of rules) {
    const { key, conditions } = split(rule);
    buckets.set(key, [...(buckets.get(key) ?? []), { rule, conditions }]);
  }
  const rest = buckets.get('');
  buckets.delete('');
  const onNoMatch = rest ? { on_no_match: leaf(rest, verdict) } : {};
  if (buckets.size === 0) throw new Error('shape prototype: no rule has a literal path prefix to key the trie by');
  const map = Object.fromEntries([...buckets].map(([key, rs]) => [key, leaf(rs, verdict)]));
  return { matcher_tree: { input: header(':path'), prefix_match_map: { map } }, ...onNoMatch };
}
