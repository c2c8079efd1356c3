import { describe, it, expect } from '@jest/globals';
import { allocatePodPorts, checkPortRange, DEFAULT_NODE_POD_PORTS, homePort } from './node-pod-ports.js';

const uids = (n: number, prefix = 'pod'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

/** Two UIDs with the same home port in `range`. */
function collidingPair(range: { first: number; last: number }): [string, string] {
  const seen = new Map<number, string>();
  for (const uid of uids(10_000, 'c')) {
    const home = homePort(uid, range);
    const other = seen.get(home);
    if (other !== undefined) return [other, uid];
    seen.set(home, uid);
  }
  throw new Error('no collision found');
}

describe('node-mode Pod ports', () => {
  it('is deterministic: the same ports whatever the order the Pods come in (every replica agrees)', () => {
    const pods = uids(50);
    const a = allocatePodPorts(pods);
    const b = allocatePodPorts([...pods].reverse().concat(pods[3]!));
    expect([...b.ports]).toEqual([...a.ports]);
    expect(new Set(a.ports.values()).size).toBe(50);
    for (const p of a.ports.values()) expect(p >= DEFAULT_NODE_POD_PORTS.first && p <= DEFAULT_NODE_POD_PORTS.last).toBe(true);
  });

  it('a Pod at its home port keeps it when Pods are added or removed, unless a newcomer shares that home port and sorts first', () => {
    const R = DEFAULT_NODE_POD_PORTS;
    const pods = uids(30);
    const newcomers = uids(30, 'new');
    const before = allocatePodPorts(pods);
    const after = allocatePodPorts([...pods, ...newcomers]);
    const removed = allocatePodPorts(pods.slice(10));
    let checked = 0;
    for (const uid of pods) {
      if (before.ports.get(uid) !== homePort(uid, R)) continue;
      checked++;
      if (!newcomers.some((n) => homePort(n, R) === homePort(uid, R) && n < uid)) expect(after.ports.get(uid)).toBe(before.ports.get(uid));
    }
    for (const uid of pods.slice(10)) if (before.ports.get(uid) === homePort(uid, R)) expect(removed.ports.get(uid)).toBe(before.ports.get(uid));
    expect(checked).toBeGreaterThan(25);
  });

  it('on a collision the UID that sorts first keeps the home port and the other probes upwards', () => {
    const range = { first: 20000, last: 20009 };
    const [x, y] = collidingPair(range);
    const [first, second] = [x, y].sort() as [string, string];
    const home = homePort(first, range);
    const r = allocatePodPorts([second, first], range);
    expect(r.ports.get(first)).toBe(home);
    expect(r.ports.get(second)).toBe(home === range.last ? range.first : home + 1);
  });

  it('a Pod holding its home port is not moved by a newcomer that probes past it', () => {
    const range = { first: 30000, last: 30009 };
    const [x, y] = collidingPair(range);
    const [first, second] = [x, y].sort() as [string, string];
    const home = homePort(first, range);
    const next = home === range.last ? range.first : home + 1;
    // A Pod whose home is the port right after: the newcomer (second) probes past it, not over it.
    const neighbour = uids(10_000, 'n').find((u) => homePort(u, range) === next)!;
    const before = allocatePodPorts([first, neighbour], range);
    const after = allocatePodPorts([first, neighbour, second], range);
    expect(after.ports.get(neighbour)).toBe(before.ports.get(neighbour));
    expect(after.ports.get(first)).toBe(before.ports.get(first));
    expect(after.ports.get(second)).toBe(next === range.last ? range.first : next + 1);
  });

  it('the range exhausted: the Pods left over are said, in UID order, and no port is given twice', () => {
    const range = { first: 40000, last: 40004 };
    const r = allocatePodPorts(uids(8), range);
    expect(r.ports.size).toBe(5);
    expect(new Set(r.ports.values())).toEqual(new Set([40000, 40001, 40002, 40003, 40004]));
    expect(r.exhausted).toHaveLength(3);
    expect([...r.exhausted].sort()).toEqual(r.exhausted);
    expect(r.exhausted.every((u) => !r.ports.has(u))).toBe(true);
  });

  it("never gives a Pod the node proxy's own ports (reserved), even its home port", () => {
    const pods = Array.from({ length: 50 }, (_, i) => `uid-${i}`);
    const home = homePort('uid-0', DEFAULT_NODE_POD_PORTS);
    const r = allocatePodPorts(pods, DEFAULT_NODE_POD_PORTS, [home, 15006]);
    expect(r.ports.get('uid-0')).not.toBe(home);
    expect([...r.ports.values()]).not.toContain(home);
    expect(new Set(r.ports.values()).size).toBe(50);
    // A range of two with one reserved holds one Pod.
    expect(allocatePodPorts(['a', 'b'], { first: 15100, last: 15101 }, [15100])).toEqual({ ports: new Map([['a', 15101]]), exhausted: ['b'] });
  });

  it('refuses a range that is not one of TCP ports', () => {
    expect(() => checkPortRange({ first: 16000, last: 15999 })).toThrow(/not a range of TCP ports/);
    expect(() => allocatePodPorts(['a'], { first: 0, last: 10 })).toThrow(/not a range/);
    expect(() => checkPortRange({ first: 65535, last: 65536 })).toThrow(/not a range/);
    expect(allocatePodPorts(['a'], { first: 65535, last: 65535 }).ports.get('a')).toBe(65535);
  });
});
