/**
 * Map sync: the pure plan (entries → rule keys, validation with field paths, conflicts, node
 * filter) and the reconciliation against the real pinned maps by difference.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BpfError,
  diffRules,
  openRedirectDataplane,
  parseAddress,
  planRules,
  unloadDataplane,
  type RedirectDataplane,
} from '../../bpf/index.js';
import type { RedirectEntry } from '../../policy-compiler/index.js';
import { Sandbox } from '../../bench/redirect/sandbox.js';
import { describeKernel, testPinRoot } from './kernel.js';

const outboundProxy = { v4: parseAddress('127.0.0.1')!, v6: parseAddress('::1')! };
const e = (direction: RedirectEntry['direction'], port: number, proxyPort: number, address?: string, node = 'n1'): RedirectEntry =>
  address === undefined ? { node, direction, port, proxyPort } : { node, direction, address, port, proxyPort };

describe('bpf map sync plan (pure)', () => {
  it('makes one key per address, and one per family for a port-only entry', () => {
    const plan = planRules([e('outbound', 8080, 15001, '10.1.0.7'), e('inbound', 9092, 15006)], { outboundProxy });
    expect(plan.issues).toEqual([]);
    expect([...plan.rules.values()].map((r) => r.map).sort()).toEqual(['in', 'in', 'out']);
  });

  it('rejects bad entries with field paths and applies none of them', () => {
    const bad = [
      e('outbound', 0, 15001),
      e('inbound', 80, 70000, '10.0.0.0/8'),
      { node: 'n1', direction: 'sideways', port: 1, proxyPort: 2 } as unknown as RedirectEntry,
    ];
    expect(planRules(bad, { outboundProxy }).issues).toEqual([
      'entries[0].port: expected an integer 1..65535, got 0',
      'entries[1].proxyPort: expected an integer 1..65535, got 70000',
      'entries[1].address: expected an IPv4 or IPv6 address without prefix, got "10.0.0.0/8"',
      'entries[2].direction: expected "outbound" or "inbound", got "sideways"',
    ]);
  });

  it('reports two entries that send the same destination to different proxy ports', () => {
    const plan = planRules([e('outbound', 8080, 15001, 'fd00::7'), e('outbound', 8080, 15002, 'fd00:0::7')], { outboundProxy });
    expect(plan.issues).toEqual(['entries[1]: outbound fd00:0::7:8080 is already redirected by entries[0] to another proxy port']);
  });

  it('keeps only the entries of its node when asked', () => {
    const plan = planRules([e('outbound', 1, 2, '10.0.0.1', 'a'), e('outbound', 3, 4, '10.0.0.1', 'b')], { outboundProxy, node: 'a' });
    expect({ rules: plan.rules.size, ignored: plan.ignored }).toEqual({ rules: 1, ignored: 1 });
  });

  it('diffs to the smallest set of writes', () => {
    const before = planRules([e('outbound', 1, 10, '10.0.0.1'), e('outbound', 2, 10, '10.0.0.1'), e('outbound', 3, 10, '10.0.0.1')], { outboundProxy });
    const after = planRules([e('outbound', 1, 10, '10.0.0.1'), e('outbound', 2, 11, '10.0.0.1'), e('outbound', 4, 10, '10.0.0.1')], { outboundProxy });
    const diff = diffRules([...before.rules.values()], after.rules);
    expect(diff.unchanged).toBe(1);
    expect(diff.ops.map((o) => o.kind).sort()).toEqual(['add', 'change', 'remove']);
  });
});

describeKernel(
  'bpf map sync against the pinned maps',
  () => {
    const box = new Sandbox();
    const pinRoot = testPinRoot('sync');
    let dp: RedirectDataplane;
    const texts = (): string[] => dp.status().rules.map((r) => r.text);

    beforeAll(() => {
      dp = openRedirectDataplane({ cgroup: box.cgroup('wl'), pinRoot });
      box.onCleanup(() => {
        dp.close();
        unloadDataplane({ pinRoot });
      });
    });
    afterAll(() => box.cleanup());

    it('adds, changes and removes exactly the keys that differ', () => {
      expect(dp.sync([e('outbound', 8080, 15001, '10.1.0.7'), e('outbound', 9090, 15001, 'fd00::9'), e('inbound', 8080, 15006, '10.1.0.7')])).toEqual({
        added: 3,
        removed: 0,
        changed: 0,
        unchanged: 0,
        ignored: 0,
      });
      expect(texts()).toEqual([
        'inbound 10.1.0.7:8080 → :15006',
        'outbound [fd00::9]:9090 → [::1]:15001',
        'outbound 10.1.0.7:8080 → 127.0.0.1:15001',
      ]);
      // 10.1.0.7:8080 moves to another proxy port, fd00::9 goes, a port-only entry arrives.
      const next = [e('outbound', 8080, 15002, '10.1.0.7'), e('inbound', 8080, 15006, '10.1.0.7'), e('outbound', 5432, 15001), e('outbound', 1, 2, '10.9.9.9', 'other')];
      expect(dp.sync(next)).toEqual({ added: 3, removed: 1, changed: 1, unchanged: 1, ignored: 0 });
      expect(texts()).toEqual([
        'inbound 10.1.0.7:8080 → :15006',
        'outbound *:5432 (IPv4) → 127.0.0.1:15001',
        'outbound *:5432 (IPv6) → [::1]:15001',
        'outbound 10.1.0.7:8080 → 127.0.0.1:15002',
        'outbound 10.9.9.9:1 → 127.0.0.1:2',
      ]);
      expect(dp.sync(next)).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 5, ignored: 0 });
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
      const mine = openRedirectDataplane({ cgroup: box.cgroup('wl2'), pinRoot, node: 'n1' });
      try {
        expect(mine.sync([e('outbound', 8080, 15002, '10.1.0.7'), e('outbound', 1, 2, '10.9.9.9', 'other')])).toEqual({
          added: 0,
          removed: 4,
          changed: 0,
          unchanged: 1,
          ignored: 1,
        });
      } finally {
        mine.close();
      }
    });
  },
  { needPeers: false },
);
