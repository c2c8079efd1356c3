/**
 * The audit-first rollout guard, for namespaces labelled `sluice.dev/rollout=audit-first` (the
 * webhook configuration's namespaceSelector sends only those here). In such a namespace a policy
 * may enforce only after it ran in audit:
 *
 * - CREATE in `enforce` (or with no mode, which means enforce) is refused: create it in `audit`.
 * - UPDATE audit → enforce is admitted when the old object's `status.auditSince` (written by the
 *   controller once every proxy runs this generation in audit; users cannot write status) is at
 *   least `minAuditMs` ago, the status describes the stored generation, the update changes
 *   `spec.mode` alone (what is enforced is what was audited), and, with a flows store, there were no
 *   would-deny flows since `max(auditSince, now - quietWindowMs)`. The flows store may be several
 *   (each controller replica collects the flows of its own proxies): any would-deny flow refuses,
 *   and so does any store that cannot tell (it does not answer, or does not reach back far
 *   enough), named in the message. Partial evidence never admits.
 * - Everything else is admitted: audit policies, edits of a policy that already enforces, and
 *   enforce → audit.
 */
import { formatDuration } from '../../certs/index.js';
import { objectKey } from '../../policy-compiler/index.js';
import { AUDIT_FIRST, POLICY_GVK, ROLLOUT_LABEL } from './names.js';
import { isRecord, wrongKind, type AdmissionRequest, type Verdict } from './review.js';

/** What several flows stores said: the would-deny flows they counted, and those that could not tell (each named, with why). */
export interface WouldDenyEvidence {
  readonly count: number;
  readonly unknown: readonly string[];
}

/**
 * Would-deny flows of a policy (`namespace/name`) since a time (ms since the epoch): a count from
 * one store, `undefined` when it cannot tell, or the evidence of several stores.
 */
export type WouldDenyFlows = (policyKey: string, sinceMs: number) => Promise<number | undefined | WouldDenyEvidence>;

export interface RolloutGuardOptions {
  readonly now: () => number;
  /** How long a policy must have run in audit (default 24 h). */
  readonly minAuditMs?: number;
  /** The window in which no would-deny flow may have been seen (default 1 h). */
  readonly quietWindowMs?: number;
  /** The flows store; without one only the time is checked, and the answer warns that flows were not. */
  readonly wouldDenyFlows?: WouldDenyFlows;
  /** How long the flows store may take before the answer counts as unknown (default 2 s). */
  readonly flowsTimeoutMs?: number;
}

export const DEFAULT_MIN_AUDIT_MS = 24 * 3_600_000;
export const DEFAULT_QUIET_WINDOW_MS = 3_600_000;

interface PolicyObject {
  readonly mode: 'enforce' | 'audit';
  readonly spec: Record<string, unknown>;
  readonly generation?: number;
  readonly status: Record<string, unknown>;
}

function policyObject(o: unknown): PolicyObject {
  const value = isRecord(o) ? o : {};
  const spec = isRecord(value['spec']) ? value['spec'] : {};
  const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
  const generation = metadata['generation'];
  return {
    mode: spec['mode'] === 'audit' ? 'audit' : 'enforce',
    spec,
    ...(typeof generation === 'number' ? { generation } : {}),
    status: isRecord(value['status']) ? value['status'] : {},
  };
}

/** JSON with sorted keys: equal values, equal text, whatever order the client wrote the keys in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function withoutMode(spec: Record<string, unknown>): Record<string, unknown> {
  const { mode: _mode, ...rest } = spec;
  return rest;
}

function refuse(message: string): Verdict {
  return { allowed: false, status: { code: 403, reason: 'Forbidden', message } };
}

async function flowsWithin(fn: WouldDenyFlows, key: string, since: number, ms: number): Promise<number | undefined | WouldDenyEvidence> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([fn(key, since).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function rolloutGuard(request: AdmissionRequest, o: RolloutGuardOptions): Promise<Verdict> {
  const { group, version, kind } = request.kind;
  if (group !== POLICY_GVK.group || version !== POLICY_GVK.version || kind !== POLICY_GVK.kind) return wrongKind(POLICY_GVK, request.kind);
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return { allowed: true };
  const minAudit = o.minAuditMs ?? DEFAULT_MIN_AUDIT_MS;
  const key = objectKey(request.namespace, request.name);
  const rule = `namespace ${request.namespace} requires audit-first rollout (${ROLLOUT_LABEL}=${AUDIT_FIRST})`;
  const next = policyObject(request.object);
  if (next.mode === 'audit') return { allowed: true };
  if (request.operation === 'CREATE') {
    return refuse(`${rule}: create L7Policy ${key} with spec.mode: audit (no mode means enforce); it may switch to enforce after it ran in audit for ${formatDuration(minAudit)}`);
  }
  const previous = policyObject(request.oldObject);
  if (previous.mode === 'enforce') return { allowed: true };
  if (canonical(withoutMode(previous.spec)) !== canonical(withoutMode(next.spec))) {
    return refuse(`${rule}: switch L7Policy ${key} to enforce by changing spec.mode alone; this update also changes its rules, which have not run in audit`);
  }
  const since = previous.status['auditSince'];
  const sinceMs = typeof since === 'string' ? Date.parse(since) : NaN;
  if (Number.isNaN(sinceMs)) {
    return refuse(`${rule}: L7Policy ${key} has no status.auditSince yet (the controller sets it once every proxy runs the policy in audit); it may enforce ${formatDuration(minAudit)} after that`);
  }
  const observed = previous.status['observedGeneration'];
  if (previous.generation !== undefined && observed !== previous.generation) {
    return refuse(`${rule}: the status of L7Policy ${key} describes generation ${typeof observed === 'number' ? observed : 'none'}, not the stored generation ${previous.generation}: wait for the controller to observe it`);
  }
  const now = o.now();
  const ran = now - sinceMs;
  if (ran < minAudit) {
    return refuse(`${rule}: L7Policy ${key} has run in audit for ${formatDuration(Math.max(0, ran))} (since ${iso(sinceMs)}); it must for ${formatDuration(minAudit)}, so it may enforce from ${iso(sinceMs + minAudit)}`);
  }
  if (!o.wouldDenyFlows) return { allowed: true, warnings: [`L7Policy ${key} ran in audit for ${formatDuration(ran)}; would-deny flows were not checked (no flows store is configured)`] };
  const from = Math.max(sinceMs, now - (o.quietWindowMs ?? DEFAULT_QUIET_WINDOW_MS));
  const answer = await flowsWithin(o.wouldDenyFlows, key, from, o.flowsTimeoutMs ?? 2000);
  const evidence: WouldDenyEvidence = typeof answer === 'number' ? { count: answer, unknown: [] } : answer ?? { count: 0, unknown: ['the flows store has no complete record of that window'] };
  const flows = evidence.count;
  if (flows === 0 && evidence.unknown.length > 0) {
    return refuse(`${rule}: L7Policy ${key} ran in audit for ${formatDuration(ran)}, but whether it would have denied flows since ${iso(from)} is unknown (${evidence.unknown.join('; ')}); retry when ${answer === undefined ? 'it has' : 'every store answers'}`);
  }
  if (flows > 0) {
    return refuse(`${rule}: L7Policy ${key} would have denied ${flows} flow${flows === 1 ? '' : 's'} since ${iso(from)}: fix the policy or the clients (sluice audit-report shows them), then switch again once the window is clean`);
  }
  return { allowed: true };
}
