/**
 * The collector under synthetic Envoy streams and hostile input: identifiers, unknown nodes,
 * malformed and oversized messages, a flood faster than the sink (drops counted, the queue
 * bounded, the event loop responsive), and the Kafka enforcer's PushFlows.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { alsClient, encodeMessage, openAlsStream, type SyntheticEntry } from '../../bench/flows/als-client.js';
import { FlowCollector, FlowPusher, FlowStore, flowMessage, kafkaFlow, LOG_NAME, MESSAGE, RBAC_KEYS, UNMATCHED_REASON, WorkloadIndex, type FlowRecord } from '../../flows/index.js';
import { flowProtoRoot } from '../../flows/proto.js';
import { REFUSAL_STATE, tlsUnavailableReason, type Inventory } from '../../policy-compiler/index.js';
import { Registry } from '../../telemetry/index.js';
import { grpcServerOptions, SnapshotCache, XdsServer } from '../../xds-server/index.js';
import { eventually, freePort } from '../support/poll.js';

const inventory: Inventory = {
  workloads: [
    { key: 'shop/orders', name: 'orders', namespace: 'shop', labels: { app: 'orders' }, addresses: ['10.1.0.7'], ports: [{ port: 8080 }], proxy: { kind: 'envoy', node: 'node-a' } },
    { key: 'shop/web', name: 'web', namespace: 'shop', labels: { app: 'web' }, addresses: ['10.1.0.9'], ports: [], proxy: { kind: 'envoy', node: 'node-a' } },
  ],
  proxies: new Map([['node-a', { node: 'node-a', kind: 'envoy', inboundPort: 15006, outboundPort: 15001, listenPort: 0, failOpen: false, accessLog: ['flows'] }]]),
};
const workloads = new WorkloadIndex(inventory);
const allowed: SyntheticEntry = { source: '10.1.0.9', destination: '10.1.0.7', port: 8080, path: '/v1/orders/1', rbac: { [RBAC_KEYS.allowResult]: 'allowed', [RBAC_KEYS.allowRule]: 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]' } };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(options: Partial<ConstructorParameters<typeof FlowCollector>[0]> = {}) {
  const store = new FlowStore(100_000);
  const registry = new Registry();
  const collector = new FlowCollector({ sink: (flows) => flows.forEach((f) => store.add(f)), workloads: () => workloads, registry, ...options });
  const port = await collector.listen('127.0.0.1:0');
  const client = alsClient(`127.0.0.1:${port}`);
  cleanups.push(() => client.close(), () => collector.close());
  return { store, registry, collector, client, port };
}

describe('the flow collector', () => {
  it('takes the node and direction from the first message and resolves both sides from the inventory', async () => {
    const { store, client, collector } = await start();
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    await stream.write(encodeMessage([{ ...allowed, path: '/v1/orders/2' }, { ...allowed, source: '192.0.2.1', path: '/v1/orders/3' }], undefined));
    expect(await stream.end()).toEqual({ code: 0, details: '' });
    await eventually(() => store.stats().size === 3, 'three flows');
    const flows = store.query({}).map((s) => s.flow).reverse();
    expect(flows.map((f) => [f.node, f.direction, f.http?.path, f.verdict, f.source.workload || f.source.address, f.destination.workload])).toEqual([
      ['node-a', 'ingress', '/v1/orders/1', 'forwarded', 'web', 'orders'],
      ['node-a', 'ingress', '/v1/orders/2', 'forwarded', 'web', 'orders'],
      ['node-a', 'ingress', '/v1/orders/3', 'forwarded', '192.0.2.1', 'orders'],
    ]);
    expect(collector.metrics.streams.get({ source: 'envoy', known: 'true' })).toBe(1);
  });

  it("turns a listener's TCP entries (connections no chain accepted) into denied TCP flows beside the HTTP ones", async () => {
    const { store, client } = await start();
    const stream = openAlsStream(client);
    const type = flowMessage(MESSAGE.alsRequest);
    const socket = (address: string, port: number) => ({ socket_address: { address, port_value: port } });
    const tcp = (source: string, port: number) => ({
      common_properties: { downstream_remote_address: socket(source, 40100), downstream_local_address: socket('10.1.0.7', port), start_time: { seconds: 1_700_000_000, nanos: 5_000_000 }, duration: { seconds: 0, nanos: 250_000 } },
      connection_properties: { received_bytes: 18, sent_bytes: 0 },
    });
    await stream.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    await stream.write(Buffer.from(type.encode(type.fromObject({ tcp_logs: { log_entry: [tcp('10.1.0.9', 15006), tcp('192.0.2.1', 7777)] } })).finish()));
    expect(await stream.end()).toEqual({ code: 0, details: '' });
    await eventually(() => store.stats().size === 3, 'three flows');
    const flows = store.query({ protocols: ['tcp'] }).map((s) => s.flow).reverse();
    expect(flows).toEqual([
      { time: 1_700_000_000_005, node: 'node-a', direction: 'ingress', source: { address: '10.1.0.9', port: 40100, workload: 'web', namespace: 'shop', labels: { app: 'web' } }, destination: { address: '10.1.0.7', port: 15006, workload: 'orders', namespace: 'shop', labels: { app: 'orders' } }, protocol: 'tcp', verdict: 'denied', policy: '', rule: '', reason: UNMATCHED_REASON, durationMs: 0.25, bytesReceived: 18, bytesSent: 0 },
      expect.objectContaining({ source: expect.objectContaining({ address: '192.0.2.1', workload: '' }), destination: expect.objectContaining({ port: 7777, workload: 'orders' }), protocol: 'tcp', verdict: 'denied' }),
    ]);
    expect(store.query({ protocols: ['http'] })).toHaveLength(1);
  });

  it("takes a TLS-unavailable chain's refusal (policy, rule, reason) from the entry's filter state, as Envoy sends it, over the chain lookup", async () => {
    const chains = { find: () => ({ enforce: ['shop/other'], audit: [] }) };
    const { store, client } = await start({ chains: () => chains });
    const stream = openAlsStream(client);
    const type = flowMessage(MESSAGE.alsRequest);
    const stringValue = flowProtoRoot().lookupType('google.protobuf.StringValue');
    const state = (value: string) => ({ type_url: 'type.googleapis.com/google.protobuf.StringValue', value: stringValue.encode({ value }).finish() });
    const rule = 'shop/orders-tls#spec.ingress[0].toPorts[1].terminatingTLS.clientCA';
    const reason = tlsUnavailableReason('secret shop/clients-ca does not exist');
    const entry = (filterState: Record<string, unknown>) => ({
      common_properties: { downstream_remote_address: { socket_address: { address: '10.1.0.9', port_value: 40200 } }, downstream_local_address: { socket_address: { address: '10.1.0.7', port_value: 8090 } }, filter_state_objects: filterState },
      connection_properties: { received_bytes: 0, sent_bytes: 0 },
    });
    await stream.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    const entries = [
      entry({ [REFUSAL_STATE.policy]: state('shop/orders-tls'), [REFUSAL_STATE.rule]: state(rule), [REFUSAL_STATE.reason]: state(reason) }),
      // Not a string value: ignored, so the entry is the default chain's.
      entry({ [REFUSAL_STATE.reason]: { type_url: 'type.googleapis.com/google.protobuf.Int32Value', value: Buffer.from([8, 1]) } }),
    ];
    await stream.write(Buffer.from(type.encode(type.fromObject({ tcp_logs: { log_entry: entries } })).finish()));
    expect(await stream.end()).toEqual({ code: 0, details: '' });
    await eventually(() => store.stats().size === 3, 'three flows');
    const flows = store.query({ protocols: ['tcp'] }).map((s) => s.flow).reverse();
    expect(flows.map((f) => [f.protocol, f.verdict, f.policy, f.rule, f.reason, f.destination.port])).toEqual([
      ['tcp', 'denied', 'shop/orders-tls', rule, 'TLS unavailable: secret shop/clients-ca does not exist', 8090],
      ['tcp', 'denied', 'shop/other', '', UNMATCHED_REASON, 8090],
    ]);
  });

  it('accepts a stream from a node the inventory does not list, and counts it', async () => {
    const { store, client, collector } = await start();
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([allowed], { node: 'rogue-node', logName: LOG_NAME.inbound }));
    expect((await stream.end()).code).toBe(0);
    await eventually(() => store.stats().size === 1, 'the flow');
    expect(store.query({ nodes: ['rogue-node'] })).toHaveLength(1);
    expect(collector.metrics.streams.get({ source: 'envoy', known: 'false' })).toBe(1);
  });

  it('refuses malformed bytes, a stream without an identifier and too many entries, and keeps serving', async () => {
    const { store, client, collector } = await start({ maxEntriesPerMessage: 10 });
    const garbage = openAlsStream(client);
    await garbage.write(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const refused = await garbage.end();
    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(refused.details).toMatch(/^message\[0\]: not a StreamAccessLogsMessage/);
    const anonymous = openAlsStream(client);
    await anonymous.write(encodeMessage([allowed], undefined));
    expect(await anonymous.end()).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: 'message[0].identifier.node.id: the first message of a stream must identify its node' });
    const big = openAlsStream(client);
    await big.write(encodeMessage(Array.from({ length: 11 }, () => allowed), { node: 'node-a', logName: LOG_NAME.inbound }));
    expect((await big.end()).details).toBe('message[0].http_logs.log_entry: 11 entries, at most 10');
    expect(collector.metrics.rejected.get({ reason: 'malformed' })).toBe(1);
    expect(collector.metrics.rejected.get({ reason: 'no_identifier' })).toBe(1);
    expect(collector.metrics.rejected.get({ reason: 'too_many_entries' })).toBe(1);
    const good = openAlsStream(client);
    await good.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    expect((await good.end()).code).toBe(0);
    await eventually(() => store.stats().size === 1, 'the good stream\'s flow');
  });

  it('refuses a message over the size limit at the transport', async () => {
    const { client, store } = await start({ maxMessageBytes: 64 * 1024 });
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([{ ...allowed, path: `/${'x'.repeat(100_000)}` }], { node: 'node-a', logName: LOG_NAME.inbound }));
    expect((await stream.end()).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(store.stats().size).toBe(0);
  });

  it('cuts an oversized path instead of storing it whole', async () => {
    const { client, store } = await start();
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([{ ...allowed, path: `/${'y'.repeat(50_000)}` }], { node: 'node-a', logName: LOG_NAME.inbound }));
    await stream.end();
    const f = await eventually(() => store.query({})[0]?.flow, 'the flow');
    expect(f.http?.path.length).toBe(2049);
    expect(f.http?.path.endsWith('…')).toBe(true);
  });

  it('drops and counts what a slow sink cannot take, keeps its queue bounded and the event loop responsive', async () => {
    let stored = 0;
    const sink = (flows: readonly FlowRecord[]) => {
      const until = performance.now() + 20;
      while (performance.now() < until) stored += 0; // 20 ms per batch of 10: 500 flows/s
      stored += flows.length;
    };
    const { collector, client } = await start({ sink, queueCapacity: 500, batch: 10 });
    let maxLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    cleanups.push(() => clearInterval(ticker));
    let maxQueued = 0;
    const probe = setInterval(() => (maxQueued = Math.max(maxQueued, collector.stats().queued)), 1);
    cleanups.push(() => clearInterval(probe));
    const batch = encodeMessage(Array.from({ length: 200 }, () => allowed), undefined);
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    const sent = 1 + 200 * 100;
    for (let i = 0; i < 100; i++) await stream.write(batch);
    expect((await stream.end()).code).toBe(0);
    await eventually(() => collector.stats().queued === 0 && collector.stats().accepted + collector.stats().dropped === sent, 'the queue to drain');
    const s = collector.stats();
    expect(s.dropped).toBeGreaterThan(0);
    expect(collector.metrics.dropped.get({ reason: 'queue_full' })).toBe(s.dropped);
    expect(stored).toBe(s.accepted);
    expect(maxQueued).toBeLessThanOrEqual(500);
    expect(maxLag).toBeLessThan(1000);
  });

  it('stores what the Kafka enforcer pushes, resolved against the inventory, and refuses invalid flows with their field', async () => {
    const { store, port, collector } = await start();
    const pusher = new FlowPusher({ address: `127.0.0.1:${port}`, intervalMs: 20 });
    const decision = { time: Date.now(), node: 'kafka-a', direction: 'ingress' as const, client: { address: '10.1.0.9', port: 5000 }, broker: { address: '10.1.0.7', port: 9092 }, clientId: 'billing', api: 'Produce', version: 9, resource: 'topic', name: 'internal.keys', verdict: 'deny' as const, rule: 'shop/orders-kafka#spec.ingress[0].toPorts[0].deny.kafka[0]', policy: 'shop/orders-kafka' };
    pusher.offer(kafkaFlow(decision));
    pusher.offer(kafkaFlow({ ...decision, verdict: 'allow', rule: 'default-deny' }));
    pusher.offer({ ...kafkaFlow(decision), node: '' });
    await pusher.close();
    await eventually(() => store.stats().size === 2, 'two Kafka flows');
    const [latest, first] = store.query({ protocols: ['kafka'] }).map((s) => s.flow);
    expect(first).toMatchObject({ verdict: 'denied', rule: decision.rule, policy: 'shop/orders-kafka', kafka: { api: 'Produce', topic: 'internal.keys', clientId: 'billing' }, source: { workload: 'web', namespace: 'shop' }, destination: { workload: 'orders' } });
    expect(latest).toMatchObject({ verdict: 'forwarded', rule: '', reason: 'no allow rule matched' });
    expect(collector.metrics.rejected.get({ reason: 'invalid_flow' })).toBe(1);
    expect(collector.metrics.received.get({ source: 'kafka' })).toBe(2);
    // The collector's answer confirms what it stored and what it refused.
    expect(pusher.counts).toEqual({ written: 3, dropped: 0, accepted: 2, refused: 1, unconfirmed: 0 });
  });

  it("the enforcer's pusher ends its stream now and then, so the collector confirms flows while it runs; a stream that fails leaves its flows unconfirmed", async () => {
    const { store, port } = await start();
    let clock = 0;
    const pusher = new FlowPusher({ address: `127.0.0.1:${port}`, intervalMs: 10, confirmEveryMs: 1000 }, () => clock);
    const decision = { time: Date.now(), node: 'kafka-a', direction: 'ingress' as const, client: { address: '10.1.0.9', port: 5000 }, broker: { address: '10.1.0.7', port: 9092 }, clientId: 'billing', api: 'Produce', version: 9, resource: 'topic', name: 'invoices', verdict: 'allow' as const, rule: 'default-deny', policy: 'shop/orders-kafka' };
    for (let i = 0; i < 5; i++) pusher.offer(kafkaFlow(decision));
    await eventually(() => store.stats().size === 5, 'five flows stored');
    expect(pusher.counts).toMatchObject({ written: 5, accepted: 0 });
    clock += 1000; // the stream is due: the next flush ends it, and the answer confirms the five
    await eventually(() => pusher.counts.accepted === 5, 'the five confirmed while the pusher runs');
    await pusher.close();

    const away = new FlowPusher({ address: `127.0.0.1:${await freePort()}`, intervalMs: 10 });
    away.offer(kafkaFlow(decision));
    away.flush();
    await away.close();
    expect(away.counts).toEqual({ written: 1, dropped: 0, accepted: 0, refused: 0, unconfirmed: 1 });
  });

  it('shares one gRPC server with the xDS server, as serve is to host it (Envoy then logs over its xDS cluster)', async () => {
    const store = new FlowStore(10);
    const collector = new FlowCollector({ sink: (flows) => flows.forEach((f) => store.add(f)), workloads: () => workloads });
    const server = new grpc.Server(grpcServerOptions());
    new XdsServer({ cache: new SnapshotCache() }).register(server);
    collector.register(server);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const client = alsClient(`127.0.0.1:${port}`);
    cleanups.push(() => server.forceShutdown(), () => client.close());
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([allowed], { node: 'node-a', logName: LOG_NAME.inbound }));
    expect((await stream.end()).code).toBe(0);
    await eventually(() => store.stats().size === 1, 'the flow');
    // The xDS service answers on the same port.
    const ads = client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources', (b: Buffer) => b, (b: Buffer) => b);
    const ended = new Promise<number>((resolve) => ads.on('status', (st: grpc.StatusObject) => resolve(st.code)));
    ads.on('data', () => undefined);
    ads.on('error', () => undefined);
    ads.end();
    expect(await ended).not.toBe(grpc.status.UNIMPLEMENTED);
  });
});
