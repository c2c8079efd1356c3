/**
 * Fuzzing the request decoder and enforcement, and the response decoder: random frames and
 * mutations of valid ones (kafkajs-encoded and schema-generated). Nothing may throw anything but a
 * handled decode error; a frame that could not be decoded is never planned for forwarding; a
 * forwarded frame is the original bytes or a rewrite that decodes cleanly. The seed is printed on
 * failure; a fixed default seed keeps CI reproducible (set KAFKA_FUZZ_SEED to explore others).
 */
import { expect, test } from '@jest/globals';
import {
  DecodeError, REQUESTS, decodableVersions, decodeRequest, decodeResponse, defaultStruct, encodeRequest, enforceRequest, validateKafkaPolicy,
} from '../../kafka-proxy/index.js';
import { kafkajsFrame } from './kafkajs-oracle.js';
import { seededRandom as mulberry32 } from '../support/random.js';


const policy = validateKafkaPolicy({
  name: 'fuzz', endpoints: [{ port: 9092 }],
  allow: [{ id: 'a', topic: { prefix: 'a' } }, { id: 'g', group: { exact: 'g1' } }],
  deny: [{ id: 'd', topic: { exact: 'alpha' } }],
}).policy;

async function seeds(): Promise<Buffer[]> {
  const parts = [{ partition: 0, fetchOffset: '0', offset: '1', timestamp: -1, maxBytes: 10, messages: [{ value: 'v' }] }];
  const topics = [{ topic: 'alpha', partitions: parts }, { topic: 'abc', partitions: parts }, { topic: 'zzz', partitions: parts }];
  const out = [
    await kafkajsFrame('produce', 7, { acks: -1, timeout: 1, topicData: topics }),
    // Large enough that rewriting it grows the encoder's buffer several times.
    await kafkajsFrame('produce', 7, { acks: -1, timeout: 1, topicData: topics.map((t) => ({ ...t, partitions: [{ partition: 0, messages: [{ value: Buffer.alloc(20_000, 1) }] }] })) }),
    await kafkajsFrame('fetch', 11, { replicaId: -1, maxWaitTime: 1, minBytes: 1, maxBytes: 100, topics, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, forgottenTopics: [], rackId: '' }),
    await kafkajsFrame('metadata', 6, { topics: ['alpha', 'abc', 'zzz'] }),
    await kafkajsFrame('offsetCommit', 5, { groupId: 'g1', groupGenerationId: 1, memberId: 'm', topics }),
    await kafkajsFrame('joinGroup', 5, { groupId: 'g2', sessionTimeout: 1, rebalanceTimeout: 1, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'x', metadata: Buffer.from('m') }] }),
  ];
  for (const key of Object.keys(REQUESTS).map(Number)) {
    const range = decodableVersions(key)!;
    for (const v of [range[0], range[1]]) out.push(encodeRequest({ apiKey: key, apiVersion: v, correlationId: 3, clientId: 'fz' }, defaultStruct(REQUESTS[key]!.fields, v)));
  }
  return out;
}

function mutate(frame: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(frame);
  const kind = Math.floor(rnd() * 6);
  const at = 4 + Math.floor(rnd() * Math.max(1, b.length - 4));
  switch (kind) {
    case 0: // flip bits
      for (let i = 0; i < 1 + rnd() * 4; i++) {
        const j = 4 + Math.floor(rnd() * Math.max(1, b.length - 4));
        if (j < b.length) b[j] = (b[j] ?? 0) ^ (1 << Math.floor(rnd() * 8));
      }
      return b;
    case 1: // truncate (size prefix fixed up: a header/body mismatch)
      return withSize(b.subarray(0, Math.max(4, at)));
    case 2: // insert random bytes
      return withSize(Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256))), b.subarray(at)]));
    case 3: // overwrite an int32 with an extreme value (lying lengths and counts)
      if (at + 4 <= b.length) b.writeInt32BE([0x7fffffff, -2, -1, 0x10000, 0x80][Math.floor(rnd() * 5)] ?? 0, at);
      return b;
    case 4: // overwrite an int16 (string lengths, api key, version)
      if (at + 2 <= b.length) b.writeInt16BE([0x7fff, -2, -1, 0, 300][Math.floor(rnd() * 5)] ?? 0, at);
      return b;
    default: // random tail
      for (let j = at; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      return b;
  }
}

function withSize(body: Buffer): Buffer {
  const b = Buffer.from(body);
  b.writeInt32BE(b.length - 4, 0);
  return b;
}

function randomFrame(rnd: () => number): Buffer {
  const keys = Object.keys(REQUESTS).map(Number);
  const n = 8 + Math.floor(rnd() * 120);
  const b = Buffer.alloc(4 + n);
  for (let i = 4; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  if (rnd() < 0.7) b.writeInt16BE(keys[Math.floor(rnd() * keys.length)] ?? 0, 4);
  if (rnd() < 0.7) b.writeInt16BE(Math.floor(rnd() * 14), 6);
  return withSize(b);
}

test('request decoding and enforcement survive random and mutated frames', async () => {
  const seed = Number(process.env['KAFKA_FUZZ_SEED'] ?? 20261125);
  const rnd = mulberry32(seed);
  const corpus = await seeds();
  const iterations = 20_000;
  let decoded = 0;
  let rejected = 0;
  try {
    for (let i = 0; i < iterations; i++) {
      const frame = rnd() < 0.2 ? randomFrame(rnd) : mutate(corpus[Math.floor(rnd() * corpus.length)]!, rnd);
      const outcome = enforceRequest(frame, { policy, peer: '127.0.0.1', fetchSessionStale: rnd() < 0.5 });
      const plan = outcome.enforcement.plan;
      if (!outcome.ok) {
        rejected++;
        expect(plan.kind === 'close' || plan.kind === 'respond').toBe(true);
        continue;
      }
      decoded++;
      if (plan.kind === 'forward') {
        if (plan.rewritten) expect(() => decodeRequest(plan.frame.subarray(4))).not.toThrow();
        else expect(plan.frame).toBe(frame);
      }
    }
  } catch (error) {
    throw new Error(`fuzz failed with seed ${seed} (KAFKA_FUZZ_SEED=${seed} to replay): ${(error as Error).stack}`);
  }
  expect(decoded + rejected).toBe(iterations);
  expect(rejected).toBeGreaterThan(iterations / 10);
  expect(decoded).toBeGreaterThan(iterations / 20);
});

test('response decoding throws only DecodeError on random and mutated responses', () => {
  const seed = Number(process.env['KAFKA_FUZZ_SEED'] ?? 20261126);
  const rnd = mulberry32(seed);
  const keys = Object.keys(REQUESTS).map(Number);
  for (let i = 0; i < 10_000; i++) {
    const key = keys[Math.floor(rnd() * keys.length)]!;
    const range = decodableVersions(key)!;
    const v = range[0] + Math.floor(rnd() * (range[1] - range[0] + 1));
    const payload = Buffer.alloc(Math.floor(rnd() * 64));
    for (let j = 0; j < payload.length; j++) payload[j] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 256);
    try {
      decodeResponse(key, v, payload);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw new Error(`seed ${seed}: key ${key} v${v} ${payload.toString('hex')}: ${String(error)}`);
    }
  }
});
