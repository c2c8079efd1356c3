/** Resolving a policy's selectors, peers and ports against the inventory. */
import { hostCidr, type Cidr } from '../../ip/index.js';
import type { Inventory, Peer, Policy, PortRef, Workload } from '../model/types.js';
import type { AddressMatch } from '../ir/types.js';
import { selectorMatches } from '../validate/selector.js';

/** The workloads a policy protects: its namespace, its selector. Sorted by key. */
export function selectedWorkloads(policy: Policy, inventory: Inventory): Workload[] {
  return inventory.workloads.filter((w) => w.namespace === policy.namespace && selectorMatches(policy.selector, w.labels)).sort((a, b) => a.key.localeCompare(b.key));
}

/** The workloads a selector peer names (empty when none match). */
function peerWorkloads(peer: Extract<Peer, { kind: 'selector' }>, inventory: Inventory): Workload[] {
  return inventory.workloads.filter((w) => (peer.namespaces === 'all' || peer.namespaces.includes(w.namespace)) && selectorMatches(peer.selector, w.labels));
}

function workloadCidrs(workloads: readonly Workload[]): Cidr[] {
  return workloads.flatMap((w) => w.addresses.map((a) => hostCidr(a))).filter((c): c is Cidr => typeof c !== 'string');
}

/** Peers → the address ranges they stand for, deduplicated and sorted. */
export function resolvePeers(peers: readonly Peer[] | 'any', inventory: Inventory): AddressMatch {
  if (peers === 'any') return { kind: 'any' };
  const ranges = new Map<string, { cidr: Cidr; except: readonly Cidr[] }>();
  for (const peer of peers) {
    if (peer.kind === 'cidr') {
      const key = `${peer.cidr.address}/${peer.cidr.prefixLength}-${peer.except.map((e) => `${e.address}/${e.prefixLength}`).join(',')}`;
      ranges.set(key, { cidr: peer.cidr, except: peer.except });
    } else {
      for (const cidr of workloadCidrs(peerWorkloads(peer, inventory))) ranges.set(`${cidr.address}/${cidr.prefixLength}`, { cidr, except: [] });
    }
  }
  return { kind: 'ranges', ranges: [...ranges.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r) };
}

/**
 * A port reference → the port number on one workload: a number as is, a name through the
 * workload's named ports. `undefined` when the workload has no port of that name.
 */
export function resolvePort(ref: PortRef, workload: Workload): number | undefined {
  if (ref.kind === 'number') return ref.port;
  return workload.ports.find((p) => p.name === ref.name)?.port;
}

/** A named egress port, resolved through the destination workloads of the rule's selector peers. */
export function resolveEgressPort(ref: PortRef, peers: readonly Peer[] | 'any', inventory: Inventory): number[] {
  if (ref.kind === 'number') return [ref.port];
  if (peers === 'any') return [];
  const found = new Set<number>();
  for (const peer of peers) {
    if (peer.kind !== 'selector') continue;
    for (const w of peerWorkloads(peer, inventory)) {
      const port = resolvePort(ref, w);
      if (port !== undefined) found.add(port);
    }
  }
  return [...found].sort((a, b) => a - b);
}

export { workloadCidrs };
