/**
 * The RBAC of a chain: one DENY filter and one ALLOW filter, as Istio orders them (deny first, so
 * deny wins). Audit-mode policies become `shadow_rules`: evaluated, counted per rule and logged,
 * never enforced. Each compiled rule is one RBAC policy named by its rule id, so Envoy's
 * `effective_policy_id` names the exact line of the policy that decided.
 */
import type { AddressMatch, Authz, CompiledRule, RequestMatch, RuleSet } from '../../ir/types.js';
import { cidrRange, headerConditionMatcher, headerMatcher, stringMatcher } from '../matchers.js';
import { MESSAGES, typed, type AnyJson, type envoy } from '../../../envoy-api/index.js';
import type { FeatureTranslator, HttpFilter, ProxyFlavor } from '../feature.js';
import { RBAC_PREFIX } from '../../names.js';

type Permission = envoy.config.rbac.v3.Permission;
type Principal = envoy.config.rbac.v3.Principal;
type Rules = envoy.config.rbac.v3.RBAC;
type RbacConfig = envoy.extensions.filters.http.rbac.v3.RBAC;

/** Combines permissions with `and`/`or`, avoiding a one-element set (and the empty set, which PGV rejects). */
function combine(kind: 'and_rules' | 'or_rules', items: readonly Permission[], empty: Permission): Permission {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0] ?? empty;
  return kind === 'and_rules' ? { and_rules: { rules: items } } : { or_rules: { rules: items } };
}

/** The same for principals. */
function combineIds(kind: 'and_ids' | 'or_ids', items: readonly Principal[], empty: Principal): Principal {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0] ?? empty;
  return kind === 'and_ids' ? { and_ids: { ids: items } } : { or_ids: { ids: items } };
}

function requestPermission(request: RequestMatch): Permission {
  switch (request.kind) {
    case 'any':
      return { any: true };
    case 'http': {
      const parts: Permission[] = [];
      if (request.method !== undefined) parts.push({ header: headerMatcher(':method', { kind: 'exact', value: request.method }) });
      if (request.path) parts.push(request.path.kind === 'present' ? { any: true } : { url_path: { path: stringMatcher(request.path) } });
      if (request.host) parts.push({ header: headerMatcher(':authority', request.host) });
      for (const h of request.headers) parts.push({ header: headerConditionMatcher(h) });
      return combine('and_rules', parts, { any: true });
    }
    case 'grpc': {
      const paths: Permission[] = request.methods === 'all'
        ? [{ url_path: { path: { prefix: `/${request.service}/` } } }]
        : request.methods.map((m) => ({ url_path: { path: { exact: `/${request.service}/${m}` } } }));
      const parts = [combine('or_rules', paths, { any: true }), ...request.headers.map((h) => ({ header: headerConditionMatcher(h) }))];
      return combine('and_rules', parts, { any: true });
    }
  }
}

/** Ingress peers: who connects (the downstream connection's address). */
function sourcePrincipal(peers: AddressMatch): Principal {
  if (peers.kind === 'any') return { any: true };
  const ids = peers.ranges.map((r): Principal => {
    const base: Principal = { direct_remote_ip: cidrRange(r.cidr) };
    if (r.except.length === 0) return base;
    return { and_ids: { ids: [base, { not_id: combineIds('or_ids', r.except.map((e) => ({ direct_remote_ip: cidrRange(e) })), {}) }] } };
  });
  return combineIds('or_ids', ids, { not_id: { any: true } });
}

/** Egress peers: where the workload connects (the original destination). */
function destinationPermission(peers: AddressMatch): Permission | undefined {
  if (peers.kind === 'any') return undefined;
  const rules = peers.ranges.map((r): Permission => {
    const base: Permission = { destination_ip: cidrRange(r.cidr) };
    if (r.except.length === 0) return base;
    return { and_rules: { rules: [base, { not_rule: combine('or_rules', r.except.map((e) => ({ destination_ip: cidrRange(e) })), {}) }] } };
  });
  return combine('or_rules', rules, { not_rule: { any: true } });
}

function rbacPolicy(rule: CompiledRule, direction: 'inbound' | 'outbound'): envoy.config.rbac.v3.Policy {
  const request = requestPermission(rule.request);
  if (direction === 'inbound') return { permissions: [request], principals: [sourcePrincipal(rule.peers)] };
  const destination = destinationPermission(rule.peers);
  return { permissions: [destination ? combine('and_rules', [destination, request], request) : request], principals: [{ any: true }] };
}

function rbacRules(action: 'DENY' | 'ALLOW', rules: readonly CompiledRule[], direction: 'inbound' | 'outbound'): Rules {
  return { action, policies: Object.fromEntries(rules.map((r) => [r.id, rbacPolicy(r, direction)])) };
}

