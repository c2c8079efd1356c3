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

export function redirectEntries(envoyNodes: readonly EnvoyNode[], kafkaNodes: readonly KafkaNode[]): Redirects {
  const entries = new Map<string, RedirectEntry>();
  const add = (e: RedirectEntry) => entries.set(redirectKey(e), e);
  const egress: Egress[] = [];
  const policyKeys = (c: { policies: readonly { key: PolicyKey }[] }) => c.policies.map((p) => p.key);
  for (const n of envoyNodes) {
    for (const c of n.inbound) for (const d of c.destinations) add({ node: n.node, direction: 'inbound', address: d.address, port: c.port, proxyPort: n.inboundPort, failOpen: n.failOpen });
    for (const c of n.outbound) {
      egress.push({ node: n.node, port: c.port, proxyPort: n.outboundPort, workload: c.workload, ...identity(c), addresses: c.sources.map((s) => s.address), policies: policyKeys(c) });
    }
  }
  for (const k of kafkaNodes) {
    for (const c of k.chains) {
      if (c.direction === 'inbound') for (const address of c.addresses) add({ node: k.node, direction: 'inbound', address, port: c.port, proxyPort: k.listenPort, failOpen: k.failOpen });
      else egress.push({ node: k.node, port: c.port, proxyPort: k.listenPort, workload: c.workload, ...identity(c), addresses: c.addresses, policies: policyKeys(c) });
    }
  }
  const ambiguous: AmbiguousEgress[] = [];
  const groups = new Map<string, Egress[]>();
  for (const e of egress) {
    const id = redirectKey(outbound(e, [e.workload], {}));
    groups.set(id, [...(groups.get(id) ?? []), e]);
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
  return { entries: [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e), ambiguous };
}

function outbound(e: Egress, workloads: readonly string[], bind: OutboundRedirect['bind']): OutboundRedirect {
  return { node: e.node, direction: 'outbound', port: e.port, proxyPort: e.proxyPort, workloads, ...identity(e), bind };
}

/** A chain's identity on egress: its cgroup path or its Pod's UID, as the inventory names it. */
function identity(c: { readonly cgroup?: string; readonly podUid?: string }): { cgroup?: string; podUid?: string } {
  return { ...(c.cgroup ? { cgroup: c.cgroup } : {}), ...(c.podUid ? { podUid: c.podUid } : {}) };
}
