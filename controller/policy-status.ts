/**
 * The truth about each policy: "Enforced" only once every proxy that carries its rules has ACKed
 * the exact resource versions that hold them; a NACK is shown with the proxy's own message. Pure:
 * computed from the runtime's state, the xDS server's status and the cache's current views.
 */
import type { DataPathProblem } from './dataplane-status.js';
import { findProxylessTarget, type PolicyTarget } from './targets.js';
import type { PolicyEntry } from './policy-set.js';
import type { RuntimeState } from './runtime.js';
import { RESOURCE_TYPES, resourceType, type ResourceTypeInfo } from '../envoy-api/index.js';
import { formatDiagnostic, type Diagnostic } from '../problems/index.js';
import { hostOfAgent } from '../policy-compiler/index.js';
import { TYPE_URL, type NodeStatus, type ResourceView } from '../xds-server/index.js';

export type TargetState = 'acked' | 'pending' | 'rejected' | 'not-connected';

export interface TargetStatus {
  readonly node: string;
  readonly resource: string;
  readonly state: TargetState;
  /** The version the proxy should hold. */
  readonly version?: string;
  /** The version the proxy last ACKed for this resource. */
  readonly ackedVersion?: string;
  readonly nack?: { readonly message: string; readonly at: number };
}

export type PolicyState =
  | 'Enforced'
  | 'Auditing'
  | 'Pending'
  | 'Rejected'
  | 'Invalid'
  | 'NoTargets'
  /** Its newest version cannot be used (its file is broken, unreadable or emptied): the last good version is what proxies are served. */
  | 'Stale'
  /** ACKed, and nothing bypasses it, but connections it names are refused (the proxy is not listening; egress workloads cannot be told apart). */
  | 'Degraded'
  /** ACKed, but connections it names reach their destination unchecked (a failOpen proxy is not listening; a workload's cgroup is missing). */
  | 'Bypassed';

export interface PolicyStatus {
  readonly key: string;
  readonly mode?: 'enforce' | 'audit';
  readonly state: PolicyState;
  /** `current`, `stale` (the newest version cannot be used; the last good one is in force) or `rejected`. */
  readonly source: PolicyEntry['source'];
  readonly message: string;
  readonly file?: string;
  /** The errors and warnings of `diagnostics`, as lines (`line 12: spec.ingress[0]…: message`). */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Every problem of the policy, structured (code, severity, path, line, column, file, subject), with each proxy's NACK of it as `xds.nack`. */
  readonly diagnostics: readonly Diagnostic[];
  readonly targets: readonly TargetStatus[];
  /** What the dataplane says about its traffic, when this process manages it (`serve --bpf-cgroup`). */
  readonly dataPath?: readonly DataPathProblem[];
  /** An audit-mode policy's evidence: the flows it would have denied in the window (`sluice audit-report` lists them). */
  readonly audit?: AuditEvidence;
}

export interface AuditEvidence {
  readonly wouldDeny: number;
  /** ISO time the window starts. */
  readonly since: string;
  /** False when the flows kept do not reach back to `since` (collection started later, or the store evicted). */
  readonly complete: boolean;
  readonly report: string;
}

export interface StatusInputs {
  readonly runtime: RuntimeState;
  readonly nodes: readonly NodeStatus[];
  readonly view: (nodeId: string) => ResourceView;
  /** Per policy, what the managed eBPF dataplane says about its traffic (absent: not managed here). */
  readonly dataPath?: ReadonlyMap<string, readonly DataPathProblem[]>;
  /**
   * Whether the node agents' ACKs of their NodeRedirects count (default true): false where no node
   * agent programs the redirects (`sluice controller --steering external`).
   */
  readonly countAgents?: boolean;
  /** The would-deny counts of the audit policies named (absent: no flows here). */
  readonly audit?: (policies: readonly string[]) => { readonly counts: Record<string, number>; readonly since: number; readonly complete: boolean };
}

