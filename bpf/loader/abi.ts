/**
 * The TypeScript mirror of `bpf/redirect.h`: struct layouts, map names and constants, plus the
 * byte encoders the loader uses to read and write map entries. `test/bpf/abi.test.ts` checks
 * every layout here against the BTF of the compiled object, so a field that moves in the header
 * without moving here (or the reverse) fails the build's tests rather than corrupting maps.
 */

export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface StructLayout {
  /** The C struct name, as BTF names it. */
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldLayout[];
}

const struct = (name: string, size: number, fields: ReadonlyArray<readonly [string, number, number]>): StructLayout => ({
  name,
  size,
  fields: fields.map(([field, offset, bytes]) => ({ name: field, offset, size: bytes })),
});

export const RULE_KEY = struct('sluice_rule_key', 32, [
  ['addr', 0, 16],
  ['cgroup', 16, 8],
  ['port', 24, 2],
  ['family', 26, 1],
  ['pad', 27, 5],
]);

export const RULE_VALUE = struct('sluice_rule_value', 48, [
  ['proxy_addr', 0, 16],
  ['bind_addr', 16, 16],
  ['proxy_port', 32, 2],
  ['flags', 34, 2],
  ['netns_ino', 36, 4],
  ['listener_owner', 40, 8],
]);

export const ORIG_DST = struct('sluice_orig_dst', 20, [
  ['addr', 0, 16],
  ['port', 16, 2],
  ['family', 18, 1],
  ['pad', 19, 1],
]);

export const FLOW_KEY = struct('sluice_flow_key', 40, [
  ['client_addr', 0, 16],
  ['proxy_addr', 16, 16],
  ['client_port', 32, 2],
  ['proxy_port', 34, 2],
  ['family', 36, 1],
  ['pad', 37, 3],
]);

export const SOCK_KEY = struct('sluice_sock_key', 40, [
  ['local_addr', 0, 16],
  ['remote_addr', 16, 16],
  ['local_port', 32, 2],
  ['remote_port', 34, 2],
  ['family', 36, 1],
  ['pad', 37, 3],
]);

export const LISTENER_KEY = struct('sluice_listener_key', 16, [
  ['owner', 0, 8],
  ['port', 8, 2],
  ['family', 10, 1],
  ['pad', 11, 5],
]);

const CONFIG = struct('sluice_config', 8, [
  ['proxy_mark', 0, 4],
  ['flags', 4, 4],
]);

/** Every layout the header defines, for the ABI test. */
export const LAYOUTS: readonly StructLayout[] = [RULE_KEY, RULE_VALUE, ORIG_DST, FLOW_KEY, SOCK_KEY, LISTENER_KEY, CONFIG];

/** Pinned map names (the `sluice_` prefix keeps them apart from other tools' pins). */
export const MAP_NAMES = {
  outRules: 'sluice_out_rules',
  inRules: 'sluice_in_rules',
  proxyCgroups: 'sluice_proxy_cgroups',
  cookies: 'sluice_cookies',
  flows: 'sluice_flows',
  sockhash: 'sluice_sockhash',
  stats: 'sluice_stats',
  workloads: 'sluice_workloads',
  proxyListeners: 'sluice_proxy_listeners',
  inboundIfaces: 'sluice_inbound_ifaces',
  proxyConns: 'sluice_proxy_conns',
  sidecarPorts: 'sluice_sidecar_ports',
} as const;

/** Program (function) names in redirect.c. */
export const PROGRAM_NAMES = {
  connect4: 'sluice_connect4',
  connect6: 'sluice_connect6',
  sockops: 'sluice_sockops',
  proxySockops: 'sluice_proxy_sockops',
  getsockopt: 'sluice_getsockopt',
  skMsg: 'sluice_sk_msg',
  skLookup: 'sluice_sk_lookup',
  podSkLookup: 'sluice_pod_sk_lookup',
} as const;

/** The load-time configuration global and the name of the section it lives in. */
export const CONFIG_VARIABLE = 'sluice_cfg';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOL_IP = 0;
export const SOL_IPV6 = 41;
export const SO_ORIGINAL_DST = 80;
export const IP6T_SO_ORIGINAL_DST = 80;
export const CFG_F_SOCKMAP = 0x1;
/** `sluice_rule_value.flags`: outbound, bind the source to the workload's address first. */
export const RULE_F_BIND = 0x1;
/** `sluice_rule_value.flags`: inbound, deliver to the workload when no proxy listens. */
export const RULE_F_FAIL_OPEN = 0x2;
/**
 * `sluice_rule_value.flags`: inbound, a node-mode Pod's rule: steered in the Pod's namespace (only) to the node proxy's
 * listener there (owner 0), and only if that listener is in the namespace `netns_ino` names.
 */
export const RULE_F_POD_NETNS = 0x4;
/** `enum sluice_mark`: the SO_MARK of the proxy's inbound leg (the compiler sets it on that cluster). */
export { INBOUND_LEG_MARK } from '../../policy-compiler/index.js';
/** Key of `sluice_inbound_ifaces` meaning every interface except loopback. */
export const IFACE_ANY = 0;

