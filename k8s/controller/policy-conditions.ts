/**
 * An L7Policy's `status`, as the controller writes it, from the same per-policy status the
 * file-based `/status` shows (controller/policy-status.ts). Pure: the policy's status, the
 * object's generation and its current status in, the status to write out.
 *
 * - `Accepted`: the newest generation is valid and compiled (True, `Valid`, with its warnings), or
 *   not (False, `Invalid`, with the validation errors; the last good generation stays in force).
 * - `Enforced`: every proxy that must carry the policy ACKed the resource versions that hold this
 *   generation (True, reason `Enforced`, or `Auditing` in audit mode); else False with the state as
 *   the reason (`Pending`, `Rejected`, `NoTargets`, `Stale`, `Invalid`, `Degraded`, `Bypassed`).
 *   A policy in force whose TLS cannot be set up as written (a Secret it names deleted, or
 *   without a usable version: the port refuses its connections; an expired certificate) is
 *   `Degraded`, with the compiler's errors and their field paths, never Enforced.
 *   `status.enforced` counts the proxies: `acked/total`, and the ones still `pending`.
 * - `Rejected`: a proxy NACKed it (True, `Nacked`, each node and its reason, also in
 *   `status.rejected`).
 * - `status.auditSince`: in audit mode, the moment every proxy had ACKed this generation; kept
 *   while the generation stays, cleared when the spec changes (a new generation) or leaves audit.
 */
import type { PolicyStatus } from '../../controller/index.js';
import { field, isRecord } from './objects.js';

export interface Condition {
  readonly type: 'Accepted' | 'Enforced' | 'Rejected';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

export interface L7PolicyStatus {
  readonly observedGeneration: number;
  readonly auditSince?: string;
  readonly conditions: readonly Condition[];
  readonly enforced: { readonly acked: number; readonly total: number; readonly summary: string; readonly pending: readonly string[] };
  readonly rejected: readonly { readonly node: string; readonly message: string }[];
}

export interface StatusInput {
  /** What the runtime says of the policy. */
  readonly policy: PolicyStatus;
  /** `metadata.generation` of the stored object. */
  readonly generation: number;
  /** The object's current `status` (as read). */
  readonly current: unknown;
  /** Notes that belong with the warnings (hostNetwork Pods its selectors match). */
  readonly notes?: readonly string[];
  readonly now: number;
}

const MAX_MESSAGE = 32_768;
const MAX_LISTED = 64;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function tally(policy: PolicyStatus): L7PolicyStatus['enforced'] {
  const byNode = new Map<string, boolean>();
  for (const t of policy.targets) byNode.set(t.node, (byNode.get(t.node) ?? true) && t.state === 'acked');
  const total = byNode.size;
  const pending = [...byNode].filter(([, acked]) => !acked).map(([node]) => node).sort();
  const acked = total - pending.length;
  return { acked, total, summary: `${acked}/${total}`, pending: pending.slice(0, MAX_LISTED).map((n) => clip(n, 253)) };
}

function rejections(policy: PolicyStatus): L7PolicyStatus['rejected'] {
  const byNode = new Map<string, string>();
  for (const t of policy.targets) if (t.state === 'rejected' && t.nack && !byNode.has(t.node)) byNode.set(t.node, t.nack.message);
  return [...byNode].sort(([a], [b]) => a.localeCompare(b)).slice(0, MAX_LISTED).map(([node, message]) => ({ node: clip(node, 253), message: clip(message, 4096) }));
}

/** The compiler's errors that say a TLS port of the policy is not served as written (lower/tls.ts). */
const TLS_ERROR = /^(secret|cert|ca|tls)\./;

function tlsErrors(policy: PolicyStatus): string[] {
  return policy.diagnostics.filter((d) => d.severity === 'error' && TLS_ERROR.test(d.code)).map((d) => `${d.path}: ${d.message} [${d.code}]`);
}

function accepted(policy: PolicyStatus, generation: number, notes: readonly string[]): Pick<Condition, 'status' | 'reason' | 'message'> {
  const warnings = [...policy.warnings, ...notes];
  const warned = warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : '';
  if (policy.source === 'current') {
    const errors = policy.errors.length > 0 ? `; errors: ${policy.errors.join('; ')}` : '';
    return { status: 'True', reason: 'Valid', message: `generation ${generation} is valid and compiled${errors}${warned}` };
  }
  const errors = policy.errors.length > 0 ? policy.errors.join('; ') : policy.message;
  const kept = policy.source === 'stale' ? 'its last good version stays in force' : 'nothing of it is in force (no earlier version was valid)';
  return { status: 'False', reason: 'Invalid', message: `generation ${generation} is invalid: ${errors}; ${kept}${warned}` };
}

function enforced(policy: PolicyStatus): Pick<Condition, 'status' | 'reason' | 'message'> {
  const tls = policy.source === 'current' ? tlsErrors(policy) : [];
  if (tls.length > 0) return { status: 'False', reason: 'Degraded', message: `its TLS is not served as written (a port whose secret is not usable refuses its connections): ${tls.join('; ')}; ${policy.message}` };
  const done = (policy.state === 'Enforced' || policy.state === 'Auditing') && policy.source === 'current';
  return { status: done ? 'True' : 'False', reason: policy.state, message: policy.message };
}

function rejected(list: L7PolicyStatus['rejected']): Pick<Condition, 'status' | 'reason' | 'message'> {
  if (list.length === 0) return { status: 'False', reason: 'NoNack', message: 'no proxy rejected the configuration that carries it' };
  return { status: 'True', reason: 'Nacked', message: list.map((r) => `${r.node} rejected it: ${r.message}`).join('; ') };
}

function previousCondition(current: unknown, type: Condition['type']): Record<string, unknown> | undefined {
  const list = field(current, 'conditions');
  const found = Array.isArray(list) ? list.find((c) => field(c, 'type') === type) : undefined;
  return isRecord(found) ? found : undefined;
}

export function desiredStatus(input: StatusInput): L7PolicyStatus {
  const { policy, generation, current, now } = input;
  const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: Condition['type'], c: Pick<Condition, 'status' | 'reason' | 'message'>): Condition => {
    const before = previousCondition(current, type);
    const since = before && before['status'] === c.status && typeof before['lastTransitionTime'] === 'string' ? before['lastTransitionTime'] : at;
    return { type, status: c.status, observedGeneration: generation, lastTransitionTime: since, reason: c.reason, message: clip(c.message, MAX_MESSAGE) };
  };
  const list = rejections(policy);
  const previousSince = field(current, 'auditSince');
  const sameGeneration = field(current, 'observedGeneration') === generation;
  const auditing = policy.mode === 'audit' && policy.source === 'current';
  const keep = auditing && sameGeneration && typeof previousSince === 'string' ? previousSince : undefined;
  const auditSince = keep ?? (auditing && policy.state === 'Auditing' ? at : undefined);
  return {
    observedGeneration: generation,
    ...(auditSince ? { auditSince } : {}),
    conditions: [condition('Accepted', accepted(policy, generation, input.notes ?? [])), condition('Enforced', enforced(policy)), condition('Rejected', rejected(list))],
    enforced: tally(policy),
    rejected: list,
  };
}

/** Whether two statuses say the same (key order aside). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => (isRecord(value) ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y))) : value));
}
