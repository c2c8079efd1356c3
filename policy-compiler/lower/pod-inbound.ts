/**
 * A node proxy's node-mode Pods: the Pods it fronts whose inbound chains it serves from a listener
 * inside each Pod's own network namespace (a Pod's inbound connections are looked up there, never
 * in the node's). Each gets its own port on the node (node-pod-ports.ts) and, once the Pod's node
 * agent reported linking the namespace (the inventory's `netnsLink`), the path Envoy opens it at.
 */
import { familyOf } from '../../ip/index.js';
import type { HttpChain, PodInbound } from '../ir/types.js';
import type { ProxyNode, Workload } from '../model/types.js';
import { allocatePodPorts, DEFAULT_NODE_POD_PORTS } from './node-pod-ports.js';

/** Only a proxy in a host's own namespace (a node proxy) fronts Pods from outside their namespace; a sidecar is inside it. */
export function podInbounds(proxy: ProxyNode, inbound: readonly HttpChain[], workloadOf: (key: string) => Workload | undefined): PodInbound[] {
  if (proxy.host === undefined) return [];
  const pods = new Map<string, Workload & { readonly podUid: string }>();
  for (const c of inbound) {
    const w = workloadOf(c.workload);
    if (w?.podUid !== undefined) pods.set(w.key, { ...w, podUid: w.podUid });
  }
  if (pods.size === 0) return [];
  const { ports } = allocatePodPorts([...pods.values()].map((w) => w.podUid), DEFAULT_NODE_POD_PORTS, [proxy.inboundPort, proxy.outboundPort]);
  return [...pods.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((w) => {
      const port = ports.get(w.podUid);
      return { workload: w.key, podUid: w.podUid, ...(port !== undefined ? { port } : {}), ...(w.netnsLink !== undefined ? { netnsPath: w.netnsLink } : {}), ipv6: w.addresses.some((a) => familyOf(a) === 6) };
    });
}
