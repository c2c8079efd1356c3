/**
 * Conformance: a raw gRPC client drives the server over loopback and every rule is checked by the
 * exact sequence of responses. "Nothing was sent" is proven with a barrier (an SDS request that
 * must be answered next), never with a sleep.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { TYPE_URL } from '../../xds-server/index.js';
import { apiListener, baseResourcesWithKafka, cluster, endpoints, kafkaPolicy, routeConfig, snap, startServer, until, withoutResource } from './harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

describe('xDS SotW protocol', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startServer();
    env.cache.setDefault(snap(baseResourcesWithKafka()));
  });
  afterEach(async () => env.stop());

  describe('node and type_url', () => {
    it('remembers the node from the first request; later requests may omit it', async () => {
      const c = env.client();
      c.send({ type: 'CDS', node: 'n1' });
      const r = await c.next();
      expect(r.type).toBe('CDS');
      c.send({ type: 'EDS', node: null, names: ['c1'] });
      expect((await c.next()).names).toEqual(['c1']);
      const s = env.server.nodeStatus('n1');
      expect(s?.streams).toHaveLength(1);
      expect(s?.node).toEqual({ id: 'n1', cluster: 'test', userAgentName: 'raw-test-client', userAgentVersion: '' });
    });

    it('ends the stream with INVALID_ARGUMENT when a later request names a different node', async () => {
      const c = env.client();
      c.send({ type: 'CDS', node: 'n1' });
      await c.next();
      c.send({ type: 'EDS', node: 'n2', names: ['c1'] });
      const end = await c.status();
      expect(end.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(end.details).toBe('node.id changed on the stream from "n1" to "n2"');
    });

    it('ends the stream with INVALID_ARGUMENT when the first request has no node id', async () => {
      const c = env.client();
      c.send({ type: 'CDS', node: null });
      expect(await c.status()).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, details: 'the first request on a stream must carry node.id' });
    });

    it('rejects an ADS request without type_url with INVALID_ARGUMENT', async () => {
      const c = env.client();
      c.send({ type: '', node: 'n1' });
      expect(await c.status()).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, details: 'ADS requests must set type_url' });
    });

    it('logs and ignores a type URL it does not serve; the stream keeps working', async () => {
      const c = env.client();
      c.send({ type: 'type.googleapis.com/envoy.service.runtime.v3.Runtime', node: 'n1', names: ['rt'] });
      c.send({ type: 'CDS', node: null });
      expect((await c.next()).type).toBe('CDS');
      expect(env.server.metrics.unknownTypes.get()).toBe(1);
    });

    it('serves the per-type services (type_url may be empty there) and rejects a foreign type_url', async () => {
      const lds = env.client('LDS');
      lds.send({ type: '', node: 'n1' });
      const r = await lds.next();
      expect(r.typeUrl).toBe(TYPE_URL.LDS);
      expect(r.names).toEqual(['l1', 'l2']);
      const eds = env.client('EDS');
      eds.send({ type: 'EDS', node: 'n1', names: ['c2'] });
      expect((await eds.next()).names).toEqual(['c2']);
      const sds = env.client('SDS');
      sds.send({ type: '', node: 'n1', names: ['s1'] });
      expect((await sds.next()).names).toEqual(['s1']);
      const cds = env.client('CDS');
      cds.send({ type: 'LDS', node: 'n1' });
      expect((await cds.status()).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(env.server.nodeStatus('n1')?.streams.map((s) => s.transport)).toEqual(['LDS', 'EDS', 'SDS']);
    });
  });

  describe('versions, nonces, ACK and NACK', () => {
    it('keeps versions and nonces per type; an ACK is recorded and never answered with an unchanged response', async () => {
      const c = env.client();
      c.send({ type: 'CDS', node: 'n1' });
      const cds = await c.next();
      c.send({ type: 'LDS', node: null });
      const lds = await c.next();
      expect(cds.nonce).not.toBe(lds.nonce);
      expect(cds.version).toBe(env.cache.view('n1').version(TYPE_URL.CDS));
      expect(lds.version).toBe(env.cache.view('n1').version(TYPE_URL.LDS));
      c.ack('CDS').ack('LDS');
      await c.barrier('after-acks');
      const st = env.server.nodeStatus('n1');
      const cdsAck = st?.types.find((t) => t.type === 'CDS')?.lastAck;
      expect(cdsAck?.version).toBe(cds.version);
      expect(cdsAck?.nonce).toBe(cds.nonce);
      expect(Object.keys(cdsAck?.resources ?? {})).toEqual(['c1', 'c2']);
      expect(env.events.filter((e) => e.kind === 'ack').map((e) => (e.kind === 'ack' ? e.type : ''))).toEqual(['CDS', 'LDS']);
    });

    it('records a NACK (message, rejected and accepted versions), does not resend, keeps working', async () => {
      const c = env.client();
      c.send({ type: 'LDS', node: 'n1' });
      const v1 = await c.next();
      c.ack('LDS');
      env.cache.setDefault(snap([...withoutResource(baseResourcesWithKafka(), 'LDS', 'l2'), apiListener('l2', 'rc2', '-bad')]));
      const v2 = await c.next();
      expect(v2.version).not.toBe(v1.version);
      c.send({ type: 'LDS', node: null, version: v1.version, nonce: v2.nonce, error: 'listener l2: bad filter' });
      await c.barrier('after-nack');
      const nack = env.server.nodeStatus('n1')?.types.find((t) => t.type === 'LDS')?.lastNack;
      expect(nack).toMatchObject({ rejectedVersion: v2.version, acceptedVersion: v1.version, nonce: v2.nonce, code: 3, message: 'listener l2: bad filter' });
      expect(env.server.metrics.nacks.get({ type: 'LDS' })).toBe(1);
      expect(env.events.some((e) => e.kind === 'nack' && e.nack.message === 'listener l2: bad filter')).toBe(true);
      // A new snapshot is a new version and is sent; the NACKed one never was again.
      env.cache.setDefault(snap(baseResourcesWithKafka()));
      const v3 = await c.next();
      expect(v3.version).toBe(v1.version);
      expect(env.events.filter((e) => e.kind === 'response' && e.type === 'LDS').map((e) => (e.kind === 'response' ? e.version : ''))).toEqual([v1.version, v2.version, v1.version]);
    });

    it('ignores requests with a stale nonce (SotW) and one from the future', async () => {
      const c = env.client();
      c.send({ type: 'EDS', node: 'n1', names: ['c1'] });
      const r1 = await c.next();
      env.cache.setDefault(snap(baseResourcesWithKafka(81)));
      const r2 = await c.next();
      // The ACK of the older response, now stale, even one that changes the names, is ignored.
      c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: r1.version, nonce: r1.nonce });
      c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: r2.version, nonce: 'zzzz' });
      await c.barrier('stale');
      expect(env.server.metrics.staleNonces.get({ type: 'EDS' })).toBe(2);
      expect(env.server.nodeStatus('n1')?.streams[0]?.types.find((t) => t.type === 'EDS')?.subscription.names).toEqual(['c1']);
      c.ack('EDS', ['c1']);
      await c.barrier('acked');
      expect(env.server.nodeStatus('n1')?.types.find((t) => t.type === 'EDS')?.lastAck?.nonce).toBe(r2.nonce);
    });

    it('a nonce names one response on one stream: a set that changes and changes back is sent with a new nonce, and a late ACK of the first is stale', async () => {
      const c = env.client();
      const other = env.client();
      c.send({ type: 'EDS', node: 'n1', names: ['c1'] });
      other.send({ type: 'EDS', node: 'n2', names: ['c1'] });
      const r1 = await c.next();
      expect((await other.next()).nonce).toBe(r1.nonce); // one shared body for both streams
      env.cache.setDefault(snap(baseResourcesWithKafka(81)));
      const r2 = await c.next();
      env.cache.setDefault(snap(baseResourcesWithKafka()));
      const r3 = await c.next();
      // The same response as r1 (same version and bytes but the nonce), under a nonce of its own.
      expect([r3.version, r3.bodies]).toEqual([r1.version, r1.bodies]);
      expect(new Set([r1.nonce, r2.nonce, r3.nonce]).size).toBe(3);
      // The ACK of r1, read now, is stale: it is not taken as the ACK of r3.
      const stale = env.server.metrics.staleNonces.get({ type: 'EDS' });
      c.send({ type: 'EDS', node: null, names: ['c1'], version: r1.version, nonce: r1.nonce });
      await c.barrier('late-ack');
      expect(env.server.metrics.staleNonces.get({ type: 'EDS' }) - stale).toBe(1);
      const eds = () => env.server.nodeStatus('n1')?.types.find((t) => t.type === 'EDS');
      expect(eds()?.lastAck).toBeUndefined();
      c.ack('EDS', ['c1']);
      await until(() => eds()?.lastAck?.nonce === r3.nonce, 10_000, 'the ACK of r3');
      // The other node's stream got the same three responses, sharing each one's bytes and nonce:
      // two encodings in all (r3 re-uses r1's body under its new nonce).
      expect((await other.take(2)).map((r) => r.nonce)).toEqual([r2.nonce, r3.nonce]);
      expect(env.server.metrics.encodes.get({ type: 'EDS' })).toBe(2);
    });

    it('answers a request whose names changed even when its nonce is an ACK', async () => {
      const c = env.client();
      c.send({ type: 'EDS', node: 'n1', names: ['c1'] });
      const r1 = await c.next();
      c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: r1.version, nonce: r1.nonce });
      const r2 = await c.next();
      expect(r2.names).toEqual(['c1', 'c2']);
      expect(env.server.nodeStatus('n1')?.types.find((t) => t.type === 'EDS')?.lastAck?.version).toBe(r1.version);
    });
  });

  describe('subscriptions', () => {
    it('treats empty names on a fresh stream as legacy wildcard, and empty names after naming as unsubscribe', async () => {
      const c = env.client();
      c.send({ type: 'CDS', node: 'n1' });
      const all = await c.next();
      expect(all.names).toEqual(['c1', 'c2']);
      c.send({ type: 'CDS', node: null, names: ['c2'], nonce: all.nonce, version: all.version });
      expect((await c.next()).names).toEqual(['c2']);
      c.ack('CDS', []);
      await c.barrier('unsubscribed');
      expect(env.server.nodeStatus('n1')?.streams[0]?.types[0]?.subscription).toEqual({ wildcard: false, names: [] });
      // Unsubscribed: a change of CDS is not sent.
      env.cache.setDefault(snap([...baseResourcesWithKafka(), cluster('c3'), endpoints('c3', [1])]));
      await c.barrier('no-push');
    });

    it('honours explicit "*" (also after names) and pushes every change to it', async () => {
      const c = env.client();
      c.send({ type: 'LDS', node: 'n1', names: ['l1'] });
      const r1 = await c.next();
      expect(r1.names).toEqual(['l1']);
      c.send({ type: 'LDS', node: null, names: ['*'], nonce: r1.nonce, version: r1.version });
      expect((await c.next()).names).toEqual(['l1', 'l2']);
      env.cache.setDefault(snap([...baseResourcesWithKafka(), apiListener('l3', 'rc1')]));
      expect((await c.next()).names).toEqual(['l1', 'l2', 'l3']);
    });

    it('remembers requested-but-missing names and sends them when they appear', async () => {
      const c = env.client();
      c.send({ type: 'RDS', node: 'n1', names: ['rc1', 'rc9'] });
      const r1 = await c.next();
      expect(r1.names).toEqual(['rc1']);
      c.ack('RDS', ['rc1', 'rc9']);
      env.cache.setDefault(snap([...baseResourcesWithKafka(), routeConfig('rc9', 'c2')]));
      const r2 = await c.next();
      expect(r2.names).toEqual(['rc9']); // partial type: only what changed
      expect(r2.version).not.toBe(r1.version);
    });
  });

  describe('full state and partial responses', () => {
    it('sends every LDS/CDS/Kafka resource on each change (absence = deletion), only changed RDS/EDS/SDS', async () => {
      const c = env.client();
      c.send({ type: 'LDS', node: 'n1' });
      await c.next();
      c.ack('LDS');
      c.send({ type: 'KAFKA', node: null });
      expect((await c.next()).names).toEqual(['k1']);
      c.ack('KAFKA');
      c.send({ type: 'EDS', node: null, names: ['c1', 'c2'] });
      expect((await c.next()).names).toEqual(['c1', 'c2']);
      c.ack('EDS', ['c1', 'c2']);
      // One change in each: l1 removed, k2 added, c1's endpoints moved.
      env.cache.setDefault(snap([...withoutResource(baseResourcesWithKafka(81), 'LDS', 'l1'), kafkaPolicy('k2')]));
      const rs = await c.take(3);
      expect(rs.map((r) => [r.type, r.names])).toEqual([
        ['EDS', ['c1']],
        ['LDS', ['l2']],
        ['KAFKA', ['k1', 'k2']],
      ]);
      expect(rs[0]?.version).toBe(env.cache.view('n1').select(TYPE_URL.EDS, { wildcard: false, names: ['c1', 'c2'], key: 'c1\nc2' }).version);
    });

    it('sends each stream what changed from what it holds, also when streams on one shared set hold different versions (a response is planned once per set and held version)', async () => {
      const ab = (port1: number, port2: number) => [...withoutResource(withoutResource(baseResourcesWithKafka(port1), 'EDS', 'c2'), 'EDS', 'c1'), endpoints('c1', [port1]), endpoints('c2', [port2])];
      const a = env.client();
      const b = env.client();
      for (const [c, node] of [[a, 'n1'], [b, 'n2']] as const) {
        c.send({ type: 'EDS', node, names: ['c1', 'c2'] });
        expect((await c.next()).names).toEqual(['c1', 'c2']);
        c.ack('EDS', ['c1', 'c2']);
      }
      // n1 alone moves on: c1's endpoints change for it.
      env.cache.set('n1', snap(ab(81, 90)));
      expect((await a.next()).names).toEqual(['c1']);
      a.ack('EDS', ['c1', 'c2']);
      await a.barrier('n1-acked');
      // Both back on one default snapshot (one view, one set) where c2 changed too: n1 held c1 at 81, n2 at 80.
      env.cache.batch(() => {
        env.cache.setDefault(snap(ab(81, 91)));
        env.cache.clear('n1');
      });
      const [ra, rb] = [await a.next(), await b.next()];
      expect(ra.names).toEqual(['c2']);
      expect(rb.names).toEqual(['c1', 'c2']);
      expect(ra.version).toBe(rb.version);
      expect(ra.nonce).not.toBe(rb.nonce);
    });
  });

  describe('serialization once per version', () => {
    it('encodes each response body once and shares it across streams (only the nonce differs)', async () => {
      const clients = Array.from({ length: 20 }, () => env.client());
      clients.forEach((c, i) => c.send({ type: 'CDS', node: `n${i}` }));
      const first = await Promise.all(clients.map((c) => c.next()));
      const encodesBefore = env.server.metrics.encodes.get({ type: 'CDS' });
      expect(encodesBefore).toBe(1);
      clients.forEach((c) => c.ack('CDS'));
      env.cache.setDefault(snap([...baseResourcesWithKafka(), cluster('c3'), endpoints('c3', [1])]));
      const second = await Promise.all(clients.map((c) => c.next()));
      expect(env.server.metrics.encodes.get({ type: 'CDS' })).toBe(2);
      expect(new Set(second.map((r) => r.version)).size).toBe(1);
      expect(new Set(first.map((r) => Buffer.concat(r.bodies.map((b) => Buffer.from(b))).toString('hex'))).size).toBe(1);
    });
  });

  describe('status, events and metrics', () => {
    it('exposes per-node streams, subscriptions, sent/ACKed versions, events and Prometheus metrics', async () => {
      const c = env.client();
      c.send({ type: 'EDS', node: 'n1', names: ['c2', 'c1'] });
      const r = await c.next();
      c.ack('EDS', ['c1', 'c2']);
      await until(() => env.events.some((e) => e.kind === 'ack'), 10_000, 'the ACK');
      const s = env.server.nodeStatus('n1');
      const eds = s?.streams[0]?.types[0];
      expect(eds).toMatchObject({ type: 'EDS', subscription: { wildcard: false, names: ['c1', 'c2'] }, lastSent: { version: r.version, nonce: r.nonce, count: 2 }, pending: false });
      expect(eds?.lastAcked?.resources).toEqual({
        c1: env.cache.view('n1').of(TYPE_URL.EDS).byName.get('c1')?.version,
        c2: env.cache.view('n1').of(TYPE_URL.EDS).byName.get('c2')?.version,
      });
      expect(env.events.map((e) => e.kind)).toEqual(['connect', 'request', 'response', 'request', 'ack']);
      const text = env.registry.render();
      expect(text).toContain('sluice_xds_streams{transport="ADS"} 1');
      expect(text).toContain('sluice_xds_responses_total{type="EDS"} 1');
      expect(text).toContain('sluice_xds_acks_total{type="EDS"} 1');
      expect(text).toMatch(/sluice_xds_bytes_sent_total\{type="EDS"\} \d+/);
      expect(text).toContain('# TYPE sluice_xds_push_duration_seconds histogram');
      c.close();
      await until(() => env.server.nodeStatus('n1')?.connected === false, 10_000, 'the disconnect');
      expect(env.registry.render()).toContain('sluice_xds_streams{transport="ADS"} 0');
      expect(env.server.ackedVersion('n1', TYPE_URL.EDS, 'c1')).toBe(env.cache.view('n1').of(TYPE_URL.EDS).byName.get('c1')?.version);
      expect(env.server.ackedVersion('n1', TYPE_URL.EDS, 'c9')).toBeUndefined();
      expect(env.server.nodeStatus('n1')?.types[0]?.lastAck?.version).toBe(r.version);
    });
  });
});
