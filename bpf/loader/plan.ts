/**
 * Map sync, the pure half: redirect entries → the exact rule-map contents they mean, and the
 * difference between those contents and what the kernel holds. No I/O here; `dataplane.ts`
 * applies the result to the pinned maps.
 */
import type { RedirectEntry } from '../../policy-compiler/index.js';
import { AF_INET, AF_INET6, encodeRuleKey, encodeRuleValue, type Family } from './abi.js';
import { anyAddress, parseAddress, type MapAddress } from './addr.js';

export type RuleMap = 'out' | 'in';

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
}

export interface RulePlan {
  /** Keyed by `${map}/${key hex}`. */
  readonly rules: ReadonlyMap<string, DesiredRule>;
  readonly ignored: number;
  /** Problems with a field path (`entries[2].port: …`); a non-empty list means nothing is applied. */
  readonly issues: readonly string[];
}

const isPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

export const ruleId = (map: RuleMap, key: Buffer): string => `${map}/${key.toString('hex')}`;

/** Turns entries into the rule-map contents they mean: one key per (direction, address, port). */
export function planRules(entries: readonly RedirectEntry[], options: PlanOptions): RulePlan {
  const rules = new Map<string, DesiredRule>();
  const issues: string[] = [];
  let ignored = 0;
  entries.forEach((entry, index) => {
    const at = `entries[${index}]`;
    if (options.node !== undefined && entry.node !== options.node) {
      ignored += 1;
      return;
    }
    const before = issues.length;
    if (entry.direction !== 'outbound' && entry.direction !== 'inbound') {
      issues.push(`${at}.direction: expected "outbound" or "inbound", got ${JSON.stringify(entry.direction)}`);
    }
    if (!isPort(entry.port)) issues.push(`${at}.port: expected an integer 1..65535, got ${JSON.stringify(entry.port)}`);
    if (!isPort(entry.proxyPort)) {
      issues.push(`${at}.proxyPort: expected an integer 1..65535, got ${JSON.stringify(entry.proxyPort)}`);
    }
    const address = entry.address === undefined ? undefined : parseAddress(entry.address);
    if (entry.address !== undefined && !address) {
      issues.push(`${at}.address: expected an IPv4 or IPv6 address without prefix, got ${JSON.stringify(entry.address)}`);
    }
    if (issues.length > before) return;
    const map: RuleMap = entry.direction === 'outbound' ? 'out' : 'in';
    const targets: readonly MapAddress[] = address ? [address] : [anyAddress(AF_INET), anyAddress(AF_INET6)];
    for (const target of targets) {
      const key = encodeRuleKey({ family: target.family, addr: target.bytes, port: entry.port });
      const proxyAddr = map === 'out' ? proxyFor(target.family, options) : Buffer.alloc(16);
      const value = encodeRuleValue({ proxyAddr, proxyPort: entry.proxyPort });
      const id = ruleId(map, key);
      const existing = rules.get(id);
      if (existing && !existing.value.equals(value)) {
        issues.push(
          `${at}: ${entry.direction} ${entry.address ?? '*'}:${entry.port} is already redirected by entries[${existing.source}] to another proxy port`,
        );
        continue;
      }
      if (!existing) rules.set(id, { map, key, value, source: index });
    }
  });
  return { rules, ignored, issues };
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
