/** OffsetFetch v8+ (batched groups): per-group and per-topic denial, merged into the answer. */
import { expect, test } from '@jest/globals';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, enforceRequest, validateKafkaPolicy, type KafkaStruct } from '../../kafka-proxy/index.js';

const policy = validateKafkaPolicy({
  name: 'p', endpoints: [{ port: 9092 }],
  allow: [{ id: 'consume', api_keys: [9], topic: { exact: 'orders' }, group: { prefix: 'billing-' } }],
}).policy;

test('a denied group gets 30 in its entry, a denied topic 29 on its partitions, the rest is forwarded', async () => {
  const frame = encodeRequest({ apiKey: 9, apiVersion: 9, correlationId: 3, clientId: 'c' }, {
    Groups: [
      { GroupId: 'billing-a', MemberId: null, MemberEpoch: -1, Topics: [{ Name: 'orders', PartitionIndexes: [0, 1] }, { Name: 'secret', PartitionIndexes: [0] }] },
      { GroupId: 'auditors', MemberId: null, MemberEpoch: -1, Topics: null },
      { GroupId: 'billing-b', MemberId: null, MemberEpoch: -1, Topics: null },
    ],
    RequireStable: true,
  });
  const outcome = enforceRequest(frame, { policy, peer: '127.0.0.1' });
  const plan = outcome.enforcement.plan;
  if (plan.kind !== 'forward' || !plan.transform) throw new Error(`expected a rewritten forward, got ${plan.kind}`);
  const sent = decodeRequest(plan.frame.subarray(4)).body;
  expect((sent['Groups'] as KafkaStruct[]).map((g) => [g['GroupId'], g['Topics'] === null ? null : (g['Topics'] as KafkaStruct[]).map((t) => t['Name'])])).toEqual([
    ['billing-a', ['orders']], ['billing-b', null],
  ]);
  const part = (i: number) => ({ PartitionIndex: i, CommittedOffset: 5n, CommittedLeaderEpoch: 1, Metadata: '', ErrorCode: 0 });
  const upstream = encodeResponse(9, 9, 3, {
    ThrottleTimeMs: 0,
    Groups: [
      { GroupId: 'billing-a', Topics: [{ Name: 'orders', Partitions: [part(0), part(1)] }], ErrorCode: 0 },
      { GroupId: 'billing-b', Topics: [{ Name: 'orders', Partitions: [part(0)] }, { Name: 'internal', Partitions: [part(0)] }], ErrorCode: 0 },
    ],
  });
  const merged = decodeResponse(9, 9, (await plan.transform(upstream.subarray(4))).subarray(4)).body;
  const summary = (merged['Groups'] as KafkaStruct[]).map((g) => ({
    group: g['GroupId'], error: g['ErrorCode'],
    topics: (g['Topics'] as KafkaStruct[]).map((t) => [t['Name'], (t['Partitions'] as KafkaStruct[]).map((p) => p['ErrorCode'])]),
  }));
  expect(summary).toEqual([
    { group: 'billing-a', error: 0, topics: [['orders', [0, 0]], ['secret', [29]]] },
    { group: 'billing-b', error: 0, topics: [['orders', [0]]] },
    { group: 'auditors', error: 30, topics: [] },
  ]);
});

test('every group denied: answered without the broker', () => {
  const frame = encodeRequest({ apiKey: 9, apiVersion: 8, correlationId: 4, clientId: 'c' }, {
    Groups: [{ GroupId: 'auditors', Topics: null }], RequireStable: false,
  });
  const plan = enforceRequest(frame, { policy, peer: '127.0.0.1' }).enforcement.plan;
  if (plan.kind !== 'respond') throw new Error(`expected respond, got ${plan.kind}`);
  const body = decodeResponse(9, 8, plan.response.subarray(4)).body;
  expect(body['Groups']).toEqual([{ GroupId: 'auditors', Topics: [], ErrorCode: 30 }]);
});

test('DescribeGroups and DeleteGroups judge each group on its own', () => {
  const describe = validateKafkaPolicy({ name: 'p', endpoints: [{ port: 9092 }], allow: [{ id: 'd', api_keys: [15, 42], group: { prefix: 'billing-' } }] }).policy;
  const frame = encodeRequest({ apiKey: 15, apiVersion: 5, correlationId: 8, clientId: 'c' }, { Groups: ['billing-a', 'auditors'], IncludeAuthorizedOperations: false });
  const outcome = enforceRequest(frame, { policy: describe, peer: '127.0.0.1' });
  const plan = outcome.enforcement.plan;
  if (plan.kind !== 'forward') throw new Error(`expected a partial forward, got ${plan.kind}`);
  expect(decodeRequest(plan.frame.subarray(4)).body['Groups']).toEqual(['billing-a']);
  const del = encodeRequest({ apiKey: 42, apiVersion: 2, correlationId: 9, clientId: 'c' }, { GroupsNames: ['auditors'] });
  const denied = enforceRequest(del, { policy: describe, peer: '127.0.0.1' }).enforcement.plan;
  if (denied.kind !== 'respond') throw new Error(`expected respond, got ${denied.kind}`);
  expect(decodeResponse(42, 2, denied.response.subarray(4)).body['Results']).toEqual([{ GroupId: 'auditors', ErrorCode: 30 }]);
});

test('FindCoordinator v4+ judges each key on its own', () => {
  const find = validateKafkaPolicy({ name: 'p', endpoints: [{ port: 9092 }], allow: [{ id: 'f', api_keys: [10], group: { prefix: 'billing-' } }] }).policy;
  const frame = encodeRequest({ apiKey: 10, apiVersion: 4, correlationId: 6, clientId: 'c' }, { KeyType: 0, CoordinatorKeys: ['billing-a', 'auditors'] });
  const plan = enforceRequest(frame, { policy: find, peer: '127.0.0.1' }).enforcement.plan;
  if (plan.kind !== 'forward') throw new Error(`expected a partial forward, got ${plan.kind}`);
  expect(decodeRequest(plan.frame.subarray(4)).body['CoordinatorKeys']).toEqual(['billing-a']);
});
