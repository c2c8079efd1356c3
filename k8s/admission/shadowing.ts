/**
 * Shadowing, defined on the compiled chains (one per workload, direction and port, where policies
 * merge: their allow rules are OR-ed, every deny applies):
 *
 * - the new policy **is shadowed** on a chain when each of its allow rules there is covered by a
 *   single allow rule of some other policy (`ruleCovers`): its allows add nothing there;
 * - the new policy **shadows** another policy on a chain when each of that policy's allow rules
 *   there is covered by a single allow rule of the new one: the other's allows add nothing any more.
 *
 * Deny rules are not part of it (they apply whatever allows), nor are Kafka chains (their rules
 * are matched by the Kafka enforcer, not compiled to request matches). Policies in audit mode
 * count as if enforced: the warning is about what the rules mean once enforced. The comparison
 * is bounded (`MAX_COMPARISONS`); past it the check says it stopped instead of guessing.
 */
import type { CompiledRule, HttpChain, Ir, PolicyKey, RuleSet } from '../../policy-compiler/index.js';
import { allowsNothing, ruleCovers } from './covers.js';

export const MAX_COMPARISONS = 2_000_000;

export interface ShadowFinding {
  readonly kind: 'shadowed-by' | 'shadows';
  /** The other policies: those whose rules cover this one's (`shadowed-by`), or the one it covers (`shadows`). */
  readonly others: readonly PolicyKey[];
  readonly direction: HttpChain['direction'];
  readonly port: number;
  /** The workloads (sorted) where it holds. */
  readonly workloads: readonly string[];
}

export interface ShadowReport {
  readonly findings: readonly ShadowFinding[];
  /** Set when the comparison budget ran out: findings are those found until then. */
  readonly truncated: boolean;
}

interface ChainRules {
  readonly direction: HttpChain['direction'];
  readonly port: number;
  readonly workload: string;
  readonly rules: RuleSet;
}

/** Every HTTP chain of the IR (Envoy nodes and proxyless gRPC servers) that `key` has rules in. */
function chainsOf(ir: Ir, key: PolicyKey): ChainRules[] {
  const found: ChainRules[] = [];
  const take = (direction: HttpChain['direction'], port: number, workload: string, policies: readonly { readonly key: PolicyKey }[], authz: HttpChain['authz']) => {
    // `audit` is enforce ∪ audit rules when an audit policy is on the chain: every policy's rules.
    const rules = authz.audit ?? authz.enforce;
    if (rules && policies.some((p) => p.key === key)) found.push({ direction, port, workload, rules });
  };
  for (const node of ir.envoyNodes) for (const c of [...node.inbound, ...node.outbound]) take(c.direction, c.port, c.workload, c.policies, c.authz);
  for (const s of ir.proxyless) take('inbound', s.port, s.workload, s.policies, s.authz);
  return found;
}

function byPolicy(rules: readonly CompiledRule[]): Map<PolicyKey, CompiledRule[]> {
  const out = new Map<PolicyKey, CompiledRule[]>();
  for (const r of rules) {
    if (allowsNothing(r)) continue;
    const list = out.get(r.policy);
    if (list) list.push(r);
    else out.set(r.policy, [r]);
  }
  return out;
}

/** The shadowing relations between `key` and the other policies on the chains it shares with them. */
export function shadowing(ir: Ir, key: PolicyKey, maxComparisons = MAX_COMPARISONS): ShadowReport {
  let budget = maxComparisons;
  let truncated = false;
  // For each rule of `inner`, a rule of `outer` that covers it: the policies of those, or undefined when one is not covered.
  const coverers = (inner: readonly CompiledRule[], outer: readonly CompiledRule[]): Set<PolicyKey> | undefined => {
    const policies = new Set<PolicyKey>();
    for (const r of inner) {
      budget -= outer.length;
      if (budget < 0) {
        truncated = true;
        return undefined;
      }
      const s = outer.find((candidate) => ruleCovers(candidate, r));
      if (!s) return undefined;
      policies.add(s.policy);
    }
    return policies;
  };
  const found = new Map<string, { finding: Omit<ShadowFinding, 'workloads'>; workloads: Set<string> }>();
  const note = (finding: Omit<ShadowFinding, 'workloads'>, workload: string) => {
    const id = `${finding.kind}|${finding.others.join(',')}|${finding.direction}|${finding.port}`;
    const entry = found.get(id) ?? { finding, workloads: new Set<string>() };
    entry.workloads.add(workload);
    found.set(id, entry);
  };
  for (const chain of chainsOf(ir, key)) {
    if (truncated) break;
    const groups = byPolicy(chain.rules.allow);
    const mine = groups.get(key);
    if (!mine) continue;
    const others = [...groups].filter(([k]) => k !== key);
    const where = { direction: chain.direction, port: chain.port };
    const by = others.length > 0 ? coverers(mine, others.flatMap(([, rules]) => rules)) : undefined;
    if (by) note({ kind: 'shadowed-by', others: [...by].sort(), ...where }, chain.workload);
    for (const [other, rules] of others) if (coverers(rules, mine)) note({ kind: 'shadows', others: [other], ...where }, chain.workload);
  }
  const findings = [...found.values()]
    .map(({ finding, workloads }) => ({ ...finding, workloads: [...workloads].sort() }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.others.join().localeCompare(b.others.join()) || a.direction.localeCompare(b.direction) || a.port - b.port);
  return { findings, truncated };
}

/** One line per finding, for admission warnings. */
export function formatShadowFinding(f: ShadowFinding): string {
  const first = f.workloads[0] ?? '';
  const where = `on ${f.direction} port ${f.port} of ${first}${f.workloads.length > 1 ? ` (and ${f.workloads.length - 1} more workloads)` : ''}`;
  return f.kind === 'shadowed-by'
    ? `spec: ${where}, every request this policy allows is already allowed by ${f.others.join(' and ')}, so its allow rules add nothing there (its deny rules still apply) [policy.shadowed]`
    : `spec: ${where}, this policy allows every request ${f.others.join()} allows, so the allow rules of ${f.others.join()} add nothing there any more [policy.shadows]`;
}
