/**
 * The IR's redirect entries → one `sluice.redirect.v1alpha1.NodeRedirects` per host, served to
 * that host's node agent (`<host>.agent`, proto/sluice/redirect/v1alpha1/node_redirects.proto).
 * An entry goes to the host of the workload it concerns (outbound: the connecting workloads;
 * inbound: the protected address's workload), so a host gets its node proxy's, its Kafka
 * enforcer's and its Pods' sidecars' entries, and nothing of other hosts.
 *
 * Inbound connections to a Pod are looked up in the Pod's own network namespace. A sidecar Pod's
 * entries name the Pod (`pod_uid`): its agent attaches inbound steering in that namespace, to the
 * sidecar's own listener. A node-mode Pod's name it too, with `node_proxy_in_pod` and the Pod's
 * own port: its agent links the namespace, attaches there, and steers to the listener the node
 * proxy opens inside it once the link is reported. `unsteered` lists what the node proxy does not
 * serve yet (no port left, or no link reported), and status names them (controller/dataplane-status.ts).
 */
import { MESSAGES, type sluice } from '../../envoy-api/index.js';
import type { Ir } from '../ir/types.js';
import type { PolicyKey } from '../model/types.js';
import type { RedirectEntry } from '../ir/redirect.js';
import { agentNodeId } from '../names.js';
import type { EnvoyResource } from './resource.js';

type RedirectJson = sluice.redirect.v1alpha1.Redirect;

export interface AgentNode {
  readonly host: string;
  /** `<host>.agent`. */
  readonly node: string;
  readonly resource: EnvoyResource<typeof MESSAGES.nodeRedirects>;
}

/**
 * An inbound rule of a node-mode Pod (a network namespace of its own) that the node proxy does not
 * serve yet: `no-port`, the node's range of Pod ports is exhausted, so nothing steers it;
 * `not-linked`, its agent is sent the rule but has not reported linking the Pod's namespace, so the
 * node proxy has no listener there yet (the agent refuses the connections meanwhile).
 */
export interface Unsteered {
  readonly reason: 'no-port' | 'not-linked';
  readonly host: string;
  readonly workload: string;
  readonly address: string;
  readonly port: number;
  readonly proxy: string;
  readonly policies: readonly PolicyKey[];
}

export interface NodeRedirectsPlan {
  readonly agents: readonly AgentNode[];
  readonly unsteered: readonly Unsteered[];
  /** Per policy, the agents (by host) whose ACK of their NodeRedirects its redirects need. */
  readonly hostsOf: ReadonlyMap<PolicyKey, readonly string[]>;
}

interface InboundOwner {
  readonly workload: string;
  readonly policies: readonly PolicyKey[];
}

/** Address|port → the workload and policies of the inbound chain that protects it. */
function inboundOwners(ir: Ir): Map<string, InboundOwner> {
  const owners = new Map<string, InboundOwner>();
  const add = (address: string, port: number, workload: string, policies: readonly { key: PolicyKey }[]) => {
    const id = `${address}|${port}`;
    const before = owners.get(id)?.policies ?? [];
    owners.set(id, { workload, policies: [...new Set([...before, ...policies.map((p) => p.key)])].sort() });
  };
  for (const n of ir.envoyNodes) for (const c of n.inbound) for (const d of c.destinations) add(d.address, c.port, c.workload, c.policies);
  for (const k of ir.kafkaNodes) for (const c of k.chains) if (c.direction === 'inbound') for (const a of c.addresses) add(a, c.port, c.workload, c.policies);
  return owners;
}

/** Workload → the policies of its outbound chains. */
function outboundPolicies(ir: Ir): Map<string, PolicyKey[]> {
  const out = new Map<string, PolicyKey[]>();
  const add = (workload: string, policies: readonly { key: PolicyKey }[]) => out.set(workload, [...(out.get(workload) ?? []), ...policies.map((p) => p.key)]);
  for (const n of ir.envoyNodes) for (const c of n.outbound) add(c.workload, c.policies);
  for (const k of ir.kafkaNodes) for (const c of k.chains) if (c.direction === 'outbound') add(c.workload, c.policies);
  return out;
}

