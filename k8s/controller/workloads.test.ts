import { describe, expect, it } from '@jest/globals';
import { clusterInventory, type ClusterObjects } from './workloads.js';

const pod = (name: string, o: { ip?: string; node?: string; labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean; phase?: string; created?: string; ports?: number[] } = {}) => ({
  metadata: { name, namespace: 'shop', labels: o.labels ?? { app: name }, annotations: o.annotations ?? {}, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z' },
  spec: { nodeName: o.node ?? 'node-a', ...(o.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'app', ports: (o.ports ?? [8080]).map((containerPort) => ({ containerPort })) }] },
  status: { phase: o.phase ?? 'Running', ...(o.ip ? { podIPs: [{ ip: o.ip }] } : {}) },
});
const objects = (pods: unknown[], more: Partial<ClusterObjects> = {}): ClusterObjects => ({ pods, services: [], endpointSlices: [], namespaces: new Map(), ...more });

describe('clusterInventory', () => {
  it('maps each Pod to the proxy that fronts it: annotation, then namespace label, then Pod label, else the node proxy', () => {
    const inv = clusterInventory(objects([
      pod('a', { ip: '10.0.0.1' }),
      pod('b', { ip: '10.0.0.2', annotations: { 'sluice.dev/proxy': 'sidecar' } }),
      pod('c', { ip: '10.0.0.3', labels: { app: 'c', 'sluice.dev/inject': 'grpc-proxyless' } }),
      pod('d', { ip: '10.0.0.4', annotations: { 'sluice.dev/proxy': 'sometimes' } }),
    ], { namespaces: new Map([['shop', {}]]) }));
    expect(inv.document.workloads.map((w) => [w.name, w.proxy])).toEqual([
      ['a', { node: 'node-a', kafka: 'node-a.kafka' }],
      ['b', { node: 'b.shop' }],
      ['c', { grpcProxyless: true }],
      ['d', { node: 'node-a', kafka: 'node-a.kafka' }],
    ]);
    expect(inv.diagnostics.map((d) => d.message)).toEqual(['Pod shop/d: its annotation sluice.dev/proxy is "sometimes", which names no mode: the node proxy fronts it']);
  });

  it('leaves out hostNetwork Pods (listed apart), Pods without an address, finished Pods, and node-proxied Pods not yet scheduled', () => {
    const inv = clusterInventory(objects([
      pod('host', { ip: '192.168.0.1', hostNetwork: true }),
      pod('pending'),
      pod('done', { ip: '10.0.0.5', phase: 'Succeeded' }),
      pod('unscheduled', { ip: '10.0.0.6', node: '' }),
    ]));
    expect(inv.document.workloads).toEqual([]);
    expect(inv.hostNetwork).toEqual([{ key: 'shop/host', namespace: 'shop', labels: { app: 'host' }, node: 'node-a' }]);
    expect(inv.diagnostics.map((d) => d.message)).toEqual(['Pod shop/unscheduled: it has an address but no node: left out until it is scheduled']);
  });

  it('gives an address two Pods claim to the running one, else the newer, and says so', () => {
    const inv = clusterInventory(objects([
      pod('old', { ip: '10.0.0.9', created: '2026-01-01T00:00:00Z' }),
      pod('new', { ip: '10.0.0.9', created: '2026-01-02T00:00:00Z' }),
    ]));
    expect(inv.document.workloads.map((w) => w.name)).toEqual(['new']);
    expect(inv.diagnostics.map((d) => d.message)).toEqual(["Pod shop/old: its address 10.0.0.9 is also shop/new's (kept there: it runs, or is newer)"]);
  });

  it('lists every node proxy and Kafka enforcer with its host, and Envoys with the configured ports, the same or per node', () => {
    const pods = [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2', node: 'node-b' })];
    const hosts = [
      { node: 'node-a', host: 'node-a' },
      { node: 'node-a.kafka', kind: 'kafka', host: 'node-a' },
      { node: 'node-b', host: 'node-b' },
      { node: 'node-b.kafka', kind: 'kafka', host: 'node-b' },
    ];
    expect(clusterInventory(objects(pods)).document.proxies).toEqual(hosts);
    const ports = { inboundPort: 1, outboundPort: 2 };
    expect(clusterInventory(objects(pods, { proxyPorts: ports })).document.proxies).toEqual([{ ...hosts[0], ...ports }, hosts[1], { ...hosts[2], ...ports }, hosts[3]]);
    expect(clusterInventory(objects(pods, { proxyPorts: (n) => (n === 'node-b' ? { inboundPort: 3, outboundPort: 4 } : undefined) })).document.proxies).toEqual([hosts[0], hosts[1], { ...hosts[2], inboundPort: 3, outboundPort: 4 }, hosts[3]]);
    // A sidecar shares its Pod's network namespace: it has no host.
    const sidecar = pod('s', { ip: '10.0.0.3', annotations: { 'sluice.dev/proxy': 'sidecar' }, ports: [8080] });
    expect(clusterInventory(objects([sidecar], { proxyPorts: ports })).document.proxies).toEqual([{ node: 's.shop', ...ports }]);
  });

  it("places each Pod on its node by its UID, with its sidecar's container ids (for the node agent)", () => {
    const uid = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const withUid = (p: ReturnType<typeof pod>, statuses: unknown[] = []) => ({ ...p, metadata: { ...p.metadata, uid }, status: { ...p.status, containerStatuses: statuses } });
    const sidecar = withUid(pod('s', { ip: '10.0.0.3', annotations: { 'sluice.dev/proxy': 'sidecar' } }), [
      { name: 'app', containerID: 'containerd://aaa111' },
      { name: 'sluice-proxy', containerID: 'containerd://bbb222' },
    ]);
    const [w] = clusterInventory(objects([sidecar])).document.workloads;
    expect(w).toMatchObject({ host: 'node-a', podUID: uid, proxyContainers: ['bbb222'] });
    const [n] = clusterInventory(objects([withUid(pod('n', { ip: '10.0.0.4' }))])).document.workloads;
    expect(n).toMatchObject({ host: 'node-a', podUID: uid });
    expect(n?.proxyContainers).toBeUndefined();
    // No UID (never from a real API server): not placed, so no agent is told about it.
    expect(clusterInventory(objects([pod('x', { ip: '10.0.0.5' })])).document.workloads[0]?.host).toBeUndefined();
  });

  it("names a node-mode Pod's netns link only once its own node's agent reported it (never a sidecar Pod's, never another node's report)", () => {
    const uid = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const withUid = (p: ReturnType<typeof pod>) => ({ ...p, metadata: { ...p.metadata, uid } });
    const nodeMode = withUid(pod('n', { ip: '10.0.0.4' }));
    const sidecar = withUid(pod('s', { ip: '10.0.0.3', annotations: { 'sluice.dev/proxy': 'sidecar' } }));
    expect(clusterInventory(objects([nodeMode])).document.workloads[0]?.netnsLink).toBeUndefined();
    const link = (node: string) => ({ netnsLinks: new Map([[`${node}|${uid}`, `${uid}.4026532248`]]) });
    expect(clusterInventory(objects([nodeMode], link('node-b'))).document.workloads[0]?.netnsLink).toBeUndefined();
    expect(clusterInventory(objects([nodeMode], link('node-a'))).document.workloads[0]?.netnsLink).toBe(`/run/sluice/netns/${uid}.4026532248`);
    expect(clusterInventory(objects([sidecar], link('node-a'))).document.workloads[0]?.netnsLink).toBeUndefined();
  });

  it('turns Services and their ready EndpointSlice endpoints into the names proxyless clients reach', () => {
    const inv = clusterInventory(objects([], {
      services: [{ metadata: { name: 'ledger', namespace: 'vault' }, spec: { ports: [{ name: 'grpc', port: 443 }] } }],
      endpointSlices: [{
        metadata: { name: 'ledger-x', namespace: 'vault', labels: { 'kubernetes.io/service-name': 'ledger' } },
        addressType: 'IPv4', ports: [{ name: 'grpc', port: 7443 }],
        endpoints: [{ addresses: ['10.0.1.1'], conditions: { ready: true } }, { addresses: ['10.0.1.2'], conditions: { ready: false } }],
      }],
    }));
    expect(inv.document.services).toEqual([{ name: 'ledger', namespace: 'vault', ports: [{ port: 443, endpoints: [{ address: '10.0.1.1', port: 7443 }] }] }]);
  });
});
