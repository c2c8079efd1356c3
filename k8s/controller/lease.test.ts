import { describe, expect, it } from '@jest/globals';
import { decideLease, leaseBody, type LeaseRecord } from './lease.js';

const lease = (holder: string, renewTime = 't1', resourceVersion = '1'): LeaseRecord => ({ holder, durationSeconds: 10, renewTime, transitions: 2, resourceVersion });

describe('decideLease', () => {
  it('creates a missing lease, renews its own, takes a free one', () => {
    expect(decideLease(undefined, undefined, 'me', 0).decision).toEqual({ kind: 'create' });
    expect(decideLease(lease('me'), undefined, 'me', 0).decision).toEqual({ kind: 'renew' });
    expect(decideLease(lease(''), undefined, 'me', 0).decision).toEqual({ kind: 'take' });
  });

  it('follows another holder until the lease has not changed for its duration, by this replica\'s clock', () => {
    const first = decideLease(lease('other'), undefined, 'me', 1000);
    expect(first.decision).toEqual({ kind: 'follow', holder: 'other', expiresInMs: 10_000 });
    const later = decideLease(lease('other'), first.observation, 'me', 10_999);
    expect(later.decision).toMatchObject({ kind: 'follow', expiresInMs: 1 });
    expect(decideLease(lease('other'), later.observation, 'me', 11_000).decision).toEqual({ kind: 'take' });
    // A renewal (a new renewTime or resourceVersion) starts the wait again.
    const renewed = decideLease(lease('other', 't2', '2'), later.observation, 'me', 11_000);
    expect(renewed.decision).toMatchObject({ kind: 'follow', expiresInMs: 10_000 });
  });

  it('writes the resourceVersion read (so a racing replica gets 409), counts transitions, and releases with no holder', () => {
    const at = { namespace: 'sluice-system', name: 'sluice-controller' };
    const taken = leaseBody(at, lease('other'), 'me', 10, 0) as { metadata: { resourceVersion?: string }; spec: { holderIdentity: string; leaseTransitions: number } };
    expect(taken.metadata.resourceVersion).toBe('1');
    expect(taken.spec).toMatchObject({ holderIdentity: 'me', leaseTransitions: 3 });
    const released = leaseBody(at, lease('me'), 'me', 10, 0, true) as { spec: { holderIdentity: string } };
    expect(released.spec.holderIdentity).toBe('');
  });
});
