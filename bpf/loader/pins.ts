/**
 * The layout under the pin root. Everything sluice leaves in the kernel is reachable from here,
 * which is what lets a restarted controller find, reuse and update it, and `unload` remove it.
 *
 *   <root>/maps/<map name>              every map in redirect.h (survive restarts: entries kept)
 *   <root>/links/cg<id>_<hook>          cgroup links (connect4, connect6, sockops, getsockopt,
 *                                       proxy_sockops)
 *   <root>/links/netns<ino>_sk_lookup   the inbound sk_lookup link of a network namespace (this
 *                                       process's, and each sidecar Pod's the node agent attached)
 *   <root>/progs/sk_msg                 the sk_msg program, when the sockmap fast path is on
 *   <root>/progs/pod_sk_lookup          the sk_lookup program the node agent attaches in each
 *                                       sidecar Pod's namespace (pinned by every load)
 */
import { join } from 'node:path';

export type CgroupHook = 'connect4' | 'connect6' | 'sockops' | 'getsockopt' | 'proxy_sockops';

/** The hooks every workload cgroup gets. */
export const CGROUP_HOOKS: readonly CgroupHook[] = ['connect4', 'connect6', 'sockops', 'getsockopt'];

export const BPF_SK_MSG_VERDICT = 7;

export interface PinLayout {
  readonly root: string;
  readonly maps: string;
  readonly links: string;
  readonly progs: string;
  map(name: string): string;
  link(cgroupId: bigint, hook: CgroupHook): string;
  netnsLink(netnsIno: bigint): string;
  readonly skMsg: string;
  /** The pinned sk_lookup program attached in each sidecar Pod's network namespace. */
  readonly podSkLookup: string;
}

export function pinLayout(root: string): PinLayout {
  const maps = join(root, 'maps');
  const links = join(root, 'links');
  const progs = join(root, 'progs');
  return {
    root,
    maps,
    links,
    progs,
    map: (name) => join(maps, name),
    link: (id, hook) => join(links, `cg${id}_${hook}`),
    netnsLink: (ino) => join(links, `netns${ino}_sk_lookup`),
    skMsg: join(progs, 'sk_msg'),
    podSkLookup: join(progs, 'pod_sk_lookup'),
  };
}

export type LinkPin = { readonly kind: 'cgroup'; readonly cgroupId: bigint; readonly hook: CgroupHook } | { readonly kind: 'netns'; readonly netnsIno: bigint };

/** Parses a link pin's file name back into what it attaches. */
export function parseLinkName(name: string): LinkPin | undefined {
  const cgroup = /^cg(\d+)_(connect4|connect6|sockops|getsockopt|proxy_sockops)$/.exec(name);
  if (cgroup?.[1] && cgroup[2]) return { kind: 'cgroup', cgroupId: BigInt(cgroup[1]), hook: cgroup[2] as CgroupHook };
  const netns = /^netns(\d+)_sk_lookup$/.exec(name);
  if (netns?.[1]) return { kind: 'netns', netnsIno: BigInt(netns[1]) };
  return undefined;
}
