/**
 * The rollout guard asks every replica. Each replica collects the flows of the proxies connected
 * to it, so the would-deny flows of a policy are spread over the replicas: the one answering the
 * webhook counts its own and reads every other replica's from its admin endpoint
 * (`/flows/audit?policy=NS/NAME&since=RFC3339`, flows/routes.ts), found as the leader finds their
 * ACKs (peers.ts: the EndpointSlices of the controller's Service, port `admin`).
 *
 * Fail closed: a replica that does not answer within the timeout, answers something else than an
 * audit report, or whose flows do not reach back to `since` makes the answer unknown, naming it
 * (the guard then refuses). Any would-deny flow counts, wherever it was seen. A replica that is
 * terminating but still serving is asked (its proxies are still connected to it); one that does not
 * serve (not ready, not terminating) is not: no proxy reaches it through the Service.
 */
import { formatHostPort } from '../../ip/index.js';
import type { WouldDenyEvidence } from '../admission/index.js';
import type { PeerAddress } from './peers.js';

export const AUDIT_PATH = '/flows/audit';
/** Below the guard's own deadline (2 s), so that the answer names the replica that was late. */
export const DEFAULT_PEER_FLOWS_TIMEOUT_MS = 1000;

/** One replica's answer: its would-deny count, or why it cannot tell. */
export type ReplicaWouldDeny = { readonly replica: string; readonly count: number } | { readonly replica: string; readonly unknown: string };

/** Every replica's answers as one: the counts summed, each replica that could not tell named. */
export function mergeWouldDeny(answers: readonly ReplicaWouldDeny[]): WouldDenyEvidence {
  let count = 0;
  const unknown: string[] = [];
  for (const a of answers) {
    if ('count' in a) count += a.count;
    else unknown.push(`${a.replica}: ${a.unknown}`);
  }
  return { count, unknown };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An `/flows/audit` answer read as a count (any would-deny flow counts; none counts only over a complete window). */
export function replicaAnswer(replica: string, since: number, status: number, body: unknown): ReplicaWouldDeny {
  if (status !== 200) return { replica, unknown: `answered HTTP ${status}` };
  const r = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const count = r['wouldDeny'];
  const complete = r['complete'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || typeof complete !== 'boolean') return { replica, unknown: 'not an audit report' };
  if (count > 0 || complete) return { replica, count };
  const oldest = r['storeOldest'];
  return { replica, unknown: `its flows do not reach back to ${iso(since)}${typeof oldest === 'number' ? ` (only to ${iso(oldest)})` : ''}` };
}

/** fetch's reason (`fetch failed` says little: its cause says why); duck-typed, as errors may come from another realm. */
function reasonOf(error: unknown): string {
  const message = (e: unknown) => (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : undefined);
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  return message(cause) ?? message(error) ?? String(error);
}

/** Asks each peer for the policy's would-deny flows since `since`, each within `timeoutMs`. */
export async function fetchPeerWouldDeny(peers: readonly PeerAddress[], policyKey: string, since: number, timeoutMs = DEFAULT_PEER_FLOWS_TIMEOUT_MS): Promise<ReplicaWouldDeny[]> {
  return Promise.all(
    peers.map(async (p): Promise<ReplicaWouldDeny> => {
      const replica = `replica ${formatHostPort(p.host, p.port)}`;
      const query = new URLSearchParams({ policy: policyKey, since: iso(since) });
      try {
        const r = await fetch(`http://${formatHostPort(p.host, p.port)}${AUDIT_PATH}?${query.toString()}`, { signal: AbortSignal.timeout(timeoutMs) });
        const text = await r.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        return replicaAnswer(replica, since, r.status, body);
      } catch (error) {
        // The abort is a DOMException, which is not always an Error (another realm's).
        const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
        const timedOut = name === 'TimeoutError' || name === 'AbortError';
        return { replica, unknown: timedOut ? `did not answer within ${timeoutMs} ms` : `did not answer (${reasonOf(error)})` };
      }
    }),
  );
}
