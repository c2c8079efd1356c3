/**
 * Step two of lowering: the contributions to one chain → what the chain decides. Deny rules are
 * collected apart from allow rules (deny is evaluated first and wins); audit-mode policies only
 * contribute to the shadow rule set.
 */
import type { L7Rule } from '../model/types.js';
import type { Authz, CompiledRule, KafkaCompiledRule, RequestMatch, RuleSet } from '../ir/types.js';
import type { Contribution } from './contributions.js';

function requestMatch(rule: Exclude<L7Rule, { kind: 'kafka' }>): RequestMatch {
  if (rule.kind === 'grpc') return { kind: 'grpc', service: rule.service, methods: rule.methods, headers: rule.headers };
  return {
    kind: 'http',
    ...(rule.method !== undefined ? { method: rule.method } : {}),
    ...(rule.path ? { path: rule.path } : {}),
    ...(rule.host ? { host: rule.host } : {}),
    headers: rule.headers,
  };
}

function byId<T extends { id: string }>(rules: readonly T[]): T[] {
  const unique = new Map<string, T>();
  for (const r of rules) if (!unique.has(r.id)) unique.set(r.id, r);
  return [...unique.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function httpRules(contributions: readonly Contribution[]): RuleSet {
  const deny: CompiledRule[] = [];
  const allow: CompiledRule[] = [];
  for (const c of contributions) {
    for (const r of c.deny) if (r.kind !== 'kafka') deny.push({ id: r.id, policy: c.policy, peers: c.peers, request: requestMatch(r) });
    if (c.allow === 'all') allow.push({ id: c.portRuleId, policy: c.policy, peers: c.peers, request: { kind: 'any' } });
    else for (const r of c.allow) if (r.kind !== 'kafka') allow.push({ id: r.id, policy: c.policy, peers: c.peers, request: requestMatch(r) });
  }
  return { deny: byId(deny), allow: byId(allow) };
}

function kafkaRules(contributions: readonly Contribution[]): { deny: KafkaCompiledRule[]; allow: KafkaCompiledRule[] } {
  const deny: KafkaCompiledRule[] = [];
  const allow: KafkaCompiledRule[] = [];
  for (const c of contributions) {
    for (const r of c.deny) if (r.kind === 'kafka') deny.push({ id: r.id, policy: c.policy, peers: c.peers, rule: r });
    if (c.allow === 'all') allow.push({ id: c.portRuleId, policy: c.policy, peers: c.peers });
    else for (const r of c.allow) if (r.kind === 'kafka') allow.push({ id: r.id, policy: c.policy, peers: c.peers, rule: r });
  }
  return { deny: byId(deny), allow: byId(allow) };
}

/** Enforced rules come from enforce-mode policies; the audit set is what enforcing every policy would do. */
function split<T>(contributions: readonly Contribution[], build: (c: readonly Contribution[]) => T): { enforce?: T; audit?: T } {
  const enforcing = contributions.filter((c) => c.mode === 'enforce');
  const auditing = contributions.some((c) => c.mode === 'audit');
  return { ...(enforcing.length > 0 ? { enforce: build(enforcing) } : {}), ...(auditing ? { audit: build(contributions) } : {}) };
}

export function httpAuthz(contributions: readonly Contribution[]): Authz {
  return split(contributions, httpRules);
}

export function kafkaAuthz(contributions: readonly Contribution[]) {
  return split(contributions, kafkaRules);
}

/** The policies behind a chain, sorted, each once. */
export function chainPolicies(contributions: readonly Contribution[]) {
  const seen = new Map<string, { key: string; mode: Contribution['mode'] }>();
  for (const c of contributions) seen.set(c.policy, { key: c.policy, mode: c.mode });
  return [...seen.values()].sort((a, b) => a.key.localeCompare(b.key));
}
