/**
 * Policy cases on the real data path, judged by Envoy's own evidence. Each call is sent, and then
 * three witnesses must agree with the expected verdict:
 *   - the client's answer: HTTP 200 from the workload (through Envoy) or Envoy's 403; gRPC OK from
 *     the workload or Envoy's PERMISSION_DENIED (status 7, "RBAC: access denied");
 *   - Envoy's RBAC counters of the chain, compared before and after the call: exactly the
 *     counters of the deciding rule move (`sluice_allow_.policy.<rule id>.allowed`,
 *     `sluice_deny_.policy.<rule id>.denied`, `sluice_allow_.denied` for a default deny, and the
 *     `sluice_audit_*` shadow counters for the audit verdict), and no other verdict counter;
 *   - Envoy's access log line for the call (chain, client address, method, path, status, the
 *     enforced and audit rule ids), and the server's own record of each request it answered.
 * Problems are collected, so one run lists every case that failed, and `settle()` reports them.
 */
import type { BedProcess, EnvoyBed, WorkloadCaller } from '../../bench/envoy/bed.js';
import { Caller, type Call, type CallAnswer, type Protocol } from '../../bench/envoy/call.js';
import type { Envoy, Stats } from '../../bench/envoy/process.js';
import type { PolicyStatus } from '../../controller/index.js';
import { eventually } from './poll.js';

/** An L7Policy document; `spec` is the YAML under `spec:`, indented by two. */
export const l7Policy = (name: string, spec: string, namespace = 'shop'): string =>
  `apiVersion: sluice.dev/v1alpha1\nkind: L7Policy\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n${spec}`;

/** `http://HOST:PORT`, an IPv6 host in brackets. */
export const urlOf = (address: string, port: number): string => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

/** Waits until every policy is in force on the bed's Envoy (`Enforced`, or `Auditing` for audit mode). */
export async function inForce(bed: EnvoyBed): Promise<void> {
  const states = async () => ((await bed.serveAdmin('/status')) as { policies: PolicyStatus[] }).policies.map((p) => `${p.key}: ${p.state}`);
  await eventually(async () => (await states()).every((s) => s.endsWith(': Enforced') || s.endsWith(': Auditing')), 'every policy in force', 30_000).catch(async (error: unknown) => {
    throw new Error(`${String(error)}; /status says ${(await states()).join(', ')}`);
  });
}

/** What one RBAC filter pair decides: a rule allows, a deny rule denies, nothing allows, or no rules at all. */
export type Decision =
  | { readonly kind: 'allow'; readonly rule: string }
  | { readonly kind: 'deny'; readonly rule: string }
  | { readonly kind: 'default-deny' }
  | { readonly kind: 'not-enforced' };

export const allowedBy = (rule: string): Decision => ({ kind: 'allow', rule });
export const deniedBy = (rule: string): Decision => ({ kind: 'deny', rule });
export const defaultDeny: Decision = { kind: 'default-deny' };
/** A chain only audit-mode policies cover: nothing is enforced, every request passes. */
export const notEnforced: Decision = { kind: 'not-enforced' };

/** A request of a case, in any protocol (the target gives the URL and the source). */
export interface Row {
  readonly name: string;
  readonly path: string;
  readonly method?: string;
  readonly authority?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stream?: boolean;
  readonly enforced: Decision;
  /** The audit (shadow) verdict; absent: the chain has no audit-mode policy. */
  readonly audit?: Decision;
  /** The path Envoy logs and the workload receives, when Envoy normalizes the one sent. */
  readonly served?: string;
}

/** Where calls go and how they are sent: one chain, one address family, one client. */
export interface Target {
  readonly name: string;
  /** The chain Envoy judges these calls on, e.g. `inbound|8080|shop/orders`. */
  readonly chain: string;
  /** `http://HOST:PORT` of the destination. */
  readonly url: string;
  /** The address Envoy sees the client at. */
  readonly client: string;
  /** The process that answers allowed calls (it prints every request it sees). */
  readonly server: BedProcess;
  readonly send: (call: Call) => Promise<CallAnswer>;
  readonly localAddress?: string;
}

