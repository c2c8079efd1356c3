/**
 * The flows' Kafka export against the real broker: `sluice serve --flow-export-kafka` produces
 * every flow it collects (here pushed by the Kafka enforcer's own client, FlowPusher, over gRPC
 * to serve's xDS port) to a topic on Apache Kafka 4.x (KRaft, single node), and a real kafkajs
 * consumer reads them back. Exactly once: the broker's offsets hold as many messages as flows were
 * pushed, each one the flow's JSON record as `/flows` shows it (workloads resolved from the
 * inventory), keyed by the destination workload, one workload's flows in order on one partition.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { FlowPusher, kafkaFlow, type FlowRecord } from '../../flows/index.js';
import { kafkaBrokerUnavailable, startKafkaBroker, type Peer } from '../kafka-proxy/harness.js';
import { eventually } from '../support/poll.js';
import { startCli } from '../support/run-cli.js';

const TOPIC = 'sluice-flows-e2e';
const INVENTORY = `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: kafka-a, kind: kafka } ]
workloads:
  - { name: broker, namespace: data, labels: { app: broker }, addresses: [10.2.0.4], ports: [ { port: 9092, name: kafka } ], proxy: { node: node-a, kafka: kafka-a } }
  - { name: billing, namespace: data, labels: { app: billing, team: finance }, addresses: [10.2.0.8], ports: [], proxy: { node: node-a } }
  - { name: reports, namespace: ops, labels: { app: reports }, addresses: [10.3.0.5], ports: [], proxy: { node: node-b } }
`;

const why = kafkaBrokerUnavailable();
const suite = why && process.env['CI'] !== 'true' ? describe.skip : describe;
if (why && process.env['CI'] !== 'true') console.warn(`[skip] the flows' Kafka export against Apache Kafka: ${why}`);

interface Read {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Record<string, unknown>;
}

suite('the flows\' Kafka export on the real Apache Kafka broker, read back by kafkajs', () => {
  let broker: Peer;
  let admin: Admin;
  let dir: string;
  let serve: ReturnType<typeof startCli>;
  let adminUrl = '';
  let xds = '';
  const t0 = Date.now();
  // 120 decisions of the enforcer: produce/fetch from billing and reports, denied probes from an
  // address no workload has (its flows keyed by that address), in time order.
  const pushed: FlowRecord[] = Array.from({ length: 120 }, (_, i) => {
    const client = i % 5 === 4 ? { address: '198.51.100.7', port: 40000 + i } : i % 2 === 0 ? { address: '10.2.0.8', port: 51000 + i } : { address: '10.3.0.5', port: 52000 + i };
    const deny = i % 5 === 4;
    return kafkaFlow({
      time: t0 + i, node: 'kafka-a', direction: 'ingress', client, broker: deny ? { address: '10.2.0.99', port: 9092 } : { address: '10.2.0.4', port: 9092 },
      clientId: `client-${i}`, api: i % 2 === 0 ? 'Produce' : 'Fetch', version: i % 2 === 0 ? 9 : 13, resource: 'topic', name: `invoices.${i}`,
      verdict: deny ? 'deny' : 'allow', rule: deny ? 'default-deny' : 'data/invoices#spec.ingress[0].toPorts[0].rules.kafka[0]', policy: 'data/invoices', durationMs: 0.5, bytes: 100 + i,
    });
  });

  beforeAll(async () => {
    if (why) throw new Error(why);
    broker = await startKafkaBroker();
    admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-flows-kafka-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), INVENTORY);
    serve = startCli(['serve', '--policies', path.join(dir, 'policies'), '--inventory', path.join(dir, 'inventory.yaml'), '--state-dir', path.join(dir, 'state'),
      '--xds-address', '127.0.0.1:0', '--admin-address', '127.0.0.1:0', '--log-level', 'error', '--flow-export-kafka', broker.bootstrap, '--flow-export-kafka-topic', TOPIC]);
    const started = await eventually(() => /xDS \(ADS\) {2}(\S+)\n {2}admin {6}(http:\/\/\S+)\/status/.exec(serve.out.stdout) ?? (serve.out.stderr.includes('cannot start') ? (() => { throw new Error(serve.out.stderr); })() : undefined), 'serve to start', 30_000);
    [xds, adminUrl] = [started[1] ?? '', started[2] ?? ''];
  }, 180_000);

  afterAll(async () => {
    await serve?.stop();
    await admin?.disconnect().catch(() => undefined);
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const stored = async (): Promise<Array<Record<string, unknown>>> =>
    (await (await fetch(`${adminUrl}/flows?protocol=kafka&last=1000`)).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const highWater = async (): Promise<number> => (await admin.fetchTopicOffsets(TOPIC)).reduce((n, p) => n + Number(p.high), 0);

  it('produces each pushed flow exactly once, as the record /flows shows, keyed by the destination workload', async () => {
    const pusher = new FlowPusher({ address: xds, intervalMs: 20, batch: 50 });
    for (const f of pushed) pusher.offer(f);
    await pusher.close();
    expect(pusher.counts).toEqual({ written: 120, dropped: 0, accepted: 120, refused: 0, unconfirmed: 0 });
    const records = await eventually(async () => ((await stored()).length === 120 ? stored() : undefined), 'serve to store the 120 flows', 20_000);
    // The broker holds exactly 120 messages once the export has flushed: no flow twice, none lost.
    await eventually(async () => ((await highWater()) >= 120 ? true : undefined), 'the broker to hold the flows', 30_000);

    const consumer = new Kafka({ clientId: 'flows-reader', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `flows-reader-${process.pid}` });
    const read: Read[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          read.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? '', value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown> });
        },
      });
      await eventually(() => read.length >= 120, '120 flows consumed', 60_000);
      // Anything produced twice would be on the broker by now, and read by now too.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await consumer.disconnect();
    }
    expect(await highWater()).toBe(120);
    expect(read).toHaveLength(120);
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_flow_exports_total\{export="kafka",outcome="written"\} 120$/m);
    expect(metrics).toMatch(/^sluice_flow_exports_total\{export="kafka",outcome="failed"\} 0$/m);

    // Every message is one stored record, whole, and every stored record is one message.
    const byTopic = (v: Record<string, unknown>) => (v['kafka'] as { topic: string }).topic;
    const sort = (xs: Array<Record<string, unknown>>) => [...xs].sort((a, b) => byTopic(a).localeCompare(byTopic(b)));
    expect(sort(read.map((r) => r.value))).toEqual(sort(records));
    expect(new Set(read.map((r) => byTopic(r.value))).size).toBe(120);

    // The workloads are the inventory's; the key is the destination workload, or its address.
    const first = read.find((r) => byTopic(r.value) === 'invoices.0');
    expect(first?.key).toBe('data/broker');
    expect(first?.value).toEqual({
      time: new Date(t0).toISOString(), node: 'kafka-a', direction: 'ingress',
      source: { address: '10.2.0.8', port: 51000, workload: 'billing', namespace: 'data', labels: { app: 'billing', team: 'finance' } },
      destination: { address: '10.2.0.4', port: 9092, workload: 'broker', namespace: 'data', labels: { app: 'broker' } },
      protocol: 'kafka', kafka: { api: 'Produce', apiVersion: 9, topic: 'invoices.0', group: '', clientId: 'client-0' },
      verdict: 'forwarded', policy: 'data/invoices', rule: 'data/invoices#spec.ingress[0].toPorts[0].rules.kafka[0]', reason: 'allow rule matched',
      durationMs: 0.5, bytesReceived: 100, bytesSent: 0,
    });
    expect(read.find((r) => byTopic(r.value) === 'invoices.1')?.value).toMatchObject({ source: { workload: 'reports', namespace: 'ops' }, kafka: { api: 'Fetch' } });
    const probe = read.find((r) => byTopic(r.value) === 'invoices.4');
    expect(probe).toMatchObject({ key: '10.2.0.99', value: { verdict: 'denied', rule: '', reason: 'no allow rule matched', source: { workload: '', address: '198.51.100.7' }, destination: { workload: '', address: '10.2.0.99' } } });

    // One key, one partition, in the order the flows were pushed.
    for (const key of ['data/broker', '10.2.0.99']) {
      const mine = read.filter((r) => r.key === key).sort((a, b) => a.offset - b.offset);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => byTopic(r.value))).toEqual(pushed.filter((f) => (key === 'data/broker' ? f.destination.address === '10.2.0.4' : f.destination.address === '10.2.0.99')).map((f) => f.kafka?.topic));
    }
    expect(read.filter((r) => r.key === 'data/broker')).toHaveLength(96);
  }, 120_000);
});
