/**
 * Redirect entries, derived from the same chains as the listeners so the two never disagree.
 * Outbound entries carry the identity of the workload that connects (its cgroup) and the address
 * its connections are bound to, so the proxy's chain for that workload matches them; workloads
 * the kernel cannot tell apart (no cgroup named, on one node) are reported, and their
 * connections bind nothing: no chain matches them and the proxy refuses them (fail closed).
 */
import { redirectKey, type OutboundRedirect, type RedirectEntry } from '../ir/redirect.js';
import type { EnvoyNode, KafkaNode } from '../ir/types.js';
import type { PolicyKey } from '../model/types.js';
import { familyOf } from '../../ip/index.js';

/** Workloads on one node whose connections cannot be told apart, and the policies affected. */
export interface AmbiguousEgress {
  readonly node: string;
  readonly port: number;
  readonly workloads: readonly string[];
  readonly policies: readonly PolicyKey[];
}

export interface Redirects {
  readonly entries: RedirectEntry[];
  readonly ambiguous: AmbiguousEgress[];
}

interface Egress {
  readonly node: string;
  readonly port: number;
  readonly proxyPort: number;
  readonly workload: string;
  readonly cgroup?: string;
  readonly podUid?: string;
  readonly addresses: readonly string[];
  readonly policies: readonly PolicyKey[];
}

/** One node's redirects, in key order. */
interface NodeRedirects {
  readonly node: string;
  readonly entries: readonly RedirectEntry[];
  readonly ambiguous: readonly AmbiguousEgress[];
}

/**
 * Each node's redirects, remembered by the node's IR object: lowering keeps an unchanged node's
 * object, so a compile after one policy changed recomputes only the nodes it touched. Every
 * redirect key starts with its node, so nodes never share a key or an egress group.
 */
const byNode = new WeakMap<EnvoyNode | KafkaNode, NodeRedirects>();

export function redirectEntries(envoyNodes: readonly EnvoyNode[], kafkaNodes: readonly KafkaNode[]): Redirects {
  const nodes = [...envoyNodes.map(envoyRedirects), ...kafkaNodes.map(kafkaRedirects)].sort((a, b) => a.node.localeCompare(b.node));
  return { entries: nodes.flatMap((n) => n.entries), ambiguous: nodes.flatMap((n) => n.ambiguous) };
}

function envoyRedirects(n: EnvoyNode): NodeRedirects {
  const known = byNode.get(n);
  if (known) return known;
  const inbound: RedirectEntry[] = [];
  // A node-mode Pod's go to the node proxy's listener in the Pod's namespace, on the Pod's port.
  const pods = new Map((n.pods ?? []).flatMap((p) => (p.port !== undefined ? [[p.workload, { port: p.port, podUid: p.podUid }] as const] : [])));
  for (const c of n.inbound) {
    const pod = pods.get(c.workload);
    const inPod = pod ? { podUid: pod.podUid, nodeProxyInPod: true } : {};
    for (const d of c.destinations) inbound.push({ node: n.node, direction: 'inbound', address: d.address, port: c.port, proxyPort: pod?.port ?? n.inboundPort, failOpen: n.failOpen, ...inPod });
  }
  const egress = n.outbound.map((c): Egress => ({ node: n.node, port: c.port, proxyPort: n.outboundPort, workload: c.workload, ...identity(c), addresses: c.sources.map((s) => s.address), policies: policyKeys(c) }));
  const result = nodeRedirects(n.node, inbound, egress);
  byNode.set(n, result);
  return result;
}

function kafkaRedirects(k: KafkaNode): NodeRedirects {
  const known = byNode.get(k);
  if (known) return known;
  const inbound: RedirectEntry[] = [];
  const egress: Egress[] = [];
  for (const c of k.chains) {
    if (c.direction === 'inbound') for (const address of c.addresses) inbound.push({ node: k.node, direction: 'inbound', address, port: c.port, proxyPort: k.listenPort, failOpen: k.failOpen });
    else egress.push({ node: k.node, port: c.port, proxyPort: k.listenPort, workload: c.workload, ...identity(c), addresses: c.addresses, policies: policyKeys(c) });
  }
  const result = nodeRedirects(k.node, inbound, egress);
  byNode.set(k, result);
  return result;
}

const policyKeys = (c: { policies: readonly { key: PolicyKey }[] }) => c.policies.map((p) => p.key);

function nodeRedirects(node: string, inbound: readonly RedirectEntry[], egress: readonly Egress[]): NodeRedirects {
  const entries = new Map<string, RedirectEntry>();
  const add = (e: RedirectEntry) => entries.set(redirectKey(e), e);
  for (const e of inbound) add(e);
  const ambiguous: AmbiguousEgress[] = [];
  const groups = new Map<string, Egress[]>();
  for (const e of egress) {
    const id = redirectKey(outbound(e, [e.workload], {}));
    const group = groups.get(id);
    if (group) group.push(e);
    else groups.set(id, [e]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    const workloads = [...new Set(group.map((e) => e.workload))].sort();
    if (workloads.length > 1) {
      ambiguous.push({ node: first.node, port: first.port, workloads, policies: [...new Set(group.flatMap((e) => e.policies))].sort() });
      add(outbound(first, workloads, {}));
      continue;
    }
    const v4 = first.addresses.find((a) => familyOf(a) === 4);
    const v6 = first.addresses.find((a) => familyOf(a) === 6);
    add(outbound(first, workloads, { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) }));
  }
  return { node, entries: [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e), ambiguous };
}

function outbound(e: Egress, workloads: readonly string[], bind: OutboundRedirect['bind']): OutboundRedirect {
  return { node: e.node, direction: 'outbound', port: e.port, proxyPort: e.proxyPort, workloads, ...identity(e), bind };
}

/** A chain's identity on egress: its cgroup path or its Pod's UID, as the inventory names it. */
function identity(c: { readonly cgroup?: string; readonly podUid?: string }): { cgroup?: string; podUid?: string } {
  return { ...(c.cgroup ? { cgroup: c.cgroup } : {}), ...(c.podUid ? { podUid: c.podUid } : {}) };
}
