/**
 * What the admission webhooks need from the cluster, when they run inside the controller: the
 * inventory and the policies in force, as the controller's informers hold them (the same state
 * its xDS is compiled from, so "selects no workload" means what the proxies would get), and the
 * would-deny flows the proxies reported for the rollout guard. Pure over the runtime and flows.
 */
import type { PolicyRuntime } from '../../controller/index.js';
import type { Flows } from '../../flows/index.js';
import type { Policy } from '../../policy-compiler/index.js';
import type { PolicyView, WouldDenyFlows } from '../admission/index.js';

/** The runtime's inventory and policies; rejects before the first list (the webhook then denies, as it fails closed). */
export function runtimeView(runtime: PolicyRuntime): PolicyView {
  return async () => {
    const state = runtime.state();
    const inventory = state.inventory.inventory;
    if (!inventory) throw new Error('the controller has not read the cluster yet');
    return { inventory, policies: [...state.policies.values()].flatMap((e): Policy[] => (e.policy ? [e.policy] : [])) };
  };
}

/** A policy's would-deny flows since `sinceMs`; unknown (undefined) when the flows kept do not reach back that far. */
export function flowsWouldDeny(flows: Flows): WouldDenyFlows {
  return async (policyKey, sinceMs) => {
    const found = flows.wouldDeny([policyKey], sinceMs);
    return found.complete ? (found.counts[policyKey] ?? 0) : undefined;
  };
}
