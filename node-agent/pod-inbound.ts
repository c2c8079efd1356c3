/**
 * Inbound steering of Pods. A Pod's inbound connections are looked up in its own network
 * namespace, so the agent attaches sk_lookup there (found from a process of the Pod), and the
 * kernel hands each connection to a listener opened in that namespace:
 * - a sidecar Pod's: its sidecar's, registered under the sidecar's cgroup id;
 * - a node-mode Pod's (`nodeProxyInPod`): the node proxy's listener for that Pod, on the Pod's own
 *   port, which Envoy opens through the agent's link to the namespace (netns-links.ts), registered
 *   as owner 0 like every node proxy listener.
 * What cannot be steered is said per Pod: no namespace to attach in or to link (`netns-not-found`),
 * no sidecar named (`sidecar-not-found`), no listener registered (`sidecar-not-listening`,
 * `node-proxy-not-listening`; the node proxy's must also listen inside the Pod's namespace).
 */
import { attachPodNetns, netnsIno, parseAddress, type abi } from '../bpf/index.js';
import type { UnresolvedPod } from '../policy-compiler/index.js';
import { DEFAULT_PORTS } from '../policy-compiler/model/types.js';
import type { Logger } from '../telemetry/index.js';
import { resolveContainerCgroup } from './kubepods.js';
import { join } from 'node:path';
import { syncNetnsLinks } from './netns-links.js';
import { findPodNetns, type PodNetns } from './pod-netns.js';
import { listensIn } from './proc-net.js';
import type { DesiredState } from './resource.js';

type Family = abi.Family;

/** A Pod whose namespace the agent attached in, and the listeners its inbound entries need. */
export interface SteeredPod {
  readonly netnsIno: bigint;
  /** A sidecar Pod's sidecar container cgroup ('' for a node-mode Pod). */
  readonly sidecar: string;
  /** Whose listeners take its connections: the sidecar's cgroup id, or 0 (the node proxy's). */
  readonly sidecarId: bigint;
  readonly listeners: readonly { readonly family: Family; readonly port: number }[];
  /** A node-mode Pod: the process whose namespace its link names (where the node proxy's listener must be), and the link. */
  readonly nodeProxy?: { readonly pid: number; readonly procRoot: string; readonly link: string };
}

/** The configured sidecar inbound ports and those the sidecar Pods' inbound entries name. */
export function sidecarPorts(entries: DesiredState['entries'], configured: readonly number[] = [DEFAULT_PORTS.inbound]): number[] {
  const named = entries.flatMap(({ entry }) => (entry.direction === 'inbound' && entry.podUid !== undefined ? [entry.proxyPort] : []));
  return [...new Set([...configured, ...named])].filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535);
}

export interface SteerPodInbound {
  readonly state: DesiredState;
  /** A Pod's cgroup path by UID (undefined: reported as cgroup-not-found / unknown-layout). */
  readonly podOf: (uid: string) => string | undefined;
  /** The sidecar containers' cgroup paths and ids. */
  readonly sidecars: ReadonlyMap<string, bigint>;
  readonly cgroupRoot: string;
  readonly procRoot?: string;
  readonly pinRoot: string;
  /** Where node-mode Pods' links are kept (shared with the node proxy). */
  readonly netnsDir: string;
  /** The UIDs of the node-mode Pods linked by the previous sync (their links go when they are no longer wanted). */
  readonly previousLinks?: ReadonlySet<string>;
  readonly logger: Logger;
}

/**
 * Attaches inbound steering in each sidecar Pod's network namespace that has inbound entries.
 * `known`: Pods whose cgroup exists (a missing cgroup is reported as such, with the others).
 */
