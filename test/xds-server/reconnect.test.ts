/**
 * Reconnects (a proxy back after a control-plane restart): a client whose first request for a
 * type states (`version_info`, empty nonce) exactly the version the stream would be sent is sent
 * nothing and recorded as holding it; everything else is answered as before. "Nothing was sent"
 * is proven with a barrier (an SDS request that must be answered next), never with a sleep.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { TYPE_URL, type AckStatus, type ShortName } from '../../xds-server/index.js';
import { apiListener, cluster, endpoints, kafkaPolicy, routeConfig, secret, serverListener, snap, startServer, until, type RawXdsClient, type Response } from './harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

const base = (port = 80, tag = '') => [
  cluster('c1'),
  endpoints('c1', [port]),
  { ...cluster('c2'), body: cluster(tag ? 'c2x' : 'c2', 'c2').body },
  endpoints('c2', [90]),
  apiListener('l1', 'rc1', tag),
  routeConfig('rc1', 'c1'),
  secret('s1'),
  kafkaPolicy('k1'),
];

/** What Envoy subscribes to, in the order it sends its requests when a stream opens. */
const SUBSCRIPTIONS: ReadonlyArray<readonly [ShortName, readonly string[]]> = [
  ['CDS', []],
  ['EDS', ['c1', 'c2']],
  ['LDS', []],
  ['RDS', ['rc1']],
  ['SDS', ['s1']],
  ['KAFKA', []],
];

