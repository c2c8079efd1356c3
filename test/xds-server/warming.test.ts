/**
 * Conformance, SotW: warming and push order. Envoy re-requests EDS to warm clusters that CDS
 * re-created and RDS for listeners LDS changed; the server answers what that needs, once, and
 * pushes a change in Envoy's order (CDS, EDS, LDS, RDS, SDS, then sluice's own types). Checked by
 * the exact sequence of responses over a raw gRPC client; "nothing was sent" by a barrier.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { apiListener, baseResourcesWithKafka, cluster, endpoints, kafkaPolicy, routeConfig, secret, snap, startServer, until, withoutResource } from './harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

describe('xDS SotW warming and order', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startServer();
    env.cache.setDefault(snap(baseResourcesWithKafka()));
  });
  afterEach(async () => env.stop());

  it('answers the EDS request that follows a CDS response that re-created a cluster, once; not RDS after an LDS change that kept the route name', async () => {
    const c = env.client();
    c.send({ type: 'CDS', node: 'n1' });
    await c.next();
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'] });
    const e1 = await c.next();
    c.ack('CDS');
    c.ack('EDS', ['c1', 'c2']);
    await c.barrier('settled');
    // A CDS-only change: Envoy re-requests EDS (same names, current nonce) to warm the clusters.
    env.cache.setDefault(snap([...withoutResource(baseResourcesWithKafka(), 'CDS', 'c2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }]));
    const cds = await c.next();
    expect(cds.type).toBe('CDS');
    c.ack('CDS');
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: e1.version, nonce: e1.nonce });
    const e2 = await c.next();
    expect([e2.type, e2.version, e2.names]).toEqual(['EDS', e1.version, ['c1', 'c2']]);
    // Only once: the ACK of that response is not answered again.
    c.ack('EDS', ['c1', 'c2']);
    await c.barrier('warmed');
    // LDS → RDS: a listener that changed but kept its route name needs no RDS answer (Envoy keeps
    // the route provider across the listener update; test/e2e/envoy-delta.test.ts shows it).
    c.send({ type: 'LDS', node: null });
    await c.next();
    c.send({ type: 'RDS', node: null, names: ['rc1'] });
    const r1 = await c.next();
    c.ack('LDS');
    c.ack('RDS', ['rc1']);
    await c.barrier('lds-settled');
    const skipped = env.server.metrics.skipped.get({ type: 'RDS' });
    env.cache.setDefault(snap([...withoutResource(withoutResource(baseResourcesWithKafka(), 'LDS', 'l1'), 'CDS', 'c2'), apiListener('l1', 'rc1', '-v2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }]));
    expect((await c.next()).type).toBe('LDS');
    c.ack('LDS');
    c.send({ type: 'RDS', node: null, names: ['rc1'], version: r1.version, nonce: r1.nonce });
    await c.barrier('no-rds');
    expect(env.server.metrics.skipped.get({ type: 'RDS' })).toBe(skipped);
  });

  it('does not take a late EDS ACK, read after a CDS push, for the warming request (no redundant EDS response)', async () => {
    const c = env.client();
    c.send({ type: 'CDS', node: 'n1' });
    await c.next();
    c.ack('CDS');
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'] });
    const e1 = await c.next();
    // The cluster changes before the server reads the client's ACK of e1.
    env.cache.setDefault(snap([...withoutResource(baseResourcesWithKafka(), 'CDS', 'c2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }]));
    expect((await c.next()).type).toBe('CDS');
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: e1.version, nonce: e1.nonce }); // the late ACK
    c.ack('CDS');
    await c.barrier('late-ack');
    // Envoy's warming request (the same nonce again, after applying CDS) is answered.
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: e1.version, nonce: e1.nonce });
    expect((await c.next()).type).toBe('EDS');
  });

  it('counts a push that leaves a stream\'s resources as they were in sluice_xds_responses_skipped_total', async () => {
    const c = env.client();
    c.send({ type: 'EDS', node: 'n1', names: ['c1'] });
    const e1 = await c.next();
    c.ack('EDS', ['c1']);
    await c.barrier('eds');
    // c2's endpoints change: EDS changed for the node, but not for this stream, which holds c1 only.
    env.cache.setDefault(snap(withoutResource(baseResourcesWithKafka(), 'EDS', 'c2').concat([endpoints('c2', [9999])])));
    await until(() => env.server.metrics.skipped.get({ type: 'EDS' }) === 1, 10_000, 'the skipped response');
    await c.barrier('none-sent');
    expect(c.last.get('EDS')?.nonce).toBe(e1.nonce);
    expect(env.registry.render()).toContain('sluice_xds_responses_skipped_total{type="EDS"} 1');
  });

  it('pushes a change that touches every type in the order CDS → EDS → LDS → RDS → SDS → Kafka', async () => {
    const c = env.client();
    // Subscribe in reverse order, so request order cannot explain the push order.
    const subscriptions = [['KAFKA', []], ['SDS', ['s1']], ['RDS', ['rc1']], ['LDS', []], ['EDS', ['c1']], ['CDS', []]] as const;
    for (const [type, names] of subscriptions) {
      c.send({ type, node: 'n1', names });
      expect((await c.next()).type).toBe(type);
      c.ack(type, names);
    }
    await until(() => env.events.filter((e) => e.kind === 'ack').length === 6, 10_000, 'six ACKs');
    env.cache.setDefault(
      snap([cluster('c1'), cluster('c2'), cluster('c3'), endpoints('c3', [1]), endpoints('c1', [99]), endpoints('c2', [90]), apiListener('l1', 'rc1', '-2'), routeConfig('rc1', 'c2'), secret('s1', 'new'), kafkaPolicy('k1', 'v2')]),
    );
    expect((await c.take(6)).map((r) => r.type)).toEqual(['CDS', 'EDS', 'LDS', 'RDS', 'SDS', 'KAFKA']);
  });
});
