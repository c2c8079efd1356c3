/**
 * Where the kubelet puts a Pod's cgroup, and its containers' cgroups in it, under the host's
 * cgroup v2 hierarchy. Both kubelet cgroup drivers:
 *
 * - systemd: `kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid with _ for ->.slice`
 *   (Guaranteed Pods directly: `kubepods.slice/kubepods-pod<uid_>.slice`), containers
 *   `cri-containerd-<id>.scope`, `crio-<id>.scope` or `docker-<id>.scope`;
 * - cgroupfs: `kubepods/<qos>/pod<uid>` (Guaranteed: `kubepods/pod<uid>`), containers `<id>`.
 *
 * Lookups are direct `stat`s of the few candidate paths, never walks of the tree. The file
 * system is injected (a fake tree in tests is a real directory tree: the same code reads it).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { UnresolvedPod } from '../policy-compiler/index.js';

export const QOS_CLASSES = ['burstable', 'besteffort'] as const;

/** The kubelet's top cgroups, in the order they are tried: systemd, then cgroupfs. */
export const KUBEPODS_DIRS = ['kubepods.slice', 'kubepods'] as const;

const isDir = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** The kubepods cgroup under `root` (the one the agent attaches to), or undefined when neither exists. */
export function findKubepods(root: string): string | undefined {
  return KUBEPODS_DIRS.map((d) => join(root, d)).find(isDir);
}

/** The candidate paths of a Pod's cgroup, relative to the hierarchy's root, both drivers. */
export function podCgroupCandidates(uid: string): string[] {
  const u = uid.toLowerCase();
  const s = u.replace(/-/g, '_');
  return [
    `kubepods.slice/kubepods-pod${s}.slice`,
    ...QOS_CLASSES.map((q) => `kubepods.slice/kubepods-${q}.slice/kubepods-${q}-pod${s}.slice`),
    `kubepods/pod${u}`,
    ...QOS_CLASSES.map((q) => `kubepods/${q}/pod${u}`),
  ];
}

/** A Pod's cgroup as a path relative to `root` (with a leading `/`), or undefined while it does not exist. */
export function resolvePodCgroup(root: string, uid: string): string | undefined {
  const found = podCgroupCandidates(uid).find((c) => isDir(join(root, c)));
  return found === undefined ? undefined : `/${found}`;
}

/** The names a container's cgroup has, by runtime and driver. */
export function containerCgroupNames(id: string): string[] {
  return [`cri-containerd-${id}.scope`, `crio-${id}.scope`, `docker-${id}.scope`, id];
}

/** A container's cgroup inside its Pod's (both relative to `root`), or undefined while it does not exist. */
export function resolveContainerCgroup(root: string, podCgroup: string, id: string): string | undefined {
  const found = containerCgroupNames(id).find((n) => isDir(join(root, podCgroup, n)));
  return found === undefined ? undefined : `${podCgroup}/${found}`;
}

/** Every container cgroup of a Pod (its child directories), relative to `root`. */
export function containerCgroupsOf(root: string, podCgroup: string): string[] {
  try {
    return readdirSync(join(root, podCgroup), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${podCgroup}/${d.name}`)
      .sort();
  } catch {
    return [];
  }
}

const POD_SEGMENT = /^(kubepods(-[a-z]+)?-pod[0-9a-f_]+\.slice|pod[0-9a-f-]+)$/;

/**
 * The Pod cgroup a process's cgroup (a `/proc/PID/cgroup` v2 path) is in: the deepest ancestor
 * named as the kubelet names Pods; undefined for a process outside any Pod (or in a private
 * cgroup namespace, where the path is `/`).
 */
export function podCgroupOfProcess(cgroupPath: string): string | undefined {
  const segments = cgroupPath.split('/').filter(Boolean);
  for (let i = segments.length - 1; i >= 0; i--) if (POD_SEGMENT.test(segments[i] ?? '')) return `/${segments.slice(0, i + 1).join('/')}`;
  return undefined;
}

/** The cgroup v2 path of `/proc/self/cgroup` (`0::/path`), or undefined on a v1-only host. */
export function ownCgroupPath(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3).trim() || undefined;
}

/**
 * Pods' cgroups somewhere the kubelet layouts do not put them: one bounded walk (three levels)
 * under the kubepods cgroup for directories naming these UIDs (either spelling). Only for Pods
 * not resolved, to say why (an unknown layout, or no cgroup at all); never used to steer.
 */
export function findPodCgroupsElsewhere(kubepods: string, uids: readonly string[], depth = 3): Map<string, string> {
  const found = new Map<string, string>();
  const spellings = uids.map((uid) => ({ uid, forms: [uid.toLowerCase(), uid.toLowerCase().replace(/-/g, '_')] }));
  const walk = (dir: string, level: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      if (!d.isDirectory()) continue;
      const name = d.name.toLowerCase();
      const pod = spellings.find((p) => !found.has(p.uid) && p.forms.some((f) => name.includes(f)));
      if (pod) found.set(pod.uid, join(dir, d.name));
      else if (level < depth) walk(join(dir, d.name), level + 1);
    }
  };
  if (uids.length > 0) walk(kubepods, 1);
  return found;
}

/** Why each Pod has no cgroup the agent can use: none anywhere (not started, or gone), or one in a layout it does not know. */
export function unresolvedReasons(attachCgroup: string, uids: readonly string[]): UnresolvedPod[] {
  const elsewhere = findPodCgroupsElsewhere(attachCgroup, uids);
  return uids.map((uid): UnresolvedPod => {
    const path = elsewhere.get(uid);
    if (path !== undefined) {
      return { uid, reason: 'unknown-layout', message: `its cgroup is ${path}, where neither kubelet layout (systemd kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice, cgroupfs kubepods/<qos>/pod<uid>) puts a Pod: it is not steered` };
    }
    return { uid, reason: 'cgroup-not-found', message: `no cgroup of it under ${attachCgroup} in either kubelet layout (a Pod that has not started has none yet)` };
  });
}
