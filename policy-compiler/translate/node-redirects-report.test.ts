import { describe, expect, it } from '@jest/globals';
import { formatNetnsLinks, formatUnresolvedReport, linkNameUid, MAX_REPORTED_LINKS, MAX_REPORTED_PODS, NETNS_LINK_DIR, NETNS_LINKS_KEY, netnsLinkName, netnsLinkPath, parseNetnsLinks, parseUnresolvedReport, UNRESOLVED_PODS_KEY, type UnresolvedPod } from './node-redirects-report.js';

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
  const name = (n: number, ino = 4026532248) => netnsLinkName(uid(n), ino);

  it("round-trips, sorted; an empty report says none is linked; a link's name is the Pod's UID and namespace inode, in the fixed directory", () => {
    expect(parseNetnsLinks(formatNetnsLinks([name(2), name(1)]))).toEqual([name(1), name(2)]);
    expect(parseNetnsLinks(formatNetnsLinks([]))).toEqual([]);
    expect(netnsLinkPath(name(1))).toBe(`${NETNS_LINK_DIR}/${uid(1)}.4026532248`);
    expect(linkNameUid(name(1))).toBe(uid(1));
  });

  it('reads a malformed report as none, and drops what is no link name (a bare UID, a path, a traversal, upper case, a bad inode, duplicates)', () => {
    expect(parseNetnsLinks(undefined)).toBeUndefined();
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: [name(1)] })).toBeUndefined();
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { links: 'x' } })).toBeUndefined();
    const hostile = [uid(1), '../../etc/passwd', `/${name(1)}`, `${name(1)}/x`, 'ABCDEF01-1111-4222-8333-444444444444.5', name(4, 0), `${uid(5)}.01`, `${uid(6)}.4294967296`, 7, null, name(3), name(3)];
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { links: hostile } })).toEqual([name(3)]);
  });

  it('keeps at most MAX_REPORTED_LINKS, sent and read', () => {
    const many = Array.from({ length: MAX_REPORTED_LINKS + 10 }, (_, i) => name(i));
    expect((formatNetnsLinks(many)[NETNS_LINKS_KEY] as { links: string[] }).links).toHaveLength(MAX_REPORTED_LINKS);
    expect(parseNetnsLinks({ [NETNS_LINKS_KEY]: { links: many } })).toHaveLength(MAX_REPORTED_LINKS);
  });
});
