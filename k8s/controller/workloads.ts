/**
 * The cluster as the compiler's inventory: Pods → workloads (labels, addresses, ports, and the
 * proxy that fronts each), Services and their EndpointSlices → the names proxyless gRPC clients
 * reach. Pure: the informers' objects in, an Inventory source document out, with what was left out
 * and why. The document is validated by the same code as an inventory file (the runtime loads it).
 *
 * Which proxy fronts a Pod, in this order (the same words the Pod webhook writes and reads):
 * the Pod's annotation `sluice.dev/proxy`, its namespace's label `sluice.dev/inject`, the Pod's
 * own label `sluice.dev/inject`, else the node proxy. `node`: the node agent's Envoy of the node
 * the Pod runs on (node id = the node's name; its Kafka enforcer `<node>.kafka`); `sidecar`: the
 * Pod's own Envoy (node id `<pod>.<namespace>`, as the injected sidecar names itself);
 * `grpc-proxyless`: the Pod is its own xDS client.
 *
 * Left out: Pods without an address yet (not started), finished Pods (Succeeded, Failed: their
 * address may already be another Pod's), and hostNetwork Pods. A hostNetwork Pod has the node's
 * address, shared with every other hostNetwork Pod and the node itself, and no proxy of its own:
 * it is never a workload a policy protects, and never a peer a selector resolves to (allowing it
 * by address would allow the whole node). They are listed so that status can say so.
 */
import type { Inventory as InventoryDocument } from '../../policy-compiler/generated/inventory.js';
import { INJECT_LABEL, isProxyMode, PROXY_ANNOTATION, SIDECAR_CONTAINER, type ProxyMode } from '../admission/names.js';
import { endpointSliceOf, keyOf, podOf, serviceOf, type Labels, type PodView } from './objects.js';
import { INVENTORY_MAX_BYTES, netnsLinkPath, type Diagnostic, type SourceFile } from '../../policy-compiler/index.js';

/** The name of the inventory document the runtime loads. */
export const INVENTORY_SOURCE = 'k8s://inventory';

export interface ClusterObjects {
  readonly pods: readonly unknown[];
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  /** Namespace name → its labels. */
  readonly namespaces: ReadonlyMap<string, Labels>;
  /** The listener ports of every Envoy the inventory names (node proxies and sidecars); absent: the defaults (15006, 15001). */
  readonly proxyPorts?: ProxyPortsOf;
  /** `<node>|<pod uid>` → the name of the link to its network namespace its node's agent reported, for node-mode Pods (absent: none). */
  readonly netnsLinks?: ReadonlyMap<string, string>;
}

/** The same ports for every proxy, or per node id (tests run several "nodes" on one host). */
export type ProxyPortsOf = ProxyPorts | ((node: string) => ProxyPorts | undefined);

export interface ProxyPorts {
  readonly inboundPort: number;
  readonly outboundPort: number;
}

export interface HostNetworkPod {
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly node?: string;
}

