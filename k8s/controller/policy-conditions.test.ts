import { describe, expect, it } from '@jest/globals';
import type { PolicyStatus } from '../../controller/index.js';
import { desiredStatus, sameStatus } from './policy-conditions.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const policy = (o: Partial<PolicyStatus>): PolicyStatus => ({
  key: 'shop/p', mode: 'enforce', state: 'Enforced', source: 'current', message: 'enforced by node-a', errors: [], warnings: [], diagnostics: [],
  targets: [{ node: 'node-a', resource: 'Listener/inbound', state: 'acked' }], ...o,
} as PolicyStatus);
const type = (s: ReturnType<typeof desiredStatus>, t: string) => s.conditions.find((c) => c.type === t);

describe('desiredStatus', () => {
  it('is Enforced only when every target node ACKed; counts nodes, names the pending and the rejecting ones', () => {
    const s = desiredStatus({ policy: policy({ state: 'Rejected', message: 'node-b rejected', targets: [
      { node: 'node-a', resource: 'Listener/inbound', state: 'acked' },
      { node: 'node-b', resource: 'Listener/inbound', state: 'rejected', nack: { message: 'cannot bind', at: 1 } },
      { node: 'node-c', resource: 'Listener/inbound', state: 'not-connected' },
    ] }), generation: 3, current: undefined, now: T0 });
    expect(s.enforced).toEqual({ acked: 1, total: 3, summary: '1/3', pending: ['node-b', 'node-c'] });
    expect(type(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Rejected', observedGeneration: 3 });
    expect(s.rejected).toEqual([{ node: 'node-b', message: 'cannot bind' }]);
    expect(type(s, 'Rejected')).toMatchObject({ status: 'True', reason: 'Nacked', message: 'node-b rejected it: cannot bind' });
  });

  it('says Accepted False with the errors, and that the last good version stays, for a stale policy; never Enforced then', () => {
    const s = desiredStatus({ policy: policy({ source: 'stale', errors: ['spec.x: bad'] }), generation: 4, current: undefined, now: T0 });
    expect(type(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'Invalid', message: 'generation 4 is invalid: spec.x: bad; its last good version stays in force' });
    expect(type(s, 'Enforced')?.status).toBe('False');
  });

  it('calls a policy in force whose TLS secret is not usable Degraded, with the field path, never Enforced', () => {
    const error = { severity: 'error', code: 'secret.missing', path: 'spec.ingress[0].toPorts[0].terminatingTLS.secret', message: 'secret shop/api-cert does not exist' } as const;
    const s = desiredStatus({ policy: policy({ errors: ['spec.ingress[0].toPorts[0].terminatingTLS.secret: secret shop/api-cert does not exist'], diagnostics: [error] }), generation: 2, current: undefined, now: T0 });
    expect(type(s, 'Accepted')).toMatchObject({ status: 'True', reason: 'Valid', message: 'generation 2 is valid and compiled; errors: spec.ingress[0].toPorts[0].terminatingTLS.secret: secret shop/api-cert does not exist' });
    expect(type(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Degraded' });
    expect(type(s, 'Enforced')?.message).toContain('spec.ingress[0].toPorts[0].terminatingTLS.secret: secret shop/api-cert does not exist [secret.missing]');
  });

  it('sets auditSince when every proxy runs the generation in audit, keeps it for that generation, drops it on a new one', () => {
    const auditing = policy({ mode: 'audit', state: 'Auditing' });
    const first = desiredStatus({ policy: auditing, generation: 2, current: undefined, now: T0 });
    expect(first.auditSince).toBe('2026-12-01T10:00:00Z');
    const kept = desiredStatus({ policy: auditing, generation: 2, current: first, now: T0 + 60_000 });
    expect(kept.auditSince).toBe('2026-12-01T10:00:00Z');
    expect(type(kept, 'Enforced')?.lastTransitionTime).toBe('2026-12-01T10:00:00Z');
    expect(sameStatus(kept, first)).toBe(true);
    const pending = desiredStatus({ policy: policy({ mode: 'audit', state: 'Pending' }), generation: 3, current: first, now: T0 + 120_000 });
    expect(pending.auditSince).toBeUndefined();
  });
});
