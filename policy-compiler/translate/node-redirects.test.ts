/**
 * The translation to NodeRedirects, from policy and inventory sources through the compiler: what
 * each host's agent receives, what is left out and named (inbound rules of Pods), and the agent
 * targets a policy's status waits for.
 */
import { describe, expect, it } from '@jest/globals';
import { compileSources } from '../compile-sources.js';
import { MESSAGES } from '../../envoy-api/index.js';
import { allocatePodPorts } from '../lower/node-pod-ports.js';
import { agentNodeId, hostOfAgent } from '../names.js';

const UID_A = '11111111-2222-3333-4444-555555555555';
const UID_S = '66666666-7777-8888-9999-000000000000';
const UID_O = '99999999-2222-3333-4444-555555555555';

const inventory = `
apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies:
  - { node: node-a, host: node-a }
  - { node: node-b, host: node-b }
workloads:
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.0.0.1], proxy: { node: node-a }, host: node-a, podUID: ${UID_A} }
  - { name: side, namespace: shop, labels: { app: side }, addresses: [10.0.0.2], ports: [{ port: 8080 }], proxy: { node: side.shop }, host: node-a, podUID: ${UID_S}, proxyContainers: [abc123] }
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.0.1.1], ports: [{ port: 8080 }], proxy: { node: node-b }, host: node-b, podUID: ${UID_O} }
  - { name: legacy, namespace: shop, labels: { app: legacy }, addresses: [10.0.1.2], ports: [{ port: 9000 }], proxy: { node: node-b }, host: node-b, cgroup: /system.slice/legacy.service }
`;
const policies = `
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: egress, namespace: shop }
spec:
  selector: { matchExpressions: [ { key: app, operator: In, values: [web, side] } ] }
  egress:
    - to: [ { ipBlock: { cidr: 10.0.1.0/24 } } ]
      toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ]
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
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: side-in, namespace: shop }
spec:
  selector: { matchLabels: { app: side } }
  ingress:
    - toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ]
`;