interface Pending {
  readonly label: string;
  readonly chain: string;
  readonly client: string;
  readonly method: string;
  readonly path: string;
  readonly grpc: boolean;
  readonly stream: boolean;
  readonly row: Row;
}

const passes = (d: Decision) => d.kind === 'allow' || d.kind === 'not-enforced';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const statPrefix = (chain: string) => chain.replace(/[^A-Za-z0-9_.]/g, '_');
const hostOf = (address: string) => address.replace(/^\[?(.*?)\]?:\d+$/, '$1');

/** The RBAC counters a decision must move (each by 1), and those it may move (a deny filter that did not match). */
function counters(enforced: Decision, audit: Decision | undefined): { must: string[]; may: string[] } {
  const must: string[] = [];
  const may: string[] = [];
  switch (enforced.kind) {
    case 'allow':
      must.push('sluice_allow_.allowed', `sluice_allow_.policy.${enforced.rule}.allowed`);
      may.push('sluice_deny_.allowed');
      break;
    case 'deny':
      must.push('sluice_deny_.denied', `sluice_deny_.policy.${enforced.rule}.denied`);
      break;
    case 'default-deny':
      must.push('sluice_allow_.denied');
      may.push('sluice_deny_.allowed');
      break;
    case 'not-enforced':
      break;
  }
  switch (audit?.kind) {
    case undefined:
    case 'not-enforced':
      break;
    case 'allow':
      must.push('sluice_audit_allow_.shadow_allowed', `sluice_audit_allow_.policy.${audit.rule}.shadow_allowed`);
      may.push('sluice_audit_deny_.shadow_allowed');
      break;
    case 'deny':
      // Deny wins: whatever the allow filter's shadow rules made of it (if the request got there).
      must.push('sluice_audit_deny_.shadow_denied', `sluice_audit_deny_.policy.${audit.rule}.shadow_denied`);
      may.push('sluice_audit_allow_.*');
      break;
    case 'default-deny':
      must.push('sluice_audit_allow_.shadow_denied');
      may.push('sluice_audit_deny_.shadow_allowed');
      break;
  }
  return { must, may };
}

function statProblems(before: Stats, after: Stats, prefix: string, row: Row): string[] {
  const moved = new Map<string, number>();
  for (const [name, value] of after) {
    const d = value - (before.get(name) ?? 0);
    if (d !== 0 && name.startsWith(prefix) && /\.(allowed|denied|shadow_allowed|shadow_denied)$/.test(name)) moved.set(name.slice(prefix.length), d);
  }
  const { must, may } = counters(row.enforced, row.audit);
  const problems = must.filter((m) => moved.get(m) !== 1).map((m) => `counter ${m} moved by ${moved.get(m) ?? 0}, expected 1`);
  const allowed = (name: string) => must.includes(name) || may.some((m) => (m.endsWith('*') ? name.startsWith(m.slice(0, -1)) : m === name));
  for (const [name, d] of moved) if (!allowed(name)) problems.push(`counter ${name} moved by ${d}, expected 0`);
  return problems;
}

function answerProblems(answer: CallAnswer, row: Row, served: string): string[] {
  const body = answer.body as { viaEnvoy?: unknown; path?: unknown } | undefined;
  const reached = typeof body === 'object' && body !== null && body.viaEnvoy === true && body.path === served;
  const got = answer.grpc ? `gRPC ${answer.grpc.code} "${answer.grpc.details}"` : `HTTP ${answer.status}${answer.error ? ` (${answer.error})` : ''}`;
  const fail = (want: string) => [`answer ${got} ${JSON.stringify(answer.body)}, expected ${want}`];
  if (passes(row.enforced)) {
    const ok = answer.grpc ? answer.grpc.code === 0 : answer.status === 200;
    return ok && reached ? [] : fail(`the workload's answer for ${served} through Envoy`);
  }
  if (answer.grpc) return answer.grpc.code === 7 && answer.grpc.details === 'RBAC: access denied' ? [] : fail('PERMISSION_DENIED (7) "RBAC: access denied" from Envoy');
  return answer.status === 403 && answer.body === 'RBAC: access denied' ? [] : fail('403 "RBAC: access denied" from Envoy');
}

