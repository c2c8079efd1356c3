/**
 * The node proxy's port for each node-mode Pod's inbound listener (the listener it opens inside
 * the Pod's network namespace, `network_namespace_filepath`). Each Pod needs a port of its own on
 * its node: every listener of the node proxy registers in `sluice_proxy_listeners` as owner 0 by
 * (family, port), so two Pods' listeners on one port would collide (and sk_lookup cannot tell
 * namespaces apart by cookie on 6.18).
 *
 * Pure and deterministic, so every controller replica, building its snapshots on its own, computes
 * the same ports: a Pod's home port is a hash of its UID into the range. Stable as far as a
 * stateless function can be: Pods first take their home ports (UID order among Pods of one home
 * port), then the rest probe upwards (wrapping) in UID order. So adding a Pod moves another's port
 * only when the two share a home port and the new UID sorts first, or the new Pod's home port is
 * one the other reached by probing; with ranges much larger than the Pods of a node, rare. A Pod
 * left without a port (the range is exhausted) is said, and its inbound stays unsteered.
 */
import { createHash } from 'node:crypto';

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** The default range: 900 ports, far from Envoy's own (15000 admin, 15001/15006 the shared listeners). */
export const DEFAULT_NODE_POD_PORTS: PortRange = { first: 15100, last: 15999 };

export interface PodPorts {
  /** Pod UID → its port. */
  readonly ports: ReadonlyMap<string, number>;
  /** Pods left without a port, in UID order. */
  readonly exhausted: readonly string[];
}

/** Throws on a range that is not one of TCP ports (a configuration error, checked where it is read). */
export function checkPortRange(range: PortRange): void {
  if (!Number.isInteger(range.first) || !Number.isInteger(range.last) || range.first < 1 || range.last > 65535 || range.first > range.last) {
    throw new Error(`node-mode Pod port range ${range.first}-${range.last} is not a range of TCP ports (1-65535, first <= last)`);
  }
}

/** The home port of a UID in a range. */
export function homePort(uid: string, range: PortRange): number {
  const size = range.last - range.first + 1;
  return range.first + (createHash('sha256').update(uid).digest().readUInt32BE(0) % size);
}

/**
 * Ports for the Pods of one node (`uids`: the node-mode Pods with inbound rules; order and
 * duplicates do not matter). `reserved`: the node proxy's own ports, never given to a Pod.
 */
export function allocatePodPorts(uids: Iterable<string>, range: PortRange = DEFAULT_NODE_POD_PORTS, reserved: readonly number[] = []): PodPorts {
  checkPortRange(range);
  const sorted = [...new Set(uids)].sort();
  const size = range.last - range.first + 1;
  const taken = new Set<number>(reserved.filter((p) => p >= range.first && p <= range.last));
  const ports = new Map<string, number>();
  const probing: string[] = [];
  for (const uid of sorted) {
    const home = homePort(uid, range);
    if (taken.has(home)) probing.push(uid);
    else {
      taken.add(home);
      ports.set(uid, home);
    }
  }
  const exhausted: string[] = [];
  for (const uid of probing) {
    if (taken.size >= size) {
      exhausted.push(uid);
      continue;
    }
    let port = homePort(uid, range);
    while (taken.has(port)) port = port === range.last ? range.first : port + 1;
    taken.add(port);
    ports.set(uid, port);
  }
  return { ports: new Map([...ports].sort(([a], [b]) => a.localeCompare(b))), exhausted };
}
