/** Model matchers → Envoy's `StringMatcher`, `HeaderMatcher` and `CidrRange`. */
import type { envoy } from '../../envoy-api/index.js';
import type { Cidr } from '../../ip/index.js';
import type { HeaderCondition, StringMatcher } from '../model/types.js';

/**
 * An Envoy `type.matcher.v3.StringMatcher`. Regexes are wrapped in a non-capturing group: Envoy
 * matches `safe_regex` against the whole value, and gRPC anchors it as `^…$`, where an unwrapped
 * alternation `a|b` would mean `^a` or `b$`.
 */
export function stringMatcher(m: Exclude<StringMatcher, { kind: 'present' }>): envoy.type.matcher.v3.StringMatcher {
  switch (m.kind) {
    case 'exact':
      return { exact: m.value };
    case 'prefix':
      return { prefix: m.value };
    case 'suffix':
      return { suffix: m.value };
    case 'regex':
      return { safe_regex: { regex: `(?:${m.value})` } };
  }
}

/** An Envoy `config.route.v3.HeaderMatcher` for a header condition. */
export function headerMatcher(name: string, m: StringMatcher): envoy.config.route.v3.HeaderMatcher {
  if (m.kind === 'present') return { name, present_match: true };
  return { name, string_match: stringMatcher(m) };
}

export function headerConditionMatcher(h: HeaderCondition): envoy.config.route.v3.HeaderMatcher {
  return headerMatcher(h.name, h.match);
}

/** An Envoy `config.core.v3.CidrRange`. */
export function cidrRange(c: Cidr): envoy.config.core.v3.CidrRange {
  return { address_prefix: c.address, prefix_len: { value: c.prefixLength } };
}