function targetStatus(node: NodeStatus | undefined, nodeId: string, info: ResourceTypeInfo, name: string, view: ResourceView): TargetStatus {
  const { typeUrl } = info;
  const version = view.of(typeUrl).byName.get(name)?.version;
  const resource = `${info.message.slice(info.message.lastIndexOf('.') + 1)}/${name}`;
  const base = { node: nodeId, resource, ...(version ? { version } : {}) };
  if (!node) return { ...base, state: 'not-connected' };
  const type = node.types.find((t) => t.typeUrl === typeUrl);
  const ackedVersion = type?.lastAck?.resources[name];
  const acked = ackedVersion !== undefined && ackedVersion === version;
  const withAck = { ...base, ...(ackedVersion ? { ackedVersion } : {}) };
  if (acked) return { ...withAck, state: 'acked' };
  const nack = type?.lastNack;
  if (nack && nack.at >= (type?.lastAck?.at ?? -Infinity)) return { ...withAck, state: 'rejected', nack: { message: nack.message, at: nack.at } };
  return { ...withAck, state: node.connected ? 'pending' : 'not-connected' };
}

/** A proxy's NACK of a resource that carries the policy, as a diagnostic. */
function nackDiagnostic(target: TargetStatus, info: ResourceTypeInfo, name: string): Diagnostic[] {
  if (target.state !== 'rejected' || !target.nack) return [];
  return [{ severity: 'error', code: 'xds.nack', path: '', message: target.nack.message, subject: { kind: 'resource', type: info.short, name, node: target.node } }];
}

function targetsOf(targets: readonly PolicyTarget[], inputs: StatusInputs): { targets: TargetStatus[]; nacks: Diagnostic[] } {
  const byNode = new Map(inputs.nodes.map((n) => [n.nodeId, n]));
  const out: TargetStatus[] = [];
  const nacks: Diagnostic[] = [];
  const add = (node: NodeStatus | undefined, nodeId: string, info: ResourceTypeInfo, name: string) => {
    const status = targetStatus(node, nodeId, info, name, inputs.view(nodeId));
    out.push(status);
    nacks.push(...nackDiagnostic(status, info, name));
  };
  for (const t of targets) {
    if (t.kind === 'node') {
      if (inputs.countAgents === false && hostOfAgent(t.node) !== undefined) continue;
      add(byNode.get(t.node), t.node, resourceType(t.message), t.name);
      continue;
    }
    // A proxyless server port: every connected node that asked for a Listener resolving to it.
    for (const node of inputs.nodes) {
      const names = new Set(node.streams.flatMap((s) => s.types.filter((x) => x.typeUrl === TYPE_URL.LDS).flatMap((x) => x.subscription.names)));
      for (const name of names) {
        if (inputs.runtime.output && findProxylessTarget(inputs.runtime.output, name, t)) add(node, node.nodeId, resourceType(RESOURCE_TYPES.LDS.message), name);
      }
    }
  }
  return { targets: out, nacks };
}

/** What the proxies did with the version in force: ACKed, NACKed, waiting, or nobody to serve. */
function delivery(policy: NonNullable<PolicyEntry['policy']>, targets: readonly TargetStatus[], declared: number): { state: PolicyState; message: string } {
  if (declared === 0) return { state: 'NoTargets', message: 'the policy applies to no proxy: it selects no workload port that a proxy fronts' };
  const rejected = targets.filter((t) => t.state === 'rejected');
  if (rejected.length > 0) return { state: 'Rejected', message: rejected.map((t) => `${t.node} rejected ${t.resource}: ${t.nack?.message ?? ''}`).join('; ') };
  const waiting = targets.filter((t) => t.state !== 'acked');
  if (targets.length === 0) return { state: 'Pending', message: 'no proxy has asked for the configuration that carries it yet' };
  if (waiting.length > 0) return { state: 'Pending', message: `waiting for ${[...new Set(waiting.map((t) => `${t.node} (${t.state === 'not-connected' ? 'not connected' : `${t.resource} not ACKed yet`})`))].join(', ')}` };
  const verb = policy.mode === 'audit' ? 'Auditing' : 'Enforced';
  return { state: verb, message: `${verb.toLowerCase()} by ${[...new Set(targets.map((t) => t.node))].join(', ')}: every proxy ACKed it` };
}

/**
 * ACKed is not yet enforced: the traffic the policy names must also pass through its rules. What
 * the dataplane says (and egress workloads that cannot be told apart) turns Enforced or Auditing
 * into Degraded (refused) or Bypassed (unchecked).
 */