export interface ClusterInventory {
  readonly document: InventoryDocument;
  readonly hostNetwork: readonly HostNetworkPod[];
  /** Pods left out or corrected, each a warning naming the Pod. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The Kafka enforcer of a node's agent. */
export function nodeKafkaId(node: string): string {
  return `${node}.kafka`;
}

/** The Envoy node id of a Pod's sidecar (what `$(SLUICE_POD_NAME).$(SLUICE_POD_NAMESPACE)` expands to). */
export function sidecarNodeId(pod: { readonly name: string; readonly namespace: string }): string {
  return `${pod.name}.${pod.namespace}`;
}

const warn = (pod: string, message: string): Diagnostic => ({ severity: 'warning', code: 'k8s.pod', file: INVENTORY_SOURCE, path: '', message: `Pod ${pod}: ${message}` });

/** The mode of a Pod, and a warning when a value named no mode (the webhook refuses those; this one slipped past). */
export function proxyModeOf(pod: PodView, namespaceLabels: Labels): { mode: ProxyMode; problem?: string } {
  const sources: [string, string | undefined][] = [
    [`annotation ${PROXY_ANNOTATION}`, pod.meta.annotations[PROXY_ANNOTATION]],
    [`namespace label ${INJECT_LABEL}`, namespaceLabels[INJECT_LABEL]],
    [`label ${INJECT_LABEL}`, pod.meta.labels[INJECT_LABEL]],
  ];
  for (const [where, value] of sources) {
    if (value === undefined) continue;
    if (isProxyMode(value)) return { mode: value };
    return { mode: 'node', problem: `its ${where} is ${JSON.stringify(value)}, which names no mode: the node proxy fronts it` };
  }
  return { mode: 'node' };
}

type WorkloadDocument = InventoryDocument['workloads'][number];

function workloadOf(pod: PodView, mode: ProxyMode, node: string, addresses: [string, ...string[]], link: string | undefined): { workload: WorkloadDocument; problems: string[] } {
  const problems: string[] = [];
  const byPort = new Map<number, { port: number; name?: string }>();
  const names = new Set<string>();
  for (const p of pod.ports) {
    if (p.container === SIDECAR_CONTAINER || byPort.has(p.port)) continue;
    const name = p.name && !names.has(p.name) ? p.name : undefined;
    if (p.name && !name) problems.push(`port name ${p.name} is used twice; port ${p.port} is taken without it`);
    if (name) names.add(name);
    byPort.set(p.port, { port: p.port, ...(name ? { name } : {}) });
  }
  const ports = [...byPort.values()].sort((a, b) => a.port - b.port);
  const proxy = mode === 'grpc-proxyless' ? { grpcProxyless: true as const } : mode === 'sidecar' ? { node: sidecarNodeId(pod.meta) } : { node, kafka: nodeKafkaId(node) };
  // Where it runs, for its node's agent: the Pod's UID is its identity there (the agent finds its cgroup).
  const uid = /^[0-9a-fA-F-]+$/.test(pod.meta.uid) ? pod.meta.uid : undefined;
  const placement = pod.nodeName && uid && mode !== 'grpc-proxyless'
    ? { host: pod.nodeName, podUID: uid, ...(pod.proxyContainerIds.length > 0 ? { proxyContainers: pod.proxyContainerIds.slice(0, 16) } : {}), ...(mode === 'node' && link !== undefined ? { netnsLink: netnsLinkPath(link) } : {}) }
    : {};
  return { workload: { name: pod.meta.name, namespace: pod.meta.namespace, labels: { ...pod.meta.labels }, addresses, ports, proxy, ...placement }, problems };
}

/** Running Pods first, then the newest: the one to keep when two claim an address. */
function precedence(a: PodView, b: PodView): number {
  const running = Number(b.phase === 'Running') - Number(a.phase === 'Running');
  if (running !== 0) return running;
  if (a.meta.creationTimestamp !== b.meta.creationTimestamp) return a.meta.creationTimestamp < b.meta.creationTimestamp ? 1 : -1;
  return keyOf(a.meta).localeCompare(keyOf(b.meta));
}

function workloads(objects: ClusterObjects, diagnostics: Diagnostic[], hostNetwork: HostNetworkPod[]): WorkloadDocument[] {
  const pods = objects.pods.map(podOf).filter((p) => p.meta.name !== '' && p.meta.namespace !== '');
  const owners = new Map<string, string>();
  const out: WorkloadDocument[] = [];
  for (const pod of [...pods].sort(precedence)) {
    const key = keyOf(pod.meta);
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed' || pod.ips.length === 0) continue;
    if (pod.hostNetwork) {
      hostNetwork.push({ key, namespace: pod.meta.namespace, labels: pod.meta.labels, ...(pod.nodeName ? { node: pod.nodeName } : {}) });
      continue;
    }
    const { mode, problem } = proxyModeOf(pod, objects.namespaces.get(pod.meta.namespace) ?? {});
    if (problem) diagnostics.push(warn(key, problem));
    if (mode === 'node' && !pod.nodeName) {
      diagnostics.push(warn(key, 'it has an address but no node: left out until it is scheduled'));
      continue;
    }
    const addresses = pod.ips.filter((ip) => {
      const owner = owners.get(ip);
      if (owner) diagnostics.push(warn(key, `its address ${ip} is also ${owner}'s (kept there: it runs, or is newer)`));
      return !owner;
    });
    const [first, ...rest] = addresses;
    if (first === undefined) continue;
    for (const ip of addresses) owners.set(ip, key);
    const link = objects.netnsLinks?.get(`${pod.nodeName ?? ''}|${pod.meta.uid.toLowerCase()}`);
    const { workload, problems } = workloadOf(pod, mode, pod.nodeName ?? '', [first, ...rest], link);
    for (const p of problems) diagnostics.push(warn(key, p));
    out.push(workload);
  }
  return out.sort((a, b) => `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`));
}

