/**
 * What is in the kernel under a pin root, in readable form: attachments (with their live program
 * ids and names), the redirect rules, proxy cgroups, flow counts and the programs' counters.
 * Read-only; it never changes a map.
 */
import { closeSync, existsSync, readdirSync } from 'node:fs';
import type { RedirectDirection } from '../../policy-compiler/index.js';
import { AF_INET, IFACE_ANY, MAP_NAMES, RULE_F_BIND, RULE_F_FAIL_OPEN, RULE_F_POD_NETNS, STAT_NAMES, decodeListenerKey, decodeRuleKey, decodeRuleValue, type StatName } from './abi.js';
import { formatAddress, formatEndpoint, isAny } from './addr.js';
import { checkBpffs } from './environment.js';
import { BpfError } from './errors.js';
import { getLibbpf } from './libbpf.js';
import { MAP_SHAPES } from './loader.js';
import { PinnedMap } from './maps.js';
import { parseLinkName, pinLayout, type CgroupHook } from './pins.js';

export type Attachment =
  | {
      readonly kind: 'cgroup';
      readonly hook: CgroupHook;
      readonly cgroupId: bigint;
      readonly programId: number;
      readonly programName: string;
      readonly pin: string;
    }
  | {
      readonly kind: 'netns';
      readonly hook: 'sk_lookup';
      /** The network namespace's inode (as `ls -i /proc/PID/ns/net` shows it). */
      readonly netnsIno: bigint;
      readonly programId: number;
      readonly programName: string;
      readonly pin: string;
    };

export interface RuleView {
  readonly direction: RedirectDirection;
  readonly family: 'IPv4' | 'IPv6';
  /** Undefined for "any address on this port". */
  readonly address: string | undefined;
  readonly port: number;
  readonly proxyPort: number;
  /** Outbound: the workload cgroup id the rule belongs to. */
  readonly cgroup?: bigint;
  /** Outbound: the address the workload's connections are bound to. */
  readonly bind?: string;
  /** Inbound: delivered to the workload while no proxy listens. */
  readonly failOpen?: boolean;
  /** Inbound in a sidecar Pod's network namespace: the sidecar container's cgroup id, whose listener takes it. */
  readonly listenerOwner?: bigint;
  /** Inbound, a node-mode Pod's: the Pod's network namespace inode, the only one whose node proxy listener takes it. */
  readonly podNetnsIno?: number;
  /**
   * `outbound cg42 *:443 (IPv4) → 127.0.0.1:15001 bind 10.1.0.9`, `inbound 10.1.0.7:8080 → :15006`,
   * `inbound 10.1.0.7:8080 → :15006 sidecar cg42`, `inbound 10.1.0.7:8080 → :15100 in netns 4026532178`.
   */
  readonly text: string;
}

export interface DataplaneStatus {
  readonly pinRoot: string;
  readonly attachments: readonly Attachment[];
  readonly rules: readonly RuleView[];
  readonly proxyCgroups: readonly bigint[];
  /** Workload cgroup ids that own outbound rules. */
  readonly workloads: readonly bigint[];
  /** The node's proxies' listening sockets inbound connections can be steered to, as `IPv4 :15006`. */
  readonly listeners: readonly string[];
  /**
   * Every other listening socket below the attach cgroup, by the cgroup id of its process
   * (`IPv4 :15006 cg42`): a sidecar's takes its Pod's inbound connections, the others are never named.
   */
  readonly cgroupListeners: readonly string[];
  /** The ports on which a listener below the attach cgroup is registered by its cgroup id (sidecars' inbound ports). */
  readonly sidecarPorts: readonly number[];
  /** Interface indices whose inbound connections are steered; `any` for all but loopback. */
  readonly inboundInterfaces: ReadonlyArray<number | 'any'>;
  /** Redirected connections whose original destination the proxy can still ask for. */
  readonly flows: number;
  readonly sockmap: boolean;
  readonly stats: Readonly<Record<StatName, bigint>>;
}

function linkInfo(pin: string): { programId: number; cgroupId: bigint } | undefined {
  const lib = getLibbpf();
  const fd = lib.objGet(pin);
  if (fd < 0) return undefined;
  try {
    // struct bpf_link_info: type 0, id 4, prog_id 8, cgroup.cgroup_id 16, cgroup.attach_type 24.
    const info = Buffer.alloc(48);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(info.length);
    if (lib.objGetInfoByFd(fd, info, len) < 0) return undefined;
    return { programId: info.readUInt32LE(8), cgroupId: info.readBigUInt64LE(16) };
  } finally {
    closeSync(fd);
  }
}

