/**
 * Checks of the machine before anything is loaded, each failing with a `BpfError` that names
 * what is missing and how to get it: privileges, kernel BTF, bpffs under the pin root, a
 * cgroup v2 directory, the compiled object.
 */
import { existsSync, readFileSync, statSync, statfsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfError } from './errors.js';

const BPF_FS_MAGIC = 0xcafe4a11;
const CGROUP2_SUPER_MAGIC = 0x63677270;
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Where the pins go when the caller names no root. */
export const DEFAULT_PIN_ROOT = '/sys/fs/bpf/sluice';
const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

/** The effective capability set of this process (from /proc/self/status). */
function effectiveCapabilities(statusText = readFileSync('/proc/self/status', 'utf8')): bigint {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  return match?.[1] ? BigInt(`0x${match[1]}`) : 0n;
}

/**
 * Loading and attaching needs CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN and CAP_PERFMON: the
 * node-mode Pods' sk_lookup check reads the listener's network namespace through BTF
 * (bpf_skc_to_tcp_sock and a pointer walk), which the verifier allows only with CAP_PERFMON.
 */
export function checkPrivileges(caps = effectiveCapabilities()): void {
  const has = (cap: bigint): boolean => (caps & (1n << cap)) !== 0n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_NET_ADMIN) && has(CAP_PERFMON))) return;
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  throw new BpfError(
    'no-privilege',
    `loading eBPF programs needs root (CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, or CAP_SYS_ADMIN); ` +
      `this process runs as uid ${uid} with effective capabilities 0x${caps.toString(16)}`,
  );
}

export function checkBtf(path = KERNEL_BTF): void {
  if (!existsSync(path)) {
    throw new BpfError('no-btf', `the kernel exposes no BTF at ${path}: a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed`);
  }
}

function fsType(path: string): number {
  return Number(statfsSync(path).type);
}

/** The pin root must sit on bpffs (it may not exist yet: its nearest existing ancestor is checked). */
export function checkBpffs(pinRoot: string): void {
  let probe = resolve(pinRoot);
  while (!existsSync(probe)) {
    const up = dirname(probe);
    if (up === probe) break;
    probe = up;
  }
  if (fsType(probe) !== BPF_FS_MAGIC) {
    throw new BpfError(
      'no-bpffs',
      `pin root ${pinRoot} is not on a bpf filesystem (${probe} is not bpffs): mount it with \`mount -t bpf bpf /sys/fs/bpf\``,
    );
  }
}

/** A cgroup v2 directory; returns its cgroup id (the directory's inode number on cgroup2). */
export function checkCgroup(path: string, flag = 'cgroup'): bigint {
  if (!existsSync(path)) throw new BpfError('cgroup-not-found', `${flag} ${path} does not exist`);
  if (!statSync(path).isDirectory()) throw new BpfError('cgroup-not-found', `${flag} ${path} is not a directory`);
  if (fsType(path) !== CGROUP2_SUPER_MAGIC) {
    throw new BpfError(
      'no-cgroup2',
      `${flag} ${path} is not on a cgroup v2 hierarchy: the connect/sockops/getsockopt hooks need cgroup v2 ` +
        `(mount one with \`mount -t cgroup2 none /sys/fs/cgroup/unified\`)`,
    );
  }
  return statSync(path, { bigint: true }).ino;
}

/** The first cgroup v2 mount point in /proc/mounts, if any. */
export function findCgroup2Mount(mounts = readFileSync('/proc/mounts', 'utf8')): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, target, type] = line.split(' ');
    if (type === 'cgroup2' && target) return target.replace(/\\040/g, ' ');
  }
  return undefined;
}

/** The compiled object: an explicit path, or bpf/build/redirect.bpf.o found from this module. */
export function findObject(explicit?: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = explicit
    ? [explicit]
    : [join(here, '..', 'build', 'redirect.bpf.o'), join(here, '..', '..', '..', 'bpf', 'build', 'redirect.bpf.o')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new BpfError(
      'missing-object',
      `the compiled eBPF object is missing (looked for ${candidates.join(', ')}): run \`make -C bpf\` ` +
        `(needs clang, bpftool and libbpf-dev)`,
    );
  }
  return found;
}
