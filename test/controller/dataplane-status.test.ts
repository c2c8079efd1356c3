/** What the dataplane says about a policy's traffic: refused while the proxy is down, bypassed when it fails open or a cgroup is missing. */
import { describe, expect, it } from '@jest/globals';
import { dataPathProblems, type DataplaneView } from '../../controller/dataplane-status.js';
import { compileSources, type SourceFile } from '../../policy-compiler/index.js';

const inventory = (failOpen: boolean): SourceFile => ({
  name: 'inventory.yaml',
  text: `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: node-a, failOpen: ${failOpen} }, { node: node-b } ]
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7, "fd00::7"], ports: [ { port: 8080 } ], proxy: { node: node-a } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.1.0.9], proxy: { node: node-a }, cgroup: /shop/web }
  - { name: far, namespace: shop, labels: { app: far }, addresses: [10.2.0.1], ports: [ { port: 8080 } ], proxy: { node: node-b } }
`,
});
const POLICIES: SourceFile = {
  name: 'policies.yaml',
  text: `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ] } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress: [ { toPorts: [ { ports: [ { port: 443 } ], rules: { http: [ { method: GET } ] } } ] } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: far, namespace: shop }
spec:
  selector: { matchLabels: { app: far } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ] } ] } ]
`,
};

const irOf = (failOpen = false) => {
  const r = compileSources([inventory(failOpen), POLICIES]);
  if (!r.output) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.output.ir;
};
const view = (listening: ReadonlyArray<`${4 | 6}/${number}`>, more: Partial<DataplaneView> = {}): DataplaneView => ({
  manages: (node) => node === 'node-a',
  listening: (family, port) => listening.includes(`${family}/${port}`),
  unresolved: [],
  ...more,
});

describe('data-path status', () => {
  it('finds nothing wrong while the proxy listens on every family its workloads use', () => {
    expect([...dataPathProblems(irOf(), view(['4/15006', '6/15006'])).entries()]).toEqual([]);
  });

  it('calls a policy Degraded while its proxy does not listen (fail closed), naming the node, port and family', () => {
    const problems = dataPathProblems(irOf(), view(['4/15006']));
    expect(problems.get('shop/orders')).toEqual([
      { state: 'Degraded', node: 'node-a', message: 'node-a is not listening on :15006 (IPv6): new connections to shop/orders port 8080 are refused until it listens' },
    ]);
    // node-b is not managed here: nothing is claimed about it either way.
    expect(problems.has('shop/far')).toBe(false);
  });

  it('calls it Bypassed when that proxy fails open', () => {
    expect(dataPathProblems(irOf(true), view([])).get('shop/orders')?.[0]?.state).toBe('Bypassed');
  });

  it('calls an egress policy Bypassed when its workload\'s cgroup does not exist', () => {
    const problems = dataPathProblems(irOf(), view(['4/15006', '6/15006'], { unresolved: [{ workloads: ['shop/web'], cgroup: '/shop/web' }] }));
    expect(problems.get('shop/web-out')).toEqual([
      { state: 'Bypassed', node: 'node-a', message: 'the cgroup /shop/web of shop/web does not exist: its connections to port 443 are not steered to node-a' },
    ]);
  });
});
