/**
 * Topic ids: Produce and Fetch v13+ name topics by id. The proxy judges them by the names it
 * learned from Metadata answers, answers ids it has not learned with UNKNOWN_TOPIC_ID, and
 * shapes denials by id.
 */
import { expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ERR, TopicIds, decodeResponse, encodeRequest, encodeResponse, enforceRequest, validateKafkaPolicy, type KafkaStruct } from '../../kafka-proxy/index.js';

const uuid = (): Buffer => Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
const policy = validateKafkaPolicy({ name: 'p', endpoints: [{ port: 9092 }], allow: [{ id: 'orders', topic: { exact: 'orders' } }] }).policy;
const [orders, secret, unknown] = [uuid(), uuid(), uuid()];

function learned(): TopicIds {
  const ids = new TopicIds();
  // Learn the way the proxy does: from a Metadata v12 answer passing through.
  const request = encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 1, clientId: 'c' }, { Topics: null, AllowAutoTopicCreation: false, IncludeTopicAuthorizedOperations: false });
  const outcome = enforceRequest(request, { policy, peer: '127.0.0.1', topicIds: ids });
  const plan = outcome.enforcement.plan;
  if (plan.kind !== 'forward' || !plan.transform) throw new Error('Metadata v12 must be forwarded with a transform');
  const answer = encodeResponse(3, 12, 1, {
    ThrottleTimeMs: 0, Brokers: [{ NodeId: 1, Host: 'h', Port: 1, Rack: null }], ClusterId: 'c', ControllerId: 1,
    Topics: [
      { ErrorCode: 0, Name: 'orders', TopicId: orders, IsInternal: false, Partitions: [], TopicAuthorizedOperations: 0 },
      { ErrorCode: 0, Name: 'secret', TopicId: secret, IsInternal: false, Partitions: [], TopicAuthorizedOperations: 0 },
    ],
  });
  void Promise.resolve(plan.transform(answer.subarray(4)));
  return ids;
}

function produce13(ids: readonly Buffer[]): Buffer {
  return encodeRequest({ apiKey: 0, apiVersion: 13, correlationId: 5, clientId: 'c' }, {
    TransactionalId: null, Acks: -1, TimeoutMs: 1000,
    TopicData: ids.map((id) => ({ TopicId: id, PartitionData: [{ Index: 0, Records: Buffer.from('rec') }] })),
  });
}

test('ids are learned from Metadata v10+ answers', async () => {
  const ids = learned();
  await new Promise((r) => setImmediate(r));
  expect(ids.name(orders)).toBe('orders');
  expect(ids.name(secret)).toBe('secret');
  expect(ids.name(unknown)).toBeUndefined();
});

test('Produce v13 by id: allowed forwarded, denied answered 29, unknown answered UNKNOWN_TOPIC_ID, all by id', async () => {
  const ids = learned();
  await new Promise((r) => setImmediate(r));
  const allowed = enforceRequest(produce13([orders]), { policy, peer: '127.0.0.1', topicIds: ids });
  expect(allowed.enforcement.plan).toMatchObject({ kind: 'forward', rewritten: false });
  expect(allowed.enforcement.decisions.find((d) => d.kind === 'topic')).toMatchObject({ name: 'orders', verdict: { allowed: true } });

  const mixed = enforceRequest(produce13([orders, secret, unknown]), { policy, peer: '127.0.0.1', topicIds: ids });
  const plan = mixed.enforcement.plan;
  expect(plan.kind).toBe('forward');
  if (plan.kind !== 'forward' || !plan.transform) throw new Error('expected a partial forward');
  const forwarded = (await import('../../kafka-proxy/index.js')).decodeRequest(plan.frame.subarray(4)).body;
  expect((forwarded['TopicData'] as KafkaStruct[]).map((t) => (t['TopicId'] as Buffer).equals(orders))).toEqual([true]);
  const upstream = encodeResponse(0, 13, 5, { Responses: [{ TopicId: orders, PartitionResponses: [{ Index: 0, ErrorCode: 0, BaseOffset: 7n }] }], ThrottleTimeMs: 0 });
  const merged = decodeResponse(0, 13, (await plan.transform(upstream.subarray(4))).subarray(4)).body;
  const byId = new Map((merged['Responses'] as KafkaStruct[]).map((r) => [(r['TopicId'] as Buffer).toString('hex'), (r['PartitionResponses'] as KafkaStruct[])[0]?.['ErrorCode']]));
  expect(byId.get(orders.toString('hex'))).toBe(0);
  expect(byId.get(secret.toString('hex'))).toBe(ERR.TOPIC_AUTHORIZATION_FAILED);
  expect(byId.get(unknown.toString('hex'))).toBe(ERR.UNKNOWN_TOPIC_ID);
  expect(mixed.enforcement.decisions.filter((d) => d.kind === 'topic').map((d) => [d.name, d.verdict.ruleId])).toEqual([
    ['orders', 'orders'], ['secret', 'default-deny'], [`id:${unknown.toString('hex')}`, 'topic-id-unresolved'],
  ]);
});

test('without learned ids every id is unresolved and denied; the frame is never forwarded as is', () => {
  const outcome = enforceRequest(produce13([orders]), { policy, peer: '127.0.0.1' });
  expect(outcome.enforcement.plan.kind).toBe('respond');
});

test('the id table is bounded', () => {
  const ids = new TopicIds(2);
  const [a, b, c] = [uuid(), uuid(), uuid()];
  ids.learn(a, 'a');
  ids.learn(b, 'b');
  ids.learn(c, 'c');
  expect(ids.size).toBe(2);
  expect(ids.name(a)).toBeUndefined();
  expect(ids.name(c)).toBe('c');
});
