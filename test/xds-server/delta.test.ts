/**
 * Delta xDS (DeltaAggregatedResources) conformance over a raw gRPC client: one test per rule of
 * docs/xds-server.md's Delta section. Responses are decoded with envoy-api's own protobuf types.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { TYPE_URL, contentHash, type ResourceInput } from '../../xds-server/index.js';
import { apiListener, baseResources, cluster, endpoints, routeConfig, secret, snap, startServer, until, withoutResource } from './harness.js';
import { DELTA_SERVICE_PATH, RawDeltaClient } from './delta-harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

const version = (r: ResourceInput) => contentHash(r.body);

describe('xDS Delta protocol', () => {
  let env: Env;
  const clients: RawDeltaClient[] = [];
  const client = (service: keyof typeof DELTA_SERVICE_PATH = 'ADS') => {
    const c = new RawDeltaClient(env.port, service);
    clients.push(c);
    return c;
  };
  const lastAck = (type: keyof typeof TYPE_URL, node = 'n1') => env.server.nodeStatus(node)?.types.find((t) => t.type === type)?.lastAck;

  beforeEach(async () => {
    env = await startServer();
    env.cache.setDefault(snap(baseResources()));
    // Barrier secrets: any `barrier-*` name resolves, so a subscription to a fresh one is answered.
    env.cache.setResolver((_node, typeUrl, name) => (typeUrl === TYPE_URL.SDS && name.startsWith('barrier-') ? secret(name) : undefined));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await env.stop();
  });

  /** A stream that subscribed CDS (legacy wildcard) and EDS [c1, c2] and ACKed both. */
  async function settled(): Promise<RawDeltaClient> {
    const c = client();
    c.send({ type: 'CDS', node: 'n1' });
    expect((await c.next()).names).toEqual(['c1', 'c2']);
    c.ack('CDS');
    c.send({ type: 'EDS', node: null, subscribe: ['c1', 'c2'] });
    expect((await c.next()).names).toEqual(['c1', 'c2']);
    c.ack('EDS');
    await c.barrier('settled');
    return c;
  }

  it('sends each stream what changed from what it holds, also when streams on one shared set hold different versions (a response is planned once per set and held map)', async () => {
    const ab = (port1: number, port2: number) => [...withoutResource(withoutResource(baseResources(port1), 'EDS', 'c2'), 'EDS', 'c1'), endpoints('c1', [port1]), endpoints('c2', [port2])];
    const a = client();
    const b = client();
    for (const [c, node] of [[a, 'n1'], [b, 'n2']] as const) {
      c.send({ type: 'EDS', node, subscribe: ['c1', 'c2'] });
      expect((await c.next()).names).toEqual(['c1', 'c2']);
      c.ack('EDS');
    }
    // n1 alone moves on: c1's endpoints change for it.
    env.cache.set('n1', snap(ab(81, 90)));
    const moved = await a.next();
    expect(moved.names).toEqual(['c1']);
    a.ack('EDS');
    // (No barrier: its resolved secret would give n1 a view of its own; both nodes must share one.)
    await until(() => lastAck('EDS')?.nonce === moved.nonce, 10_000, 'the ACK');
    // Both back on one default snapshot (one view, one set) where c2 changed too: n1 holds c1 at 81, n2 at 80.
    env.cache.batch(() => {
      env.cache.setDefault(snap(ab(81, 91)));
      env.cache.clear('n1');
    });
    const [ra, rb] = [await a.next(), await b.next()];
    expect(ra.names).toEqual(['c2']);
    expect(rb.names).toEqual(['c1', 'c2']);
    expect(ra.systemVersion).toBe(rb.systemVersion);
    expect(ra.nonce).not.toBe(rb.nonce);
  });

  it('legacy wildcard (a first request naming nothing): every resource, each with its content-hash version; the ACK is recorded per resource', async () => {
    const c = client();
    c.send({ type: 'CDS', node: 'n1' });
    const r = await c.next();
    expect(r.typeUrl).toBe(TYPE_URL.CDS);
    expect(r.resources).toEqual([
      { name: 'c1', version: version(cluster('c1')), typeUrl: TYPE_URL.CDS },
      { name: 'c2', version: version(cluster('c2')), typeUrl: TYPE_URL.CDS },
    ]);
    expect(r.removed).toEqual([]);
    expect(r.nonce).not.toBe('');
    c.ack('CDS');
    await until(() => lastAck('CDS')?.nonce === r.nonce, 10_000, 'the ACK');
    expect(lastAck('CDS')?.resources).toEqual({ c1: version(cluster('c1')), c2: version(cluster('c2')) });
    expect(env.server.ackedVersion('n1', TYPE_URL.CDS, 'c2')).toBe(version(cluster('c2')));
    const stream = env.server.nodeStatus('n1')?.streams[0];
    expect([stream?.transport, stream?.api]).toEqual(['DELTA_ADS', 'delta']);
    expect(env.events.some((e) => e.kind === 'connect' && e.api === 'delta')).toBe(true);
  });

  it('explicit `*` is wildcard too; a fresh wildcard subscription with nothing to send is still answered (empty)', async () => {
    env.cache.setDefault(snap(withoutResource(withoutResource(baseResources(), 'CDS', 'c1'), 'CDS', 'c2')));
    const c = client();
    c.send({ type: 'CDS', node: 'n1', subscribe: ['*'] });
    const r = await c.next();
    expect([r.names, r.removed]).toEqual([[], []]);
    env.cache.setDefault(snap(baseResources()));
    expect((await c.next()).names).toEqual(['c1', 'c2']);
  });

  it('explicit subscriptions: only what is named; a new name sends only that resource; an unsubscribed one is not sent again', async () => {
    const c = client();
    c.send({ type: 'EDS', node: 'n1', subscribe: ['c1'] });
    expect((await c.next()).names).toEqual(['c1']);
    c.ack('EDS');
    c.send({ type: 'EDS', node: null, subscribe: ['c2'] });
    expect((await c.next()).names).toEqual(['c2']);
    c.ack('EDS');
    c.send({ type: 'EDS', node: null, unsubscribe: ['c1'] });
    await c.barrier('unsubscribed');
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c1'), endpoints('c1', [81])]));
    await c.barrier('c1-changed');
    expect(env.server.nodeStatus('n1')?.streams[0]?.types.find((t) => t.type === 'EDS')?.subscription).toEqual({ wildcard: false, names: ['c2'] });
  });

  it('a change sends exactly the resources whose version changed, nothing to streams it does not touch', async () => {
    const c = await settled();
    const responses = env.server.metrics.responses.get({ type: 'EDS' });
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c2'), endpoints('c2', [91])]));
    const r = await c.next();
    expect([r.type, r.names, r.removed]).toEqual(['EDS', ['c2'], []]);
    expect(r.resources[0]?.version).toBe(version(endpoints('c2', [91])));
    await c.barrier('one-change');
    expect(env.server.metrics.responses.get({ type: 'EDS' }) - responses).toBe(1);
    // CDS did not change for the node: not pushed; an unchanged re-push is counted as skipped.
    expect(env.server.metrics.responses.get({ type: 'CDS' })).toBe(1);
  });

  it('after a CDS response that re-created a cluster, its endpoints are sent again right behind it (Envoy asks for nothing, and waits for them)', async () => {
    const c = await settled();
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'CDS', 'c2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }]));
    const cds = await c.next();
    expect([cds.type, cds.names]).toEqual(['CDS', ['c2']]);
    const eds = await c.next();
    expect([eds.type, eds.names, eds.resources[0]?.version]).toEqual(['EDS', ['c2'], version(endpoints('c2', [90]))]);
    c.ack('CDS').ack('EDS');
    await c.barrier('rewarmed');
  });

  it('… also on a reconnect: a cluster changed while away has its endpoints sent though the EDS request says they are held', async () => {
    const c1 = await settled();
    const held = { CDS: Object.fromEntries(c1.held.get('CDS') ?? []), EDS: Object.fromEntries(c1.held.get('EDS') ?? []) };
    c1.close();
    await until(() => env.server.nodeStatus('n1')?.connected === false, 10_000, 'the disconnect');
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'CDS', 'c2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }]));
    const c2 = client();
    c2.send({ type: 'CDS', node: 'n1', initial: held.CDS });
    c2.send({ type: 'EDS', node: null, subscribe: ['c1', 'c2'], initial: held.EDS });
    expect((await c2.next()).names).toEqual(['c2']);
    const eds = await c2.next();
    expect([eds.type, eds.names]).toEqual(['EDS', ['c2']]);
  });

  it('removals: a wildcard resource deleted and a named one gone are listed in removed_resources', async () => {
    const c = await settled();
    env.cache.setDefault(snap(withoutResource(withoutResource(baseResources(), 'CDS', 'c2'), 'EDS', 'c2')));
    const cds = await c.next();
    expect([cds.type, cds.names, cds.removed]).toEqual(['CDS', [], ['c2']]);
    const eds = await c.next();
    expect([eds.type, eds.names, eds.removed]).toEqual(['EDS', [], ['c2']]);
    c.ack('CDS').ack('EDS');
    await until(() => lastAck('EDS')?.nonce === eds.nonce, 10_000, 'the ACK');
    expect(lastAck('EDS')?.resources).toEqual({ c1: version(endpoints('c1', [80])) });
    // It comes back: sent again.
    env.cache.setDefault(snap(baseResources()));
    expect((await c.next()).names).toEqual(['c2']);
  });

  it('a subscribed name that does not exist is reported in removed_resources, once; it stays subscribed and is sent when it appears; asked again, answered again', async () => {
    const c = await settled();
    c.send({ type: 'EDS', node: null, subscribe: ['c3'], nonce: c.last.get('EDS')?.nonce ?? '' });
    const r = await c.next();
    expect([r.type, r.names, r.removed]).toEqual(['EDS', [], ['c3']]);
    c.ack('EDS');
    // Not again: neither for the ACK nor for a push that changes another resource.
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c1'), endpoints('c1', [81])]));
    const push = await c.next();
    expect([push.type, push.names, push.removed]).toEqual(['EDS', ['c1'], []]);
    c.ack('EDS');
    await c.barrier('told-once');
    expect(env.server.nodeStatus('n1')?.streams[0]?.types.find((t) => t.type === 'EDS')?.subscription.names).toEqual(['c1', 'c2', 'c3']);
    // It appears: sent.
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c1'), endpoints('c1', [81]), cluster('c3'), endpoints('c3', [93])]));
    const cds = await c.next();
    expect([cds.type, cds.names]).toEqual(['CDS', ['c3']]);
    const eds = await c.next();
    expect([eds.type, eds.names, eds.removed]).toEqual(['EDS', ['c3'], []]);
    c.ack('CDS').ack('EDS');
    // A name that never existed, asked for again (the client may have lost track): told again.
    c.send({ type: 'RDS', node: null, subscribe: ['nope'] });
    expect((await c.next()).removed).toEqual(['nope']);
    c.ack('RDS');
    c.send({ type: 'RDS', node: null, subscribe: ['nope'], nonce: c.last.get('RDS')?.nonce ?? '' });
    const again = await c.next();
    expect([again.type, again.names, again.removed]).toEqual(['RDS', [], ['nope']]);
  });

  it('a name unsubscribed while `*` still covers it is sent again (the client dropped it)', async () => {
    const c = client();
    c.send({ type: 'CDS', node: 'n1', subscribe: ['*', 'c1'] });
    expect((await c.next()).names).toEqual(['c1', 'c2']);
    c.ack('CDS');
    c.send({ type: 'CDS', node: null, unsubscribe: ['c1'] });
    expect((await c.next()).names).toEqual(['c1']);
  });

  it('re-subscribing a held name sends it again (the client may have forgotten it)', async () => {
    const c = await settled();
    c.send({ type: 'EDS', node: null, subscribe: ['c1'], nonce: c.last.get('EDS')?.nonce ?? '' });
    const r = await c.next();
    expect([r.type, r.names]).toEqual(['EDS', ['c1']]);
  });

  it('a stale nonce voids only the ACK: the subscription change it carries is honoured', async () => {
    const c = await settled();
    c.send({ type: 'EDS', node: null, unsubscribe: ['c2'], nonce: 'not-ours' });
    c.send({ type: 'EDS', node: null, subscribe: ['c2'], nonce: 'not-ours' });
    const r = await c.next();
    expect([r.type, r.names]).toEqual(['EDS', ['c2']]);
    expect(env.server.metrics.staleNonces.get({ type: 'EDS' })).toBe(2);
  });

  it('a nonce names one response on one stream: the same change set sent again carries a new nonce; a late ACK of the first is stale and records nothing', async () => {
    const c = client();
    c.send({ type: 'EDS', node: 'n1', subscribe: ['c1'] });
    const r1 = await c.next();
    c.ack('EDS');
    await until(() => lastAck('EDS')?.nonce === r1.nonce, 10_000, 'the ACK of r1');
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c1'), endpoints('c1', [81])]));
    const r2 = await c.next();
    env.cache.setDefault(snap(baseResources()));
    const r3 = await c.next();
    expect([r3.names, r3.resources, r3.systemVersion]).toEqual([r1.names, r1.resources, r1.systemVersion]);
    expect(new Set([r1.nonce, r2.nonce, r3.nonce]).size).toBe(3);
    c.send({ type: 'EDS', node: null, nonce: r1.nonce });
    await c.barrier('late-ack');
    expect(lastAck('EDS')?.nonce).toBe(r1.nonce); // still the first ACK: neither r2 nor r3 is taken as ACKed
    c.ack('EDS');
    await until(() => lastAck('EDS')?.nonce === r3.nonce, 10_000, 'the ACK of r3');
  });

  it('a NACK: recorded with the rejected resources; the client stays on its versions; the rejected version is never resent, a newer one is', async () => {
    const c = await settled();
    const good = version(endpoints('c1', [80]));
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'EDS', 'c1'), endpoints('c1', [0])]));
    const bad = await c.next();
    expect(bad.names).toEqual(['c1']);
    c.nack('EDS', 'c1: port 0');
    await until(() => env.server.nodeStatus('n1')?.types.find((t) => t.type === 'EDS')?.lastNack !== undefined, 10_000, 'the NACK');
    const nack = env.server.nodeStatus('n1')?.types.find((t) => t.type === 'EDS')?.lastNack;
    expect(nack).toMatchObject({ nonce: bad.nonce, message: 'c1: port 0', resources: { c1: version(endpoints('c1', [0])) } });
    // Another resource changes: sent alone; the rejected c1 is not pushed again.
    env.cache.setDefault(snap([...withoutResource(withoutResource(baseResources(), 'EDS', 'c1'), 'EDS', 'c2'), endpoints('c1', [0]), endpoints('c2', [92])]));
    const other = await c.next();
    expect(other.names).toEqual(['c2']);
    c.ack('EDS');
    await until(() => lastAck('EDS')?.nonce === other.nonce, 10_000, 'the ACK');
    // Status tells the truth: the node holds c1 at its earlier version, so the policy on it is not Enforced.
    expect(lastAck('EDS')?.resources.c1).toBe(good);
    expect(env.server.nodeStatus('n1')?.streams[0]?.types.find((t) => t.type === 'EDS')?.rejected).toEqual({ c1: version(endpoints('c1', [0])) });
    // A fixed c1: sent.
    env.cache.setDefault(snap([...withoutResource(withoutResource(baseResources(), 'EDS', 'c1'), 'EDS', 'c2'), endpoints('c1', [82]), endpoints('c2', [92])]));
    expect((await c.next()).names).toEqual(['c1']);
  });

  it('reconnect with initial_resource_versions: unchanged → nothing sent (resume); changed → only those; deleted while away → removed', async () => {
    const c1 = await settled();
    const held = { CDS: Object.fromEntries(c1.held.get('CDS') ?? []), EDS: Object.fromEntries(c1.held.get('EDS') ?? []) };
    c1.close();
    await until(() => env.server.nodeStatus('n1')?.connected === false, 10_000, 'the disconnect');
    const sent = env.server.metrics.responses.get({ type: 'CDS' }) + env.server.metrics.responses.get({ type: 'EDS' });
    const c2 = client();
    c2.send({ type: 'CDS', node: 'n1', initial: held.CDS });
    c2.send({ type: 'EDS', node: null, subscribe: ['c1', 'c2'], initial: held.EDS });
    await c2.barrier('resumed');
    expect(env.server.metrics.responses.get({ type: 'CDS' }) + env.server.metrics.responses.get({ type: 'EDS' })).toBe(sent);
    expect([lastAck('CDS')?.resumed, lastAck('EDS')?.resumed]).toEqual([true, true]);
    expect(env.events.filter((e) => e.kind === 'resume').length).toBe(2);
    c2.close();
    await until(() => env.server.nodeStatus('n1')?.connected === false, 10_000, 'the disconnect');
    // While it was away: c1's endpoints changed, c2 was deleted.
    env.cache.setDefault(snap([...withoutResource(withoutResource(withoutResource(baseResources(), 'CDS', 'c2'), 'EDS', 'c2'), 'EDS', 'c1'), endpoints('c1', [83])]));
    const c3 = client();
    c3.send({ type: 'CDS', node: 'n1', initial: held.CDS });
    const cds = await c3.next();
    expect([cds.type, cds.names, cds.removed]).toEqual(['CDS', [], ['c2']]);
    c3.send({ type: 'EDS', node: null, subscribe: ['c1', 'c2'], initial: held.EDS });
    const eds = await c3.next();
    expect([eds.type, eds.names, eds.removed]).toEqual(['EDS', ['c1'], ['c2']]);
  });

  it('pushes a change that touches every type in the order CDS → EDS → LDS → RDS → SDS', async () => {
    const c = client();
    const subs = [['SDS', ['s1']], ['RDS', ['rc1']], ['LDS', []], ['EDS', ['c1']], ['CDS', []]] as const;
    for (const [type, names] of subs) {
      c.send({ type, node: 'n1', subscribe: names });
      await c.next();
      c.ack(type);
    }
    await c.barrier('subscribed');
    env.cache.setDefault(
      snap([cluster('c1', 'c1'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }, endpoints('c1', [84]), endpoints('c2', [90]), apiListener('l1', 'rc1', '-v2'), apiListener('l2', 'rc2'), routeConfig('rc1', 'c2'), routeConfig('rc2', 'c2'), secret('s1', 'y')]),
    );
    const order = [];
    for (let i = 0; i < 5; i++) order.push((await c.next()).type);
    expect(order).toEqual(['CDS', 'EDS', 'LDS', 'RDS', 'SDS']);
  });

  it('refuses a request without type_url and a first request without node (INVALID_ARGUMENT)', async () => {
    const a = client();
    a.send({ type: '', node: 'n1' });
    expect((await a.status()).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const b = client();
    b.send({ type: 'CDS', node: null });
    const s = await b.status();
    expect([s.code, s.details]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'the first request on a stream must carry node.id']);
  });

  it('serves the per-type Delta services (DeltaListeners, DeltaClusters, …; type_url may be empty there) on the same state machine, and rejects a foreign type_url', async () => {
    const cds = client('CDS');
    cds.send({ type: '', node: 'n1' });
    const r = await cds.next();
    expect([r.typeUrl, r.names]).toEqual([TYPE_URL.CDS, ['c1', 'c2']]);
    cds.ack('CDS');
    const eds = client('EDS');
    eds.send({ type: 'EDS', node: 'n1', subscribe: ['c2', 'c9'] });
    const e = await eds.next();
    expect([e.typeUrl, e.names, e.removed]).toEqual([TYPE_URL.EDS, ['c2'], ['c9']]);
    eds.ack('EDS');
    for (const [service, type, names] of [['LDS', 'LDS', []], ['RDS', 'RDS', ['rc1']], ['SDS', 'SDS', ['s1']]] as const) {
      const c = client(service);
      c.send({ type: '', node: 'n1', subscribe: names });
      expect((await c.next()).typeUrl).toBe(TYPE_URL[type]);
    }
    // A change reaches each stream that holds the changed resource, and only it.
    env.cache.setDefault(snap([...withoutResource(withoutResource(baseResources(), 'CDS', 'c2'), 'EDS', 'c2'), { ...cluster('c2'), body: cluster('c2x', 'c2').body }, endpoints('c2', [91])]));
    expect((await cds.next()).names).toEqual(['c2']);
    expect((await eds.next()).names).toEqual(['c2']);
    await until(() => env.server.nodeStatus('n1')?.streams.length === 5, 10_000, 'five streams');
    expect(env.server.nodeStatus('n1')?.streams.map((s) => [s.transport, s.api, s.types.map((t) => t.type)])).toEqual([
      ['DELTA_CDS', 'delta', ['CDS']],
      ['DELTA_EDS', 'delta', ['EDS']],
      ['DELTA_LDS', 'delta', ['LDS']],
      ['DELTA_RDS', 'delta', ['RDS']],
      ['DELTA_SDS', 'delta', ['SDS']],
    ]);
    const wrong = client('LDS');
    wrong.send({ type: 'CDS', node: 'n1' });
    const s = await wrong.status();
    expect([s.code, s.details]).toEqual([GrpcStatus.INVALID_ARGUMENT, `type_url ${TYPE_URL.CDS} on the DELTA_LDS service, which serves only ${TYPE_URL.LDS}`]);
  });

  it('shares one encoded body between streams of different nodes sent the same change', async () => {
    const a = client();
    a.send({ type: 'LDS', node: 'n1' });
    await a.next();
    a.ack('LDS');
    const b = client();
    b.send({ type: 'LDS', node: 'n2' });
    await b.next();
    b.ack('LDS');
    const encodes = env.server.metrics.encodes.get({ type: 'LDS' });
    env.cache.setDefault(snap([...withoutResource(baseResources(), 'LDS', 'l1'), apiListener('l1', 'rc1', '-v3')]));
    const [ra, rb] = [await a.next(), await b.next()];
    expect([ra.names, rb.names]).toEqual([['l1'], ['l1']]);
    expect(ra.resources).toEqual(rb.resources);
    expect(env.server.metrics.encodes.get({ type: 'LDS' }) - encodes).toBe(1);
  });
});
