/**
 * Redirect entries: which connections the kernel steers into which local proxy listener. The
 * compiler derives them from the same IR as the Envoy listeners, so the eBPF maps and the
 * listeners never disagree about what is enforced.
 */
export type RedirectDirection = 'outbound' | 'inbound';

/**
 * The SO_MARK of the proxy's inbound leg: the compiler puts it on the cluster that forwards from
 * the inbound listener to the protected workload, and the dataplane exempts exactly those
 * connections from inbound steering (`enum sluice_mark` in bpf/redirect.h, held equal by a test).
 */
export const INBOUND_LEG_MARK = 0x5c1e0000;

/** A connection arriving for a protected workload port is handed to the proxy's inbound listener. */
export interface InboundRedirect {
  /** The proxy node whose listener receives the traffic (an Envoy node id or a Kafka enforcer id). */
  readonly node: string;
  readonly direction: 'inbound';
  /** The workload's address (v4 or v6, no prefix). */
  readonly address: string;
  readonly port: number;
  /** The local proxy listener port that receives the connection (15006, a Kafka enforcer's port). */
  readonly proxyPort: number;
  /** While no proxy listens on `proxyPort`: deliver to the workload (true) or drop (false, the default). */
  readonly failOpen: boolean;
  /**
   * Kubernetes: the sidecar Pod the address belongs to. Its connections are looked up in its own
   * network namespace, where the node agent attaches inbound steering, to its sidecar's listener.
   */
  readonly podUid?: string;
  /**
   * The cgroup v2 path of the sidecar container whose listener takes the connection (the node
   * agent resolves `podUid` to it); absent, and no `podUid`: the node's own proxies' listener.
   */
  readonly listenerCgroup?: string;
  /**
   * A node-mode Pod's (with `podUid`): the node proxy's listener opened inside the Pod's network
   * namespace, on the Pod's own port (`proxyPort`), takes the connection; steered only there.
   */
  readonly nodeProxyInPod?: boolean;
  /**
   * With `nodeProxyInPod`: the inode of the Pod's network namespace (st_ino of /proc/PID/ns/net),
   * which the node agent knows from its netns link. The kernel hands the connection only to a
   * listener in that namespace (Envoy following a stale link opens one elsewhere) and refuses it
   * otherwise; required there, a node-mode entry without it is rejected.
   */
  readonly podNetnsIno?: number;
}

/**
 * A workload's connect() to a port its egress policies select is rewritten to the proxy's
 * outbound listener, with the source bound to the workload's address so the proxy's filter chain
 * for that workload matches whether or not the client bound one.
 */
export interface OutboundRedirect {
  readonly node: string;
  readonly direction: 'outbound';
  /** The destination address; absent: any destination on `port`. */
  readonly address?: string;
  readonly port: number;
  readonly proxyPort: number;
  /** The workloads whose connections these are (one, unless they cannot be told apart). */
  readonly workloads: readonly string[];
  /** Their cgroup v2 path; absent (and no `podUid`): the node's default identity (every process the redirect covers that is in no named workload cgroup). */
  readonly cgroup?: string;
  /** Kubernetes: their Pod's UID instead of a cgroup path (only the node agent can resolve it, to the Pod's cgroup). */
  readonly podUid?: string;
  /**
   * Where the proxy's outbound listener is, per family, as the workload reaches it; absent: the
   * loopback of the workload's network namespace. The node agent sets the node's address for a
   * node proxy reached from a Pod with a network namespace of its own.
   */
  readonly proxy?: { readonly v4?: string; readonly v6?: string };
  /** The source address to bind per family; absent for a family: the connection keeps the kernel's source (and matches no workload's chain). */
  readonly bind: { readonly v4?: string; readonly v6?: string };
}

export type RedirectEntry = InboundRedirect | OutboundRedirect;

/** A stable identity of an entry, for reconciling a map by difference. */
export function redirectKey(entry: RedirectEntry): string {
  const who = entry.direction === 'outbound' ? `|${entry.cgroup ?? (entry.podUid !== undefined ? `pod:${entry.podUid}` : '<default>')}` : '';
  return `${entry.node}|${entry.direction}${who}|${entry.address ?? '*'}|${entry.port}`;
}
