/** A compiled node-mode Pod's inbound listener (policy-compiler/translate/envoy-node.ts podInboundListener), for the unit and the real-Envoy tests. */
import { compileSources } from '../../policy-compiler/compile-sources.js';
import { podInboundListener, translateChain } from '../../policy-compiler/translate/envoy-node.js';
import { allocatePodPorts } from '../../policy-compiler/lower/node-pod-ports.js';

export const POD_UID = '99999999-2222-3333-4444-555555555555';
export const podInboundFixture = `
apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies:
  - { node: node-b, host: node-b }
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.0.1.1], ports: [{ port: 8080 }], proxy: { node: node-b }, host: node-b, podUID: ${POD_UID} }
  - { name: legacy, namespace: shop, labels: { app: legacy }, addresses: [10.0.1.2], ports: [{ port: 9000 }], proxy: { node: node-b }, host: node-b, cgroup: /system.slice/legacy.service }
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: legacy, namespace: shop }
spec:
  selector: { matchLabels: { app: legacy } }
  ingress:
    - toPorts: [ { ports: [ { port: 9000 } ], rules: { http: [ { method: GET } ] } } ]
`;

/** The Pod's listener and the chains' routes, as a test builds them from the fixture. */
export function compiledPodListener(netnsPath: string) {
  const { output, diagnostics } = compileSources([{ name: 'all.yaml', text: podInboundFixture }]);
  if (!output) throw new Error(JSON.stringify(diagnostics));
  const node = output.ir.envoyNodes.find((n) => n.node === 'node-b');
  if (!node) throw new Error('no node-b');
  const chains = node.inbound.filter((c) => c.workload === 'shop/orders').map((c) => translateChain(c, node.accessLog));
  const port = allocatePodPorts([POD_UID]).ports.get(POD_UID)!;
  const listener = podInboundListener(node, { workload: 'shop/orders', podUid: POD_UID, port, netnsPath, ipv6: false }, chains);
  return { output, node, chains, port, listener };
}

