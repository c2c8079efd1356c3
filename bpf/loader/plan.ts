/**
 * Map sync, the pure half: redirect entries → the exact map contents they mean (rules, and the
 * set of workload cgroups that own outbound rules), and the difference between those contents
 * and what the kernel holds. No I/O here: cgroup paths are resolved to ids by a function the
 * caller injects, and `dataplane.ts` applies the result to the pinned maps.
 */
import { formatHostPort } from '../../ip/index.js';
import { redirectKey, type OutboundRedirect, type RedirectEntry } from '../../policy-compiler/index.js';
import type { Diagnostic } from '../../problems/index.js';
import { AF_INET, AF_INET6, RULE_F_BIND, RULE_F_FAIL_OPEN, RULE_F_POD_NETNS, encodeRuleKey, encodeRuleValue, type Family } from './abi.js';
import { anyAddress, parseAddress, type MapAddress } from './addr.js';

export type RuleMap = 'out' | 'in' | 'workloads';

/** One map entry the entries call for. */
export interface DesiredRule {
  readonly map: RuleMap;
  readonly key: Buffer;
  readonly value: Buffer;
  /** Index of the entry that produced it (for error messages). */
  readonly source: number;
}

export interface PlanOptions {
  /** Only entries for this proxy node are applied; others are counted as ignored. */
  readonly node?: string;
  /** Where outbound connections are rewritten to, per family (the proxy's loopback listener). */
  readonly outboundProxy: { readonly v4: MapAddress; readonly v6: MapAddress };
  /** The id of the cgroup the programs are attached to: the identity of entries that name no cgroup. */
  readonly defaultCgroup: bigint;
  /** A workload cgroup path (as /proc/PID/cgroup names it) → its id, or undefined when it does not exist. */
  readonly resolveCgroup: (path: string) => bigint | undefined;
}

/** An entry whose cgroup (outbound: the workload's; inbound: the sidecar's) does not exist (yet): its connections are not steered. */
export interface Unresolved {
  readonly source: number;
  readonly workloads: readonly string[];
  readonly cgroup: string;
}

export interface RulePlan {
  /** Keyed by `${map}/${key hex}`. */
  readonly rules: ReadonlyMap<string, DesiredRule>;
  readonly ignored: number;
  readonly unresolved: readonly Unresolved[];
  /** Problems with a field path (`entries[2].port`), each naming its entry; a non-empty list means nothing is applied. */
  readonly issues: readonly Diagnostic[];
}

/** A problem with one redirect entry (bad input to the dataplane: a Diagnostic, naming the entry when it has a key). */
function issue(code: string, path: string, message: string, entry?: RedirectEntry): Diagnostic {
  return { severity: 'error', code, path, message, ...(entry ? { subject: { kind: 'redirect', key: redirectKey(entry) } } : {}) };
}

const isPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
/** A network namespace inode as `sluice_rule_value.netns_ino` holds it (0 would name no namespace). */
const isNetnsIno = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 0xffffffff;

export const ruleId = (map: RuleMap, key: Buffer): string => `${map}/${key.toString('hex')}`;

const ZERO16 = Buffer.alloc(16);

