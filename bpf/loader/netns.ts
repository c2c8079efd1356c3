/**
 * The network namespace side of inbound steering: sk_lookup attaches to a namespace (this
 * process's, and each sidecar Pod's, which the node agent opens through /proc/PID/ns/net), the
 * interfaces it steers are named by index in that namespace.
 */
import { statSync } from 'node:fs';
import { BpfError } from './errors.js';
import { getLibc } from './libbpf.js';

export const OWN_NETNS = '/proc/self/ns/net';

/** The inode of a network namespace (default: this process's): its identity in link pins and status. */
export function netnsIno(path = OWN_NETNS): bigint {
  return BigInt(statSync(path).ino);
}

export function interfaceIndex(iface: string): number {
  const index = getLibc().ifNameToIndex(iface);
  if (index === 0) throw new BpfError('iface-not-found', `network interface ${iface} does not exist in this network namespace`);
  return index;
}