/** `linked`: the names of the node-mode Pods' links, as the agent reports them. */
export function steerPodInbound(o: SteerPodInbound): { steered: Map<string, SteeredPod>; problems: UnresolvedPod[]; known: Set<string>; linked: string[] } {
  const steered = new Map<string, SteeredPod>();
  const problems: UnresolvedPod[] = [];
  const known = new Set<string>();
  const ports = new Map<string, { family: Family; port: number }[]>();
  const nodeMode = new Set<string>();
  for (const { entry } of o.state.entries) {
    if (entry.direction !== 'inbound' || entry.podUid === undefined || entry.address === undefined) continue;
    const family = parseAddress(entry.address)?.family; // the family its map keys use (parseNodeRedirects checked the address)
    if (family === undefined) continue;
    ports.set(entry.podUid, [...(ports.get(entry.podUid) ?? []), { family, port: entry.proxyPort }]);
    if (entry.nodeProxyInPod) nodeMode.add(entry.podUid);
  }
  const own = netnsIno();
  const toLink = new Map<string, { netns: PodNetns; listeners: { family: Family; port: number }[] }>();
  for (const [uid, listeners] of ports) {
    const pod = o.podOf(uid);
    if (pod === undefined) continue;
    known.add(uid);
    if (nodeMode.has(uid)) {
      // The oldest process: the link names it, and Envoy may open it long after.
      const found = findPodNetns(o.cgroupRoot, pod, undefined, own, o.procRoot, true);
      if ('missing' in found) problems.push({ uid, reason: 'netns-not-found', message: `${found.missing}; its inbound connections are not steered` });
      else toLink.set(uid, { netns: found.netns, listeners });
      continue;
    }
    const ids = o.state.podProxies.get(uid) ?? [];
    const sidecar = ids.map((id) => resolveContainerCgroup(o.cgroupRoot, pod, id)).find((p): p is string => p !== undefined && o.sidecars.has(p));
    if (sidecar === undefined) {
      // A named sidecar that is missing is already reported (sidecar-not-found); one never named is said here.
      if (ids.length === 0) problems.push({ uid, reason: 'sidecar-not-found', message: 'the controller names no sidecar container of it (its Pod status has none yet?): its inbound connections are not steered' });
      continue;
    }
    const found = findPodNetns(o.cgroupRoot, pod, sidecar, own, o.procRoot);
    if ('missing' in found) {
      problems.push({ uid, reason: 'netns-not-found', message: `${found.missing}; its inbound connections are not steered` });
      continue;
    }
    try {
      const link = attachPodNetns(o.pinRoot, found.netns.path);
      if (link.created) o.logger.info("sk_lookup attached in a sidecar Pod's network namespace", { pod: uid, netns: String(link.netnsIno), pid: found.netns.pid });
      steered.set(uid, { netnsIno: link.netnsIno, sidecar, sidecarId: o.sidecars.get(sidecar) ?? 0n, listeners });
    } catch (error) {
      problems.push({ uid, reason: 'netns-not-found', message: `cannot attach in its network namespace ${found.netns.path}: ${error instanceof Error ? error.message : String(error)}; its inbound connections are not steered` });
    }
  }
  const linked = linkNodeModePods(o, toLink, steered, problems);
  return { steered, problems, known, linked };
}

/** Links each node-mode Pod's namespace for the node proxy and attaches there; the names of the links made (their Pods steered). */
function linkNodeModePods(o: SteerPodInbound, pods: ReadonlyMap<string, { netns: PodNetns; listeners: { family: Family; port: number }[] }>, steered: Map<string, SteeredPod>, problems: UnresolvedPod[]): string[] {
  let sync;
  try {
    sync = syncNetnsLinks(o.netnsDir, new Map([...pods].map(([uid, p]) => [uid, p.netns])), o.previousLinks);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    for (const uid of pods.keys()) problems.push({ uid, reason: 'netns-not-found', message: `cannot link its network namespace in ${o.netnsDir} for the node proxy: ${why}; its inbound connections are not steered` });
    return [];
  }
  if (sync.removed.length > 0) o.logger.info('netns links of node-mode Pods no longer steered (or of namespaces they no longer have) removed', { links: sync.removed });
  for (const { uid, message } of sync.stale) problems.push({ uid, reason: 'netns-not-found', message: `its link for the node proxy is stale (${message}): its inbound connections are not steered until the next sync links it again` });
  const linked: string[] = [];
  for (const { uid, name } of sync.linked) {
    const pod = pods.get(uid);
    if (!pod) continue;
    try {
      const link = attachPodNetns(o.pinRoot, pod.netns.path);
      if (link.created) o.logger.info("sk_lookup attached in a node-mode Pod's network namespace", { pod: uid, netns: String(link.netnsIno), pid: pod.netns.pid });
      steered.set(uid, { netnsIno: link.netnsIno, sidecar: '', sidecarId: 0n, listeners: pod.listeners, nodeProxy: { pid: pod.netns.pid, procRoot: o.procRoot ?? '/proc', link: join(o.netnsDir, name) } });
      linked.push(name);
    } catch (error) {
      problems.push({ uid, reason: 'netns-not-found', message: `cannot attach in its network namespace ${pod.netns.path}: ${error instanceof Error ? error.message : String(error)}; its inbound connections are not steered` });
    }
  }
  return linked;
}

/**
 * Steered Pods whose proxy has no listener registered on an inbound port; for a node-mode Pod,
 * also none listening inside the Pod's own namespace (the node proxy's listener opened elsewhere,
 * through a stale link, takes no connection of the Pod's: the kernel refuses them).
 */
export function notListening(pods: ReadonlyMap<string, SteeredPod>, listenerOf: (owner: bigint, family: Family, port: number) => boolean): UnresolvedPod[] {
  const out: UnresolvedPod[] = [];
  for (const [uid, pod] of pods) {
    const node = pod.nodeProxy;
    const down = pod.listeners.filter((l) => !listenerOf(pod.sidecarId, l.family, l.port) || (node !== undefined && !listensIn(node.procRoot, node.pid, l.family, l.port)));
    if (down.length === 0) continue;
    const ports = [...new Set(down.map((l) => `${l.family === 2 ? 'IPv4' : 'IPv6'} :${l.port}`))].join(', ');
    out.push(
      node
        ? { uid, reason: 'node-proxy-not-listening', message: `the node proxy has no listener on ${ports} inside its network namespace (${node.link}; not opened yet, or opened elsewhere): new inbound connections are refused` }
        : { uid, reason: 'sidecar-not-listening', message: `its sidecar ${pod.sidecar} has no listener registered on ${ports} (not listening yet, or listening since before the agent attached: restart it): new inbound connections are refused` },
    );
  }
  return out;
}
