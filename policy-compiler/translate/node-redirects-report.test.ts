import { describe, expect, it } from '@jest/globals';
import { formatNetnsLinks, formatUnresolvedReport, MAX_REPORTED_LINKS, MAX_REPORTED_PODS, NETNS_LINK_DIR, NETNS_LINKS_KEY, netnsLinkPath, parseNetnsLinks, parseUnresolvedReport, UNRESOLVED_PODS_KEY, type UnresolvedPod } from './node-redirects-report.js';

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

describe("the node agent's report of the node-mode Pods whose namespace it linked", () => {
  const uid = (n: number) => `${n.toString(16).padStart(8, '0')}-1111-4222-8333-444444444444`;

  it('round-trips, sorted; an empty report says none is linked; the path is the fixed directory and the UID', () => {
    expect(parseNetnsLinks(formatNetnsLinks([uid(2), uid(1)]))).toEqual([uid(1), uid(2)]);
    expect(parseNetnsLinks(formatNetnsLinks([]))).toEqual([]);
    expect(netnsLinkPath(uid(1))).toBe(`${NETNS_LINK_DIR}/${uid(1)}`);
  });

  it('reads a malformed report as none, and drops what is no Pod UID (a path, a traversal, upper case, duplicates)', () => {
    expect(parseNetnsLinks(undefined)).toBeUndefined();
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: [uid(1)] })).toBeUndefined();
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { pods: 'x' } })).toBeUndefined();
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { pods: ['../../etc/passwd', `/${uid(1)}`, 'ABCDEF01-1111-4222-8333-444444444444', 7, null, uid(3), uid(3)] } })).toEqual([uid(3)]);
  });

  it('keeps at most MAX_REPORTED_LINKS, sent and read', () => {
    const many = Array.from({ length: MAX_REPORTED_LINKS + 10 }, (_, i) => uid(i));
    expect((formatNetnsLinks(many)[NETNS_LINKS_KEY] as { pods: string[] }).pods).toHaveLength(MAX_REPORTED_LINKS);
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { pods: many } })).toHaveLength(MAX_REPORTED_LINKS);
  });
});