describe('reconnects', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startServer();
    env.cache.setDefault(snap(base()));
  });
  afterEach(async () => env.stop());

  /** A first stream that subscribes to `subs` and ACKs every response; returns what it holds, then disconnects. */
  async function holdAndLeave(subs = SUBSCRIPTIONS, node = 'n1'): Promise<Map<ShortName, Response>> {
    const c = env.client();
    const held = new Map<ShortName, Response>();
    for (const [type, names] of subs) {
      c.send({ type, node: held.size === 0 ? node : null, names });
      const r = await c.next();
      expect(r.type).toBe(type);
      held.set(type, r);
      c.ack(type, names);
    }
    await c.barrier('acked');
    c.close();
    await until(() => env.server.nodeStatus(node)?.connected === false, 10_000, 'the disconnect');
    return held;
  }

  /** A new stream that sends, like Envoy and gRPC clients do, every subscription with the version it holds and no nonce. */
  function comeBack(held: ReadonlyMap<ShortName, Response>, subs = SUBSCRIPTIONS, node = 'n1'): RawXdsClient {
    const c = env.client();
    subs.forEach(([type, names], i) => c.send({ type, node: i === 0 ? node : null, names, version: held.get(type)?.version ?? '' }));
    return c;
  }

  const responses = () => env.events.flatMap((e) => (e.kind === 'response' ? [`${e.type}@${e.streamId}`] : []));
  const lastAck = (type: ShortName, node = 'n1'): AckStatus | undefined => env.server.nodeStatus(node)?.types.find((t) => t.type === type)?.lastAck;

  it('sends nothing to a client that comes back holding the current version of every type, and records that it holds them', async () => {
    const held = await holdAndLeave();
    const before = responses();
    const c = comeBack(held);
    await c.barrier('nothing-sent');
    // Only the barrier's SDS response went out on the new stream.
    expect(responses().slice(before.length)).toEqual([expect.stringMatching(/^SDS@/)]);
    const streamId = env.server.nodeStatus('n1')?.streams[0]?.id;
    const view = env.cache.view('n1');
    for (const [type, names] of SUBSCRIPTIONS) {
      const typeUrl = TYPE_URL[type];
      const set = view.select(typeUrl, names.length === 0 ? { wildcard: true, names: [], key: '*' } : { wildcard: false, names, key: names.join('\n') });
      expect(lastAck(type)).toEqual({ version: held.get(type)?.version, nonce: '', at: expect.any(Number), streamId, resources: Object.fromEntries(set.versions), resumed: true });
      expect(env.server.metrics.resumes.get({ type })).toBe(1);
    }
    expect(env.server.ackedVersion('n1', TYPE_URL.EDS, 'c2')).toBe(view.of(TYPE_URL.EDS).byName.get('c2')?.version);
    expect(env.events.filter((e) => e.kind === 'resume').map((e) => (e.kind === 'resume' ? e.type : ''))).toEqual(SUBSCRIPTIONS.map(([t]) => t));
    const cds = env.server.nodeStatus('n1')?.streams[0]?.types.find((t) => t.type === 'CDS');
    expect(cds).toMatchObject({ lastSent: undefined, lastAcked: { resumed: true, nonce: '' } });
    expect(env.registry.render()).toContain('sluice_xds_resumes_total{type="CDS"} 1');
  });

  it('answers a client that comes back with an older version, and a first connection (no version)', async () => {
    const held = await holdAndLeave([['LDS', []]]);
    env.cache.setDefault(snap(base(80, '-v2')));
    const c = comeBack(held, [['LDS', []]]);
    const r = await c.next();
    expect([r.type, r.version]).toEqual(['LDS', env.cache.view('n1').version(TYPE_URL.LDS)]);
    expect(r.version).not.toBe(held.get('LDS')?.version);
    // A first connection of another node, holding nothing: answered, even though the content is the same.
    const fresh = env.client();
    fresh.send({ type: 'LDS', node: 'n2' });
    expect((await fresh.next()).version).toBe(r.version);
    // A nonce from the old stream on the new one, before anything was sent for that type: a first request, answered.
    c.send({ type: 'EDS', node: null, names: ['c1'], version: 'old', nonce: held.get('LDS')?.nonce ?? '' });
    expect((await c.next()).type).toBe('EDS');
    expect(env.server.metrics.resumes.get({ type: 'LDS' })).toBe(0);
  });

  it('answers exactly the types that changed while the client was away', async () => {
    const held = await holdAndLeave();
    // c1's endpoints, l1 and the Kafka policies change; CDS, RDS and SDS do not.
    env.cache.setDefault(snap([...base(81).filter((r) => r.typeUrl !== TYPE_URL.LDS && r.typeUrl !== TYPE_URL.KAFKA), apiListener('l1', 'rc1', '-v2'), kafkaPolicy('k1'), kafkaPolicy('k2')]));
    const c = comeBack(held);
    const rs = await c.take(3);
    // A client that comes back with an old version of a type gets that type's whole set.
    expect(rs.map((r) => [r.type, r.names])).toEqual([
      ['EDS', ['c1', 'c2']],
      ['LDS', ['l1']],
      ['KAFKA', ['k1', 'k2']],
    ]);
    await c.barrier('only-changed');
    expect(['CDS', 'RDS', 'SDS'].map((t) => lastAck(t as ShortName)?.resumed)).toEqual([true, true, true]);
  });

  it('pushes to a resumed type from what the client holds: a partial type carries only what changed', async () => {
    const held = await holdAndLeave([['EDS', ['c1', 'c2']]]);
    const c = comeBack(held, [['EDS', ['c1', 'c2']]]);
    await c.barrier('resumed');
    env.cache.setDefault(snap(base(81)));
    const r = await c.next();
    expect([r.type, r.names]).toEqual(['EDS', ['c1']]);
    c.ack('EDS', ['c1', 'c2']);
    await until(() => lastAck('EDS')?.nonce === r.nonce, 10_000, 'the ACK of the push');
    expect(lastAck('EDS')?.resumed).toBeUndefined();
  });

  it('keeps answering where a reconnecting Envoy must warm: EDS for a cluster that CDS re-created, RDS after an LDS change', async () => {
    const subs = SUBSCRIPTIONS.slice(0, 4);
    const held = await holdAndLeave(subs);
    // While the client was away c2's definition and l1 changed; endpoints and routes did not.
    env.cache.setDefault(snap(base(80, '-v2')));
    const c = comeBack(held, subs);
    expect((await c.take(2)).map((r) => r.type)).toEqual(['CDS', 'LDS']);
    await c.barrier('first-requests');
    // Its first EDS and RDS requests were sent before it read those responses: they were resumed.
    expect([lastAck('EDS')?.resumed, lastAck('RDS')?.resumed]).toEqual([true, true]);
    // Having applied CDS, Envoy asks again for the re-created cluster's endpoints (no EDS nonce yet on
    // this stream) and waits for an answer to finish warming: it gets the whole set, once.
    c.send({ type: 'EDS', node: null, names: ['c1', 'c2'], version: held.get('EDS')?.version ?? '' });
    const eds = await c.next();
    expect([eds.type, eds.version, eds.names]).toEqual(['EDS', held.get('EDS')?.version, ['c1', 'c2']]);
    c.ack('EDS', ['c1', 'c2']);
    await c.barrier('eds-warmed');
    c.send({ type: 'RDS', node: null, names: ['rc1'], version: held.get('RDS')?.version ?? '' });
    expect((await c.next()).type).toBe('RDS');
  });

  it('resends to a client that NACKed the current version the version it comes back without, and still never answers its NACK', async () => {
    const held = await holdAndLeave([['LDS', []]]);
    env.cache.setDefault(snap(base(80, '-bad')));
    const c1 = env.client();
    c1.send({ type: 'LDS', node: 'n1', version: held.get('LDS')?.version ?? '' });
    const bad = await c1.next();
    c1.send({ type: 'LDS', node: null, version: held.get('LDS')?.version ?? '', nonce: bad.nonce, error: 'listener l1: bad filter' });
    await c1.barrier('nacked');
    c1.close();
    await until(() => env.server.nodeStatus('n1')?.connected === false, 10_000, 'the disconnect');
    // It comes back with the version it accepted, not the rejected one: it is sent the current one.
    const c2 = comeBack(held, [['LDS', []]]);
    const again = await c2.next();
    expect(again.version).toBe(bad.version);
    c2.send({ type: 'LDS', node: null, version: held.get('LDS')?.version ?? '', nonce: again.nonce, error: 'listener l1: bad filter' });
    await c2.barrier('nacked-again');
    expect(env.server.nodeStatus('n1')?.types.find((t) => t.type === 'LDS')?.lastNack).toMatchObject({ rejectedVersion: bad.version, acceptedVersion: held.get('LDS')?.version });
    expect(env.server.metrics.resumes.get({ type: 'LDS' })).toBe(0);
  });

  it('resumes a proxyless server whose Listener the resolver builds when asked for', async () => {
    const name = serverListener('127.0.0.1', 9000, ['/x']).name;
    env.cache.setResolver((_node, typeUrl, n) => (typeUrl === TYPE_URL.LDS && n === name ? serverListener('127.0.0.1', 9000, ['/x']) : undefined));
    const subs: ReadonlyArray<readonly [ShortName, readonly string[]]> = [['LDS', [name]]];
    const held = await holdAndLeave(subs, 'grpc-server');
    const c = comeBack(held, subs, 'grpc-server');
    await c.barrier('resolved-and-resumed');
    expect(lastAck('LDS', 'grpc-server')).toMatchObject({ version: held.get('LDS')?.version, resumed: true });
    expect(env.server.ackedVersion('grpc-server', TYPE_URL.LDS, name)).toBe(env.cache.view('grpc-server').of(TYPE_URL.LDS).byName.get(name)?.version);
  });
});
