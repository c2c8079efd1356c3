/**
 * What a programmed NodeRedirects state resolves to on this host right now, as one string: the
 * agent re-programs when it changes (a Pod or sidecar appeared or left, a Pod's namespace appeared
 * or was recreated, or the process a node-mode Pod's netns link points through is gone).
 */
import { netnsIno } from '../bpf/index.js';
import { resolveContainerCgroup, resolvePodCgroup } from './kubepods.js';
import { findPodNetns } from './pod-netns.js';
import type { DesiredState } from './resource.js';

export function resolutionFingerprint(state: DesiredState, cgroupRoot: string, procRoot?: string): string {
  const uids = new Set<string>([...state.podProxies.keys()]);
  for (const { entry } of state.entries) if (entry.direction === 'outbound' && entry.podUid !== undefined) uids.add(entry.podUid);
  const inbound = new Set<string>();
  const nodeMode = new Set<string>();
  for (const { entry } of state.entries) {
    if (entry.direction !== 'inbound' || entry.podUid === undefined) continue;
    inbound.add(entry.podUid);
    if (entry.nodeProxyInPod) nodeMode.add(entry.podUid);
  }
  const own = netnsIno();
  return [...new Set([...uids, ...inbound])].sort().map((uid) => {
    const pod = resolvePodCgroup(cgroupRoot, uid);
    const sidecars = pod ? (state.podProxies.get(uid) ?? []).map((id) => resolveContainerCgroup(cgroupRoot, pod, id) ?? '-') : [];
    // A Pod's namespace appears when its first process starts, and changes when its sandbox is recreated.
    const netns = pod && inbound.has(uid) ? findPodNetns(cgroupRoot, pod, sidecars.find((p) => p !== '-'), own, procRoot, nodeMode.has(uid)) : undefined;
    // A node-mode Pod's link names a process: a new one (the old exited) is linked again.
    const ns = netns === undefined ? '' : 'netns' in netns ? `@${netns.netns.ino}${nodeMode.has(uid) ? `/${netns.netns.pid}` : ''}` : '@-';
    return `${uid}=${pod ?? '-'}[${sidecars.join(',')}]${ns}`;
  }).join(';');
}
