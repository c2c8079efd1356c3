/**
 * Redirect entries: which connections the kernel steers into which local proxy listener. The
 * compiler derives them from the same IR as the Envoy listeners, so the eBPF maps and the
 * listeners never disagree about what is enforced.
 */
export type RedirectDirection = 'outbound' | 'inbound';

export interface RedirectEntry {
  /** The proxy node whose listener receives the traffic (an Envoy node id or a Kafka enforcer id). */
  readonly node: string;
  /** `outbound`: a local workload connects out; `inbound`: a connection arrives for a local workload. */
  readonly direction: RedirectDirection;
  /** The destination IP (v4 or v6, no prefix); absent means any destination address on `port`. */
  readonly address?: string;
  /** The destination TCP port. */
  readonly port: number;
  /** The local proxy listener port that receives the connection (15001, 15006, a Kafka enforcer's port). */
  readonly proxyPort: number;
}

/** A stable identity of an entry, for reconciling a map by difference. */
export function redirectKey(entry: RedirectEntry): string {
  return `${entry.node}|${entry.direction}|${entry.address ?? '*'}|${entry.port}`;
}
