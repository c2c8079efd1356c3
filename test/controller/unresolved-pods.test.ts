/**
 * The node agents' reports of Pods they cannot steer, turned into the policies' problems
 * (controller/dataplane-status.ts `unresolvedPodProblems`): pure, from the compiler's output and
 * the node statuses as the leader has them (its own, or another replica's `/xds/nodes` JSON).
 */
import { describe, expect, it } from '@jest/globals';
import { mergeProblems, unresolvedPodProblems, unsteeredProblems } from '../../controller/dataplane-status.js';
import { compileSources, formatUnresolvedReport, MAX_REPORTED_PODS, type UnresolvedPod } from '../../policy-compiler/index.js';
import type { NodeStatus } from '../../xds-server/index.js';

const UID_WEB = '11111111-2222-3333-4444-555555555555';
const UID_API = '66666666-7777-8888-9999-000000000000';
const UID_SIDE = '77777777-8888-9999-aaaa-bbbbbbbbbbbb';
const inventory = `
apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies:
  - { node: node-a, host: node-a }
  - { node: node-b, host: node-b }
workloads:
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.0.0.1], proxy: { node: node-a }, host: node-a, podUID: ${UID_WEB} }
  - { name: api, namespace: shop, labels: { app: api }, addresses: [10.0.0.2], proxy: { node: node-b }, host: node-b, podUID: ${UID_API} }
  - { name: side, namespace: shop, labels: { app: side }, addresses: [10.0.0.3], ports: [{ port: 8080 }], proxy: { node: side.shop }, host: node-a, podUID: ${UID_SIDE}, proxyContainers: [abc] }
`;
const policies = `
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress: [ { to: [ { ipBlock: { cidr: 10.9.0.0/24 } } ], toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ] } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: api-out, namespace: shop }
spec:
  selector: { matchLabels: { app: api } }
  egress: [ { to: [ { ipBlock: { cidr: 10.9.0.0/24 } } ], toPorts: [ { ports: [ { port: 9090 } ], rules: { http: [ { method: GET } ] } } ] } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: side-in, namespace: shop }
spec:
  selector: { matchLabels: { app: side } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ] } ]
`;

const { output, diagnostics } = compileSources([{ name: 'inventory.yaml', text: inventory }, { name: 'policies.yaml', text: policies }]);
if (!output) throw new Error(JSON.stringify(diagnostics));

/** A node status as another replica serves it: through JSON. */
const agentNode = (host: string, pods: readonly UnresolvedPod[]): NodeStatus =>
  JSON.parse(JSON.stringify({ nodeId: `${host}.agent`, node: { id: `${host}.agent`, cluster: '', userAgentName: 'sluice-node-agent', userAgentVersion: '', metadata: formatUnresolvedReport(pods) }, connected: true, streams: [], types: [] })) as NodeStatus;

