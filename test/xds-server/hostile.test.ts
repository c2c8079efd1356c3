/**
 * Hostile input: the server never crashes, ends an offending stream with a clear status where the
 * protocol allows, and every other stream keeps working.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { TYPE_URL } from '../../xds-server/index.js';
import { apiListener, cluster, endpoints, routeConfig, snap, startServer, until } from './harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

const base = () => [cluster('c1'), endpoints('c1', [80]), apiListener('l1', 'rc1'), routeConfig('rc1', 'c1')];

describe('hostile input', () => {
  let env: Env;
  let bystander: ReturnType<Env['client']>;
  beforeEach(async () => {
    env = await startServer({ limits: { maxRequestBytes: 256 * 1024, maxNamesPerRequest: 5000 } });
    env.cache.setDefault(snap(base()));
    bystander = env.client();
    bystander.send({ type: 'CDS', node: 'bystander' });
    await bystander.next();
    bystander.ack('CDS');
  });
  afterEach(async () => {
    // Whatever happened, the bystander's stream still works.
    await bystander.barrier('still-alive');
    await env.stop();
  });

  it('ends a stream carrying malformed protobuf with INVALID_ARGUMENT', async () => {
    const c = env.client();
    c.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const end = await c.status();
    expect(end.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(end.details).toMatch(/^invalid DiscoveryRequest: malformed protobuf/);
    const d = env.client();
    d.sendRaw(Buffer.from([0x20, 0x01])); // type_url (field 4) as a varint
    expect(await d.status()).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, details: 'invalid DiscoveryRequest: type_url: field 4 has wire type 0, expected 2' });
    const e = env.client();
    e.sendRaw(Buffer.from([0x07])); // field 0
    expect((await e.status()).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(env.server.metrics.rejected.get({ reason: 'malformed' })).toBe(3);
  });

  it('refuses an oversized request with RESOURCE_EXHAUSTED', async () => {
    const c = env.client();
    c.send({ type: 'RDS', node: 'big', names: ['x'.repeat(300 * 1024)] });
    expect((await c.status()).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
  });

  it('accepts thousands of names up to the cap and refuses more with RESOURCE_EXHAUSTED', async () => {
    const c = env.client();
    const names = Array.from({ length: 5000 }, (_, i) => `rc-${i}`);
    c.send({ type: 'RDS', node: 'many', names: [...names.slice(0, 4999), 'rc1'] });
    const r = await c.next();
    expect(r.names).toEqual(['rc1']);
    c.send({ type: 'RDS', node: null, names: [...names, 'one-more'], nonce: r.nonce, version: r.version });
    const end = await c.status();
    expect(end).toEqual({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'invalid DiscoveryRequest: resource_names: more than 5000 names in one request' });
  });

  it('answers an ACK that arrives before any response as a first request', async () => {
    const c = env.client();
    c.send({ type: 'CDS', node: 'early', version: 'v-never-sent', nonce: '42' });
    expect((await c.next()).names).toEqual(['c1']);
  });

  it('ignores a NACK for a version never sent (nothing recorded, nothing resent)', async () => {
    const c = env.client();
    c.send({ type: 'LDS', node: 'nacker', nonce: 'nope', version: 'v9', error: 'you sent me garbage' });
    const r = await c.next(); // no response of ours was NACKed: it is a first request
    expect(r.names).toEqual(['l1']);
    c.send({ type: 'LDS', node: null, nonce: 'not-a-nonce-we-sent', version: 'v9', error: 'garbage again' });
    await c.barrier('after-bogus-nack');
    expect(env.server.nodeStatus('nacker')?.types).toEqual([]);
    expect(env.server.metrics.nacks.get({ type: 'LDS' })).toBe(0);
  });

  it('survives clients that disconnect in the middle of a push', async () => {
    const many = Array.from({ length: 200 }, (_, i) => [cluster(`c${i}`), endpoints(`c${i}`, [1000 + i])]).flat();
    env.cache.setDefault(snap(many));
    const clients = Array.from({ length: 40 }, () => env.client());
    clients.forEach((c, i) => c.send({ type: 'CDS', node: `drop-${i}` }).send({ type: 'EDS', node: null, names: many.filter((_, j) => j % 2 === 1).map((r) => r.name) }));
    await Promise.all(clients.map((c) => c.take(2)));
    clients.forEach((c) => c.ack('CDS').ack('EDS', many.filter((_, j) => j % 2 === 1).map((r) => r.name)));
    await bystander.next(); // the bystander is a wildcard CDS subscriber too
    bystander.ack('CDS');
    const changed = Array.from({ length: 200 }, (_, i) => [cluster(`c${i}`), endpoints(`c${i}`, [2000 + i])]).flat();
    env.cache.setDefault(snap(changed));
    clients.slice(0, 20).forEach((c) => c.close()); // while the push (fanned out after this turn) is written
    const survivors = clients.slice(20);
    for (const c of survivors) expect((await c.next()).type).toBe('EDS');
    survivors.forEach((c) => c.ack('EDS', many.filter((_, j) => j % 2 === 1).map((r) => r.name)));
    env.cache.setDefault(snap(many));
    for (const c of survivors) expect((await c.next()).type).toBe('EDS');
    await until(() => env.server.status().filter((s) => s.connected).length === 21, 15_000, '20 disconnects');
  });

  it('merges a burst of changes made in one turn into one push per stream, of the latest state', async () => {
    const c = env.client();
    c.send({ type: 'LDS', node: 'burst' });
    await c.next();
    c.ack('LDS');
    for (let i = 1; i <= 50; i++) env.cache.setDefault(snap([cluster('c1'), endpoints('c1', [80]), apiListener('l1', 'rc1', `-burst-${i}`), routeConfig('rc1', 'c1')]));
    const r = await c.next();
    expect(r.version).toBe(env.cache.view('burst').version(TYPE_URL.LDS));
    await c.barrier('one-push');
  });

  it('keeps at most the latest pending state for a stream that stops reading (backpressure)', async () => {
    const big = (i: number) => [cluster('c1'), endpoints('c1', [80]), apiListener('l1', 'rc1', `-${i}-${'p'.repeat(20_000)}`), routeConfig('rc1', 'c1')];
    env.cache.setDefault(snap(big(0)));
    const slow = env.client();
    slow.send({ type: 'LDS', node: 'slow' });
    await slow.next();
    slow.call.pause();
    const changes = 300;
    // One change per event-loop turn (changes within one turn are merged into one push).
    for (let i = 1; i <= changes; i++) {
      env.cache.setDefault(snap(big(i)));
      await new Promise((r) => setImmediate(r));
    }
    await until(() => env.server.nodeStatus('slow')?.streams[0]?.types[0]?.pending === true, 15_000, 'the stream to block');
    const sentWhileBlocked = env.events.filter((e) => e.kind === 'response' && e.nodeId === 'slow').length;
    expect(sentWhileBlocked).toBeLessThan(100);
    const latest = env.cache.view('slow').version(TYPE_URL.LDS);
    slow.call.resume();
    let last = await slow.next();
    while (last.version !== latest) last = await slow.next();
    expect(slow.queued).toBe(0);
    const total = env.events.filter((e) => e.kind === 'response' && e.nodeId === 'slow').length;
    expect(total).toBeLessThan(100);
    expect(total).toBeGreaterThan(1);
    // Meanwhile the bystander was never held up by the slow stream.
    await bystander.barrier('not-blocked');
  });
});
