/**
 * The environment errors of the eBPF dataplane: an `EnvironmentError` with a closed set of codes,
 * so callers (the CLI, `serve`) can react to the kind of failure and print the message as is, and
 * the logs carry the code and libbpf's lines too.
 */
import { constants } from 'node:os';
import { EnvironmentError } from '../../problems/index.js';

export type BpfErrorCode =
  | 'missing-libbpf' // libbpf.so.1 is not installed
  | 'missing-object' // bpf/build/redirect.bpf.o was not built
  | 'no-privilege' // not root / lacking CAP_BPF, CAP_NET_ADMIN or CAP_SYS_ADMIN
  | 'no-btf' // the kernel exposes no BTF (/sys/kernel/btf/vmlinux), CO-RE cannot relocate
  | 'no-bpffs' // the pin root is not on a bpf filesystem
  | 'no-cgroup2' // the cgroup path is not on a cgroup v2 hierarchy
  | 'cgroup-not-found' // the cgroup path does not exist
  | 'iface-not-found' // an inbound interface does not exist
  | 'pin-corrupt' // something at a pin path is not what sluice pinned there
  | 'load-failed' // libbpf or the verifier rejected the object
  | 'attach-failed' // the kernel refused an attachment
  | 'map-failed' // a map update, lookup or delete failed
  | 'not-loaded' // no pinned dataplane under the pin root
  | 'invalid-entry'; // a redirect entry cannot be expressed in the maps

export class BpfError extends EnvironmentError<BpfErrorCode> {
  override readonly name = 'BpfError';
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** `-13` or `13` → `EACCES (13)`. */
export function errnoName(code: number): string {
  const n = Math.abs(code);
  return `${ERRNO_NAMES.get(n) ?? 'errno'} (${n})`;
}
