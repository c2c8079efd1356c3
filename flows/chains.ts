/**
 * Which policies cover the chain a flow went through, from the compiled IR (read-only): the
 * policy of a default deny ("no allow rule matched" names no rule, so the chain says whose it was).
 */
import type { Ir } from '../policy-compiler/index.js';
import { canonicalPeer } from '../ip/index.js';

export interface ChainPolicies {
  readonly enforce: readonly string[];
  readonly audit: readonly string[];
}

export interface ChainLookup {
  /** Inbound: the chain protecting `destination:port` on `node`; outbound: the chain of the workload at `source` for `port`. */
  find(node: string, direction: 'ingress' | 'egress', source: string, destination: string, port: number): ChainPolicies | undefined;
}

export const NO_CHAINS: ChainLookup = { find: () => undefined };

export function chainLookup(ir: Ir | undefined): ChainLookup {
  if (!ir) return NO_CHAINS;
  const table = new Map<string, ChainPolicies>();
  const key = (node: string, dir: string, address: string, port: number) => `${node}|${dir}|${address}|${port}`;
  for (const n of ir.envoyNodes) {
    for (const [dir, chains] of [['ingress', n.inbound], ['egress', n.outbound]] as const) {
      for (const c of chains) {
        const policies = { enforce: c.policies.filter((p) => p.mode === 'enforce').map((p) => p.key), audit: c.policies.filter((p) => p.mode === 'audit').map((p) => p.key) };
        for (const a of dir === 'ingress' ? c.destinations : c.sources) table.set(key(n.node, dir, canonicalPeer(a.address), c.port), policies);
      }
    }
  }
  return {
    find: (node, direction, source, destination, port) => table.get(key(node, direction, canonicalPeer(direction === 'ingress' ? destination : source), port)),
  };
}
