/**
 * The node agent's links to node-mode Pods' network namespaces: `<dir>/<pod uid>` → the
 * `/proc/<pid>/ns/net` of a process of the Pod (pod-netns.ts finds it). The node proxy opens each
 * Pod's inbound listener in the namespace its link names (Envoy's
 * `SocketAddress.network_namespace_filepath`, policy-compiler/translate/envoy-node.ts
 * podInboundListener), so `dir` is shared between the agent and Envoy (the chart's emptyDir).
 *
 * A symlink, not a bind mount (`ip netns add`): it does not pin the namespace alive after the Pod
 * is gone and needs no mount propagation between containers. Its cost is PID reuse: a link whose
 * process exited and whose PID was reused resolves to another namespace. So every sync re-points
 * each link to a process found afresh and then checks what each link resolves to against the
 * namespace found (inode): a mismatch is said (`stale`), never taken as the Pod's namespace.
 * Links of Pods that are gone are removed; nothing but UID-named entries is touched.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PodNetns } from './pod-netns.js';

/** A Kubernetes UID (RFC 4122 text form): the only names the agent creates or removes in `dir`. */
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const DEFAULT_NETNS_DIR = '/run/sluice/netns';

export interface NetnsLinkSync {
  /** UIDs whose link names the namespace found for them, after this sync. */
  readonly linked: readonly string[];
  /** UIDs whose link was removed (the Pod is gone or has no namespace any more). */
  readonly removed: readonly string[];
  /** UIDs whose link does not resolve to the namespace found (PID reuse raced the sync), with why. */
  readonly stale: readonly { readonly uid: string; readonly message: string }[];
}

/** The path Envoy is given for a Pod. */
export const netnsLinkPath = (dir: string, uid: string): string => join(dir, uid);

function pointTo(link: string, target: string): void {
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === target) return;
  // Replaced atomically: Envoy never sees the name missing or half-written.
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

/** Makes `dir` hold exactly one link per Pod of `want` (UID → its namespace as found this poll). */
export function syncNetnsLinks(dir: string, want: ReadonlyMap<string, PodNetns>): NetnsLinkSync {
  mkdirSync(dir, { recursive: true });
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!UID.test(name) || want.has(name)) continue;
    if (!lstatSync(join(dir, name)).isSymbolicLink()) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  const linked: string[] = [];
  const stale: { uid: string; message: string }[] = [];
  for (const [uid, netns] of [...want].sort(([a], [b]) => a.localeCompare(b))) {
    if (!UID.test(uid)) throw new Error(`not a Pod UID: ${JSON.stringify(uid)}`);
    const link = netnsLinkPath(dir, uid);
    pointTo(link, netns.path);
    let ino: bigint | undefined;
    try {
      ino = statSync(link, { bigint: true }).ino;
    } catch (error) {
      stale.push({ uid, message: `${link} → ${netns.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (the process exited)` });
      continue;
    }
    if (ino !== netns.ino) stale.push({ uid, message: `${link} → ${netns.path} resolves to network namespace ${ino}, not the Pod's ${netns.ino} (PID ${netns.pid} reused)` });
    else linked.push(uid);
  }
  return { linked, removed: removed.sort(), stale };
}
