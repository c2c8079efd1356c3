/**
 * Collection from real Envoy 1.40: the flows scenario's compiled chains (RBAC deny and allow
 * filters with enforced and audit shadow rules, sluice rule ids as policy names) behind static
 * listeners, with the `envoy.access_loggers.http_grpc` logger pointed at the collector. Allowed,
 * denied and audit-denied HTTP and gRPC requests each arrive once, with the verdict and rule id
 * Envoy's RBAC filters wrote into their dynamic metadata, and with both sides resolved to their
 * workloads from the inventory.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../bench/envoy/process.js';
import { BATCH, compileScenario, NODE, ORDERS, scenarioBootstrap, WEB, type CompiledScenario } from '../../bench/flows/scenario.js';
import { chainLookup, FlowCollector, FlowStore, WorkloadIndex, type FlowRecord } from '../../flows/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';
import { grpcCall, httpRequest, startUpstreams, type Upstreams } from './peers.js';

describeEnvoy('flows from real Envoy over the access-log service', () => {
  let envoy: Envoy;
  let upstreams: Upstreams;
  let collector: FlowCollector;
  let compiled: CompiledScenario;
  const store = new FlowStore(1000);

  beforeAll(async () => {
    upstreams = await startUpstreams();
    compiled = compileScenario({ http: await freePort(), grpc: await freePort() });
    const workloads = new WorkloadIndex(compiled.inventory);
    const chains = chainLookup(compiled.output.ir);
    collector = new FlowCollector({ sink: (flows) => flows.forEach((f) => store.add(f)), workloads: () => workloads, chains: () => chains });
    const port = await collector.listen('127.0.0.1:0');
    const admin = { host: '127.0.0.1', port: await freePort() };
    const bootstrap = scenarioBootstrap(compiled, { admin, collector: { host: '127.0.0.1', port }, upstreams, flushIntervalMs: 50 });
    envoy = await Envoy.start({ node: NODE, xds: { host: '127.0.0.1', port: 1 }, admin, bootstrap });
    await envoy.until(async () => (await envoy.state()) === 'LIVE', 'Envoy LIVE');
  }, 60_000);

  afterAll(async () => {
    await envoy?.stop();
    await collector?.close();
    await upstreams?.close();
  });

  const flowsOf = (match: (f: FlowRecord) => boolean) => store.query({}).map((s) => s.flow).filter(match);

  it('gives each HTTP request one flow with the verdict and rule Envoy decided', async () => {
    const to = { host: ORDERS, port: compiled.ports.http };
    const cases = [
      { path: '/v1/orders/7', method: 'GET', status: 200, verdict: 'forwarded', rule: 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]', policy: 'shop/orders-api' },
      { path: '/v1/orders/admin', method: 'GET', status: 403, verdict: 'denied', rule: 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]', policy: 'shop/orders-api' },
      { path: '/v1/orders', method: 'POST', status: 403, verdict: 'denied', rule: '', policy: 'shop/orders-api' },
      { path: '/v1/orders/legacy/3', method: 'GET', status: 200, verdict: 'audit-denied', rule: 'shop/orders-tighten#spec.ingress[0].toPorts[0].deny.http[0]', policy: 'shop/orders-tighten' },
    ] as const;
    for (const c of cases) expect(await httpRequest(WEB, to, c.method, c.path)).toBe(c.status);
    for (const c of cases) {
      const found = await eventually(() => {
        const hits = flowsOf((f) => f.http?.path === c.path && f.http.method === c.method);
        return hits.length > 0 ? hits : undefined;
      }, `the flow of ${c.method} ${c.path}`);
      expect(found).toHaveLength(1);
      const flow = found[0] as FlowRecord;
      expect({ verdict: flow.verdict, rule: flow.rule, policy: flow.policy, status: flow.http?.status }).toEqual({ verdict: c.verdict, rule: c.rule, policy: c.policy, status: c.status });
      expect(flow).toMatchObject({ node: NODE, direction: 'ingress', protocol: 'http' });
      expect(flow.source).toMatchObject({ address: WEB, workload: 'web', namespace: 'shop', labels: { app: 'web' } });
      expect(flow.destination).toMatchObject({ address: ORDERS, port: compiled.ports.http, workload: 'orders', namespace: 'shop', labels: { app: 'orders', tier: 'backend' } });
      expect(flow.http?.version).toBe('HTTP/1.1');
      expect(flow.bytesReceived).toBeGreaterThan(0);
      expect(flow.bytesSent).toBeGreaterThan(0);
      expect(Math.abs(flow.time - Date.now())).toBeLessThan(60_000);
    }
  });

  it('gives each gRPC call one flow with its service, method, grpc-status, verdict and rule', async () => {
    const to = { host: ORDERS, port: compiled.ports.grpc };
    const cases = [
      { from: WEB, method: 'Get', status: '0', grpcStatus: 'OK', verdict: 'forwarded', rule: 'shop/orders-api#spec.ingress[1].toPorts[0].rules.grpc[0]', source: 'web' },
      { from: WEB, method: 'List', status: '7', grpcStatus: 'PERMISSION_DENIED', verdict: 'denied', rule: '', source: 'web' },
      { from: BATCH, method: 'Get', status: '0', grpcStatus: 'OK', verdict: 'audit-denied', rule: 'shop/orders-tighten#spec.ingress[1].toPorts[0].deny.grpc[0]', source: 'batch' },
    ] as const;
    for (const c of cases) expect(await grpcCall(c.from, to, 'shop.v1.Orders', c.method)).toBe(c.status);
    for (const c of cases) {
      const found = await eventually(() => {
        const hits = flowsOf((f) => f.grpc?.method === c.method && f.source.workload === c.source);
        return hits.length > 0 ? hits : undefined;
      }, `the flow of ${c.source} → ${c.method}`);
      expect(found).toHaveLength(1);
      const flow = found[0] as FlowRecord;
      expect(flow).toMatchObject({ protocol: 'grpc', verdict: c.verdict, rule: c.rule, grpc: { service: 'shop.v1.Orders', method: c.method, status: c.grpcStatus } });
      expect(flow.policy).toBe(c.rule ? c.rule.split('#')[0] : 'shop/orders-api');
      expect(flow.destination).toMatchObject({ workload: 'orders', port: compiled.ports.grpc });
    }
  });

  it('answers filtered queries over what it collected', async () => {
    const denied = store.query({ verdicts: ['denied'] }).map((s) => s.flow);
    expect(denied.map((f) => f.http?.path ?? `${f.grpc?.service}/${f.grpc?.method}`).sort()).toEqual(['/v1/orders', '/v1/orders/admin', 'shop.v1.Orders/List']);
    const audit = store.query({ verdicts: ['audit-denied'], policies: ['shop/orders-tighten'] });
    expect(audit).toHaveLength(2);
    expect(collector.stats()).toMatchObject({ dropped: 0, rejectedMessages: 0 });
    expect(collector.metrics.streams.get({ source: 'envoy', known: 'true' })).toBeGreaterThan(0);
  });
});
