/**
 * The agent's own proxy cgroups (its Pod's containers: the node Envoy, the Kafka enforcer) leave
 * the kernel when their container does. A restarted container has a new cgroup, registered by a
 * re-attach; the old one's id must not stay in the proxy map, and its link pins
 * (`links/cg<id>_proxy_sockops`, …) must not accumulate. Its cgroup is gone by then, so its id is
 * known only from what was registered (the running agent remembers it), or from the pin name of a
 * link the kernel has auto-detached (an earlier run's: the link then names no cgroup).
 */
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseLinkName, pinLayout, readStatus } from '../bpf/index.js';

/** The ids of proxy cgroups (those with a `proxy_sockops` pin) whose link the kernel detached: their cgroup is gone. */
export function staleProxyCgroups(pinRoot: string): bigint[] {
  const stale: bigint[] = [];
  for (const a of readStatus(pinRoot).attachments) {
    if (a.kind !== 'cgroup' || a.hook !== 'proxy_sockops') continue;
    const pinned = parseLinkName(basename(a.pin));
    if (pinned?.kind === 'cgroup' && a.cgroupId !== pinned.cgroupId) stale.push(pinned.cgroupId);
  }
  return stale;
}

/** Unpins every cgroup link of these ids (their cgroups are gone: the links attach nothing). */
export function releaseProxyCgroups(pinRoot: string, ids: readonly bigint[]): string[] {
  const { links } = pinLayout(pinRoot);
  if (!existsSync(links) || ids.length === 0) return [];
  const wanted = new Set(ids);
  const removed: string[] = [];
  for (const name of readdirSync(links)) {
    const link = parseLinkName(name);
    if (link?.kind !== 'cgroup' || !wanted.has(link.cgroupId)) continue;
    unlinkSync(join(links, name));
    removed.push(name);
  }
  return removed;
}
