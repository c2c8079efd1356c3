/**
 * Audit → enforce from stored flows (grouping, the gate, an incomplete window, the per-policy
 * counts for /status), and replay against a proposed policy set compiled by sluice.
 */
import { describe, expect, it } from '@jest/globals';
import { compileScenario } from '../../bench/flows/scenario.js';
import { auditReport, FlowStore, replay, verdictFromIr, wouldDenyCounts, CLEAN_MESSAGE, type FlowRecord } from '../../flows/index.js';
import { compile, loadSources, tlsUnavailableReason } from '../../policy-compiler/index.js';
import { inventoryText, policyText } from '../../bench/flows/scenario.js';
import { BATCH, endpoint, flow, T0 } from './fixtures.js';

const legacy = (i: number, over: Partial<FlowRecord> = {}) => flow({ time: T0 + i, verdict: 'audit-denied', policy: 'shop/orders-tighten', rule: 'shop/orders-tighten#spec.ingress[0].toPorts[0].deny.http[0]', http: { method: 'GET', path: '/v1/orders/legacy/3', authority: 'orders', status: 200, version: 'HTTP/1.1' }, ...over });

describe('the audit report', () => {
  it('groups would-deny flows by rule, peer and request, and fails the gate', () => {
    const store = new FlowStore(100);
    store.add(flow({ time: T0 }));
    for (let i = 1; i <= 3; i++) store.add(legacy(i));
    store.add(legacy(4, { source: BATCH }));
    store.add(legacy(5, { policy: 'shop/other' }));
    const r = auditReport(store, 'shop/orders-tighten', T0 - 1000, T0 + 10, { collectingSince: T0 - 5000 });
    expect(r).toMatchObject({ wouldDeny: 4, verdict: 'would-deny', complete: true, message: '4 would-deny flows in the window' });
    expect(r.groups.map((g) => [g.count, g.peer, g.what, g.first, g.last])).toEqual([
      [3, 'shop/web', 'GET /v1/orders/legacy/3', T0 + 1, T0 + 3],
      [1, 'ops/batch', 'GET /v1/orders/legacy/3', T0 + 4, T0 + 4],
    ]);
    expect(wouldDenyCounts(store, ['shop/orders-tighten', 'shop/other', 'shop/quiet'], T0 - 1000)).toEqual({ 'shop/orders-tighten': 4, 'shop/other': 1, 'shop/quiet': 0 });
  });

  it('passes only when the store covers the whole window', () => {
    const store = new FlowStore(2);
    store.add(flow({ time: T0 }));
    expect(auditReport(store, 'shop/orders-tighten', T0 - 1000, T0 + 10, { collectingSince: T0 - 5000 })).toMatchObject({ verdict: 'clean', message: CLEAN_MESSAGE, complete: true });
    // Collection started inside the window.
    expect(auditReport(store, 'shop/orders-tighten', T0 - 1000, T0 + 10, { collectingSince: T0 - 10 })).toMatchObject({ verdict: 'incomplete', complete: false, storeOldest: T0 - 10 });
    // The ring evicted flows newer than the window's start.
    for (let i = 1; i <= 3; i++) store.add(flow({ time: T0 + i }));
    expect(auditReport(store, 'shop/orders-tighten', T0 - 1000, T0 + 10, { collectingSince: T0 - 5000 })).toMatchObject({ verdict: 'incomplete', storeOldest: T0 + 2 });
  });
});

