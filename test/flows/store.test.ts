/** The flow store: ring eviction, indexes that agree with a scan, followers, and a query over 1,000,000 flows. */
import { describe, expect, it } from '@jest/globals';
import { syntheticFlows } from '../../bench/flows/synthetic.js';
import { compilePredicate, FlowStore, parseFlowQuery, type FlowFilter } from '../../flows/index.js';
import { BATCH, flow, ORDERS, T0, WEB } from './fixtures.js';

function scan(store: FlowStore, filter: FlowFilter) {
  // The reference: every stored flow through the predicate, no index.
  const { predicate } = compilePredicate(filter);
  const all = store.query({});
  const out = all.filter((s) => predicate.test(s.flow));
  predicate.dispose();
  return out;
}

describe('the flow store', () => {
  it('keeps the newest `capacity` flows and forgets the rest, indexes included', () => {
    const store = new FlowStore(3, () => T0);
    for (let i = 0; i < 5; i++) store.add(flow({ time: T0 + i, verdict: i % 2 === 0 ? 'denied' : 'forwarded' }));
    expect(store.stats()).toMatchObject({ capacity: 3, size: 3, total: 5, evicted: 2, oldest: T0 + 2, newest: T0 + 4 });
    expect(store.query({}).map((s) => s.flow.time)).toEqual([T0 + 4, T0 + 3, T0 + 2]);
    expect(store.query({ verdicts: ['denied'] }).map((s) => s.seq)).toEqual([4, 2]);
    expect(store.query({ verdicts: ['denied'] }, { limit: 1 }).map((s) => s.seq)).toEqual([4]);
  });

  it('answers every filter through its indexes exactly as a scan does', () => {
    const store = new FlowStore(5000);
    let i = 0;
    for (const f of syntheticFlows({ count: 12_000, start: T0, workloads: 30 })) store.add(i++ % 7 === 0 ? { ...f, source: WEB } : f);
    const now = T0 + 12_000;
    const filters = [
      ['verdict=denied'], ['verdict=denied', 'verdict=audit-denied', 'namespace=ns-3'], ['from=svc-4'], ['to=ns-2/svc-2'], ['from=shop/web', 'verdict=forwarded'],
      ['policy=ns-1/tighten'], ['node=node-2', 'protocol=http'], ['http-path=^/v1/items/1\\d$'], ['from=tier=backend', 'to=10.0.5.1'], ['since=2s'], ['to=unknown'], ['from=app='],
    ];
    for (const pairs of filters) {
      const { query, problems } = parseFlowQuery(pairs.map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string]), now);
      expect(problems).toEqual([]);
      const indexed = store.query(query.filter).map((s) => s.seq);
      expect({ pairs, seqs: indexed }).toEqual({ pairs, seqs: scan(store, query.filter).map((s) => s.seq) });
    }
    expect(store.query({ verdicts: ['denied'] }).length).toBeGreaterThan(100);
  });

  it('tells followers about every flow added after they subscribed, until they leave', () => {
    const store = new FlowStore(10);
    store.add(flow());
    const seen: number[] = [];
    const stop = store.follow((s) => seen.push(s.seq));
    store.add(flow({ source: BATCH }));
    store.add(flow({ destination: ORDERS }));
    stop();
    store.add(flow());
    expect(seen).toEqual([1, 2]);
    expect(store.followers).toBe(0);
  });

  it('answers a filtered query over 1,000,000 flows in well under a second', () => {
    const store = new FlowStore(1_000_000);
    const start = T0;
    for (const f of syntheticFlows({ count: 1_000_000, start })) store.add(f);
    expect(store.stats().size).toBe(1_000_000);
    const timed = (filter: FlowFilter, limit?: number) => {
      const t = performance.now();
      const out = store.query(filter, limit !== undefined ? { limit } : {});
      return { ms: performance.now() - t, n: out.length };
    };
    // Indexed (a namespace and a verdict), an unindexed scan (a path pattern), and a rare match.
    const indexed = timed({ namespaces: ['ns-3'], verdicts: ['audit-denied'] });
    const scanned = timed({ httpPaths: ['^/v1/items/99\\d$'] }, 100_000);
    const rare = timed({ from: [{ kind: 'workload', namespace: 'ns-7', name: 'svc-17' }], to: [{ kind: 'workload', namespace: 'ns-2', name: 'svc-42' }], verdicts: ['denied'] });
    process.stdout.write(`1,000,000 flows: indexed ${indexed.ms.toFixed(1)} ms (${indexed.n}), path scan ${scanned.ms.toFixed(1)} ms (${scanned.n}), rare pair ${rare.ms.toFixed(1)} ms (${rare.n})\n`);
    expect(indexed.n).toBeGreaterThan(1000);
    expect(scanned.n).toBeGreaterThan(1000);
    for (const t of [indexed, scanned, rare]) expect(t.ms).toBeLessThan(1000);
  }, 120_000);
});
