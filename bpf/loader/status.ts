/**
 * What is in the kernel under a pin root, in readable form: attachments (with their live program
 * ids and names), the redirect rules, proxy cgroups, flow counts and the programs' counters.
 * Read-only; it never changes a map.
 */
import { closeSync, existsSync, readdirSync } from 'node:fs';
import type { RedirectDirection } from '../../policy-compiler/index.js';
import { AF_INET, MAP_NAMES, STAT_NAMES, decodeRuleKey, decodeRuleValue, type StatName } from './abi.js';
import { formatAddress, formatEndpoint, isAny } from './addr.js';
import { checkBpffs } from './environment.js';
import { BpfError } from './errors.js';
import { getLibbpf } from './libbpf.js';
import { MAP_SHAPES } from './loader.js';
import { PinnedMap } from './maps.js';
import { parseLinkName, pinLayout, type CgroupHook } from './pins.js';
import { queryTcIngress } from './tc.js';

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
      readonly kind: 'tc';
      readonly iface: string;
      /** The program id attached at the interface now; undefined when the filter is gone. */
      readonly programId: number | undefined;
      readonly pin: string;
    };

export interface RuleView {
  readonly direction: RedirectDirection;
  readonly family: 'IPv4' | 'IPv6';
  /** Undefined for "any address on this port". */
  readonly address: string | undefined;
  readonly port: number;
  readonly proxyPort: number;
  /** `outbound 10.1.0.7:8080 → 127.0.0.1:15001`, `inbound *:8080 → :15006`. */
  readonly text: string;
}

export interface DataplaneStatus {
  readonly pinRoot: string;
  readonly attachments: readonly Attachment[];
  readonly rules: readonly RuleView[];
  readonly proxyCgroups: readonly bigint[];
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
    const target = direction === 'outbound' ? formatEndpoint(k.family, v.proxyAddr, v.proxyPort) : `:${v.proxyPort}`;
    const from = any ? `*:${k.port} (${family})` : formatEndpoint(k.family, k.addr, k.port);
    return {
      direction,
      family,
      address: any ? undefined : formatAddress(k.family, k.addr),
      port: k.port,
      proxyPort: v.proxyPort,
      text: `${direction} ${from} → ${target}`,
    };
  });
}

/** Reads the dataplane under `pinRoot`; `not-loaded` when nothing is pinned there. */
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
    attachments.push({ kind: 'cgroup', hook: parsed.hook, cgroupId: info.cgroupId, programId: info.programId, programName: programName(info.programId), pin });
  }
  for (const iface of existsSync(layout.tc) ? readdirSync(layout.tc).sort() : []) {
    attachments.push({ kind: 'tc', iface, programId: queryTcIngress(iface), pin: layout.tcProgram(iface) });
  }
  const open = (key: keyof typeof MAP_NAMES): PinnedMap => PinnedMap.open(layout.map(MAP_NAMES[key]), MAP_SHAPES[key]);
  const maps = { out: open('outRules'), in: open('inRules'), proxies: open('proxyCgroups'), flows: open('flows'), stats: open('stats') };
  try {
    const rules = [...ruleViews(maps.out, 'outbound'), ...ruleViews(maps.in, 'inbound')].sort((a, b) => a.text.localeCompare(b.text));
    const stats = Object.fromEntries(
      STAT_NAMES.map((name, index) => {
        const key = Buffer.alloc(4);
        key.writeUInt32LE(index);
        return [name, maps.stats.lookup(key)?.readBigUInt64LE(0) ?? 0n];
      }),
    ) as Record<StatName, bigint>;
    return {
      pinRoot,
      attachments,
      rules,
      proxyCgroups: maps.proxies.entries().map((e) => e.key.readBigUInt64LE(0)),
      flows: maps.flows.entries().length,
      sockmap: existsSync(layout.skMsg),
      stats,
    };
  } finally {
    for (const m of Object.values(maps)) m.close();
  }
}
