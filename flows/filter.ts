/**
 * Flow filters, Hubble `observe` style, parsed in one place for `sluice observe` and the `/flows`
 * admin route: the CLI's flags and the route's query parameters are the same names
 * (`verdict=denied`, `since=5m`, `from=shop/web`). Every problem is a Diagnostic whose path names
 * the parameter (`verdict[1]`), never an exception.
 */
import { parseObjectKey, type Diagnostic } from '../policy-compiler/index.js';
import { canonicalPeer, isIpAddress } from '../ip/index.js';
import { PROTOCOLS, VERDICTS, DIRECTIONS, type Direction, type FlowEndpoint, type Protocol, type Verdict } from './record.js';

/** Who a `--from` / `--to` value names. */
export type PeerMatch =
  | { readonly kind: 'workload'; readonly namespace?: string; readonly name: string }
  | { readonly kind: 'label'; readonly key: string; readonly value?: string }
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'unknown' };

export interface FlowFilter {
  /** Milliseconds since the epoch; flows at or after. */
  readonly since?: number;
  readonly until?: number;
  readonly verdicts?: readonly Verdict[];
  readonly protocols?: readonly Protocol[];
  readonly directions?: readonly Direction[];
  /** Either side in one of these namespaces. */
  readonly namespaces?: readonly string[];
  readonly from?: readonly PeerMatch[];
  readonly to?: readonly PeerMatch[];
  /** `namespace/name`: the deciding policy. */
  readonly policies?: readonly string[];
  readonly nodes?: readonly string[];
  /** RE2 patterns, matched anywhere in the HTTP path (query string excluded). */
  readonly httpPaths?: readonly string[];
}

export interface FlowQuery {
  readonly filter: FlowFilter;
  /** How many of the newest matching flows (`--last`; default 20 without `--follow`). */
  readonly last?: number;
  readonly follow: boolean;
}