describe('replay against proposed policies', () => {
  const ports = { http: 8080, grpc: 9090 };
  const compiled = compileScenario(ports);
  const web = endpoint('web', 'shop', '127.0.0.11', 40000);
  const orders = { ...endpoint('orders', 'shop', '127.0.0.10', ports.http), labels: { app: 'orders', tier: 'backend' } };
  const seen = [
    legacy(1, { source: web, destination: orders }),
    legacy(2, { source: web, destination: orders }),
    flow({ source: web, destination: orders, http: { method: 'GET', path: '/v1/orders/7', authority: 'orders', status: 200, version: 'HTTP/1.1' } }),
    flow({ source: web, destination: orders, verdict: 'denied', rule: 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]', http: { method: 'GET', path: '/v1/orders/admin', authority: 'orders', status: 403, version: 'HTTP/1.1' } }),
  ];

  it('changes nothing when the proposal is what is in force', () => {
    const r = replay(seen, verdictFromIr(compiled.output.ir));
    expect(r).toMatchObject({ total: 4, unchanged: 4, skipped: 0, changed: [] });
  });

  it('lists the flows that would change when the audit policy is enforced', () => {
    const load = loadSources([{ name: 'inventory.yaml', text: inventoryText(ports) }, { name: 'p.yaml', text: policyText(ports).replace('mode: audit', 'mode: enforce') }]);
    const proposed = compile(load.policies, load.inventory ?? compiled.inventory);
    const r = replay([...seen, { ...seen[0] as FlowRecord, protocol: 'kafka' as const, http: undefined }].map((f) => (f.http === undefined && f.protocol === 'kafka' ? (({ http: _h, ...rest }) => rest)(f) as FlowRecord : f)), verdictFromIr(proposed.ir));
    expect(r).toMatchObject({ total: 5, unchanged: 2, skipped: 1 });
    expect(r.groups).toEqual([{ from: 'audit-denied', to: 'denied', rule: 'shop/orders-tighten#spec.ingress[0].toPorts[0].deny.http[0]', peer: 'shop/web', what: 'GET /v1/orders/legacy/3', count: 2, approximate: false }]);
  });

  it('replays a connection no chain accepted: denied again without a chain, not judged with one', () => {
    const tcp = (port: number): FlowRecord => {
      const { http: _h, ...rest } = flow({ source: web, destination: { ...orders, port }, protocol: 'tcp', verdict: 'denied', policy: '', rule: '', reason: 'no filter chain accepts this connection' });
      return rest;
    };
    const r = replay([tcp(15006), tcp(ports.http)], verdictFromIr(compiled.output.ir));
    expect(r).toMatchObject({ total: 2, unchanged: 1, skipped: 1, changed: [] });
  });

  it("replays a connection refused because its chain's TLS could not be served: denied again while the proposal's chain still cannot serve it, not judged once it can, denied without a chain", () => {
    const inventory = inventoryText(ports);
    const tlsPolicy = (tls: string) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-tls, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8443 } ]
${tls}`;
    const proposal = (text: string) => {
      const load = loadSources([{ name: 'inventory.yaml', text: inventory }, { name: 'p.yaml', text }]);
      expect(load.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return compile(load.policies, load.inventory ?? compiled.inventory).ir;
    };
    const rule = 'shop/orders-tls#spec.ingress[0].toPorts[0].terminatingTLS.secret';
    const { http: _h, ...refused } = flow({ source: web, destination: { ...orders, port: 8443 }, protocol: 'tcp', verdict: 'denied', policy: 'shop/orders-tls', rule, reason: tlsUnavailableReason('secret shop/orders-tls does not exist') });
    // Without a secret source the proposal's chain cannot serve its TLS (not checked): denied again, by the field that names the secret.
    const stillTls = replay([refused], verdictFromIr(proposal(tlsPolicy('          terminatingTLS: { secret: { name: orders-tls } }'))));
    expect(stillTls).toMatchObject({ total: 1, unchanged: 1, skipped: 0, changed: [] });
    const judged = verdictFromIr(proposal(tlsPolicy('          terminatingTLS: { secret: { name: orders-tls } }')))(refused);
    expect(judged).toEqual({ verdict: 'denied', rule, policy: 'shop/orders-tls' });
    // A plain chain serves the connection: its requests are unknown, it is not replayed.
    expect(replay([refused], verdictFromIr(proposal(tlsPolicy('')))) ).toMatchObject({ total: 1, unchanged: 0, skipped: 1 });
    // No chain: denied, as a connection no chain accepts.
    expect(verdictFromIr(compiled.output.ir)(refused)).toEqual({ verdict: 'denied', rule: '', policy: '' });
  });
});
