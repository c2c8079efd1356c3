/**
 * Inbound steering of sidecar Pods: what the node agent attaches per Pod, beside the node's own
 * attachments. A Pod's new inbound connections are looked up in the Pod's network namespace, so
 * `sluice_pod_sk_lookup` is attached there (a netns link, `links/netns<ino>_sk_lookup`). It hands
 * them to the listener of the Pod's sidecar container, which `sluice_sockops` (on the attach
 * cgroup) registered under the container's cgroup id, the owner the Pod's inbound rules name. The
 * program comes pinned by the last load (`progs/pod_sk_lookup`), so attaching needs no object
 * load; a load updates these links in place.
 *
 * A netns link does not keep its namespace alive: when the Pod goes, the kernel detaches it and
 * the pin is left naming nothing. The agent releases the pins of Pods it no longer steers.
 */
import { closeSync, existsSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError, errnoName } from './errors.js';
import { getLibbpf } from './libbpf.js';
import { netnsIno } from './netns.js';
import { parseLinkName, pinLayout } from './pins.js';

/** enum bpf_attach_type (uapi/linux/bpf.h). */
const BPF_SK_LOOKUP = 36;

export interface PodLink {
  readonly pin: string;
  /** Whether this call attached it (false: it was attached already). */
  readonly created: boolean;
}

/**
 * The namespace a pinned netns link is attached to right now: struct bpf_link_info has the netns
 * inode (u32) at offset 16, zero once the kernel detached it (the namespace is gone).
 */
function linkTarget(pin: string): bigint {
  const lib = getLibbpf();
  const fd = lib.objGet(pin);
  if (fd < 0) return 0n;
  try {
    const info = Buffer.alloc(48);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(info.length);
    if (lib.objGetInfoByFd(fd, info, len) < 0) return 0n;
    return info.readUInt32LE(0) === 5 ? BigInt(info.readUInt32LE(16)) : 0n; // BPF_LINK_TYPE_NETNS
  } finally {
    closeSync(fd);
  }
}

function attach(pinRoot: string, progPin: string, targetPath: string, type: number, pin: string, target: bigint): PodLink {
  if (existsSync(pin)) {
    if (linkTarget(pin) === target) return { pin, created: false };
    unlinkSync(pin); // an earlier target of the same id that is gone: attach anew
  }
  const lib = getLibbpf();
  const prog = lib.objGet(progPin);
  if (prog < 0) throw new BpfError('not-loaded', `${progPin} is missing: attach the dataplane first (the node agent does at start) under ${pinRoot}`);
  try {
    const targetFd = openSync(targetPath, 'r');
    try {
      const link = lib.linkCreate(prog, targetFd, type);
      if (link < 0) throw new BpfError('attach-failed', `cannot attach ${progPin} to ${targetPath}: ${errnoName(link)}`);
      try {
        const rc = lib.objPin(link, pin);
        if (rc < 0) throw new BpfError('attach-failed', `cannot pin the link at ${pin}: ${errnoName(rc)}`);
      } finally {
        closeSync(link);
      }
    } finally {
      closeSync(targetFd);
    }
  } finally {
    closeSync(prog);
  }
  return { pin, created: true };
}

/** Attaches inbound steering in a Pod's network namespace (a path such as /proc/PID/ns/net). */
export function attachPodNetns(pinRoot: string, netnsPath: string): PodLink & { readonly netnsIno: bigint } {
  const ino = netnsIno(netnsPath);
  if (ino === netnsIno()) throw new BpfError('attach-failed', `${netnsPath} is this process's own network namespace, not a Pod's of its own`);
  const layout = pinLayout(pinRoot);
  return { ...attach(pinRoot, layout.podSkLookup, netnsPath, BPF_SK_LOOKUP, layout.netnsLink(ino), ino), netnsIno: ino };
}

/** Unpins every netns link (but this process's own) whose namespace is not in `keep`; returns the names removed. */
export function releasePodLinks(pinRoot: string, keep: ReadonlySet<bigint>): string[] {
  const { links } = pinLayout(pinRoot);
  if (!existsSync(links)) return [];
  const own = netnsIno();
  const removed: string[] = [];
  for (const name of readdirSync(links)) {
    const link = parseLinkName(name);
    if (link?.kind !== 'netns' || link.netnsIno === own || keep.has(link.netnsIno)) continue;
    unlinkSync(join(links, name));
    removed.push(name);
  }
  return removed;
}
