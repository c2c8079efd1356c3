/**
 * Hostile input over real sockets. A recording upstream (a TCP peer that only stores what it
 * receives: the protocol seam) proves nothing unparseable is forwarded; a real broker (the
 * librdkafka mock) behind a second proxy proves other connections are served throughout.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { RawConnection, mockUnavailable, startMockCluster, startProxy, type Peer, type RunningProxy } from './harness.js';
import { kafkajsFrame } from './kafkajs-oracle.js';

jest.setTimeout(120_000);

function frame(apiKey: number, version: number, body: Buffer, correlationId = 1): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}

async function validProduce(): Promise<Buffer> {
  return kafkajsFrame('produce', 7, { acks: -1, timeout: 100, topicData: [{ topic: 'orders', partitions: [{ partition: 0, messages: [{ value: 'x' }] }] }] });
}

const HOSTILE: [string, () => Promise<Buffer> | Buffer][] = [
  ['garbage bytes', () => Buffer.from('GET / HTTP/1.1\r\nHost: kafka\r\n\r\n')],
  ['a negative size prefix', () => Buffer.from([0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0])],
  ['a size prefix above the maximum frame', () => { const b = Buffer.alloc(8); b.writeInt32BE(64 * 1024 * 1024, 0); return b; }],
  ['a frame shorter than a header', () => Buffer.from([0, 0, 0, 3, 0, 0, 0])],
  ['an unknown API key', () => frame(999, 0, Buffer.alloc(4))],
  ['an inter-broker API (LeaderAndIsr)', () => frame(4, 5, Buffer.alloc(16))],
  ['a version the proxy does not decode (Produce v99)', () => frame(0, 99, Buffer.alloc(16))],
  ['SaslHandshake v0 (raw tokens would follow)', () => frame(17, 0, Buffer.from([0, 5, 0x50, 0x4c, 0x41, 0x49, 0x4e]))],
  ['a body cut short under a consistent size prefix', async () => { const f = await validProduce(); const cut = Buffer.from(f.subarray(0, f.length - 9)); cut.writeInt32BE(cut.length - 4, 0); return cut; }],
  ['trailing bytes after the body', async () => { const f = await validProduce(); const padded = Buffer.concat([f, Buffer.alloc(7)]); padded.writeInt32BE(padded.length - 4, 0); return padded; }],
  ['a lying array count', () => { const body = Buffer.alloc(4); body.writeInt32BE(1_000_000_000, 0); return frame(3, 1, body); }],
  ['a lying string length', () => { const body = Buffer.alloc(6); body.writeInt32BE(1, 0); body.writeInt16BE(30_000, 4); return frame(3, 1, body); }],
];

describe('hostile frames against a recording upstream', () => {
  let received = 0;
  let upstream: net.Server;
  let proxy: RunningProxy;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    upstream = net.createServer((s) => {
      sockets.add(s);
      s.on('data', (d: Buffer) => { received += d.length; });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const port = (upstream.address() as net.AddressInfo).port;
    proxy = await startProxy({ host: '127.0.0.1', port }, [{ name: 'p', endpoints: [{ port }], allow: [{ id: 'all' }] }], { frameTimeoutMs: 500, maxFrameBytes: 1024 * 1024 });
  });

  afterAll(async () => {
    await proxy.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  test.each(HOSTILE)('%s: the connection is closed and nothing is forwarded', async (_name, make) => {
    const before = received;
    const conn = await RawConnection.open(proxy.port);
    conn.write(await make());
    expect(await conn.waitClosed()).toBe(true);
    expect(received).toBe(before);
  });

  test('slowloris: a frame left incomplete is closed after the frame timeout', async () => {
    const conn = await RawConnection.open(proxy.port);
    const started = Date.now();
    conn.write(Buffer.from([0, 0, 0, 40, 0, 3]));
    expect(await conn.waitClosed(20_000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(proxy.metrics.closes.get({ reason: 'frame_timeout' })).toBeGreaterThan(0);
  });

  test('an ApiVersions request newer than the proxy is answered, not closed', async () => {
    const conn = await RawConnection.open(proxy.port);
    conn.write(frame(18, 42, Buffer.alloc(0), 77));
    const answer = await conn.read();
    expect(answer?.readInt32BE(0)).toBe(77);
    expect(answer?.readInt16BE(4)).toBe(35);
    expect(conn.closed).toBe(false);
    conn.close();
  });

  test('decode errors are counted', () => {
    expect(proxy.metrics.decodeErrors.get({ side: 'request' })).toBeGreaterThanOrEqual(HOSTILE.length - 3);
  });
});

const why = mockUnavailable();
(why ? describe.skip : describe)('other connections are served throughout (librdkafka mock)', () => {
  if (why) console.warn(`hostile/serving suite skipped: ${why}`);
  let peer: Peer;
  let proxy: RunningProxy;
  beforeAll(async () => {
    peer = await startMockCluster(1, ['orders']);
    proxy = await startProxy(peer, [{ name: 'p', endpoints: [{ address: peer.host, port: peer.port }], allow: [{ id: 'all' }] }], { frameTimeoutMs: 500 });
  });
  afterAll(async () => {
    await proxy?.stop();
    await peer?.stop();
  });

  test('a producer keeps working while hostile connections come and go', async () => {
    const producer = new Kafka({ brokers: [proxy.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const attacks = (async () => {
      for (let round = 0; round < 3; round++) {
        for (const [, make] of HOSTILE) {
          const c = await RawConnection.open(proxy.port);
          c.write(await make());
          await c.waitClosed();
        }
      }
    })();
    let sent = 0;
    for (let i = 0; i < 30; i++) {
      const r = await producer.send({ topic: 'orders', messages: [{ value: `m${i}` }] });
      if (r[0]?.errorCode === 0) sent++;
    }
    await attacks;
    await producer.disconnect();
    expect(sent).toBe(30);
    expect(proxy.metrics.decodeErrors.get({ side: 'request' })).toBeGreaterThan(0);
  });
});
