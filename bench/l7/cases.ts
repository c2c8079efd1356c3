/**
 * What bench:l7 measures: for each protocol, direct to the upstream, Envoy without RBAC, and
 * Envoy with sluice's compiled policy (allow-all, then N rules with the request matching the
 * last policy Envoy tries, and at the largest N also the first), plus the shaped variants at the
 * largest N.
 */
import type { Listener, Variant } from './config.js';
import { measuredIndex, requestPath, ruleId, type Position, type Protocol, type RuleSet } from './rules.js';

export interface Case {
  readonly name: string;
  readonly protocol: Protocol;
  /** Undefined: direct to the upstream. */
  readonly listener?: Listener;
  readonly path: string;
  /** The rule id whose per-rule counter must count this case's requests (the proof it matched). */
  readonly rule?: string;
}

export interface Plan {
  readonly sets: readonly RuleSet[];
  readonly listeners: readonly Listener[];
  readonly cases: readonly Case[];
}

const FIRST_PORT = 8001;
const FIRST_LISTENER = 19001;

export function plan(protocols: readonly Protocol[], counts: readonly number[]): Plan {
  const sets: RuleSet[] = [];
  const listeners: Listener[] = [];
  const cases: Case[] = [];
  const largest = Math.max(...counts);
  for (const protocol of protocols) {
    const setOf = (rules: number): RuleSet => {
      const found = sets.find((s) => s.protocol === protocol && s.rules === rules);
      if (found) return found;
      const set = { protocol, rules, port: FIRST_PORT + sets.length };
      sets.push(set);
      return set;
    };
    const listen = (set: RuleSet, variant: Variant): Listener => {
      const name = `${protocol}_${set.rules === 0 ? 'allow_all' : set.rules}_${variant}`;
      const found = listeners.find((l) => l.name === name);
      if (found) return found;
      const l = { name, port: FIRST_LISTENER + listeners.length, set, variant };
      listeners.push(l);
      return l;
    };
    const measured = (set: RuleSet, variant: Variant, position: Position, label: string): Case => {
      const i = measuredIndex(set, position);
      return { name: label, protocol, listener: listen(set, variant), path: requestPath(protocol, i), ...(variant !== 'no-rule-stats' ? { rule: ruleId(set, i) } : {}) };
    };
    const big = setOf(largest);
    const anyPath = requestPath(protocol, measuredIndex(big, 'last'));
    cases.push({ name: 'direct (no Envoy)', protocol, path: anyPath });
    cases.push({ name: 'Envoy, no RBAC', protocol, listener: listen(big, 'no-rbac'), path: anyPath });
    const all = setOf(0);
    cases.push({ name: 'allow-all (RBAC on)', protocol, listener: listen(all, 'compiled'), path: anyPath, rule: `bench/${protocol}-allow-all#spec.ingress[0].toPorts[0]` });
    // The first policy is the same work whatever the count: measured once, at the largest.
    cases.push(measured(big, 'compiled', 'first', `${largest} rules, first`));
    for (const n of counts) cases.push(measured(setOf(n), 'compiled', 'last', `${n} rules, last`));
    cases.push(measured(big, 'no-rule-stats', 'last', `${largest} last, no per-rule stats`));
    cases.push(measured(big, 'matcher', 'last', `${largest} last, matcher tree`));
  }
  return { sets, listeners, cases };
}