/** Turns entries into the map contents they mean: one rule key per (workload, direction, address, port, family). */
export function planRules(entries: readonly RedirectEntry[], options: PlanOptions): RulePlan {
  const rules = new Map<string, DesiredRule>();
  const issues: Diagnostic[] = [];
  const unresolved: Unresolved[] = [];
  let ignored = 0;
  const put = (rule: DesiredRule, what: string, at: string): void => {
    const id = ruleId(rule.map, rule.key);
    const existing = rules.get(id);
    if (existing && !existing.value.equals(rule.value)) {
      issues.push(issue('redirect.conflict', at, `${what} is already redirected differently by entries[${existing.source}]`, entries[rule.source]));
      return;
    }
    if (!existing) rules.set(id, rule);
  };
  entries.forEach((entry, index) => {
    const at = `entries[${index}]`;
    if (options.node !== undefined && entry.node !== options.node) {
      ignored += 1;
      return;
    }
    const before = issues.length;
    if (entry.direction !== 'outbound' && entry.direction !== 'inbound') {
      issues.push(issue('redirect.direction', `${at}.direction`, `expected "outbound" or "inbound", got ${JSON.stringify((entry as { direction: unknown }).direction)}`));
      return;
    }
    if (!isPort(entry.port)) issues.push(issue('redirect.port', `${at}.port`, `expected an integer 1..65535, got ${JSON.stringify(entry.port)}`, entry));
    if (!isPort(entry.proxyPort)) issues.push(issue('redirect.port', `${at}.proxyPort`, `expected an integer 1..65535, got ${JSON.stringify(entry.proxyPort)}`, entry));
    const address = entry.address === undefined ? undefined : parseAddress(entry.address);
    if (entry.address !== undefined && !address) {
      issues.push(issue('redirect.address', `${at}.address`, `expected an IPv4 or IPv6 address without prefix, got ${JSON.stringify(entry.address)}`, entry));
    }
    // Fail closed: a node-mode rule that cannot tell the Pod's namespace from another could hand its connections to a foreign listener.
    if (entry.direction === 'inbound' && entry.nodeProxyInPod && !isNetnsIno(entry.podNetnsIno)) {
      issues.push(issue('redirect.netns', `${at}.podNetnsIno`, `a node-mode Pod's entry (nodeProxyInPod) needs its network namespace's inode, an integer 1..4294967295, got ${JSON.stringify(entry.podNetnsIno) ?? 'none'}`, entry));
    }
    const bind = entry.direction === 'outbound' ? bindAddresses(entry, 'bind', `${at}.bind`, issues) : undefined;
    const proxy = entry.direction === 'outbound' ? bindAddresses(entry, 'proxy', `${at}.proxy`, issues) : undefined;
    if (issues.length > before) return;
    const targets: readonly MapAddress[] = address ? [address] : [anyAddress(AF_INET), anyAddress(AF_INET6)];
    if (entry.direction === 'inbound') {
      // A sidecar Pod's: its sidecar container's listener (the node agent resolved it), or not steered yet.
      // A node-mode Pod's: the node proxy's listener in the Pod's namespace (owner 0), flagged so only that namespace's program steers it.
      const owner = entry.nodeProxyInPod ? 0n : entry.listenerCgroup !== undefined ? options.resolveCgroup(entry.listenerCgroup) : entry.podUid !== undefined ? undefined : 0n;
      if (owner === undefined) {
        unresolved.push({ source: index, workloads: [], cgroup: entry.listenerCgroup ?? `pod ${entry.podUid ?? ''}` });
        return;
      }
      for (const target of targets) {
        const key = encodeRuleKey({ family: target.family, addr: target.bytes, port: entry.port, cgroup: 0n });
        const value = encodeRuleValue({ proxyAddr: ZERO16, bindAddr: ZERO16, proxyPort: entry.proxyPort, flags: (entry.failOpen ? RULE_F_FAIL_OPEN : 0) | (entry.nodeProxyInPod ? RULE_F_POD_NETNS : 0), listenerOwner: owner, netnsIno: entry.nodeProxyInPod ? entry.podNetnsIno : 0 });
        put({ map: 'in', key, value, source: index }, `inbound ${formatHostPort(entry.address ?? '*', entry.port)}`, at);
      }
      return;
    }
    // A Pod UID is resolved by the node agent (to the Pod's cgroup) before it syncs; here it names nothing.
    const cgroup = entry.cgroup !== undefined ? options.resolveCgroup(entry.cgroup) : entry.podUid !== undefined ? undefined : options.defaultCgroup;
    if (cgroup === undefined) {
      unresolved.push({ source: index, workloads: entry.workloads, cgroup: entry.cgroup ?? `pod ${entry.podUid ?? ''}` });
      return;
    }
    const workloadKey = Buffer.alloc(8);
    workloadKey.writeBigUInt64LE(cgroup);
    put({ map: 'workloads', key: workloadKey, value: Buffer.alloc(4), source: index }, `workload cgroup ${cgroup}`, at);
    for (const target of targets) {
      const own = target.family === AF_INET ? bind?.v4 : bind?.v6;
      const key = encodeRuleKey({ family: target.family, addr: target.bytes, port: entry.port, cgroup });
      const via = target.family === AF_INET ? proxy?.v4 : proxy?.v6;
      const value = encodeRuleValue({ proxyAddr: via?.bytes ?? proxyFor(target.family, options), bindAddr: own?.bytes ?? ZERO16, proxyPort: entry.proxyPort, flags: own ? RULE_F_BIND : 0 });
      put({ map: 'out', key, value, source: index }, `outbound ${formatHostPort(entry.address ?? '*', entry.port)} of ${entry.workloads.join(', ')}`, at);
    }
  });
  return { rules, ignored, unresolved, issues };
}

/** The per-family addresses of an entry's `bind` or `proxy`, checked. */
function bindAddresses(entry: OutboundRedirect, field: 'bind' | 'proxy', at: string, issues: Diagnostic[]): { v4?: MapAddress; v6?: MapAddress } {
  const bind = entry[field];
  const out: { v4?: MapAddress; v6?: MapAddress } = {};
  for (const [name, want] of [['v4', AF_INET], ['v6', AF_INET6]] as const) {
    const text = bind?.[name];
    if (text === undefined) continue;
    const parsed = parseAddress(text);
    if (!parsed || parsed.family !== want) issues.push(issue(`redirect.${field}`, `${at}.${name}`, `expected an ${name === 'v4' ? 'IPv4' : 'IPv6'} address, got ${JSON.stringify(text)}`, entry));
    else out[name] = parsed;
  }
  return out;
}

function proxyFor(family: Family, options: PlanOptions): Buffer {
  return family === AF_INET ? options.outboundProxy.v4.bytes : options.outboundProxy.v6.bytes;
}

/** A rule as the kernel holds it. */
export interface CurrentRule {
  readonly map: RuleMap;
  readonly key: Buffer;
  readonly value: Buffer;
}

export type RuleOp =
  | { readonly kind: 'add'; readonly rule: DesiredRule }
  | { readonly kind: 'change'; readonly rule: DesiredRule }
  | { readonly kind: 'remove'; readonly rule: CurrentRule };

export interface RuleDiff {
  readonly ops: readonly RuleOp[];
  readonly unchanged: number;
}

/** The smallest set of map writes that turns `current` into `desired`; untouched keys are counted. */
export function diffRules(current: readonly CurrentRule[], desired: ReadonlyMap<string, DesiredRule>): RuleDiff {
  const ops: RuleOp[] = [];
  const seen = new Set<string>();
  let unchanged = 0;
  for (const rule of current) {
    const id = ruleId(rule.map, rule.key);
    seen.add(id);
    const want = desired.get(id);
    if (!want) ops.push({ kind: 'remove', rule });
    else if (!want.value.equals(rule.value)) ops.push({ kind: 'change', rule: want });
    else unchanged += 1;
  }
  for (const [id, rule] of desired) if (!seen.has(id)) ops.push({ kind: 'add', rule });
  return { ops, unchanged };
}

export { AF_INET, AF_INET6 };