/** The access log fields a decision implies. */
function logFields(row: Row): Record<string, unknown> {
  const e = row.enforced;
  const enforced =
    e.kind === 'allow' ? { deny_rule: null, allow_result: 'allowed', allow_rule: e.rule }
    : e.kind === 'deny' ? { deny_rule: e.rule, allow_result: null, allow_rule: null }
    : e.kind === 'default-deny' ? { deny_rule: null, allow_result: 'denied', allow_rule: null }
    : { deny_rule: null, allow_result: null, allow_rule: null };
  const a = row.audit;
  const audit =
    a === undefined || a.kind === 'not-enforced' ? { audit_deny_rule: null, audit_allow_result: null, audit_allow_rule: null }
    : a.kind === 'allow' ? { audit_deny_rule: null, audit_allow_result: 'allowed', audit_allow_rule: a.rule }
    : a.kind === 'deny' ? { audit_deny_rule: a.rule }
    : { audit_deny_rule: null, audit_allow_result: 'denied', audit_allow_rule: null };
  return { ...enforced, ...audit };
}

function logMatches(line: Record<string, unknown>, p: Pending): boolean {
  const ok = passes(p.row.enforced);
  const status = p.stream ? true : p.grpc ? line.status === 200 && line.grpc_status === (ok ? 'OK' : 'PermissionDenied') : line.status === (ok ? 200 : 403);
  return (
    status &&
    line.chain === p.chain &&
    line.method === p.method &&
    line.path === p.path &&
    hostOf(String(line.client)) === p.client &&
    Object.entries(logFields(p.row)).every(([k, v]) => line[k] === v)
  );
}

export class Judge {
  private readonly problems: string[] = [];
  private readonly pending: Pending[] = [];
  private readonly served = new Map<BedProcess, { before: number; expected: number }>();
  private logFrom = 0;

  constructor(private readonly envoy: Envoy) {
    this.logFrom = envoy.accessLog.length;
  }

  /** Sends `row` to `target` in `protocol` and checks the answer and Envoy's counters now, its access log at `settle()`. */
  async check(target: Target, protocol: Protocol, row: Row): Promise<void> {
    const label = `${row.name} [${protocol} ${target.name}]`;
    const grpc = protocol === 'grpc';
    const call: Call = {
      protocol,
      url: target.url,
      path: row.path,
      ...(row.method && !grpc ? { method: row.method } : {}),
      ...(row.authority ? { authority: row.authority } : {}),
      ...(row.headers ? { headers: row.headers } : {}),
      ...(row.stream ? { stream: true } : {}),
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
    };
    const prefix = `http.${statPrefix(target.chain)}.rbac.`;
    const count = () => target.server.lines.filter((l) => l.event === 'request').length;
    const seen = this.served.get(target.server) ?? { before: count(), expected: 0 };
    this.served.set(target.server, seen);
    const before = await this.envoy.stats(`^${escape(prefix)}`);
    const answer = await target.send(call);
    const after = await this.envoy.stats(`^${escape(prefix)}`);
    const served = row.served ?? row.path;
    const found = [...answerProblems(answer, row, served), ...statProblems(before, after, prefix, row)];
    this.problems.push(...found.map((p) => `${label}: ${p}`));
    if (passes(row.enforced)) seen.expected += 1;
    this.pending.push({ label, chain: target.chain, client: target.client, method: grpc ? 'POST' : (row.method ?? 'GET'), path: served, grpc, stream: row.stream === true, row });
  }

