/**
 * Address → workload, from the inventory (the model's `Inventory`, read-only): what a flow's source
 * and destination are. An address that is no workload's stays an address (workload '').
 */
import { canonicalPeer } from '../ip/index.js';
import type { Inventory, Workload } from '../policy-compiler/index.js';
import { NO_LABELS, type FlowEndpoint } from './record.js';

export class WorkloadIndex {
  private readonly byAddress = new Map<string, Workload>();
  /** Proxy node ids the inventory knows. */
  readonly nodes: ReadonlySet<string>;

  constructor(inventory: Inventory | undefined) {
    for (const w of inventory?.workloads ?? []) for (const a of w.addresses) this.byAddress.set(canonicalPeer(a), w);
    this.nodes = new Set(inventory ? [...inventory.proxies.keys()] : []);
  }

  workloadAt(address: string): Workload | undefined {
    return this.byAddress.get(canonicalPeer(address));
  }

  /** The endpoint of a flow: the address, the port, and the workload there if any (its labels shared, not copied). */
  endpoint(address: string, port: number): FlowEndpoint {
    const canonical = canonicalPeer(address);
    const w = this.byAddress.get(canonical);
    return w ? { address: canonical, port, workload: w.name, namespace: w.namespace, labels: w.labels } : { address: canonical, port, workload: '', namespace: '', labels: NO_LABELS };
  }

  /** Re-resolves an endpoint that arrived resolved elsewhere (the Kafka enforcer's flows carry addresses only). */
  resolve(e: FlowEndpoint): FlowEndpoint {
    return e.workload ? e : this.endpoint(e.address, e.port);
  }
}
