/**
 * What the admission webhooks need from the cluster, when they run inside the controller: the
 * inventory and the policies in force, as the controller's informers hold them (the same state
 * its xDS is compiled from, so "selects no workload" means what the proxies would get), and the
 * would-deny flows the proxies reported for the rollout guard, on every replica.
 */
import type { PolicyRuntime } from '../../controller/index.js';
import type { Flows } from '../../flows/index.js';
import type { Policy } from '../../policy-compiler/index.js';
import type { PolicyView, WouldDenyFlows } from '../admission/index.js';
import { fetchPeerWouldDeny, mergeWouldDeny, type ReplicaWouldDeny } from './peer-flows.js';
import type { PeerAddress } from './peers.js';

/** The runtime's inventory and policies; rejects before the first list (the webhook then denies, as it fails closed). */
export function runtimeView(runtime: PolicyRuntime): PolicyView {
  return async () => {
    const state = runtime.state();
    const inventory = state.inventory.inventory;
    if (!inventory) throw new Error('the controller has not read the cluster yet');
    return { inventory, policies: [...state.policies.values()].flatMap((e): Policy[] => (e.policy ? [e.policy] : [])) };
  };
}

export interface ReplicaFlows {
  /** How the answers name this replica. */
  readonly self: string;
  /** The other replicas' admin endpoints; `undefined` while they are not known (the guard then refuses). */
  readonly peers: () => readonly PeerAddress[] | undefined;
  readonly timeoutMs?: number;
}

/**
 * A policy's would-deny flows since `sinceMs`, from this replica's flows and, with `replicas`,
 * every other replica's (peer-flows.ts): unknown when any of them cannot tell.
 */
export function flowsWouldDeny(flows: Flows, replicas?: ReplicaFlows): WouldDenyFlows {
  const own = (policyKey: string, sinceMs: number): ReplicaWouldDeny => {
    const found = flows.wouldDeny([policyKey], sinceMs);
    const count = found.counts[policyKey] ?? 0;
    const self = replicas?.self ?? 'this replica';
    return found.complete || count > 0 ? { replica: self, count } : { replica: self, unknown: `its flows do not reach back to ${new Date(sinceMs).toISOString()}` };
  };
  if (!replicas) {
    return async (policyKey, sinceMs) => {
      const a = own(policyKey, sinceMs);
      return 'count' in a ? a.count : undefined;
    };
  }
  return async (policyKey, sinceMs) => {
    const peers = replicas.peers();
    const others: ReplicaWouldDeny[] = peers === undefined
      ? [{ replica: 'the other replicas', unknown: 'not known yet (the EndpointSlices of the controller\'s Service are not read)' }]
      : await fetchPeerWouldDeny(peers, policyKey, sinceMs, replicas.timeoutMs);
    return mergeWouldDeny([own(policyKey, sinceMs), ...others]);
  };
}