/** `a, b or c` (a help line's choices; "unknown" is a value flows may carry, not one to ask for). */
const oneOf = (all: readonly string[]) => {
  const values = all.filter((v) => v !== 'unknown');
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`;
};

/** Every parameter the parser knows, with its help line (the CLI's and the route's). */
export const FILTER_PARAMS = {
  since: 'only flows at or after: a duration back from now (30s, 5m, 24h, 1h30m) or an RFC 3339 time',
  until: 'only flows before: a duration back from now or an RFC 3339 time',
  verdict: `${oneOf(VERDICTS)} (repeatable: any of them)`,
  protocol: `${oneOf(PROTOCOLS)} (repeatable; tcp: connections no filter chain accepts)`,
  direction: oneOf(DIRECTIONS),
  namespace: 'either side in this namespace (repeatable)',
  from: 'the source: a workload (NS/NAME or NAME), a label (KEY=VALUE, or KEY= for any value), an IP address, or "unknown" (repeatable)',
  to: 'the destination, as --from',
  policy: 'the deciding policy, NS/NAME (repeatable)',
  node: 'the proxy node that saw it (repeatable)',
  'http-path': 'an RE2 regular expression found in the HTTP path (repeatable)',
  last: 'the newest N matching flows (default 20; with --follow, 0)',
  follow: 'keep streaming new flows as they arrive',
} as const;

export type FilterParam = keyof typeof FILTER_PARAMS;

const MAX_VALUES = 64;
const MAX_VALUE_CHARS = 512;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

/** `5m` → 300000, `1h30m` → 5400000; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [, h, min, s, ms] = m;
  return Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0);
}

/** A duration back from `now` (`30m`) or an RFC 3339 time. */
export function parseTime(text: string, now: number): number | undefined {
  const back = parseDuration(text);
  if (back !== undefined) return now - back;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

export function parsePeer(text: string): PeerMatch | string {
  if (text === 'unknown') return { kind: 'unknown' };
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIpAddress(bare)) return { kind: 'address', address: canonicalPeer(bare) };
  // Bracketed, or digits and dots only: meant as an address (a workload name has a letter).
  if (bare !== text || /^[\d.]+$/.test(bare)) return `"${text}" is not an IP address`;
  const eq = text.indexOf('=');
  if (eq === 0) return `"${text}": a label needs a key before "="`;
  if (eq > 0) return { kind: 'label', key: text.slice(0, eq), value: text.slice(eq + 1) };
  const key = parseObjectKey(text);
  if (key) {
    if (!key.namespace || !key.name || key.name.includes('/')) return `"${text}": expected NAMESPACE/NAME`;
    return { kind: 'workload', namespace: key.namespace, name: key.name };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text)) return `"${text}" is neither a workload name, a label nor an address`;
  return { kind: 'workload', name: text };
}

/** Parses `[name, value]` pairs (CLI flags without `--`, or query parameters). */
export function parseFlowQuery(pairs: Iterable<readonly [string, string]>, now: number): { query: FlowQuery; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const problem = (path: string, message: string, code = 'flows.filter.invalid') => problems.push({ severity: 'error', code, path, message });
  const lists = new Map<string, string[]>();
  const seen = new Map<string, number>();
  for (const [name, value] of pairs) {
    const at = seen.get(name) ?? 0;
    seen.set(name, at + 1);
    if (!(name in FILTER_PARAMS)) {
      problem(name, `unknown filter; expected one of ${Object.keys(FILTER_PARAMS).join(', ')}`, 'flows.filter.unknown');
      continue;
    }
    const list = lists.get(name) ?? [];
    if (list.length >= MAX_VALUES) {
      problem(`${name}[${at}]`, `at most ${MAX_VALUES} values`);
      continue;
    }
    if (value.length > MAX_VALUE_CHARS) {
      problem(`${name}[${at}]`, `longer than ${MAX_VALUE_CHARS} characters`);
      list.push('');
      lists.set(name, list);
      continue;
    }
    list.push(value);
    lists.set(name, list);
  }
  const values = (name: FilterParam): string[] => lists.get(name) ?? [];
  const single = (name: FilterParam): string | undefined => {
    const v = values(name);
    if (v.length > 1) problem(`${name}[1]`, 'given more than once');
    return v[0];
  };
  const enumList = <T extends string>(name: FilterParam, allowed: readonly T[]): T[] | undefined => {
    const v = values(name);
    if (v.length === 0) return undefined;
    const out: T[] = [];
    v.forEach((x, i) => {
      const hit = allowed.find((a) => a === x && a !== 'unknown');
      if (hit) out.push(hit);
      else problem(`${name}[${i}]`, `expected ${allowed.filter((a) => a !== 'unknown').join(', ')}, got "${x}"`);
    });
    return out;
  };
  const timeOf = (name: 'since' | 'until'): number | undefined => {
    const v = single(name);
    if (v === undefined) return undefined;
    const t = parseTime(v, now);
    if (t === undefined) problem(name, `expected a duration (30s, 5m, 24h, 1h30m) or an RFC 3339 time, got "${v}"`);
    return t;
  };
  const peers = (name: 'from' | 'to'): PeerMatch[] | undefined => {
    const v = values(name);
    if (v.length === 0) return undefined;
    const out: PeerMatch[] = [];
    v.forEach((x, i) => {
      const p = parsePeer(x);
      if (typeof p === 'string') problem(`${name}[${i}]`, p);
      else out.push(p);
    });
    return out;
  };
  const policies = values('policy');
  policies.forEach((p, i) => {
    if (!/^[^/\s#]+\/[^/\s#]+$/.test(p)) problem(`policy[${i}]`, `expected NAMESPACE/NAME, got "${p}"`);
  });
  const httpPaths = values('http-path');
  const lastText = single('last');
  const last = lastText === undefined ? undefined : /^\d{1,9}$/.test(lastText) ? Number(lastText) : (problem('last', `expected a count, got "${lastText}"`), undefined);
  const followText = single('follow');
  const follow = followText === undefined ? false : followText === '' || followText === 'true' || followText === '1' ? true : followText === 'false' || followText === '0' ? false : (problem('follow', `expected true or false, got "${followText}"`), false);
  const filter: FlowFilter = {
    ...opt('since', timeOf('since')),
    ...opt('until', timeOf('until')),
    ...opt('verdicts', enumList('verdict', VERDICTS)),
    ...opt('protocols', enumList('protocol', PROTOCOLS)),
    ...opt('directions', enumList('direction', DIRECTIONS)),
    ...opt('namespaces', values('namespace').length ? values('namespace') : undefined),
    ...opt('from', peers('from')),
    ...opt('to', peers('to')),
    ...opt('policies', policies.length ? policies : undefined),
    ...opt('nodes', values('node').length ? values('node') : undefined),
    ...opt('httpPaths', httpPaths.length ? httpPaths : undefined),
  };
  return { query: { filter, follow, ...(last !== undefined ? { last } : {}) }, problems };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Whether an endpoint is what a peer match names. */
export function peerMatches(p: PeerMatch, e: FlowEndpoint): boolean {
  switch (p.kind) {
    case 'workload':
      return e.workload === p.name && (p.namespace === undefined || e.namespace === p.namespace);
    case 'label':
      return p.value === undefined || p.value === '' ? p.key in e.labels : e.labels[p.key] === p.value;
    case 'address':
      return e.address === p.address;
    case 'unknown':
      return e.workload === '';
  }
}

/** Back to `[name, value]` pairs, so the CLI can send what it parsed to the admin route. */
export function toPairs(args: Readonly<Partial<Record<FilterParam, string | boolean | readonly string[]>>>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(args)) {
    if (v === undefined || v === false) continue;
    if (v === true) out.push([name, 'true']);
    else if (typeof v === 'string') out.push([name, v]);
    else for (const x of v as readonly string[]) out.push([name, x]);
  }
  return out;
}
