/**
 * The layout under the pin root. Everything sluice leaves in the kernel is reachable from here,
 * which is what lets a restarted controller find, reuse and update it, and `unload` remove it.
 *
 *   <root>/maps/<map name>              every map in redirect.h (survive restarts: entries kept)
 *   <root>/links/cg<id>_<hook>          cgroup links (connect4, connect6, sockops, getsockopt)
 *   <root>/tc/<interface>               the tc program attached at that interface's ingress
 *   <root>/progs/sk_msg                 the sk_msg program, when the sockmap fast path is on
 */
import { join } from 'node:path';

export type CgroupHook = 'connect4' | 'connect6' | 'sockops' | 'getsockopt';

export const CGROUP_HOOKS: readonly CgroupHook[] = ['connect4', 'connect6', 'sockops', 'getsockopt'];

/** Kernel attach types (enum bpf_attach_type) of each hook. */
export const ATTACH_TYPE: Readonly<Record<CgroupHook, number>> = { connect4: 10, connect6: 11, sockops: 3, getsockopt: 21 };
export const BPF_SK_MSG_VERDICT = 7;

export interface PinLayout {
  readonly root: string;
  readonly maps: string;
  readonly links: string;
  readonly tc: string;
  readonly progs: string;
  map(name: string): string;
  link(cgroupId: bigint, hook: CgroupHook): string;
  tcProgram(iface: string): string;
  readonly skMsg: string;
}

export function pinLayout(root: string): PinLayout {
  const maps = join(root, 'maps');
  const links = join(root, 'links');
  const tc = join(root, 'tc');
  const progs = join(root, 'progs');
  return {
    root,
    maps,
    links,
    tc,
    progs,
    map: (name) => join(maps, name),
    link: (id, hook) => join(links, `cg${id}_${hook}`),
    tcProgram: (iface) => join(tc, iface),
    skMsg: join(progs, 'sk_msg'),
  };
}

/** Parses a link pin's file name back into (cgroup id, hook). */
export function parseLinkName(name: string): { cgroupId: bigint; hook: CgroupHook } | undefined {
  const match = /^cg(\d+)_(connect4|connect6|sockops|getsockopt)$/.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  return { cgroupId: BigInt(match[1]), hook: match[2] as CgroupHook };
}