function throughDataPath(served: { state: PolicyState; message: string }, entry: PolicyEntry, problems: readonly DataPathProblem[]): { state: PolicyState; message: string } {
  if (served.state !== 'Enforced' && served.state !== 'Auditing') return served;
  const ambiguous = entry.diagnostics.filter((d) => d.code === 'egress.ambiguous-identity').map((d) => ({ state: 'Degraded' as const, message: d.message }));
  const all = [...problems, ...ambiguous, ...tlsNotServed(entry)];
  if (all.length === 0) return served;
  const state = all.some((p) => p.state === 'Bypassed') ? 'Bypassed' : 'Degraded';
  return { state, message: `${[...new Set(all.map((p) => p.message))].join('; ')} (${served.message})` };
}

/** The compiler's errors that say a TLS port of the policy is not served as written (lower/tls.ts). */
const TLS_ERROR = /^(secret|cert|ca|tls)\./;

/**
 * A policy in force whose TLS cannot be set up as written (a secret it names deleted or without a
 * usable version, an expired certificate): those ports refuse their connections, so it is Degraded.
 */
function tlsNotServed(entry: PolicyEntry): Array<Pick<DataPathProblem, 'state' | 'message'>> {
  if (entry.source !== 'current') return [];
  const errors = entry.diagnostics.filter((d) => d.severity === 'error' && TLS_ERROR.test(d.code));
  if (errors.length === 0) return [];
  const list = errors.map((d) => `${d.path}: ${d.message} [${d.code}]`).join('; ');
  return [{ state: 'Degraded', message: `its TLS is not served as written (a port whose secret is not usable refuses its connections): ${list}` }];
}

/**
 * The state shown: Invalid when nothing of the policy is in force; else what the proxies did with
 * it and whether its traffic passes through it, overlaid by Stale when the version in force is not
 * the newest (a NACK, Degraded or Bypassed stays the headline).
 */
function summarize(entry: PolicyEntry, targets: readonly TargetStatus[], declared: number, problems: readonly DataPathProblem[]): { state: PolicyState; message: string } {
  if (!entry.policy) return { state: 'Invalid', message: 'the policy is invalid and no earlier version was valid: nothing of it is in force' };
  const served = throughDataPath(delivery(entry.policy, targets, declared), entry, problems);
  if (entry.source !== 'stale') return served;
  const why = entry.diagnostics.find((d) => d.severity === 'error')?.message;
  const stale = `${entry.file ?? 'its source'} cannot be used${why ? ` (${why})` : ''}: the last good version stays in force`;
  return served.state === 'Rejected' || served.state === 'Degraded' || served.state === 'Bypassed' ? { state: served.state, message: `${served.message} (stale: ${stale})` } : { state: 'Stale', message: `stale: ${stale}; ${served.message}` };
}

export function policyStatuses(inputs: StatusInputs): PolicyStatus[] {
  const output = inputs.runtime.output;
  const auditing = [...inputs.runtime.policies.values()].filter((e) => e.policy?.mode === 'audit').map((e) => e.key);
  const evidence = inputs.audit && auditing.length > 0 ? inputs.audit(auditing) : undefined;
  const auditOf = (key: string): AuditEvidence | undefined =>
    evidence && key in evidence.counts ? { wouldDeny: evidence.counts[key] ?? 0, since: new Date(evidence.since).toISOString(), complete: evidence.complete, report: `sluice audit-report --policy ${key}` } : undefined;
  return [...inputs.runtime.policies.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((entry) => {
      const declared = entry.policy ? (output?.targets.get(entry.key) ?? []) : [];
      const { targets, nacks } = targetsOf(declared, inputs);
      const problems = inputs.dataPath?.get(entry.key) ?? [];
      const { state, message } = summarize(entry, targets, declared.length, problems);
      const fmt = (d: Diagnostic) => formatDiagnostic(d, 'in-policy');
      const audit = auditOf(entry.key);
      return {
        key: entry.key,
        ...(entry.policy ? { mode: entry.policy.mode } : {}),
        state,
        source: entry.source,
        message,
        ...(entry.file !== undefined ? { file: entry.file } : {}),
        errors: entry.diagnostics.filter((d) => d.severity === 'error').map(fmt),
        warnings: entry.diagnostics.filter((d) => d.severity === 'warning').map(fmt),
        diagnostics: [...entry.diagnostics, ...nacks],
        targets,
        ...(inputs.dataPath && entry.policy ? { dataPath: problems } : {}),
        ...(audit ? { audit } : {}),
      };
    });
}
