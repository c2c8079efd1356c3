/**
 * Leader election on a `coordination.k8s.io/v1` Lease, decided as client-go's leaderelection
 * does: a replica takes the lease when it is free (no holder) or expired, and the leader renews it.
 * "Expired" is judged by this replica's own clock: the lease has not changed for its duration
 * since this replica last saw it change, so clock skew between replicas does not matter. Writes
 * carry the resourceVersion read, so two replicas racing for it cannot both win (the API server
 * answers the loser 409). Pure: the lease and the time in, the decision and the body to write out.
 */
import { field } from './objects.js';

export interface LeaseRecord {
  readonly holder: string;
  readonly durationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly transitions: number;
  readonly resourceVersion: string;
}

/** What this replica last saw of the lease, and when (its own clock). */
export interface Observation {
  readonly fingerprint: string;
  readonly at: number;
}

export type LeaseDecision =
  | { readonly kind: 'create' }
  /** Write the lease as ours: renew it (we hold it) or take it (free or expired). */
  | { readonly kind: 'renew' | 'take' }
  | { readonly kind: 'follow'; readonly holder: string; readonly expiresInMs: number };

export function leaseRecord(object: unknown): LeaseRecord {
  const spec = field(object, 'spec');
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const duration = field(spec, 'leaseDurationSeconds');
  const transitions = field(spec, 'leaseTransitions');
  const acquireTime = text(field(spec, 'acquireTime'));
  const renewTime = text(field(spec, 'renewTime'));
  return {
    holder: text(field(spec, 'holderIdentity')) ?? '',
    durationSeconds: typeof duration === 'number' && duration > 0 ? duration : 15,
    ...(acquireTime ? { acquireTime } : {}),
    ...(renewTime ? { renewTime } : {}),
    transitions: typeof transitions === 'number' ? transitions : 0,
    resourceVersion: text(field(object, 'metadata', 'resourceVersion')) ?? '',
  };
}

/** Decides one round. `lease` undefined: it does not exist yet. */
export function decideLease(lease: LeaseRecord | undefined, previous: Observation | undefined, me: string, now: number): { decision: LeaseDecision; observation?: Observation } {
  if (!lease) return { decision: { kind: 'create' } };
  const fingerprint = `${lease.holder}|${lease.renewTime ?? ''}|${lease.resourceVersion}`;
  const observation = previous?.fingerprint === fingerprint ? previous : { fingerprint, at: now };
  if (lease.holder === me) return { decision: { kind: 'renew' }, observation };
  if (lease.holder === '') return { decision: { kind: 'take' }, observation };
  const expiresInMs = observation.at + lease.durationSeconds * 1000 - now;
  if (expiresInMs <= 0) return { decision: { kind: 'take' }, observation };
  return { decision: { kind: 'follow', holder: lease.holder, expiresInMs }, observation };
}

/** MicroTime, as the API server writes it: `2026-12-01T10:00:00.123000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaseName {
  readonly namespace: string;
  readonly name: string;
}

/** The Lease to write for a decision (create, renew, take), or to release it (`holder` ''). */
export function leaseBody(at: LeaseName, lease: LeaseRecord | undefined, me: string, durationSeconds: number, now: number, release = false): Record<string, unknown> {
  const taking = !lease || lease.holder !== me;
  const spec = release
    ? { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: lease?.acquireTime ?? microTime(now), renewTime: microTime(now), leaseTransitions: lease?.transitions ?? 0 }
    : {
        holderIdentity: me,
        leaseDurationSeconds: durationSeconds,
        acquireTime: taking ? microTime(now) : lease.acquireTime ?? microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (lease?.transitions ?? 0) + (lease && taking && lease.holder !== '' ? 1 : 0),
      };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: at.name, namespace: at.namespace, ...(lease ? { resourceVersion: lease.resourceVersion } : {}) },
    spec,
  };
}
