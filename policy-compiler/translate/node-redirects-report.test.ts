import { describe, expect, it } from '@jest/globals';
import { formatUnresolvedReport, MAX_REPORTED_PODS, parseUnresolvedReport, UNRESOLVED_PODS_KEY, type UnresolvedPod } from './node-redirects-report.js';

const pod = (n: number): UnresolvedPod => ({ uid: `uid-${n}`, reason: 'cgroup-not-found', message: 'not there' });

describe("the node agent's report of the Pods it cannot steer", () => {
  it('round-trips, and an empty report says so', () => {
    const pods: UnresolvedPod[] = [pod(1), { uid: 'uid-2', reason: 'unknown-layout', message: 'its cgroup is /x' }];
    expect(parseUnresolvedReport(formatUnresolvedReport(pods))).toEqual({ pods, total: 2 });
    expect(parseUnresolvedReport(formatUnresolvedReport([]))).toEqual({ pods: [], total: 0 });
  });

  it('lists at most MAX_REPORTED_PODS and counts the rest', () => {
    const many = Array.from({ length: MAX_REPORTED_PODS + 5 }, (_, i) => pod(i));
    const got = parseUnresolvedReport(formatUnresolvedReport(many));
    expect(got?.pods).toHaveLength(MAX_REPORTED_PODS);
    expect(got?.total).toBe(MAX_REPORTED_PODS + 5);
  });

  it('reads malformed reports as none, and drops malformed entries', () => {
    expect(parseUnresolvedReport(undefined)).toBeUndefined();
    expect(parseUnresolvedReport({ [UNRESOLVED_PODS_KEY]: 'x' })).toBeUndefined();
    expect(parseUnresolvedReport({ [UNRESOLVED_PODS_KEY]: { pods: 3 } })).toBeUndefined();
    const got = parseUnresolvedReport({ [UNRESOLVED_PODS_KEY]: { pods: [{ uid: 'a', reason: 'made-up' }, { uid: 7 }, null, { uid: 'b', reason: 'unknown-layout' }], total: -1 } });
    expect(got).toEqual({ pods: [{ uid: 'b', reason: 'unknown-layout', message: '' }], total: 1 });
  });
});
