/**
 * What a proxy that went away still counts for. Envoy keeps its last accepted configuration while
 * its control plane is away, but an Envoy that stopped (its node drained, its Pod deleted) enforces
 * nothing, and the controller cannot tell the two apart. So a disconnected proxy's ACKs (and
 * NACKs) count for a grace period after its stream ended, long enough to reconnect to another
 * replica in a rolling update, and then no more: the policy's status says the proxy is not
 * connected instead of claiming it enforces. Pure, with the clock injected.
 */
import type { NodeStatus, XdsEvent } from '../../xds-server/index.js';

export const DEFAULT_DISCONNECT_GRACE_MS = 15_000;

export class Disconnects {
  private readonly since = new Map<string, number>();

  constructor(private readonly graceMs: number = DEFAULT_DISCONNECT_GRACE_MS) {}

  /** Follows the xDS server's events; returns when the grace of a node that just disconnected ends (ms from now), if one did. */
  observe(e: XdsEvent): number | undefined {
    if (e.kind === 'connect') this.since.delete(e.nodeId);
    if (e.kind !== 'disconnect') return undefined;
    this.since.set(e.nodeId, e.at);
    return this.graceMs;
  }

  /** The node statuses with the ACKs and NACKs of proxies disconnected longer than the grace left out. */
  live(nodes: readonly NodeStatus[], now: number): NodeStatus[] {
    return nodes.map((n) => {
      const at = this.since.get(n.nodeId);
      if (n.connected || at === undefined || now - at < this.graceMs) return n;
      return { ...n, types: n.types.map((t) => ({ ...t, lastAck: undefined, lastNack: undefined })) };
    });
  }
}
