/** Diagnostics at the port rules that contributed to a chain: one per port rule, at `<port rule path>[.field]` in its policy's document. */
import type { Diagnostic } from '../diagnostics.js';
import type { Policy } from '../model/types.js';
import { ruleIdPath } from '../names.js';
import type { Contribution } from './contributions.js';

export interface PortRuleProblem {
  readonly severity: Diagnostic['severity'];
  readonly code: string;
  /** Below the port rule (`terminatingTLS.secret`); absent: the port rule itself. */
  readonly field?: string;
  readonly message: string;
}

export function atPortRules(from: readonly Contribution[], policyByKey: ReadonlyMap<string, Policy>, problems: readonly PortRuleProblem[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const c of from) {
    if (seen.has(c.portRuleId)) continue;
    seen.add(c.portRuleId);
    const p = policyByKey.get(c.policy);
    const at = ruleIdPath(c.portRuleId);
    for (const problem of problems) {
      out.push({ severity: problem.severity, code: problem.code, ...(p ? { file: p.source.file, document: p.source.document } : {}), path: problem.field !== undefined ? `${at}.${problem.field}` : at, message: problem.message });
    }
  }
  return out;
}
