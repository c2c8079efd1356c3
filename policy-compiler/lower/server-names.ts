/**
 * SNI allow lists of one workload port: each server name may be in one list only, or the proxy
 * could not tell which chain a connection belongs to (and Envoy refuses two filter chains with the
 * same match). The chain that lists a name second is left out, with an error for its policies.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Policy } from '../model/types.js';
import { chainName } from '../names.js';
import { atPortRules } from './port-rule-diagnostics.js';
import type { ChainKey, Contribution } from './contributions.js';

export function overlappingServerNames(grouped: ReadonlyMap<string, { readonly key: ChainKey; readonly contributions: readonly Contribution[] }>, policyByKey: ReadonlyMap<string, Policy>): { diagnostics: Diagnostic[]; dropped: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const dropped = new Set<string>();
  const owner = new Map<string, string>();
  const withNames = [...grouped].filter(([, g]) => g.key.serverNames.length > 0);
  for (const [id, group] of withNames.sort(([a], [b]) => a.localeCompare(b))) {
    const { key } = group;
    const port = chainName(key.direction, key.port, key.workload.key);
    const taken = key.serverNames.map((n) => ({ name: n, by: owner.get(`${port}\n${n}`) })).filter((t) => t.by !== undefined);
    if (taken.length === 0) {
      for (const n of key.serverNames) owner.set(`${port}\n${n}`, id);
      continue;
    }
    dropped.add(id);
    diagnostics.push(...atPortRules(group.contributions, policyByKey, [{
      severity: 'error',
      code: 'tls.server-names-overlap',
      field: 'serverNames',
      message: `${key.workload.key} port ${key.port} (${key.direction}): ${taken.map((t) => t.name).join(', ')} is already in the SNI allow list of chain ${taken[0]?.by ?? ''}; a server name belongs to one list per port. This port rule is left out.`,
    }]));
  }
  return { diagnostics, dropped };
}