type ServiceDocument = NonNullable<InventoryDocument['services']>[number];

function services(objects: ClusterObjects): ServiceDocument[] {
  const slices = new Map<string, ReturnType<typeof endpointSliceOf>[]>();
  for (const s of objects.endpointSlices.map(endpointSliceOf)) {
    if (!s.service || (s.addressType !== 'IPv4' && s.addressType !== 'IPv6')) continue;
    const key = `${s.meta.namespace}/${s.service}`;
    slices.set(key, [...(slices.get(key) ?? []), s]);
  }
  const out: ServiceDocument[] = [];
  for (const svc of objects.services.map(serviceOf)) {
    if (svc.externalName || svc.meta.name === '' || svc.meta.namespace === '') continue;
    const mine = slices.get(keyOf(svc.meta)) ?? [];
    const seen = new Set<number>();
    const ports = svc.ports.flatMap((p) => {
      if (seen.has(p.port)) return [];
      seen.add(p.port);
      const endpoints = new Map<string, { address: string; port: number }>();
      for (const s of mine) {
        const target = s.ports.find((sp) => sp.name === p.name);
        if (!target) continue;
        for (const address of s.ready) endpoints.set(`${address}|${target.port}`, { address, port: target.port });
      }
      return [{ port: p.port, endpoints: [...endpoints.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e) }];
    });
    out.push({ name: svc.meta.name, namespace: svc.meta.namespace, ports: ports.sort((a, b) => a.port - b.port) });
  }
  return out.sort((a, b) => `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`));
}

/**
 * Every proxy the workloads name, with the configured listener ports (none listed: the defaults
 * apply), and the host of each node proxy and Kafka enforcer: they run in their node's network
 * namespace (the node agent's Pod is hostNetwork), so its Pods reach them at the node's address.
 */
function proxies(list: readonly WorkloadDocument[], ports: ProxyPortsOf | undefined): Pick<InventoryDocument, 'proxies'> {
  const portsOf = ports === undefined ? () => undefined : typeof ports === 'function' ? ports : () => ports;
  const nodes = new Map<string, { host?: string; kafka?: true }>();
  for (const w of list) {
    if (w.proxy.node === undefined) continue;
    const nodeMode = w.proxy.kafka !== undefined;
    nodes.set(w.proxy.node, nodeMode ? { host: w.proxy.node } : {});
    if (w.proxy.kafka !== undefined) nodes.set(w.proxy.kafka, { host: w.proxy.node, kafka: true });
  }
  type ProxyDocument = NonNullable<InventoryDocument['proxies']>[number];
  const out = [...nodes].sort(([a], [b]) => a.localeCompare(b)).flatMap(([node, where]): ProxyDocument[] => {
    const host = where.host ? { host: where.host } : {};
    if (where.kafka) return [{ node, kind: 'kafka', ...host }];
    const p = portsOf(node);
    return p || where.host ? [{ node, ...(p ? { inboundPort: p.inboundPort, outboundPort: p.outboundPort } : {}), ...host }] : [];
  });
  return out.length > 0 ? { proxies: out } : {};
}

export function clusterInventory(objects: ClusterObjects): ClusterInventory {
  const diagnostics: Diagnostic[] = [];
  const hostNetwork: HostNetworkPod[] = [];
  const list = workloads(objects, diagnostics, hostNetwork);
  const document: InventoryDocument = { apiVersion: 'sluice.dev/v1alpha1', kind: 'Inventory', ...proxies(list, objects.proxyPorts), workloads: list, services: services(objects) };
  return { document, hostNetwork: hostNetwork.sort((a, b) => a.key.localeCompare(b.key)), diagnostics };
}

/** The inventory as the source document the runtime loads (deterministic: equal clusters, equal texts). */
export function inventorySourceFile(inventory: ClusterInventory): SourceFile {
  return { name: INVENTORY_SOURCE, text: JSON.stringify(inventory.document), maxBytes: INVENTORY_MAX_BYTES };
}