describe('NodeRedirects translation', () => {
  const { output, diagnostics } = compileSources([{ name: 'inventory.yaml', text: inventory }, { name: 'policies.yaml', text: policies }]);
  if (!output) throw new Error(JSON.stringify(diagnostics));
  const agent = (host: string) => output.nodes.find((n) => n.node === agentNodeId(host));

  it('gives each host one NodeRedirects with the entries of its workloads, Pods named by UID', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const a = agent('node-a');
    expect(a?.kind).toBe('agent');
    expect(a?.resources).toHaveLength(1);
    const json = a?.resources[0]?.json as { host: string; redirects: unknown[]; pod_proxies: unknown[] };
    expect(json.host).toBe('node-a');
    expect(json.redirects).toEqual([
      // A node-mode Pod reaches its node proxy at the node's address...
      { proxy: 'node-a', port: 8080, proxy_port: 15001, workloads: ['shop/web'], pod_uid: UID_A, bind_v4: '10.0.0.1', proxy_address: 'NODE' },
      // A sidecar Pod's inbound: steered in its own network namespace, to its sidecar's listener.
      { proxy: 'side.shop', direction: 'INBOUND', address: '10.0.0.2', port: 8080, proxy_port: 15006, pod_uid: UID_S },
      // ...a sidecar Pod its own loopback.
      { proxy: 'side.shop', port: 8080, proxy_port: 15001, workloads: ['shop/side'], pod_uid: UID_S, bind_v4: '10.0.0.2' },
    ]);
    expect(json.pod_proxies).toEqual([{ pod_uid: UID_S, container_ids: ['abc123'] }]);
  });

  it("sends a node-mode Pod's inbound rules to its agent, to the Pod's own port of the node proxy, and names them not-linked until the agent reports the link; keeps a host-namespace workload's", () => {
    const json = agent('node-b')?.resources[0]?.json as { redirects: unknown[] };
    const port = allocatePodPorts([UID_O]).ports.get(UID_O);
    expect(port).toBeGreaterThanOrEqual(15100);
    expect(json.redirects).toEqual([
      { proxy: 'node-b', direction: 'INBOUND', address: '10.0.1.1', port: 8080, proxy_port: port, pod_uid: UID_O, node_proxy_in_pod: true },
      { proxy: 'node-b', direction: 'INBOUND', address: '10.0.1.2', port: 9000, proxy_port: 15006 },
    ]);
    expect(output.unsteered).toEqual([{ reason: 'not-linked', host: 'node-b', workload: 'shop/orders', address: '10.0.1.1', port: 8080, proxy: 'node-b', policies: ['shop/orders'] }]);
    // Not linked: no listener in the Pod's namespace; its chain stays on the node's listener.
    const nodeB = output.nodes.find((n) => n.node === 'node-b');
    expect(nodeB?.resources.filter((r) => r.message === MESSAGES.listener).map((r) => r.name)).toEqual(['inbound', 'outbound']);
  });

  it("serves a linked node-mode Pod's chains from a listener in its namespace, and only there", () => {
    const linked = inventory.replace(`podUID: ${UID_O} }`, `podUID: ${UID_O}, netnsLink: /run/sluice/netns/${UID_O}.4026532248 }`);
    const r = compileSources([{ name: 'inventory.yaml', text: linked }, { name: 'policies.yaml', text: policies }]);
    expect(r.output?.unsteered).toEqual([]);
    const listeners = r.output?.nodes.find((n) => n.node === 'node-b')?.resources.filter((x) => x.message === MESSAGES.listener) ?? [];
    expect(listeners.map((l) => l.name)).toEqual(['inbound', 'outbound', 'sluice|inbound|pod|shop/orders']);
    const chainsOf = (name: string) => ((listeners.find((l) => l.name === name)?.json as { filter_chains?: { name: string }[] }).filter_chains ?? []).map((c) => c.name);
    expect(chainsOf('sluice|inbound|pod|shop/orders')).toEqual(['inbound|8080|shop/orders']);
    expect(chainsOf('inbound')).toEqual(['inbound|9000|shop/legacy']);
    const address = (listeners[2]?.json as { address: unknown }).address;
    expect(address).toEqual({ socket_address: { address: '0.0.0.0', port_value: allocatePodPorts([UID_O]).ports.get(UID_O), network_namespace_filepath: `/run/sluice/netns/${UID_O}.4026532248` } });
  });

  it("names a node-mode Pod left without a port once the node's range is full (no-port, nothing sent for it)", () => {
    const uid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    const crowd = Array.from({ length: 901 }, (_, i) => `  - { name: c${i}, namespace: shop, labels: { app: crowd }, addresses: [10.9.${i >> 8}.${i & 255}], ports: [{ port: 8080 }], proxy: { node: node-b }, host: node-b, podUID: ${uid(i)} }`).join('\n');
    const policy = 'apiVersion: sluice.dev/v1alpha1\nkind: L7Policy\nmetadata: { name: crowd, namespace: shop }\nspec:\n  selector: { matchLabels: { app: crowd } }\n  ingress:\n    - toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ]\n';
    const r = compileSources([{ name: 'inventory.yaml', text: `${inventory}${crowd}\n` }, { name: 'policies.yaml', text: policy }]);
    const left = allocatePodPorts(Array.from({ length: 901 }, (_, i) => uid(i))).exhausted;
    expect(left).toHaveLength(1);
    expect(r.output?.unsteered.filter((u) => u.reason === 'no-port').map((u) => u.workload)).toEqual([`shop/c${parseInt(left[0]!.slice(0, 8), 16)}`]);
    const sent = (r.output?.nodes.find((n) => n.node === 'node-b.agent')?.resources[0]?.json as { redirects: { pod_uid?: string; node_proxy_in_pod?: boolean }[] }).redirects;
    expect(sent.filter((e) => e.node_proxy_in_pod).length).toBe(900);
    expect(sent.some((e) => e.pod_uid === left[0])).toBe(false);
  });

  it("makes each policy wait for the agents that program its redirects, and only those", () => {
    const agentsOf = (key: string) => (output.targets.get(key) ?? []).flatMap((t) => (t.kind === 'node' && hostOfAgent(t.node) ? [t.node] : []));
    expect(agentsOf('shop/egress')).toEqual(['node-a.agent']);
    expect(agentsOf('shop/legacy')).toEqual(['node-b.agent']);
    expect(agentsOf('shop/orders')).toEqual(['node-b.agent']);
    expect(agentsOf('shop/side-in')).toEqual(['node-a.agent']);
  });

  it('is absent when the inventory places nothing (standalone)', () => {
    const plain = inventory.replace(/, host: node-[ab]/g, '').replace(/, podUID: [0-9a-f-]+/g, '').replace(/, proxyContainers: \[abc123\]/, '');
    const r = compileSources([{ name: 'inventory.yaml', text: plain }, { name: 'policies.yaml', text: policies }]);
    expect(r.output?.nodes.some((n) => n.kind === 'agent')).toBe(false);
    expect(r.output?.ir.placement).toBeUndefined();
  });

  it('refuses a netns link without a Pod UID, or with . or .. segments, at its field', () => {
    const noPod = inventory.replace('cgroup: /system.slice/legacy.service', 'cgroup: /system.slice/legacy.service, netnsLink: /run/sluice/netns/x');
    expect(compileSources([{ name: 'inventory.yaml', text: noPod }]).diagnostics.map((d) => `${d.path}: ${d.code}`)).toContain('workloads[3].netnsLink: inventory.netns-link');
    const dots = inventory.replace(`podUID: ${UID_O} }`, `podUID: ${UID_O}, netnsLink: /run/sluice/../../proc/1/ns/net }`);
    expect(compileSources([{ name: 'inventory.yaml', text: dots }]).diagnostics.map((d) => `${d.path}: ${d.code}`)).toContain('workloads[2].netnsLink: inventory.netns-link');
    const relative = inventory.replace(`podUID: ${UID_O} }`, `podUID: ${UID_O}, netnsLink: "run/x" }`);
    expect(compileSources([{ name: 'inventory.yaml', text: relative }]).diagnostics.map((d) => `${d.path}: ${d.code}`)).toContain('workloads[2].netnsLink: schema.pattern');
  });

  it('refuses a workload named by both a cgroup and a Pod UID', () => {
    const both = inventory.replace('cgroup: /system.slice/legacy.service', `cgroup: /system.slice/legacy.service, podUID: ${UID_A}`);
    const r = compileSources([{ name: 'inventory.yaml', text: both }]);
    expect(r.diagnostics.map((d) => `${d.path}: ${d.code}`)).toContain('workloads[3].podUID: inventory.identity');
  });
});
