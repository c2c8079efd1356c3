/**
 * Ordering and backpressure, against a scripted upstream (a fake at the protocol seam: it reads
 * request frames and answers each with a frame of the same correlation id, delayed or large).
 */
import { afterEach, expect, jest, test } from '@jest/globals';
import net from 'node:net';
import { Framer, decodeResponse, encodeRequest, encodeResponse } from '../../kafka-proxy/index.js';
import { RawConnection, eventually, startProxy, type RunningProxy } from './harness.js';
import { kafkajsFrame } from './kafkajs-oracle.js';

jest.setTimeout(120_000);

interface Scripted {
  readonly port: number;
  readonly sockets: net.Socket[];
  close(): Promise<void>;
}

/** Answers every request with `answer(correlationId)` after `delayMs`. */
async function scriptedUpstream(answer: (correlationId: number) => Buffer, delayMs = 0): Promise<Scripted> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    const framer = new Framer(1 << 20);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      framer.push(d);
      for (let next = framer.next(); next.kind === 'frame'; next = framer.next()) {
        const correlationId = next.frame.readInt32BE(8);
        setTimeout(() => s.write(answer(correlationId)), delayMs);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** A Heartbeat v3 response: correlation id, throttle 0, error 0, then `padding` bytes (passed through unparsed). */
function heartbeatAnswer(correlationId: number, padding = 0): Buffer {
  const b = Buffer.alloc(4 + 4 + 4 + 2 + padding);
  b.writeInt32BE(b.length - 4, 0);
  b.writeInt32BE(correlationId, 4);
  return b;
}

const heartbeat = (correlationId: number, groupId: string) =>
  kafkajsFrame('heartbeat', 3, { groupId, groupGenerationId: 1, memberId: 'm' }, correlationId);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(answer: (c: number) => Buffer, delayMs: number): Promise<{ upstream: Scripted; proxy: RunningProxy }> {
  const upstream = await scriptedUpstream(answer, delayMs);
  cleanup.push(() => upstream.close());
  const proxy = await startProxy({ host: '127.0.0.1', port: upstream.port }, [{
    name: 'p', endpoints: [{ port: upstream.port }], allow: [{ id: 'groups', api_keys: [12], group: { exact: 'allowed' } }],
  }], { flowLog: 'none' });
  cleanup.push(() => proxy.stop());
  return { upstream, proxy };
}

test('an injected denial waits behind the in-flight answer to an earlier request', async () => {
  const { proxy } = await setup((c) => heartbeatAnswer(c), 400);
  const conn = await RawConnection.open(proxy.port);
  cleanup.push(async () => conn.close());
  conn.write(Buffer.concat([await heartbeat(1, 'allowed'), await heartbeat(2, 'denied'), await heartbeat(3, 'allowed')]));
  const answers: { correlationId: number; error: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const frame = await conn.read();
    const { correlationId, body } = decodeResponse(12, 3, frame!);
    answers.push({ correlationId, error: Number(body['ErrorCode']) });
  }
  expect(answers).toEqual([{ correlationId: 1, error: 0 }, { correlationId: 2, error: 30 }, { correlationId: 3, error: 0 }]);
});

test('a client that does not read pauses the upstream; nothing is lost when it reads again', async () => {
  const padding = 1 << 20;
  const { upstream, proxy } = await setup((c) => heartbeatAnswer(c, padding), 0);
  const conn = await RawConnection.open(proxy.port);
  cleanup.push(async () => conn.close());
  const requests = 120;
  // Stop reading on the client side: its receive window fills, the proxy must stop reading upstream.
  (conn as unknown as { socket: net.Socket }).socket.pause();
  for (let i = 1; i <= requests; i++) conn.write(await heartbeat(i, 'allowed'));
  const stuck = await eventually(() => {
    const s = upstream.sockets[0];
    return s && s.writableLength > 40 * padding ? s.writableLength : undefined;
  }, 'the upstream to be held back', 60_000);
  expect(stuck).toBeGreaterThan(40 * padding);
  // And it stays held back: had the proxy kept reading (buffering for the stalled client), the
  // upstream's queue would drain.
  await new Promise((r) => setTimeout(r, 1000));
  expect(upstream.sockets[0]!.writableLength).toBeGreaterThan(40 * padding);
  (conn as unknown as { socket: net.Socket }).socket.resume();
  for (let i = 1; i <= requests; i++) {
    const frame = await conn.read(60_000);
    expect(frame?.readInt32BE(0)).toBe(i);
    expect(frame?.length).toBe(10 + padding);
  }
});

test('an upstream given by host name is covered by the policy naming its address', async () => {
  const upstream = await scriptedUpstream((c) => heartbeatAnswer(c), 0);
  cleanup.push(() => upstream.close());
  const proxy = await startProxy({ host: 'localhost', port: upstream.port }, [{
    name: 'p', endpoints: [{ address: '127.0.0.1', port: upstream.port }, { address: '::1', port: upstream.port }],
    allow: [{ id: 'groups', api_keys: [12], group: { exact: 'allowed' } }],
  }], { flowLog: 'none' });
  cleanup.push(() => proxy.stop());
  const conn = await RawConnection.open(proxy.port);
  cleanup.push(async () => conn.close());
  conn.write(await heartbeat(9, 'denied'));
  const { body } = decodeResponse(12, 3, (await conn.read())!);
  expect(body['ErrorCode']).toBe(30);
});

test('leader endpoints in a Produce v10 answer (KIP-951) are rewritten to proxy listeners', async () => {
  const answer = (c: number) => encodeResponse(0, 10, c, {
    Responses: [{ Name: 'orders', PartitionResponses: [{ Index: 0, ErrorCode: 6, BaseOffset: -1n, CurrentLeader: { LeaderId: 2, LeaderEpoch: 7 } }] }],
    ThrottleTimeMs: 0,
    NodeEndpoints: [{ NodeId: 2, Host: 'broker-2.internal', Port: 9093, Rack: null }],
  });
  const upstream = await scriptedUpstream(answer, 0);
  cleanup.push(() => upstream.close());
  const proxy = await startProxy({ host: '127.0.0.1', port: upstream.port }, [{ name: 'p', endpoints: [{ port: upstream.port }], allow: [{ id: 'all' }] }], { flowLog: 'none' });
  cleanup.push(() => proxy.stop());
  const conn = await RawConnection.open(proxy.port);
  cleanup.push(async () => conn.close());
  conn.write(encodeRequest({ apiKey: 0, apiVersion: 10, correlationId: 4, clientId: 'kip951' }, {
    TransactionalId: null, Acks: -1, TimeoutMs: 1000, TopicData: [{ Name: 'orders', PartitionData: [{ Index: 0, Records: Buffer.alloc(0) }] }],
  }));
  const { correlationId, body } = decodeResponse(0, 10, (await conn.read())!);
  expect(correlationId).toBe(4);
  const endpoints = body['NodeEndpoints'] as { NodeId: number; Host: string; Port: number }[];
  expect(endpoints).toHaveLength(1);
  expect(endpoints[0]?.Host).toBe('127.0.0.1');
  expect(proxy.proxy.addresses().map((a) => a.port)).toContain(endpoints[0]?.Port);
  expect(endpoints[0]?.Port).not.toBe(proxy.port);
});

test.each([['deny', 30], ['allow', 0]] as const)('a broker no policy covers: --uncovered %s', async (uncovered, expected) => {
  const upstream = await scriptedUpstream((c) => heartbeatAnswer(c), 0);
  cleanup.push(() => upstream.close());
  const proxy = await startProxy({ host: '127.0.0.1', port: upstream.port }, [{ name: 'elsewhere', endpoints: [{ port: 1 }], allow: [{ id: 'all' }] }], { uncovered });
  cleanup.push(() => proxy.stop());
  const conn = await RawConnection.open(proxy.port);
  cleanup.push(async () => conn.close());
  conn.write(await heartbeat(3, 'anything'));
  const { body } = decodeResponse(12, 3, (await conn.read())!);
  expect(body['ErrorCode']).toBe(expected);
  expect(proxy.logs.find((l) => l['msg'] === 'kafka flow' && l['resource'] === 'group')).toMatchObject({ rule: 'uncovered' });
});
