/**
 * The names proxyless gRPC clients reach (`xds:///orders.shop:8080`), from the inventory alone: its
 * services when it lists them (Kubernetes Services and their endpoints), else every workload port.
 */
import type { Inventory } from '../model/types.js';
import type { Service } from '../ir/types.js';
import { serviceTarget } from '../names.js';

export function inventoryServices(inventory: Inventory): Service[] {
  if (inventory.services) {
    return inventory.services
      .flatMap((s) => s.ports.map((p) => ({ target: serviceTarget(s.name, s.namespace, p.port), workload: s.key, port: p.port, endpoints: p.endpoints })))
      .sort((a, b) => a.target.localeCompare(b.target));
  }
  return inventory.workloads
    .flatMap((w) => w.ports.map((p) => ({ target: serviceTarget(w.name, w.namespace, p.port), workload: w.key, port: p.port, endpoints: w.addresses.map((address) => ({ address, port: p.port })) })))
    .sort((a, b) => a.target.localeCompare(b.target));
}
