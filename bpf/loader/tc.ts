/**
 * The inbound program at an interface's ingress, through libbpf's netlink clsact helpers (libbpf
 * 1.1 has no TCX links). The filter is created with a fixed handle and priority and
 * BPF_TC_F_REPLACE, so attaching again after a restart swaps the program in place: no window
 * without it.
 */
import { BpfError, errnoName } from './errors.js';
import { getLibbpf, getLibc } from './libbpf.js';

const TC_HOOK_SIZE = 24; // struct bpf_tc_hook: sz 0, ifindex 8, attach_point 12, parent 16
const TC_OPTS_SIZE = 32; // struct bpf_tc_opts: sz 0, prog_fd 8, flags 12, prog_id 16, handle 20, priority 24
const BPF_TC_INGRESS = 1;
const BPF_TC_F_REPLACE = 1;
/** sluice's filter identity on every interface: handle 0x5c1 ("slc"), priority 0x5c1. */
export const TC_HANDLE = 0x5c1;
export const TC_PRIORITY = 0x5c1;
const EEXIST = 17;
const ENOENT = 2;

export function interfaceIndex(iface: string): number {
  const index = getLibc().ifNameToIndex(iface);
  if (index === 0) throw new BpfError('iface-not-found', `network interface ${iface} does not exist in this network namespace`);
  return index;
}

function hook(ifindex: number): Buffer {
  const b = Buffer.alloc(TC_HOOK_SIZE);
  b.writeBigUInt64LE(BigInt(TC_HOOK_SIZE), 0);
  b.writeInt32LE(ifindex, 8);
  b.writeUInt32LE(BPF_TC_INGRESS, 12);
  return b;
}

function opts(progFd: number, flags: number): Buffer {
  const b = Buffer.alloc(TC_OPTS_SIZE);
  b.writeBigUInt64LE(BigInt(TC_OPTS_SIZE), 0);
  b.writeInt32LE(progFd, 8);
  b.writeUInt32LE(flags, 12);
  b.writeUInt32LE(TC_HANDLE, 20);
  b.writeUInt32LE(TC_PRIORITY, 24);
  return b;
}

/** Attaches (or replaces) sluice's filter at `iface` ingress. */
export function attachTcIngress(iface: string, progFd: number): void {
  const lib = getLibbpf();
  const h = hook(interfaceIndex(iface));
  const created = lib.tcHookCreate(h);
  if (created < 0 && created !== -EEXIST) {
    throw new BpfError('attach-failed', `cannot create the clsact qdisc on ${iface}: ${errnoName(created)}`);
  }
  const rc = lib.tcAttach(h, opts(progFd, BPF_TC_F_REPLACE));
  if (rc < 0) throw new BpfError('attach-failed', `cannot attach the inbound program at ${iface} ingress: ${errnoName(rc)}`);
}

/** The program id of sluice's filter at `iface` ingress, or undefined when there is none. */
export function queryTcIngress(iface: string): number | undefined {
  const lib = getLibbpf();
  let ifindex: number;
  try {
    ifindex = interfaceIndex(iface);
  } catch {
    return undefined;
  }
  const o = opts(0, 0);
  if (lib.tcQuery(hook(ifindex), o) < 0) return undefined;
  return o.readUInt32LE(16);
}

/** Removes sluice's filter from `iface`; an interface or filter already gone is not an error. */
export function detachTcIngress(iface: string): void {
  const ifindex = getLibc().ifNameToIndex(iface);
  if (ifindex === 0) return;
  const rc = getLibbpf().tcDetach(hook(ifindex), opts(0, 0));
  if (rc < 0 && rc !== -ENOENT) {
    throw new BpfError('attach-failed', `cannot detach the inbound program from ${iface}: ${errnoName(rc)}`);
  }
}