/** A loaded program's name (struct bpf_prog_info: name[16] at offset 64). */
export function programName(id: number): string {
  const lib = getLibbpf();
  const fd = lib.progGetFdById(id);
  if (fd < 0) return '?';
  try {
    const info = Buffer.alloc(232);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(info.length);
    if (lib.objGetInfoByFd(fd, info, len) < 0) return '?';
    const name = info.subarray(64, 80);
    const end = name.indexOf(0);
    return name.subarray(0, end < 0 ? 16 : end).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function ruleViews(map: PinnedMap, direction: RedirectDirection): RuleView[] {
  return map.entries().map(({ key, value }) => {
    const k = decodeRuleKey(key);
    const v = decodeRuleValue(value);
    const any = isAny(k.addr);
    const family = k.family === AF_INET ? 'IPv4' : 'IPv6';
    const owner = v.listenerOwner ?? 0n;
    const podNetns = direction === 'inbound' && (v.flags & RULE_F_POD_NETNS) !== 0 ? (v.netnsIno ?? 0) : undefined;
    const listener = owner !== 0n ? ` sidecar cg${owner}` : podNetns !== undefined ? ` in netns ${podNetns}` : '';
    const target = direction === 'outbound' ? formatEndpoint(k.family, v.proxyAddr, v.proxyPort) : `:${v.proxyPort}${listener}`;
    const from = any ? `*:${k.port} (${family})` : formatEndpoint(k.family, k.addr, k.port);
    const bind = v.flags & RULE_F_BIND ? formatAddress(k.family, v.bindAddr) : undefined;
    const failOpen = (v.flags & RULE_F_FAIL_OPEN) !== 0;
    const who = direction === 'outbound' ? `cg${k.cgroup} ` : '';
    const extra = direction === 'outbound' ? (bind ? ` bind ${bind}` : ' (no source bound)') : failOpen ? ' (fail-open)' : '';
    return {
      direction,
      family,
      address: any ? undefined : formatAddress(k.family, k.addr),
      port: k.port,
      proxyPort: v.proxyPort,
      ...(direction === 'outbound' ? { cgroup: k.cgroup, ...(bind ? { bind } : {}) } : { failOpen, ...(owner === 0n ? {} : { listenerOwner: owner }), ...(podNetns === undefined ? {} : { podNetnsIno: podNetns }) }),
      text: `${direction} ${who}${from} → ${target}${extra}`,
    };
  });
}

/** The programs' counters, from the stats array map. */
export function readStats(map: PinnedMap): Record<StatName, bigint> {
  return Object.fromEntries(
    STAT_NAMES.map((name, index) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(index);
      return [name, map.lookup(key)?.readBigUInt64LE(0) ?? 0n];
    }),
  ) as Record<StatName, bigint>;
}

/** Reads the dataplane under `pinRoot`; `not-loaded` when nothing is pinned there. */
/** Listening sockets as `IPv4 :15006`: the node's proxies' (owner 0), or every other one's, with the listener's cgroup id (`IPv4 :15006 cg42`). */
function listenerViews(map: PinnedMap, proxies: boolean): string[] {
  return map
    .keys()
    .flatMap((k) => {
      const l = decodeListenerKey(k);
      if (!l || (l.owner === 0n) !== proxies) return [];
      return [`${l.family === AF_INET ? 'IPv4' : 'IPv6'} :${l.port}${proxies ? '' : ` cg${l.owner}`}`];
    })
    .sort();
}

export function readStatus(pinRoot: string): DataplaneStatus {
  checkBpffs(pinRoot);
  const layout = pinLayout(pinRoot);
  if (!existsSync(layout.map(MAP_NAMES.outRules))) throw new BpfError('not-loaded', `nothing is loaded under ${pinRoot}`);
  const attachments: Attachment[] = [];
  for (const name of existsSync(layout.links) ? readdirSync(layout.links).sort() : []) {
    const parsed = parseLinkName(name);
    const pin = `${layout.links}/${name}`;
    const info = linkInfo(pin);
    if (!parsed || !info) continue;
    const prog = { programId: info.programId, programName: programName(info.programId), pin };
    if (parsed.kind === 'cgroup') attachments.push({ kind: 'cgroup', hook: parsed.hook, cgroupId: info.cgroupId, ...prog });
    else attachments.push({ kind: 'netns', hook: 'sk_lookup', netnsIno: parsed.netnsIno, ...prog });
  }
  const open = (key: keyof typeof MAP_NAMES): PinnedMap => PinnedMap.open(layout.map(MAP_NAMES[key]), MAP_SHAPES[key]);
  const maps = {
    out: open('outRules'),
    in: open('inRules'),
    proxies: open('proxyCgroups'),
    flows: open('flows'),
    stats: open('stats'),
    workloads: open('workloads'),
    listeners: open('proxyListeners'),
    ifaces: open('inboundIfaces'),
    sidecarPorts: open('sidecarPorts'),
  };
  try {
    const rules = [...ruleViews(maps.out, 'outbound'), ...ruleViews(maps.in, 'inbound')].sort((a, b) => a.text.localeCompare(b.text));
    const stats = readStats(maps.stats);
    return {
      pinRoot,
      attachments,
      rules,
      proxyCgroups: maps.proxies.entries().map((e) => e.key.readBigUInt64LE(0)),
      workloads: maps.workloads.keys().map((k) => k.readBigUInt64LE(0)),
      listeners: listenerViews(maps.listeners, true),
      cgroupListeners: listenerViews(maps.listeners, false),
      sidecarPorts: maps.sidecarPorts.keys().map((k) => k.readUInt32LE(0)).sort((a, b) => a - b),
      inboundInterfaces: maps.ifaces.keys().map((k) => (k.readUInt32LE(0) === IFACE_ANY ? ('any' as const) : k.readUInt32LE(0))),
      flows: maps.flows.entries().length,
      sockmap: existsSync(layout.skMsg),
      stats,
    };
  } finally {
    for (const m of Object.values(maps)) m.close();
  }
}
