/**
 * Step one of lowering: every (policy, selected workload, traffic rule, port) becomes a
 * contribution to the chain of that workload's port in that direction. Computed per policy, so a
 * policy that did not change keeps its contributions (see `compiler.ts`).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Inventory, L7Rule, Mode, Policy, PolicyKey, PortProtocol, PortTls, RuleId, Workload } from '../model/types.js';
import type { AddressMatch, TrafficDirection } from '../ir/types.js';
import { chainName, chainSortKey, ruleIdPath } from '../names.js';
import { resolveEgressPort, resolvePeers, resolvePort, selectedWorkloads } from './selection.js';

export interface Contribution {
  readonly policy: PolicyKey;
  readonly mode: Mode;
  readonly protocol: PortProtocol;
  readonly portRuleId: RuleId;
  readonly peers: AddressMatch;
  readonly allow: readonly L7Rule[] | 'all';
  readonly deny: readonly L7Rule[];
  readonly tls?: PortTls;
}

export interface ChainKey {
  readonly direction: TrafficDirection;
  readonly workload: Workload;
  readonly port: number;
  /** The port rule's SNI allow list: port rules with one get a chain of their own (empty: the port's plain chain). */
  readonly serverNames: readonly string[];
}

export interface PolicyContributions {
  /** `id` and `sort`: the chain's name and sort key (names.ts), computed once with the policy's lowering. */
  readonly entries: readonly { readonly key: ChainKey; readonly id: string; readonly sort: string; readonly contribution: Contribution }[];
  readonly diagnostics: readonly Diagnostic[];
}

export function policyContributions(policy: Policy, inventory: Inventory): PolicyContributions {
  const entries: { key: ChainKey; id: string; sort: string; contribution: Contribution }[] = [];
  const diagnostics: Diagnostic[] = [];
  const warn = (path: string, code: string, message: string) =>
    diagnostics.push({ severity: 'warning', code, file: policy.source.file, document: policy.source.document, path, message });

  const workloads = selectedWorkloads(policy, inventory);
  if (workloads.length === 0) warn('spec.selector', 'selector.no-match', `selects no workload in namespace ${policy.namespace} of the inventory`);
  for (const rule of policy.rules) {
    const peers = resolvePeers(rule.peers, inventory);
    const rulePath = ruleIdPath(rule.id);
    if (peers.kind === 'ranges' && peers.ranges.length === 0) {
      warn(`${rulePath}.${rule.direction === 'ingress' ? 'from' : 'to'}`, 'peer.no-match', 'the peers match no workload or address, so this rule allows nothing');
    }
    const direction: TrafficDirection = rule.direction === 'ingress' ? 'inbound' : 'outbound';
    for (const portRule of rule.ports) {
      const contribution: Contribution = { policy: policy.key, mode: policy.mode, protocol: portRule.protocol, portRuleId: portRule.id, peers, allow: portRule.allow, deny: portRule.deny, ...(portRule.tls ? { tls: portRule.tls } : {}) };
      const serverNames = portRule.tls?.serverNames ?? [];
      for (const ref of portRule.ports) {
        for (const workload of workloads) {
          const ports = direction === 'inbound' ? [resolvePort(ref, workload)].filter((p): p is number => p !== undefined) : resolveEgressPort(ref, rule.peers, inventory);
          if (ports.length === 0 && ref.kind === 'name') {
            const where = direction === 'inbound' ? `workload ${workload.key}` : 'the destination workloads of this rule';
            warn(ruleIdPath(portRule.id), 'port.name-unresolved', `no port named "${ref.name}" on ${where}`);
          }
          for (const port of ports) entries.push({ key: { direction, workload, port, serverNames }, id: chainName(direction, port, workload.key, serverNames), sort: chainSortKey({ direction, workload: workload.key, port, serverNames }), contribution });
        }
      }
    }
  }
  return { entries, diagnostics };
}