  /** Checks every call's access log line and the servers' counts of what reached them; throws with every problem found. */
  async settle(): Promise<void> {
    const unmatched = (): Pending[] => {
      const used = new Set<number>();
      const missing: Pending[] = [];
      for (const p of this.pending) {
        const i = this.envoy.accessLog.findIndex((l, n) => n >= this.logFrom && !used.has(n) && logMatches(l, p));
        if (i < 0) missing.push(p);
        else used.add(i);
      }
      return missing;
    };
    const missing = await eventually(() => unmatched().length === 0, 'every access log line', 10_000).then(() => [], () => unmatched());
    for (const p of missing) this.problems.push(`${p.label}: no access log line with ${JSON.stringify({ chain: p.chain, client: p.client, method: p.method, path: p.path, ...logFields(p.row) })}`);
    for (const [server, { before, expected }] of this.served) {
      const count = () => server.lines.filter((l) => l.event === 'request').length - before;
      await eventually(() => count() >= expected, `${server.name} to print its requests`, 10_000).catch(() => undefined);
      if (count() !== expected) this.problems.push(`${server.name} saw ${count()} requests, expected ${expected} (the allowed ones)`);
    }
    const problems = this.problems.splice(0);
    this.pending.length = 0;
    this.served.clear();
    this.logFrom = this.envoy.accessLog.length;
    if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.join('\n')}`);
  }
}

/** Runs every row against every target in every protocol, in order. */
export async function judgeAll(judge: Judge, targets: readonly Target[], protocols: readonly Protocol[], rows: readonly Row[]): Promise<void> {
  for (const target of targets) for (const protocol of protocols) for (const row of rows) await judge.check(target, protocol, row);
  await judge.settle();
}

/** An IPv4 and an IPv6 address. */
export interface Pair {
  readonly v4: string;
  readonly v6: string;
}

export interface TargetSpec {
  /** Names the targets (`inbound`, `from edge`, ...); the family is appended. */
  readonly name: string;
  readonly chain: string;
  readonly to: Pair;
  readonly port: number;
  /** The client's addresses, as Envoy sees them. */
  readonly from: Pair;
  readonly server: BedProcess;
  readonly send: (call: Call) => Promise<CallAnswer>;
  /** Bind `from` (clients in the test's namespace, which holds several addresses). */
  readonly bind?: boolean;
}

/** The IPv4 and the IPv6 target of one chain. */
export function targets(spec: TargetSpec): Target[] {
  return (['v4', 'v6'] as const).map((f) => ({
    name: `${spec.name} IPv${f.slice(1)}`,
    chain: spec.chain,
    url: urlOf(spec.to[f], spec.port),
    client: spec.from[f],
    server: spec.server,
    send: spec.send,
    ...(spec.bind ? { localAddress: spec.from[f] } : {}),
  }));
}

/** A bed's processes after the workloads: `sluice serve`, Envoy, the callers, the judge; `stop()` cleans it all up. */
export class Scene {
  private readonly caller = new Caller();
  private readonly clients: WorkloadCaller[] = [];
  /** Sends a call from the test's own namespace ("another host"). */
  readonly send = (call: Call): Promise<CallAnswer> => this.caller.send(call);

  constructor(readonly bed: EnvoyBed) {}

  /** Starts serve (with `serveArgs` added) and Envoy and waits until every policy is in force; the judge of what follows. */
  async start(serveArgs: readonly string[] = []): Promise<Judge> {
    await this.bed.startServe(serveArgs);
    const envoy = await this.bed.startEnvoy();
    await inForce(this.bed);
    return new Judge(envoy);
  }

  /** Sends calls from inside a workload's cgroup (egress). */
  async clientIn(workload: string): Promise<(call: Call) => Promise<CallAnswer>> {
    const client = await this.bed.caller(workload);
    this.clients.push(client);
    return (call) => client.send(call);
  }

  async stop(): Promise<void> {
    this.caller.close();
    for (const c of this.clients) c.close();
    await this.bed.cleanup();
  }
}

