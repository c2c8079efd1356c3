/** The workload ports proxyless gRPC clients reach by name (`xds:///orders.shop:8080`), from the inventory alone. */
import type { Inventory } from '../model/types.js';
import type { Service } from '../ir/types.js';
import { serviceTarget } from '../names.js';

export function inventoryServices(inventory: Inventory): Service[] {
  return inventory.workloads
    .flatMap((w) => w.ports.map((p) => ({ target: serviceTarget(w.name, w.namespace, p.port), workload: w.key, port: p.port, endpoints: w.addresses.map((address) => ({ address, port: p.port })) })))
    .sort((a, b) => a.target.localeCompare(b.target));
}
