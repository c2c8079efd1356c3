/**
 * The node agent's links to node-mode Pods' network namespaces: `<dir>/<pod uid>.<netns inode>` →
 * the `/proc/<pid>/ns/net` of the Pod's oldest process (pod-netns.ts finds it). The node proxy
 * opens each Pod's inbound listener in the namespace its link names (Envoy's
 * `SocketAddress.network_namespace_filepath`, policy-compiler/translate/envoy-node.ts
 * podInboundListener), so `dir` is shared between the agent and Envoy (the chart mounts the
 * host's). The inode in the name gives a recreated sandbox (a new namespace, same UID) a new path,
 * so the node proxy reopens the Pod's listener in it; the controller names the same path
 * (policy-compiler/translate/node-redirects-report.ts).
 *
 * A symlink, not a bind mount (`ip netns add`): it does not pin the namespace alive after the Pod
 * is gone and needs no mount propagation between containers. Its cost is PID reuse: a link whose
 * process exited and whose PID was reused resolves to another namespace. So every sync re-points
 * each link to a process found afresh and then checks what each link resolves to against the
 * namespace found (inode): a mismatch is said (`stale`), never taken as the Pod's namespace.
 * Links of Pods that are gone (or of a namespace they no longer have) are removed; nothing but
 * entries named like links is touched.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { linkNameUid, netnsLinkName } from '../policy-compiler/index.js';
import type { PodNetns } from './pod-netns.js';

/** A Kubernetes UID (RFC 4122 text form). */
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface NetnsLinkSync {
  /** UIDs whose link names the namespace found for them, after this sync, with the link's name. */
  readonly linked: readonly { readonly uid: string; readonly name: string }[];
  /** Links removed (the Pod is gone, or has another namespace now), by name. */
  readonly removed: readonly string[];
  /** UIDs whose link does not resolve to the namespace found (PID reuse raced the sync), with why. */
  readonly stale: readonly { readonly uid: string; readonly message: string }[];
}


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

/** Whether a link still resolves (its process lives). */
const resolves = (path: string): boolean => statSync(path, { throwIfNoEntry: false }) !== undefined;

/**
 * Makes `dir` hold exactly one link per Pod of `want` (UID → its namespace as found this poll).
 * Removed: the links of those Pods to another namespace, of Pods linked last time (`previous`) and
 * no longer wanted, and links that no longer resolve. A live link of a Pod this agent never linked
 * is left alone (another agent's, sharing the directory: only one runs on a node, but tests share a
 * host).
 */
export function syncNetnsLinks(dir: string, want: ReadonlyMap<string, PodNetns>, previous: ReadonlySet<string> = new Set()): NetnsLinkSync {
  mkdirSync(dir, { recursive: true });
  for (const uid of want.keys()) if (!UID.test(uid)) throw new Error(`not a Pod UID: ${JSON.stringify(uid)}`);
  const names = new Map([...want].map(([uid, netns]) => [uid, netnsLinkName(uid, netns.ino)]));
  const wanted = new Set(names.values());
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const uid = linkNameUid(name);
    if (uid === undefined || wanted.has(name)) continue;
    if (!lstatSync(join(dir, name)).isSymbolicLink()) continue;
    if (!want.has(uid) && !previous.has(uid) && resolves(join(dir, name))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  const linked: { uid: string; name: string }[] = [];
  const stale: { uid: string; message: string }[] = [];
  for (const [uid, netns] of [...want].sort(([a], [b]) => a.localeCompare(b))) {
    const name = names.get(uid) ?? netnsLinkName(uid, netns.ino);
    const link = join(dir, name);
    pointTo(link, netns.path);
    let ino: bigint | undefined;
    try {
      ino = statSync(link, { bigint: true }).ino;
    } catch (error) {
      stale.push({ uid, message: `${link} → ${netns.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (the process exited)` });
      continue;
    }
    if (ino !== netns.ino) stale.push({ uid, message: `${link} → ${netns.path} resolves to network namespace ${ino}, not the Pod's ${netns.ino} (PID ${netns.pid} reused)` });
    else linked.push({ uid, name });
  }
  return { linked, removed: removed.sort(), stale };
}