/** `enum sluice_stat`: index → name, in order. */
export const STAT_NAMES = [
  'out_redirected',
  'out_skipped_proxy',
  'flow_recorded',
  'sockopt_answered',
  'in_assigned',
  'in_refused',
  'sockmap_added',
  'out_bind_failed',
  'in_fail_open',
  'listener_added',
  'in_proxy_leg',
  'in_wrong_netns',
] as const;
export type StatName = (typeof STAT_NAMES)[number];

export type Family = typeof AF_INET | typeof AF_INET6;

/** A destination as the maps hold it: 16 address bytes in network order (IPv4 in the first 4). */
export interface RuleKey {
  readonly family: Family;
  readonly addr: Buffer;
  readonly port: number;
  /** Outbound: the workload's cgroup id; inbound: 0n. */
  readonly cgroup: bigint;
}

export interface RuleValue {
  readonly proxyAddr: Buffer;
  readonly proxyPort: number;
  /** Outbound: the workload address the connection is bound to (with RULE_F_BIND). */
  readonly bindAddr: Buffer;
  readonly flags: number;
  /** Inbound: whose listener takes the connection, 0n the node's proxies, else a sidecar container's cgroup id (default 0n). */
  readonly listenerOwner?: bigint;
  /** With RULE_F_POD_NETNS: the Pod's network namespace inode, which the listener's must be (default 0). */
  readonly netnsIno?: number;
}

function field(layout: StructLayout, name: string): FieldLayout {
  const found = layout.fields.find((f) => f.name === name);
  if (!found) throw new Error(`abi: ${layout.name} has no field ${name}`);
  return found;
}

function family(value: number): Family {
  if (value === AF_INET || value === AF_INET6) return value;
  throw new Error(`abi: unknown address family ${value}`);
}

export function encodeRuleKey(key: RuleKey): Buffer {
  const b = Buffer.alloc(RULE_KEY.size);
  key.addr.copy(b, field(RULE_KEY, 'addr').offset, 0, 16);
  b.writeBigUInt64LE(key.cgroup, field(RULE_KEY, 'cgroup').offset);
  b.writeUInt16LE(key.port, field(RULE_KEY, 'port').offset);
  b.writeUInt8(key.family, field(RULE_KEY, 'family').offset);
  return b;
}

export function decodeRuleKey(b: Buffer): RuleKey {
  const a = field(RULE_KEY, 'addr').offset;
  return {
    addr: Buffer.from(b.subarray(a, a + 16)),
    cgroup: b.readBigUInt64LE(field(RULE_KEY, 'cgroup').offset),
    port: b.readUInt16LE(field(RULE_KEY, 'port').offset),
    family: family(b.readUInt8(field(RULE_KEY, 'family').offset)),
  };
}

export function encodeRuleValue(value: RuleValue): Buffer {
  const b = Buffer.alloc(RULE_VALUE.size);
  value.proxyAddr.copy(b, field(RULE_VALUE, 'proxy_addr').offset, 0, 16);
  value.bindAddr.copy(b, field(RULE_VALUE, 'bind_addr').offset, 0, 16);
  b.writeUInt16LE(value.proxyPort, field(RULE_VALUE, 'proxy_port').offset);
  b.writeUInt16LE(value.flags, field(RULE_VALUE, 'flags').offset);
  b.writeUInt32LE(value.netnsIno ?? 0, field(RULE_VALUE, 'netns_ino').offset);
  b.writeBigUInt64LE(value.listenerOwner ?? 0n, field(RULE_VALUE, 'listener_owner').offset);
  return b;
}

export function decodeRuleValue(b: Buffer): RuleValue {
  const a = field(RULE_VALUE, 'proxy_addr').offset;
  const bind = field(RULE_VALUE, 'bind_addr').offset;
  return {
    proxyAddr: Buffer.from(b.subarray(a, a + 16)),
    bindAddr: Buffer.from(b.subarray(bind, bind + 16)),
    proxyPort: b.readUInt16LE(field(RULE_VALUE, 'proxy_port').offset),
    flags: b.readUInt16LE(field(RULE_VALUE, 'flags').offset),
    listenerOwner: b.readBigUInt64LE(field(RULE_VALUE, 'listener_owner').offset),
    netnsIno: b.readUInt32LE(field(RULE_VALUE, 'netns_ino').offset),
  };
}

/** A proxy's listening socket as `sluice_proxy_listeners` keys it. */
export interface ListenerKey {
  /** 0n: the node's own proxies; else the cgroup id of the sidecar container that listens. */
  readonly owner: bigint;
  readonly family: Family;
  readonly port: number;
}

export function decodeListenerKey(b: Buffer): ListenerKey | undefined {
  const raw = b.readUInt8(field(LISTENER_KEY, 'family').offset);
  if (raw !== AF_INET && raw !== AF_INET6) return undefined;
  return { owner: b.readBigUInt64LE(field(LISTENER_KEY, 'owner').offset), family: raw, port: b.readUInt16LE(field(LISTENER_KEY, 'port').offset) };
}

export function encodeConfig(config: { readonly proxyMark: number; readonly flags: number }, size: number): Buffer {
  const b = Buffer.alloc(Math.max(size, CONFIG.size));
  b.writeUInt32LE(config.proxyMark >>> 0, field(CONFIG, 'proxy_mark').offset);
  b.writeUInt32LE(config.flags >>> 0, field(CONFIG, 'flags').offset);
  return b;
}