/** The RBAC message of one filter (deny or allow) for a chain: enforced rules, shadow (audit) rules, stats. */
function rbacConfig(kind: 'deny' | 'allow', authz: Authz, direction: 'inbound' | 'outbound', flavor: ProxyFlavor): RbacConfig | undefined {
  const action = kind === 'deny' ? 'DENY' : 'ALLOW';
  const pick = (set: RuleSet | undefined) => (set ? (kind === 'deny' ? set.deny : set.allow) : undefined);
  const enforced = pick(authz.enforce);
  // gRPC implements only enforced rules (no shadow rules, and an RBAC config without `rules` is
  // rejected), so audit-only chains get no RBAC filter on proxyless servers.
  const shadow = flavor === 'envoy' ? pick(authz.audit) : undefined;
  const enforce = enforced && (kind === 'allow' || enforced.length > 0) ? enforced : undefined;
  const audit = shadow && (kind === 'allow' || shadow.length > 0) ? shadow : undefined;
  if (!enforce && !audit) return undefined;
  return {
    ...(enforce ? { rules: rbacRules(action, enforce, direction) } : {}),
    ...(audit ? { shadow_rules: rbacRules(action, audit, direction) } : {}),
    ...statsOf(kind, flavor),
  };
}

/** Stat prefixes (which also name the dynamic metadata keys the access log reads) and per-rule stats. */
function statsOf(kind: 'deny' | 'allow', flavor: ProxyFlavor): RbacConfig {
  const prefixes = kind === 'deny' ? { rules_stat_prefix: RBAC_PREFIX.deny, shadow_rules_stat_prefix: RBAC_PREFIX.auditDeny } : { rules_stat_prefix: RBAC_PREFIX.allow, shadow_rules_stat_prefix: RBAC_PREFIX.auditAllow };
  return flavor === 'envoy' ? { ...prefixes, track_per_rule_stats: true } : { rules_stat_prefix: prefixes.rules_stat_prefix };
}

const RBAC_FILTER = { deny: 'sluice.rbac.deny', allow: 'sluice.rbac.allow' } as const;

/**
 * The RBAC HTTP filters of a chain's HttpConnectionManager.
 *
 * Envoy: both filters, always, with fixed base configs: the deny filter denies nothing, the allow
 * filter allows nothing. The chain's real rules ride on its route over RDS (`rbacPerRoute`), which
 * Envoy applies to the next request on every open connection, so a policy edit never waits for a
 * connection to drain and never changes the listener. Should a route ever lack its rules, the
 * base config fails closed.
 *
 * Proxyless gRPC: the rules themselves, as gRFC A41 reads them from the Listener.
 */
function rbacFilters(authz: Authz, direction: 'inbound' | 'outbound', flavor: ProxyFlavor): { deny?: HttpFilter; allow?: HttpFilter } {
  if (flavor === 'envoy') {
    return {
      deny: { name: RBAC_FILTER.deny, typed_config: typed(MESSAGES.rbac, statsOf('deny', flavor)) },
      allow: { name: RBAC_FILTER.allow, typed_config: typed(MESSAGES.rbac, { rules: { action: 'ALLOW' }, ...statsOf('allow', flavor) }) },
    };
  }
  const filter = (kind: 'deny' | 'allow'): HttpFilter | undefined => {
    const config = rbacConfig(kind, authz, direction, flavor);
    return config ? { name: RBAC_FILTER[kind], typed_config: typed(MESSAGES.rbac, config) } : undefined;
  };
  const deny = filter('deny');
  const allow = filter('allow');
  return { ...(deny ? { deny } : {}), ...(allow ? { allow } : {}) };
}

/** A route's `typed_per_filter_config` carrying the chain's rules to Envoy's two RBAC filters. */
export function rbacPerRoute(authz: Authz, direction: 'inbound' | 'outbound'): { readonly [filter: string]: AnyJson } {
  const perRoute = (kind: 'deny' | 'allow') => typed(MESSAGES.rbacPerRoute, { rbac: rbacConfig(kind, authz, direction, 'envoy') ?? statsOf(kind, 'envoy') });
  return { [RBAC_FILTER.deny]: perRoute('deny'), [RBAC_FILTER.allow]: perRoute('allow') };
}

/** Deny and allow HTTP filters on every chain; for Envoy the rules on the chain's route. */
export const RBAC_FEATURE: FeatureTranslator = {
  name: 'RBAC: a deny and an allow filter (rules on the route for Envoy, in the filter for proxyless gRPC), audit rules as shadow rules',
  httpFilters: ({ authz, direction, flavor }) => {
    const { deny, allow } = rbacFilters(authz, direction, flavor);
    return [...(deny ? [{ position: 'rbac-deny' as const, value: deny }] : []), ...(allow ? [{ position: 'rbac-allow' as const, value: allow }] : [])];
  },
  routeFilterConfig: (chain) => rbacPerRoute(chain.authz, chain.direction),
};
