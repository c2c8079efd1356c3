/**
 * Map sync: the pure plan (entries → rule keys, validation with field paths, conflicts, node
 * filter) and the reconciliation against the real pinned maps by difference.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  abi,
  BpfError,
  diffRules,
  openRedirectDataplane,
  parseAddress,
  planRules,
  unloadDataplane,
  type RedirectDataplane,
} from '../../bpf/index.js';
import type { InboundRedirect, OutboundRedirect, RedirectEntry } from '../../policy-compiler/index.js';
import { formatDiagnostic } from '../../problems/index.js';
import { Sandbox } from '../../bench/redirect/sandbox.js';
import { cgroupPathOf } from '../../bench/envoy/bed.js';
import { describeKernel, testPinRoot } from './kernel.js';

const outboundProxy = { v4: parseAddress('127.0.0.1')!, v6: parseAddress('::1')! };
const cgroups: Record<string, bigint> = { '/shop/web': 11n, '/shop/api': 12n };
const options = { outboundProxy, defaultCgroup: 7n, resolveCgroup: (p: string) => cgroups[p] };
const out = (port: number, proxyPort: number, address?: string, node = 'n1', more: Partial<OutboundRedirect> = {}): OutboundRedirect => ({
  node,
  direction: 'outbound',
  ...(address !== undefined ? { address } : {}),
  port,
  proxyPort,
  workloads: ['shop/web'],
  bind: {},
  ...more,
});
const inb = (port: number, proxyPort: number, address: string, more: Partial<InboundRedirect> = {}): InboundRedirect => ({ node: 'n1', direction: 'inbound', address, port, proxyPort, failOpen: false, ...more });
const keysOf = (map: string, plan: ReturnType<typeof planRules>) => [...plan.rules.values()].filter((r) => r.map === map).map((r) => abi.decodeRuleKey(r.key));
const valuesOf = (map: string, plan: ReturnType<typeof planRules>) => [...plan.rules.values()].filter((r) => r.map === map).map((r) => abi.decodeRuleValue(r.value));

describe('bpf map sync plan (pure)', () => {
  it('makes one key per address, one per family for a port-only entry, and names the workload cgroup', () => {
    const plan = planRules([out(8080, 15001, '10.1.0.7'), inb(9092, 15006, '10.1.0.9'), out(443, 15001, undefined, 'n1', { cgroup: '/shop/api' })], options);
    expect(plan.issues).toEqual([]);
    expect([...plan.rules.values()].map((r) => r.map).sort()).toEqual(['in', 'out', 'out', 'out', 'workloads', 'workloads']);
    expect(keysOf('out', plan).map((k) => `${k.cgroup}:${k.port}:${k.family}`).sort()).toEqual(['12:443:10', '12:443:2', '7:8080:2']);
    expect(keysOf('in', plan).map((k) => k.cgroup)).toEqual([0n]);
    expect([...plan.rules.values()].filter((r) => r.map === 'workloads').map((r) => r.key.readBigUInt64LE(0)).sort((a, b) => Number(a - b))).toEqual([7n, 12n]);
  });

  it('binds each family to the workload address it has, and marks inbound rules that fail open', () => {
    const plan = planRules([out(443, 15001, undefined, 'n1', { bind: { v4: '10.1.0.9' } }), inb(8080, 15006, '10.1.0.7', { failOpen: true })], options);
    const byFamily = new Map(keysOf('out', plan).map((k, i) => [k.family, valuesOf('out', plan)[i]]));
    expect(byFamily.get(abi.AF_INET)?.flags).toBe(abi.RULE_F_BIND);
    expect(byFamily.get(abi.AF_INET)?.bindAddr.subarray(0, 4)).toEqual(Buffer.from([10, 1, 0, 9]));
    expect(byFamily.get(abi.AF_INET6)?.flags).toBe(0); // no IPv6 address: nothing bound, the proxy refuses it
    expect(valuesOf('in', plan)[0]?.flags).toBe(abi.RULE_F_FAIL_OPEN);
  });

  it('reports an outbound entry whose workload cgroup does not exist, and programs nothing for it', () => {
    const plan = planRules([out(443, 15001, undefined, 'n1', { cgroup: '/shop/gone', workloads: ['shop/gone'] })], options);
    expect(plan.unresolved).toEqual([{ source: 0, workloads: ['shop/gone'], cgroup: '/shop/gone' }]);
    expect(plan.rules.size).toBe(0);
  });

  it("sends a family to the entry's own proxy address when it names one (a node proxy at the node's address), else loopback", () => {
    const plan = planRules([out(443, 15001, undefined, 'n1', { proxy: { v4: '10.0.0.4' } })], options);
    const byFamily = new Map(keysOf('out', plan).map((k, i) => [k.family, valuesOf('out', plan)[i]]));
    expect(byFamily.get(abi.AF_INET)?.proxyAddr.subarray(0, 4)).toEqual(Buffer.from([10, 0, 0, 4]));
    expect(byFamily.get(abi.AF_INET6)?.proxyAddr).toEqual(outboundProxy.v6.bytes);
    const bad = planRules([out(443, 15001, undefined, 'n1', { proxy: { v4: '::1' } })], options);
    expect(bad.issues.map((d) => `${d.path} ${d.code}`)).toEqual(['entries[0].proxy.v4 redirect.proxy']);
  });

  it('leaves an entry named by Pod UID unresolved: only the node agent resolves it, never to the default identity', () => {
    const plan = planRules([out(443, 15001, undefined, 'n1', { podUid: 'a-b' })], options);
    expect(plan.unresolved).toEqual([{ source: 0, workloads: ['shop/web'], cgroup: 'pod a-b' }]);
    expect(plan.rules.size).toBe(0);
  });

  it("writes a node-mode Pod's netns inode into its rule, and rejects a node-mode entry without a valid one", () => {
    const pod = { podUid: 'u', nodeProxyInPod: true } as const;
    const plan = planRules([inb(8080, 15100, '10.1.0.7', { ...pod, podNetnsIno: 4026532178 }), inb(8081, 15006, '10.1.0.7', { podNetnsIno: 7 })], options);
    expect(plan.issues).toEqual([]);
    expect(valuesOf('in', plan).map((v) => ({ flags: v.flags, netnsIno: v.netnsIno, owner: v.listenerOwner }))).toEqual([
      { flags: abi.RULE_F_POD_NETNS, netnsIno: 4026532178, owner: 0n },
      { flags: 0, netnsIno: 0, owner: 0n }, // the inode means nothing without the flag: not written
    ]);
    const bad = planRules([inb(8080, 15100, '10.1.0.7', pod), inb(8081, 15101, '10.1.0.7', { ...pod, podNetnsIno: 2 ** 32 }), inb(8082, 15102, '10.1.0.7', { ...pod, podNetnsIno: 1 })], options);
    expect(bad.issues.map((d) => formatDiagnostic(d, 'brief'))).toEqual([
      "entries[0].podNetnsIno: a node-mode Pod's entry (nodeProxyInPod) needs its network namespace's inode, an integer 1..4294967295, got none",
      "entries[1].podNetnsIno: a node-mode Pod's entry (nodeProxyInPod) needs its network namespace's inode, an integer 1..4294967295, got 4294967296",
    ]);
    expect(bad.issues.map((d) => d.code)).toEqual(['redirect.netns', 'redirect.netns']);
  });

  it('rejects bad entries with field paths and applies none of them', () => {
    const bad = [
      out(0, 15001),
      inb(80, 70000, '10.0.0.0/8'),
      { node: 'n1', direction: 'sideways', port: 1, proxyPort: 2 } as unknown as RedirectEntry,
      out(1, 2, undefined, 'n1', { bind: { v4: 'fd00::1' } }),
    ];
    const issues = planRules(bad, options).issues;
    expect(issues.map((d) => d.code)).toEqual(['redirect.port', 'redirect.port', 'redirect.address', 'redirect.direction', 'redirect.bind']);
    expect(issues.map((d) => formatDiagnostic(d, 'brief'))).toEqual([
      'entries[0].port: expected an integer 1..65535, got 0',
      'entries[1].proxyPort: expected an integer 1..65535, got 70000',
      'entries[1].address: expected an IPv4 or IPv6 address without prefix, got "10.0.0.0/8"',
      'entries[2].direction: expected "outbound" or "inbound", got "sideways"',
      'entries[3].bind.v4: expected an IPv4 address, got "fd00::1"',
    ]);
  });

  it('reports two entries that send the same destination of one workload to different proxy ports', () => {
    const plan = planRules([out(8080, 15001, 'fd00::7'), out(8080, 15002, 'fd00:0::7')], options);
    expect(plan.issues.map((d) => formatDiagnostic(d, 'brief'))).toEqual(['entries[1]: outbound [fd00:0::7]:8080 of shop/web is already redirected differently by entries[0]']);
    expect(plan.issues[0]?.subject).toEqual({ kind: 'redirect', key: 'n1|outbound|<default>|fd00:0::7|8080' });
    // The same destination for two different workloads is two keys, not a conflict.
    expect(planRules([out(8080, 15001, 'fd00::7'), out(8080, 15002, 'fd00::7', 'n1', { cgroup: '/shop/api' })], options).issues).toEqual([]);
  });

  it('keeps only the entries of its node when asked', () => {
    const plan = planRules([out(1, 2, '10.0.0.1', 'a'), out(3, 4, '10.0.0.1', 'b')], { ...options, node: 'a' });
    expect({ out: keysOf('out', plan).length, ignored: plan.ignored }).toEqual({ out: 1, ignored: 1 });
  });

  it('diffs to the smallest set of writes', () => {
    const before = planRules([out(1, 10, '10.0.0.1'), out(2, 10, '10.0.0.1'), out(3, 10, '10.0.0.1')], options);
    const after = planRules([out(1, 10, '10.0.0.1'), out(2, 11, '10.0.0.1'), out(4, 10, '10.0.0.1')], options);
    const diff = diffRules([...before.rules.values()], after.rules);
    expect(diff.unchanged).toBe(2); // the first rule and the workload key
    expect(diff.ops.map((o) => o.kind).sort()).toEqual(['add', 'change', 'remove']);
  });
});

describeKernel(
  'bpf map sync against the pinned maps',
  () => {
    const box = new Sandbox();
    const pinRoot = testPinRoot('sync');
    let dp: RedirectDataplane;
    let cg = '';
    let api = '';
    let wl = '';
    const texts = (): string[] => dp.status().rules.map((r) => r.text);
    const e = (direction: 'outbound' | 'inbound', port: number, proxyPort: number, address?: string, node = 'n1'): RedirectEntry =>
      direction === 'inbound' ? { ...inb(port, proxyPort, address ?? ''), node } : out(port, proxyPort, address, node);

    beforeAll(() => {
      wl = box.cgroup('wl');
      api = cgroupPathOf(box.cgroup('api', wl));
      dp = openRedirectDataplane({ cgroup: wl, pinRoot });
      cg = `cg${dp.attached.cgroupId}`;
      box.onCleanup(() => {
        dp.close();
        unloadDataplane({ pinRoot });
      });
    });
    afterAll(() => box.cleanup());

    it('adds, changes and removes exactly the keys that differ', () => {
      expect(dp.sync([e('outbound', 8080, 15001, '10.1.0.7'), e('outbound', 9090, 15001, 'fd00::9'), e('inbound', 8080, 15006, '10.1.0.7')])).toEqual({
        added: 4, // three rules and the workload's identity
        removed: 0,
        changed: 0,
        unchanged: 0,
        ignored: 0,
        unresolved: [],
      });
      expect(texts()).toEqual([
        'inbound 10.1.0.7:8080 → :15006',
        `outbound ${cg} [fd00::9]:9090 → [::1]:15001 (no source bound)`,
        `outbound ${cg} 10.1.0.7:8080 → 127.0.0.1:15001 (no source bound)`,
      ]);
      // 10.1.0.7:8080 moves to another proxy port, fd00::9 goes, a port-only entry of another workload arrives.
      const next = [
        e('outbound', 8080, 15002, '10.1.0.7'),
        e('inbound', 8080, 15006, '10.1.0.7'),
        out(5432, 15001, undefined, 'n1', { cgroup: api, workloads: ['shop/api'], bind: { v4: '10.1.0.8' } }),
        e('outbound', 1, 2, '10.9.9.9', 'other'),
      ];
      expect(dp.sync(next)).toEqual({ added: 4, removed: 1, changed: 1, unchanged: 2, ignored: 0, unresolved: [] });
      const apiId = dp.status().workloads.find((id) => id !== dp.attached.cgroupId);
      expect(texts()).toEqual([
        'inbound 10.1.0.7:8080 → :15006',
        `outbound ${cg} 10.1.0.7:8080 → 127.0.0.1:15002 (no source bound)`,
        `outbound ${cg} 10.9.9.9:1 → 127.0.0.1:2 (no source bound)`,
        `outbound cg${apiId} *:5432 (IPv4) → 127.0.0.1:15001 bind 10.1.0.8`,
        `outbound cg${apiId} *:5432 (IPv6) → [::1]:15001 (no source bound)`,
      ]);
      expect(dp.sync(next)).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 7, ignored: 0, unresolved: [] });
    });

    it('touches no map when any entry is invalid', () => {
      const before = texts();
      let error: unknown;
      try {
        dp.sync([e('outbound', 7777, 15001, '10.1.0.8'), e('outbound', 8080, 0, '10.1.0.7')]);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BpfError);
      expect((error as BpfError).code).toBe('invalid-entry');
      expect((error as BpfError).message).toContain('entries[1].proxyPort: expected an integer 1..65535, got 0');
      expect(texts()).toEqual(before);
    });

    it('ignores other nodes when opened for one node', () => {
      const mine = openRedirectDataplane({ cgroup: wl, pinRoot, node: 'n1' });
      try {
        expect(mine.sync([e('outbound', 8080, 15002, '10.1.0.7'), e('outbound', 1, 2, '10.9.9.9', 'other')])).toEqual({
          added: 0,
          removed: 5, // the inbound rule, 10.9.9.9 now ignored, the api workload's two rules and its identity
          changed: 0,
          unchanged: 2,
          ignored: 1,
          unresolved: [],
        });
      } finally {
        mine.close();
      }
    });
  },
  { needPeers: false },
);
