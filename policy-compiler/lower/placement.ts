/**
 * Where workloads and proxies run, for the node agents: the inventory's `host`, `podUID` and
 * `proxyContainers` (Kubernetes fills them from Pods), and no more. Absent when the inventory
 * places nothing, so standalone IRs are unchanged.
 */
import type { Placement, WorkloadPlacement } from '../ir/types.js';
import type { Inventory } from '../model/types.js';

export function placementOf(inventory: Inventory): Placement | undefined {
  const workloads: WorkloadPlacement[] = inventory.workloads.flatMap((w) =>
    w.host === undefined
      ? []
      : [{ workload: w.key, host: w.host, ...(w.podUid !== undefined ? { podUid: w.podUid } : {}), ...(w.proxyContainers?.length ? { proxyContainers: w.proxyContainers } : {}) }],
  );
  const proxies = [...inventory.proxies.values()].flatMap((p) => (p.host === undefined ? [] : [{ node: p.node, host: p.host }]));
  if (workloads.length === 0 && proxies.length === 0) return undefined;
  return { workloads: workloads.sort((a, b) => a.workload.localeCompare(b.workload)), proxies: proxies.sort((a, b) => a.node.localeCompare(b.node)) };
}
