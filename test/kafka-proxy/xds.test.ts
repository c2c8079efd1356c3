/**
 * The proxy's xDS client against sluice's own xDS server (xds-server/, real ADS over gRPC):
 * KafkaPolicy resources are applied and ACKed, invalid ones NACKed with field paths while the
 * last good rules stay in force, and — through `sluice kafka-proxy` run in-process — an update
 * reaches the next request of an open client connection.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { encodeMessage, MESSAGES } from '../../envoy-api/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type XdsEvent } from '../../xds-server/index.js';
import { createLogger } from '../../telemetry/index.js';
import { KafkaXdsClient, PolicyStore, type KafkaPolicyJson, type XdsUpdate } from '../../kafka-proxy/index.js';
import { main } from '../../cli/main.js';
import { RawConnection, eventually, mockUnavailable, startMockCluster, type Peer } from './harness.js';
import { kafkajsDecode, kafkajsFrame } from './kafkajs-oracle.js';

jest.setTimeout(120_000);

function snapshot(policies: readonly KafkaPolicyJson[]) {
  const result = createSnapshot(policies.map((p) => ({ typeUrl: TYPE_URL.KAFKA, name: p.name ?? '', body: encodeMessage(MESSAGES.kafkaPolicy, p) })));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.snapshot;
}

const policy = (topic: string, extra: Partial<KafkaPolicyJson> = {}): KafkaPolicyJson => ({
  name: 'orders-kafka', policy: 'shop/orders-kafka', endpoints: [{ address: '127.0.0.1', port: 9092 }],
  allow: [{ id: 'shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[0]', role: 'produce', api_keys: [0, 3, 18], topic: { exact: topic } }], ...extra,
});

describe('KafkaXdsClient against sluice\'s xDS server', () => {
  const cache = new SnapshotCache();
  const server = new XdsServer({ cache });
  let port = 0;
  const events: XdsEvent[] = [];
  beforeAll(async () => {
    port = await server.listen('127.0.0.1:0');
    server.on((e) => events.push(e));
  });
  afterAll(() => server.close());

  test('applies and ACKs, NACKs invalid rules with field paths and keeps the last good ones', async () => {
    cache.set('kafka-node-1', snapshot([policy('orders')]));
    const store = new PolicyStore();
    const updates: XdsUpdate[] = [];
    const client = new KafkaXdsClient({ address: `127.0.0.1:${port}`, nodeId: 'kafka-node-1', store, logger: createLogger({ level: 'error' }), onUpdate: (u) => updates.push(u) });
    client.start();
    try {
      await eventually(() => updates.find((u) => u.kind === 'ack'), 'first ACK');
      expect(store.lookup('127.0.0.1', 9092)?.allow[0]?.topic).toEqual({ kind: 'exact', value: 'orders' });
      await eventually(() => events.find((e) => e.kind === 'ack' && e.type === 'KAFKA'), 'server saw the ACK');
      const good = store.version;

      cache.set('kafka-node-1', snapshot([policy('orders', { allow: [{ id: 'bad', api_version: { min: 9, max: 2 }, peers: [{ address_prefix: 'not-an-ip', prefix_len: 8 }] }] })]));
      const nack = await eventually(() => events.find((e) => e.kind === 'nack' && e.type === 'KAFKA'), 'server saw the NACK');
      if (nack.kind !== 'nack') throw new Error('unreachable');
      expect(nack.nack.message).toContain('resources[0](orders-kafka).allow[0].api_version: min 9 is above max 2');
      expect(nack.nack.message).toContain('allow[0].peers[0]');
      expect(nack.nack.acceptedVersion).toBe(good);
      expect(store.version).toBe(good);
      expect(store.lookup('127.0.0.1', 9092)?.allow[0]?.id).toBe('shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[0]');

      cache.set('kafka-node-1', snapshot([policy('invoices'), { ...policy('audit'), name: 'audit-kafka', endpoints: [{ port: 9093 }] }]));
      await eventually(() => (store.lookup('127.0.0.1', 9092)?.allow[0]?.topic?.value === 'invoices' ? true : undefined), 'update applied');
      expect(store.all().map((p) => p.name).sort()).toEqual(['audit-kafka', 'orders-kafka']);
      const node = server.status().find((n) => n.node.id === 'kafka-node-1');
      expect(JSON.stringify(node)).toContain(store.version);
    } finally {
      client.stop();
    }
  });
});

const why = mockUnavailable();
(why ? describe.skip : describe)('sluice kafka-proxy (CLI, in-process) with rules over xDS', () => {
  if (why) console.warn(`CLI/xDS suite skipped: ${why}`);
  let peer: Peer;
  const cache = new SnapshotCache();
  const server = new XdsServer({ cache });
  let xdsPort = 0;
  beforeAll(async () => {
    peer = await startMockCluster(1, ['orders', 'invoices']);
    xdsPort = await server.listen('127.0.0.1:0');
  });
  afterAll(async () => {
    await server.close();
    await peer?.stop();
  });

  const free = (): Promise<number> => new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
  const get = (url: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    http.get(url, (res) => { let body = ''; res.on('data', (d: Buffer) => { body += d.toString(); }); res.on('end', () => resolve({ status: res.statusCode ?? 0, body })); }).on('error', reject);
  });

  test('before any rules arrive, healthz is 503 and connections are refused', async () => {
    const [listen, admin] = [await free(), await free()];
    const stop = new AbortController();
    const running = main(['kafka-proxy', '--node', 'nobody', '--xds-address', '127.0.0.1:1', '--listen', `127.0.0.1:${listen}`, '--upstream', `${peer.host}:${peer.port}`,
      '--admin', `127.0.0.1:${admin}`, '--log-level', 'error'], { stdout: () => undefined, stderr: () => undefined, signal: stop.signal });
    try {
      const health = await eventually(async () => { const r = await get(`http://127.0.0.1:${admin}/healthz`); return r.status === 503 ? r : undefined; }, 'healthz 503');
      expect(JSON.parse(health.body)).toMatchObject({ ready: false });
      const conn = await RawConnection.open(listen);
      expect(await conn.waitClosed()).toBe(true);
    } finally {
      stop.abort();
      expect(await running).toBe(0);
    }
  });

  test('--help, then a running proxy: healthz reports rules, updates reach an open connection, metrics count', async () => {
    const out: string[] = [];
    const io = (signal: AbortSignal) => ({ stdout: (t: string) => { out.push(t); }, stderr: (t: string) => { out.push(t); }, signal });
    expect(await main(['kafka-proxy', '--help'], io(new AbortController().signal))).toBe(0);
    expect(out.join('')).toContain('--xds-address');

    const [listen, admin] = [await free(), await free()];
    const stop = new AbortController();
    const running = main(['kafka-proxy', '--node', 'kafka-cli', '--xds-address', `127.0.0.1:${xdsPort}`, '--listen', `127.0.0.1:${listen}`,
      '--upstream', `${peer.host}:${peer.port}`, '--admin', `127.0.0.1:${admin}`, '--log-level', 'error'], io(stop.signal));
    try {
      // The server answers a node it has no snapshot for with an empty set: that is rules too (nothing covered).
      await eventually(async () => ((await get(`http://127.0.0.1:${admin}/healthz`)).status === 200 ? true : undefined), `healthz 200 (${out.join('')})`);
      cache.set('kafka-cli', snapshot([policy('orders', { endpoints: [{ address: peer.host, port: peer.port }] })]));
      await eventually(async () => ((await get(`http://127.0.0.1:${admin}/healthz`)).body.includes('orders-kafka') ? true : undefined), 'healthz lists the policy');

      const conn = await RawConnection.open(listen);
      const produce = async (topic: string, correlationId: number) => {
        conn.write(await kafkajsFrame('produce', 7, { acks: -1, timeout: 1000, topicData: [{ topic, partitions: [{ partition: 0, messages: [{ value: 'v' }] }] }] }, correlationId));
        const payload = await conn.read();
        const decoded = await kafkajsDecode('produce', 7, payload!) as { topics: { partitions: { errorCode: number }[] }[] };
        return decoded.topics[0]?.partitions[0]?.errorCode;
      };
      expect(await produce('orders', 1)).toBe(0);
      expect(await produce('invoices', 2)).toBe(29);
      cache.set('kafka-cli', snapshot([policy('invoices', { endpoints: [{ address: peer.host, port: peer.port }] })]));
      await eventually(async () => ((await get(`http://127.0.0.1:${admin}/healthz`)).body.includes('"kind":"ack"') && (await produce('invoices', 3)) === 0 ? true : undefined), 'update applied to the open connection');
      expect(conn.closed).toBe(false);
      conn.close();

      const metrics = await get(`http://127.0.0.1:${admin}/metrics`);
      expect(metrics.body).toMatch(/sluice_kafka_requests_total\{api="Produce",verdict="deny"\} [1-9]/);
      expect(metrics.body).toContain('sluice_kafka_active_connections');
      expect(metrics.body).toContain('sluice_kafka_bytes_total{direction="client_to_broker"}');
    } finally {
      stop.abort();
      expect(await running).toBe(0);
    }
  });
});

describe('KafkaXdsClient when the xDS server goes away', () => {
  test('keeps the last good rules while disconnected, resubscribes and applies the new state when a server is back', async () => {
    const firstCache = new SnapshotCache();
    firstCache.set('kafka-node-r', snapshot([policy('orders')]));
    const first = new XdsServer({ cache: firstCache });
    const port = await first.listen('127.0.0.1:0');
    const store = new PolicyStore();
    const updates: XdsUpdate[] = [];
    const client = new KafkaXdsClient({ address: `127.0.0.1:${port}`, nodeId: 'kafka-node-r', store, logger: createLogger({ level: 'error' }), backoff: { initial: 50, max: 500 }, onUpdate: (u) => updates.push(u) });
    client.start();
    let second: XdsServer | undefined;
    try {
      await eventually(() => updates.find((u) => u.kind === 'ack'), 'first ACK');
      await first.close();
      await eventually(() => (client.connected ? undefined : true), 'the client to notice');
      expect(store.lookup('127.0.0.1', 9092)?.allow[0]?.topic?.value).toBe('orders');

      const cache = new SnapshotCache();
      cache.set('kafka-node-r', snapshot([policy('invoices')]));
      second = new XdsServer({ cache });
      await second.listen(`127.0.0.1:${port}`);
      await eventually(() => (store.lookup('127.0.0.1', 9092)?.allow[0]?.topic?.value === 'invoices' ? true : undefined), 'the new state from the new server', 60_000);
    } finally {
      client.stop();
      await second?.close();
    }
  });
});