describe('Pods the node agents cannot steer', () => {
  it("makes each outbound rule of a reported Pod Bypassed, naming the Pod, its uid, the agent and why; other policies untouched", () => {
    const got = unresolvedPodProblems(output.ir, [agentNode('node-a', [{ uid: UID_WEB, reason: 'unknown-layout', message: 'its cgroup is /x/pod1' }]), agentNode('node-b', [])], output.targets);
    expect([...got.keys()]).toEqual(['shop/web-out']);
    expect(got.get('shop/web-out')).toEqual([
      { state: 'Bypassed', node: 'node-a.agent', message: `node-a.agent cannot steer Pod shop/web (uid ${UID_WEB}, unknown-layout): its cgroup is /x/pod1; its connections to port 8080 are not steered to node-a` },
    ]);
  });

  it('makes the outbound rules of a Pod whose sidecar the agent cannot find Degraded (its upstream loops back into it)', () => {
    const got = unresolvedPodProblems(output.ir, [agentNode('node-a', [{ uid: UID_WEB, reason: 'sidecar-not-found', message: 'its proxy container abc has no cgroup in /p' }])], output.targets);
    expect(got.get('shop/web-out')).toEqual([
      { state: 'Degraded', node: 'node-a.agent', message: `node-a.agent cannot find the sidecar of Pod shop/web (uid ${UID_WEB}, sidecar-not-found): its proxy container abc has no cgroup in /p; its upstream connections to port 8080 meet the Pod's redirect to node-a and loop back into it instead of reaching their destination` },
    ]);
  });

  it("makes a sidecar Pod's inbound rules Bypassed when the agent cannot steer them (no namespace, no cgroup, no sidecar), Degraded when its sidecar is not listening; its outbound untouched by those", () => {
    const one = (pod: Omit<UnresolvedPod, 'uid'>) => unresolvedPodProblems(output.ir, [agentNode('node-a', [{ uid: UID_SIDE, ...pod }])], output.targets).get('shop/side-in');
    expect(output.unsteered).toEqual([]); // a sidecar Pod's inbound is sent to its agent, not left out
    expect(one({ reason: 'netns-not-found', message: 'no process in its cgroup /p' })).toEqual([
      { state: 'Bypassed', node: 'node-a.agent', message: `node-a.agent cannot steer inbound connections of Pod shop/side (uid ${UID_SIDE}, netns-not-found): no process in its cgroup /p; connections to its port 8080 reach it without side.shop` },
    ]);
    expect(one({ reason: 'sidecar-not-listening', message: 'its sidecar /p/c has no listener registered on IPv4 :15006' })).toEqual([
      { state: 'Degraded', node: 'node-a.agent', message: `node-a.agent steers inbound connections of Pod shop/side (uid ${UID_SIDE}, sidecar-not-listening) to side.shop, which is not listening: its sidecar /p/c has no listener registered on IPv4 :15006; new connections to its port 8080 are refused until it listens` },
    ]);
    expect(one({ reason: 'cgroup-not-found', message: 'm' })?.[0]).toMatchObject({ state: 'Bypassed', message: expect.stringContaining('its inbound connections to port 8080 are not steered to side.shop') });
    expect(one({ reason: 'sidecar-not-found', message: 'm' })?.[0]).toMatchObject({ state: 'Bypassed', message: expect.stringContaining('inbound connections to its port 8080 are not steered to side.shop and reach it unchecked') });
    // The agent's ACK is what it waits for: it is the agent's work.
    expect((output.targets.get('shop/side-in') ?? []).some((t) => t.kind === 'node' && t.node === 'node-a.agent')).toBe(true);
  });

  it('ignores a report for another host, a Pod the compile does not place, and nodes that are not agents', () => {
    const elsewhere = agentNode('node-b', [{ uid: UID_WEB, reason: 'cgroup-not-found', message: '' }, { uid: 'unknown-uid', reason: 'cgroup-not-found', message: '' }]);
    const envoy = { ...agentNode('node-a', [{ uid: UID_WEB, reason: 'cgroup-not-found', message: '' }]), nodeId: 'node-a' };
    expect(unresolvedPodProblems(output.ir, [elsewhere, envoy], output.targets).size).toBe(0);
  });

  it('vouches for none of an agent\'s policies when it reports more Pods than it lists', () => {
    const many = Array.from({ length: MAX_REPORTED_PODS + 1 }, (_, i): UnresolvedPod => ({ uid: `uid-${i}`, reason: 'cgroup-not-found', message: '' }));
    const got = unresolvedPodProblems(output.ir, [agentNode('node-b', many)], output.targets);
    expect([...got.keys()]).toEqual(['shop/api-out']);
    expect(got.get('shop/api-out')?.[0]?.message).toBe(`node-b.agent cannot steer ${MAX_REPORTED_PODS + 1} Pods and names only ${MAX_REPORTED_PODS}: none of its Pods' connections is vouched for`);
  });

  it("trusts no agent that sends no report (one older than the report): every policy it steers is Bypassed; an empty report is trusted", () => {
    const silent = (host: string): NodeStatus => {
      const { metadata: _none, ...node } = agentNode(host, []).node;
      return { ...agentNode(host, []), node };
    };
    const got = unresolvedPodProblems(output.ir, [silent('node-a'), agentNode('node-b', [])], output.targets);
    expect([...got.keys()].sort()).toEqual(['shop/side-in', 'shop/web-out']);
    expect(got.get('shop/web-out')).toEqual([
      { state: 'Bypassed', node: 'node-a.agent', message: "the agent on node-a sends no steering report (older than this controller?): none of its Pods' connections is vouched for" },
    ]);
    // A report that does not read is no report either; an Envoy (not an agent) is never asked for one.
    const malformed = { ...agentNode('node-b', []), node: { ...agentNode('node-b', []).node, metadata: { 'sluice.dev/unresolved-pods': 'all fine' } } };
    const envoy = { ...silent('node-a'), nodeId: 'node-a' };
    expect([...unresolvedPodProblems(output.ir, [malformed, envoy], output.targets).keys()]).toEqual(['shop/api-out']);
  });

  it('merges with the unsteered inbound problems, per policy', () => {
    const merged = mergeProblems(unsteeredProblems(output.unsteered), unresolvedPodProblems(output.ir, [agentNode('node-a', [{ uid: UID_WEB, reason: 'cgroup-not-found', message: 'm' }])], output.targets));
    expect(merged.get('shop/web-out')).toHaveLength(1);
  });
});
