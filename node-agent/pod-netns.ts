/**
 * A Pod's network namespace, found from one of its processes: `cgroup.procs` of its containers'
 * cgroups (the sidecar's first: it is the one that must share the namespace it steers into),
 * then `/proc/PID/ns/net`. No CRI needed, but the host's /proc (a DaemonSet with `hostPID`).
 * A Pod with no process yet (not started) or whose processes share the agent's own namespace
 * (hostNetwork) has none the agent can steer in.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containerCgroupsOf } from './kubepods.js';

export interface PodNetns {
  /** `/proc/<pid>/ns/net` of a process of the Pod: what the agent opens to attach. */
  readonly path: string;
  readonly ino: bigint;
  readonly pid: number;
}

export type PodNetnsLookup = { readonly netns: PodNetns } | { readonly missing: string };

const pidsOf = (dir: string): number[] => {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
};

/** When the process started (clock ticks since boot, /proc/<pid>/stat's 22nd field); undefined once it is gone. */
function startTime(procRoot: string, pid: number): number | undefined {
  try {
    const stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
    const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The network namespace of a Pod (`podCgroup` relative to `cgroupRoot`), from a process of
 * `first` (the sidecar's container cgroup), else of any of its containers. `ownIno`: the agent's
 * own namespace, which a hostNetwork Pod shares (never a Pod's own). `oldest`: the Pod's oldest
 * process instead (its sandbox's, which lives as long as the namespace does), for a link that
 * must not outlive the process it names.
 */
export function findPodNetns(cgroupRoot: string, podCgroup: string, first: string | undefined, ownIno: bigint, procRoot = '/proc', oldest = false): PodNetnsLookup {
  const dirs = [...new Set([...(first ? [first] : []), ...containerCgroupsOf(cgroupRoot, podCgroup), podCgroup])];
  let shared = false;
  let denied: string | undefined;
  let best: { netns: PodNetns; started: number } | undefined;
  for (const dir of dirs) {
    for (const pid of pidsOf(join(cgroupRoot, dir))) {
      const path = join(procRoot, String(pid), 'ns', 'net');
      let st;
      try {
        st = statSync(path, { throwIfNoEntry: false, bigint: true });
      } catch (error) {
        // Another user's process: opening its namespace needs CAP_SYS_PTRACE.
        denied ??= `${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
        continue;
      }
      if (!st) continue; // exited meanwhile
      if (st.ino === ownIno) {
        shared = true;
        continue;
      }
      if (!oldest) return { netns: { path, ino: st.ino, pid } };
      const started = startTime(procRoot, pid);
      if (started !== undefined && (best === undefined || started < best.started)) best = { netns: { path, ino: st.ino, pid }, started };
    }
  }
  if (best) return { netns: best.netns };
  if (denied !== undefined) return { missing: `cannot open its network namespace (${denied}): the agent needs CAP_SYS_PTRACE and the host's /proc (hostPID)` };
  return {
    missing: shared
      ? `its processes share the node's network namespace (hostNetwork): there is no namespace of its own to steer in`
      : `no process in its cgroup ${podCgroup} (looked in ${dirs.length} cgroups' cgroup.procs, then ${procRoot}/PID/ns/net): a Pod that has not started has none yet`,
  };
}
