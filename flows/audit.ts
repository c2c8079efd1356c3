/**
 * Audit → enforce: what an audit-mode policy would have denied, from the stored flows. A flow
 * counts when its verdict is `audit-denied` and its deciding policy is the audit policy. The
 * report groups them by rule, peer and what was asked (method and path, gRPC method, Kafka API and
 * topic), and says whether the store reaches back over the whole window: a rollout gates on
 * `verdict === 'clean'`, which needs both no would-deny flows and a complete window.
 */
import type { FlowStore } from './store.js';
import { l7Summary, workloadKey, type FlowRecord } from './record.js';

export interface AuditGroup {
  readonly rule: string;
  /** The source workload (`namespace/name`) or address. */
  readonly peer: string;
  /** `GET /v1/orders/legacy/3`, `shop.v1.Orders/Get`, `Produce invoices`. */
  readonly what: string;
  readonly count: number;
  readonly first: number;
  readonly last: number;
}

export interface AuditReport {
  readonly policy: string;
  readonly since: number;
  readonly until: number;
  readonly wouldDeny: number;
  readonly groups: readonly AuditGroup[];
  /** Whether the store holds every flow since `since` (nothing evicted after it, collecting since before it). */
  readonly complete: boolean;
  /** The oldest flow the store holds, when it has evicted or started after `since`. */
  readonly storeOldest?: number;
  readonly verdict: 'clean' | 'would-deny' | 'incomplete';
  readonly message: string;
}

/** The message a rollout can gate on. */
export const CLEAN_MESSAGE = 'no would-deny flows in the window';

export interface WindowCoverage {
  /** When the collector started receiving (flows before it were never seen). */
  readonly collectingSince: number;
}

function peerOf(f: FlowRecord): string {
  return workloadKey(f.source) || f.source.address;
}

export function auditReport(store: FlowStore, policy: string, since: number, now: number, coverage: WindowCoverage, maxGroups = 200): AuditReport {
  const flows = store.query({ verdicts: ['audit-denied'], policies: [policy], since, until: now }).map((s) => s.flow);
  const groups = new Map<string, { rule: string; peer: string; what: string; count: number; first: number; last: number }>();
  for (const f of flows) {
    const rule = f.rule || `${f.policy} (no audit allow rule matched)`;
    const peer = peerOf(f);
    const what = l7Summary(f);
    const key = `${rule}\u0000${peer}\u0000${what}`;
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.first = Math.min(g.first, f.time);
      g.last = Math.max(g.last, f.time);
    } else groups.set(key, { rule, peer, what, count: 1, first: f.time, last: f.time });
  }
  const { complete, storeOldest } = coverageOf(store, since, coverage);
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.peer.localeCompare(b.peer) || a.what.localeCompare(b.what));
  const verdict = flows.length > 0 ? 'would-deny' : complete ? 'clean' : 'incomplete';
  const message = flows.length > 0
    ? `${flows.length} would-deny flow${flows.length === 1 ? '' : 's'} in the window`
    : complete ? CLEAN_MESSAGE : `no would-deny flows since ${new Date(storeOldest ?? since).toISOString()}, but the store does not reach back to ${new Date(since).toISOString()}`;
  return { policy, since, until: now, wouldDeny: flows.length, groups: sorted.slice(0, maxGroups), complete, ...(storeOldest !== undefined ? { storeOldest } : {}), verdict, message };
}

/** Whether the store holds every flow since `since`, and if not, from when it does. */
export function coverageOf(store: FlowStore, since: number, coverage: WindowCoverage): { complete: boolean; storeOldest?: number } {
  const stats = store.stats();
  const evictedAfter = stats.evicted > 0 && stats.oldest !== undefined && stats.oldest > since;
  const startedAfter = coverage.collectingSince > since;
  const storeOldest = evictedAfter ? stats.oldest : startedAfter ? coverage.collectingSince : undefined;
  return { complete: storeOldest === undefined, ...(storeOldest !== undefined ? { storeOldest } : {}) };
}

/**
 * Per audit policy, how many would-deny flows the store holds since `since` (`/status` shows it
 * beside each `Auditing` policy). Policies with none are listed with 0.
 */
export function wouldDenyCounts(store: FlowStore, policies: readonly string[], since: number): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(policies.map((p) => [p, 0]));
  if (policies.length === 0) return out;
  for (const { flow } of store.query({ verdicts: ['audit-denied'], policies, since })) out[flow.policy] = (out[flow.policy] ?? 0) + 1;
  return out;
}
