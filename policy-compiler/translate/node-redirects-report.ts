/**
 * What a node agent reports back about its NodeRedirects, beyond ACK and NACK: the Pods it was
 * sent entries for but cannot steer, because it cannot find their cgroup (or that of the sidecar
 * container the controller names as their proxy). An ACK means "applied,
 * and no map is wrong"; a NACK means "rejected, nothing changed". Neither says "applied, but these
 * Pods' connections are not steered", so the agent says it in its node's metadata on the same
 * ADS stream, under `sluice.dev/unresolved-pods`, with every request (its ACKs, and a request of
 * its own when a Pod resolves later or goes missing). The server keeps it as the node's
 * (`NodeStatus.node.metadata`), and the controller's status names those Pods (Bypassed).
 * The agent sends the report always, empty when it steers every Pod: an agent that sends none
 * (older than the report) is not trusted, and the policies it steers are Bypassed.
 *
 * The agent writes it (`formatUnresolvedReport`), the controller reads it (`parseUnresolvedReport`):
 * this file is the one place the shape is written down.
 */
export const UNRESOLVED_PODS_KEY = 'sluice.dev/unresolved-pods';

/** Why a Pod, or part of it, is not steered. */
export type UnresolvedReason =
  /** Under neither kubelet layout (not started yet, or gone). */
  | 'cgroup-not-found'
  /** Found, but somewhere neither kubelet layout puts it: a cgroup layout the agent does not know. */
  | 'unknown-layout'
  /**
   * The Pod is found, but a container the controller names as its proxy (a sidecar) is not: it is
   * not registered as a proxy, so its own upstream connections meet the Pod's redirects.
   */
  | 'sidecar-not-found'
  /**
   * A Pod whose inbound rules the agent cannot steer: no process of it (not started), or it shares
   * the node's namespace, or the attach (or a node-mode Pod's link) failed. Its inbound connections
   * reach it unchecked.
   */
  | 'netns-not-found'
  /**
   * Inbound steering is attached in the Pod's namespace, but its sidecar has no listener registered
   * on the inbound port (not listening yet, or listening since before the agent attached): new
   * inbound connections are refused until it listens (fail closed).
   */
  | 'sidecar-not-listening'
  /**
   * A node-mode Pod: inbound steering is attached in its namespace, to the node proxy's listener
   * there, but the node proxy has none registered on the Pod's port (the listener is not there
   * yet, or was opened in another namespace): new inbound connections are refused (fail closed).
   */
  | 'node-proxy-not-listening';

export interface UnresolvedPod {
  readonly uid: string;
  readonly reason: UnresolvedReason;
  /** For people: what was looked for, or where it was found. */
  readonly message: string;
}

/** At most this many Pods are reported (the rest are counted): a request stays small. */
export const MAX_REPORTED_PODS = 256;

const REASONS: ReadonlySet<string> = new Set<UnresolvedReason>(['cgroup-not-found', 'unknown-layout', 'sidecar-not-found', 'netns-not-found', 'sidecar-not-listening', 'node-proxy-not-listening']);

export function formatUnresolvedReport(pods: readonly UnresolvedPod[]): Record<string, unknown> {
  const listed = pods.slice(0, MAX_REPORTED_PODS).map((p) => ({ uid: p.uid, reason: p.reason, message: p.message.slice(0, 512) }));
  return { [UNRESOLVED_PODS_KEY]: { pods: listed, total: pods.length } };
}

export interface UnresolvedReport {
  readonly pods: readonly UnresolvedPod[];
  /** How many the agent could not steer (more than `pods` when the list was cut). */
  readonly total: number;
}

/** The report in a node's metadata; anything malformed reads as no report (undefined). */
export function parseUnresolvedReport(metadata: Readonly<Record<string, unknown>> | undefined): UnresolvedReport | undefined {
  const raw = metadata?.[UNRESOLVED_PODS_KEY];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { pods, total } = raw as { pods?: unknown; total?: unknown };
  if (!Array.isArray(pods)) return undefined;
  const out: UnresolvedPod[] = [];
  for (const p of pods as readonly unknown[]) {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) continue;
    const { uid, reason, message } = p as { uid?: unknown; reason?: unknown; message?: unknown };
    if (typeof uid !== 'string' || typeof reason !== 'string' || !REASONS.has(reason)) continue;
    out.push({ uid, reason: reason as UnresolvedReason, message: typeof message === 'string' ? message : '' });
  }
  return { pods: out, total: typeof total === 'number' && Number.isInteger(total) && total >= out.length ? total : out.length };
}

/**
 * The agent's other report: the node-mode Pods whose network namespace it linked, by the link's
 * name `<uid>.<namespace inode>` in `NETNS_LINK_DIR` (node-agent/netns-links.ts), so the node proxy
 * can open the Pod's inbound listener there. The controller emits that listener only for a Pod its
 * agent lists: a path that does not exist would have Envoy reject the listener, and Envoy does not
 * retry a rejected one. The inode in the name makes a Pod whose sandbox was recreated (a new
 * namespace under the same UID) a new path, so Envoy opens its listener again, in the new one.
 * The directory is fixed: the agent, the node proxy (the chart mounts the host's directory in both:
 * it outlives the agent's Pod, so a restarted Envoy finds the links it was served) and the
 * controller name the same path.
 */
export const NETNS_LINKS_KEY = 'sluice.dev/netns-links';
export const NETNS_LINK_DIR = '/run/sluice/netns';
/** At most this many links are reported: more than a node's range of Pod ports holds. */
export const MAX_REPORTED_LINKS = 1024;

const POD_UID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A link's name: the Pod's UID and its namespace's inode (a 32-bit `ns.inum`). */
export const LINK_NAME = new RegExp(`^(${POD_UID})\\.([1-9][0-9]{0,9})$`);

/** The name of a Pod's link to its namespace. */
export const netnsLinkName = (uid: string, ino: bigint | number): string => `${uid}.${ino}`;

/** The Pod UID a link's name is for, or undefined when it is no link's name. */
export function linkNameUid(name: string): string | undefined {
  const m = LINK_NAME.exec(name);
  return m && Number(m[2]) <= 0xffffffff ? m[1] : undefined;
}

/** The path the node proxy opens a node-mode Pod's listener at. */
export const netnsLinkPath = (name: string, dir: string = NETNS_LINK_DIR): string => `${dir}/${name}`;

export function formatNetnsLinks(names: readonly string[]): Record<string, unknown> {
  return { [NETNS_LINKS_KEY]: { links: [...names].sort().slice(0, MAX_REPORTED_LINKS) } };
}

/** The link names an agent reports; undefined when it sends no report (or one that does not read). What is no link's name is left out. */
export function parseNetnsLinks(metadata: Readonly<Record<string, unknown>> | undefined): string[] | undefined {
  const raw = metadata?.[NETNS_LINKS_KEY];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const links = (raw as { links?: unknown }).links;
  if (!Array.isArray(links)) return undefined;
  return [...new Set(links.slice(0, MAX_REPORTED_LINKS).filter((p): p is string => typeof p === 'string' && linkNameUid(p) !== undefined))].sort();
}
