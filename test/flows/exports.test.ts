/**
 * Flow exports: JSON lines in a file rotated by size (N files kept, each line a record that reads
 * back), and a Kafka topic on librdkafka's mock cluster, read back by a real kafkajs consumer; a
 * broker that is away costs dropped and counted flows, never memory.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { mockUnavailable, startMockCluster, type Peer } from '../../bench/kafka/peers.js';
import { createKafkajsProducer, FileExport, flowFromJson, KafkaExport, type FlowRecord, type KafkaProducer } from '../../flows/index.js';
import { eventually } from '../support/poll.js';
import { flow, T0 } from './fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-flow-export-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const many = (n: number, from = 0): FlowRecord[] => Array.from({ length: n }, (_, i) => flow({ time: T0 + from + i, http: { method: 'GET', path: `/v1/orders/${from + i}`, authority: 'orders', status: 200, version: 'HTTP/1.1' } }));

describe('the file export', () => {
  it('rotates by size and keeps N files, every line a flow record', () => {
    const file = path.join(dir, 'flows.jsonl');
    const line = Buffer.byteLength(`${JSON.stringify(many(1)[0])}\n`) + 40;
    const exporter = new FileExport({ path: file, maxBytes: line * 100, files: 3 });
    for (let b = 0; b < 20; b++) exporter.write(many(50, b * 50));
    exporter.close();
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('flows.jsonl')).sort();
    expect(names).toEqual(['flows.jsonl', 'flows.jsonl.1', 'flows.jsonl.2', 'flows.jsonl.3']);
    for (const n of names) expect(fs.statSync(path.join(dir, n)).size).toBeLessThanOrEqual(line * 100);
    const newest = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => flowFromJson(JSON.parse(l)));
    expect(newest.every((f) => typeof f !== 'string')).toBe(true);
    expect((newest.at(-1) as FlowRecord).http?.path).toBe('/v1/orders/999');
    const oldestKept = fs.readFileSync(`${file}.3`, 'utf8').trim().split('\n').map((l) => (flowFromJson(JSON.parse(l)) as FlowRecord).time);
    expect(Math.min(...oldestKept)).toBeGreaterThan(T0);
    expect(exporter.written).toBe(1000);
  });

  it('counts a failed write and goes on', () => {
    const exporter = new FileExport({ path: path.join(dir, 'missing-dir', 'flows.jsonl') });
    exporter.write(many(3));
    expect(exporter.failed).toBe(3);
    expect(exporter.lastError).toMatch(/ENOENT/);
  });
});

describe('the Kafka export, in memory', () => {
  it('drops and counts past its buffer while a send is in flight', async () => {
    let release: () => void = () => undefined;
    const sent: number[] = [];
    const producer: KafkaProducer = {
      send: (_topic, messages) => new Promise<void>((resolve) => {
        sent.push(messages.length);
        release = resolve;
      }),
      close: async () => undefined,
    };
    const exporter = new KafkaExport(producer, { topic: 'flows', bufferFlows: 100, batch: 40 });
    exporter.write(many(40));
    exporter.write(many(150));
    expect(exporter.dropped).toBe(50);
    for (let i = 0; i < 4; i++) {
      await eventually(() => sent.length === i + 1, `send ${i + 1}`);
      release();
    }
    await exporter.flush();
    expect(sent).toEqual([40, 40, 40, 20]);
    expect(exporter.sent).toBe(140);
  });
});

describe('the Kafka export with no broker', () => {
  it('starts without one; the flows it could not send are counted as failed, with the error', async () => {
    const closed = await closedPort();
    const producer = await createKafkajsProducer([`127.0.0.1:${closed}`]);
    const exporter = new KafkaExport(producer, { topic: 'flows' });
    exporter.write(many(5));
    await exporter.flush();
    expect({ sent: exporter.sent, failed: exporter.failed }).toEqual({ sent: 0, failed: 5 });
    expect(exporter.lastError).toMatch(/ECONNREFUSED|Connection error|connect/i);
    await exporter.close().catch(() => undefined);
  }, 60_000);
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const missing = mockUnavailable();
if (missing && process.env['CI'] !== 'true') console.warn(`[skip] the Kafka export against a broker: ${missing}`);
(missing && process.env['CI'] !== 'true' ? describe.skip : describe)('the Kafka export against librdkafka\'s mock cluster', () => {
  let peer: Peer | undefined;
  afterAll(async () => peer?.stop());

  it('writes one message per flow, keyed by destination, that a real consumer reads back', async () => {
    if (missing) throw new Error(missing);
    peer = await startMockCluster(1, ['flows:3']);
    const producer = await createKafkajsProducer([peer.bootstrap]);
    const exporter = new KafkaExport(producer, { topic: 'flows', batch: 25 });
    exporter.write(many(60));
    await exporter.flush();
    expect({ sent: exporter.sent, failed: exporter.failed, error: exporter.lastError }).toEqual({ sent: 60, failed: 0, error: undefined });
    const consumer = new Kafka({ clientId: 'flows-test', brokers: [peer.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `flows-test-${process.pid}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'flows', fromBeginning: true });
    const read: Array<{ key: string; path: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const f = flowFromJson(JSON.parse(message.value?.toString() ?? 'null'));
        if (typeof f !== 'string') read.push({ key: message.key?.toString() ?? '', path: f.http?.path ?? '' });
      },
    });
    await eventually(() => read.length >= 60, '60 flows consumed', 60_000);
    await consumer.disconnect();
    await exporter.close();
    expect(new Set(read.map((r) => r.key))).toEqual(new Set(['shop/orders']));
    expect(read.map((r) => r.path).sort()).toEqual(many(60).map((f) => f.http?.path ?? '').sort());
  }, 90_000);
});
