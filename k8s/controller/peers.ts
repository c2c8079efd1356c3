/**
 * Several replicas serve xDS, each to the proxies connected to it, and only the leader writes
 * status: it must know what every proxy ACKed, wherever it is connected. Each replica serves its
 * xDS server's node status at `/xds/nodes` on its admin port; the leader finds the other replicas
 * in the EndpointSlices of the controller's Service (the port named `admin`), reads theirs, and
 * merges them with its own. A proxy known to several replicas (it reconnected elsewhere) counts
 * where it is connected, else where it last ACKed or NACKed. A replica that does not answer
 * contributes nothing: its proxies show as not connected, which is the truth as far as the leader
 * can tell. Every replica reads them too, for the node agents' netns-link reports (a node's Envoy
 * may be connected to another replica than its agent).
 */
import { formatHostPort } from '../../ip/index.js';
import type { Logger } from '../../telemetry/index.js';
import type { NodeStatus } from '../../xds-server/index.js';
import { endpointSliceOf } from './objects.js';

export const NODES_PATH = '/xds/nodes';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * The other replicas' admin endpoints, from the EndpointSlices of `service` in `namespace`: every
 * one that serves, including a replica that is terminating but still serves (its proxies stay
 * connected to it until it stops, so their ACKs and flows are still its to report).
 */
export function peerAddresses(slices: readonly unknown[], namespace: string, service: string, self: PeerAddress): PeerAddress[] {
  const out = new Map<string, PeerAddress>();
  for (const s of slices.map(endpointSliceOf)) {
    if (s.meta.namespace !== namespace || s.service !== service) continue;
    const port = s.ports.find((p) => p.name === 'admin')?.port;
    if (port === undefined) continue;
    for (const host of s.serving) if (!(host === self.host && port === self.port)) out.set(`${host}|${port}`, { host, port });
  }
  return [...out.values()].sort((a, b) => `${a.host}|${a.port}`.localeCompare(`${b.host}|${b.port}`));
}

function latest(n: NodeStatus): number {
  return Math.max(-Infinity, ...n.types.flatMap((t) => [t.lastAck?.at ?? -Infinity, t.lastNack?.at ?? -Infinity]));
}

/** One status per node: connected wins, then the most recent ACK or NACK. */
export function mergeNodeStatuses(lists: readonly (readonly NodeStatus[])[]): NodeStatus[] {
  const byNode = new Map<string, NodeStatus>();
  for (const list of lists) {
    for (const n of list) {
      const had = byNode.get(n.nodeId);
      if (!had || (n.connected && !had.connected) || (n.connected === had.connected && latest(n) > latest(had))) byNode.set(n.nodeId, n);
    }
  }
  return [...byNode.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

function isNodeStatusList(v: unknown): v is NodeStatus[] {
  return Array.isArray(v) && v.every((n) => typeof n === 'object' && n !== null && typeof (n as { nodeId?: unknown }).nodeId === 'string' && Array.isArray((n as { types?: unknown }).types) && Array.isArray((n as { streams?: unknown }).streams));
}

/** Reads the peers' node statuses (each within `timeoutMs`; a peer that fails is left out and reported). */
export async function fetchPeerNodes(peers: readonly PeerAddress[], timeoutMs = 2000): Promise<{ nodes: NodeStatus[][]; failed: string[] }> {
  const results = await Promise.all(
    peers.map(async (p) => {
      const where = formatHostPort(p.host, p.port);
      try {
        const r = await fetch(`http://${where}${NODES_PATH}`, { signal: AbortSignal.timeout(timeoutMs) });
        const body: unknown = await r.json();
        return isNodeStatusList(body) ? { nodes: body } : { failed: `${where}: not a node status list` };
      } catch (error) {
        return { failed: `${where}: ${error instanceof Error ? error.message : String(error)}` };
      }
    }),
  );
  return { nodes: results.flatMap((r) => ('nodes' in r && r.nodes ? [r.nodes] : [])), failed: results.flatMap((r) => ('failed' in r && r.failed ? [r.failed] : [])) };
}

/** Reads the peers' node statuses every `everyMs` (default 1 s), one read at a time, handing each round to `onNodes`. */
export function pollPeerNodes(o: { readonly peers: () => readonly PeerAddress[]; readonly onNodes: (nodes: NodeStatus[][]) => void; readonly logger: Logger; readonly everyMs?: number }): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = async (): Promise<void> => {
    const fetched = await fetchPeerNodes(o.peers());
    if (stopped) return;
    if (fetched.failed.length > 0) o.logger.warn("replicas did not answer with their proxies' ACKs", { component: 'peers', failed: fetched.failed });
    o.onNodes(fetched.nodes);
    timer = setTimeout(() => void round(), o.everyMs ?? 1000);
    timer.unref();
  };
  void round();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