function redirectJson(entry: RedirectEntry, viaNode: boolean): RedirectJson {
  if (entry.direction === 'inbound') {
    return { proxy: entry.node, direction: 'INBOUND', address: entry.address, port: entry.port, proxy_port: entry.proxyPort, ...(entry.failOpen ? { fail_open: true } : {}), ...(entry.podUid !== undefined ? { pod_uid: entry.podUid } : {}), ...(entry.nodeProxyInPod ? { node_proxy_in_pod: true } : {}) };
  }
  return {
    proxy: entry.node,
    ...(entry.address !== undefined ? { address: entry.address } : {}),
    port: entry.port,
    proxy_port: entry.proxyPort,
    workloads: [...entry.workloads],
    ...(entry.cgroup !== undefined ? { cgroup: entry.cgroup } : entry.podUid !== undefined ? { pod_uid: entry.podUid } : {}),
    ...(entry.bind.v4 !== undefined ? { bind_v4: entry.bind.v4 } : {}),
    ...(entry.bind.v6 !== undefined ? { bind_v6: entry.bind.v6 } : {}),
    ...(viaNode ? { proxy_address: 'NODE' } : {}),
  };
}

export function nodeRedirectsPlan(ir: Ir): NodeRedirectsPlan {
  const placement = ir.placement;
  if (!placement) return { agents: [], unsteered: [], hostsOf: new Map() };
  const placed = new Map(placement.workloads.map((w) => [w.workload, w]));
  const hostProxies = new Map(placement.proxies.map((p) => [p.node, p.host]));
  const owners = inboundOwners(ir);
  const egressPolicies = outboundPolicies(ir);
  const perHost = new Map<string, RedirectJson[]>();
  const unsteered: Unsteered[] = [];
  const hostsOf = new Map<PolicyKey, Set<string>>();
  const need = (host: string, policies: readonly PolicyKey[]) => {
    for (const key of policies) {
      let hosts = hostsOf.get(key);
      if (!hosts) hostsOf.set(key, (hosts = new Set()));
      hosts.add(host);
    }
  };
  const push = (host: string, json: RedirectJson) => {
    let list = perHost.get(host);
    if (!list) perHost.set(host, (list = []));
    list.push(json);
  };
  const linked = new Set(ir.envoyNodes.flatMap((n) => (n.pods ?? []).flatMap((p) => (p.netnsPath !== undefined ? [`${n.node}|${p.workload}`] : []))));
  for (const entry of ir.redirects) {
    if (entry.direction === 'inbound') {
      const owner = owners.get(`${entry.address}|${entry.port}`);
      const where = owner ? placed.get(owner.workload) : undefined;
      if (!owner || !where) continue;
      const miss = (reason: Unsteered['reason']) => unsteered.push({ reason, host: where.host, workload: owner.workload, address: entry.address, port: entry.port, proxy: entry.node, policies: owner.policies });
      if (entry.nodeProxyInPod) {
        // A node-mode Pod: its agent links the Pod's namespace and steers there, to the node proxy's listener in it.
        push(where.host, redirectJson(entry, false));
        need(where.host, owner.policies);
        if (!linked.has(`${entry.node}|${owner.workload}`)) miss('not-linked');
        continue;
      }
      if (where.podUid !== undefined && hostProxies.has(entry.node)) {
        // A node-mode Pod left without a port of its own: nothing can steer it.
        miss('no-port');
        continue;
      }
      // A sidecar Pod's: the agent attaches in the Pod's namespace and steers to its sidecar.
      push(where.host, redirectJson(where.podUid !== undefined ? { ...entry, podUid: where.podUid } : entry, false));
      need(where.host, owner.policies);
      continue;
    }
    const hosts = [...new Set(entry.workloads.flatMap((w) => placed.get(w)?.host ?? []))].sort();
    for (const host of hosts) {
      // A Pod has a network namespace of its own: a proxy in the host's is reached at the host's address.
      const ownNetns = entry.workloads.some((w) => placed.get(w)?.podUid !== undefined);
      push(host, redirectJson(entry, ownNetns && hostProxies.get(entry.node) === host));
      need(host, [...new Set(entry.workloads.flatMap((w) => egressPolicies.get(w) ?? []))]);
    }
  }
  for (const w of placement.workloads) if (!perHost.has(w.host)) perHost.set(w.host, []);
  for (const p of placement.proxies) if (!perHost.has(p.host)) perHost.set(p.host, []);
  const agents = [...perHost.keys()].sort().map((host): AgentNode => {
    const podProxies = placement.workloads
      .filter((w) => w.host === host && w.podUid !== undefined && (w.proxyContainers?.length ?? 0) > 0)
      .map((w) => ({ pod_uid: w.podUid ?? '', container_ids: [...(w.proxyContainers ?? [])] }));
    return {
      host,
      node: agentNodeId(host),
      resource: {
        message: MESSAGES.nodeRedirects,
        name: host,
        references: [],
        json: { host, redirects: perHost.get(host) ?? [], ...(podProxies.length > 0 ? { pod_proxies: podProxies } : {}) },
      },
    };
  });
  return { agents, unsteered, hostsOf: new Map([...hostsOf].map(([k, v]) => [k, [...v].sort()])) };
}
