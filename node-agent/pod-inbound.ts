/**
 * Inbound steering of sidecar Pods. A Pod's inbound connections are looked up in its own network
 * namespace, so the agent attaches sk_lookup there (found from a process of the Pod), and the
 * kernel hands each connection to the listener the Pod's sidecar registered under its cgroup id.
 * What cannot be steered is said per Pod: no namespace to attach in (`netns-not-found`), no sidecar
 * named (`sidecar-not-found`), a sidecar with no listener registered (`sidecar-not-listening`).
 */
import { attachPodNetns, netnsIno, parseAddress, type abi } from '../bpf/index.js';
import type { UnresolvedPod } from '../policy-compiler/index.js';
import { DEFAULT_PORTS } from '../policy-compiler/model/types.js';
import type { Logger } from '../telemetry/index.js';
import { resolveContainerCgroup } from './kubepods.js';
import { findPodNetns } from './pod-netns.js';
import type { DesiredState } from './resource.js';

type Family = abi.Family;

/** A sidecar Pod whose namespace the agent attached in, and the listeners its inbound entries need. */
export interface SteeredPod {
  readonly netnsIno: bigint;
  readonly sidecar: string;
  readonly sidecarId: bigint;
  readonly listeners: readonly { readonly family: Family; readonly port: number }[];
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
  readonly logger: Logger;
}

/**
 * Attaches inbound steering in each sidecar Pod's network namespace that has inbound entries.
 * `known`: Pods whose cgroup exists (a missing cgroup is reported as such, with the others).
 */
export function steerPodInbound(o: SteerPodInbound): { steered: Map<string, SteeredPod>; problems: UnresolvedPod[]; known: Set<string> } {
  const steered = new Map<string, SteeredPod>();
  const problems: UnresolvedPod[] = [];
  const known = new Set<string>();
  const ports = new Map<string, { family: Family; port: number }[]>();
  for (const { entry } of o.state.entries) {
    if (entry.direction !== 'inbound' || entry.podUid === undefined || entry.address === undefined) continue;
    const family = parseAddress(entry.address)?.family; // the family its map keys use (parseNodeRedirects checked the address)
    if (family === undefined) continue;
    ports.set(entry.podUid, [...(ports.get(entry.podUid) ?? []), { family, port: entry.proxyPort }]);
  }
  const own = netnsIno();
  for (const [uid, listeners] of ports) {
    const pod = o.podOf(uid);
    if (pod === undefined) continue;
    known.add(uid);
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
  return { steered, problems, known };
}

/** Steered sidecar Pods whose sidecar has no listener registered on an inbound port. */
export function notListening(pods: ReadonlyMap<string, SteeredPod>, listenerOf: (owner: bigint, family: Family, port: number) => boolean): UnresolvedPod[] {
  const out: UnresolvedPod[] = [];
  for (const [uid, pod] of pods) {
    const down = pod.listeners.filter((l) => !listenerOf(pod.sidecarId, l.family, l.port));
    if (down.length === 0) continue;
    const ports = [...new Set(down.map((l) => `${l.family === 2 ? 'IPv4' : 'IPv6'} :${l.port}`))].join(', ');
    out.push({ uid, reason: 'sidecar-not-listening', message: `its sidecar ${pod.sidecar} has no listener registered on ${ports} (not listening yet, or listening since before the agent attached: restart it): new inbound connections are refused` });
  }
  return out;
}
