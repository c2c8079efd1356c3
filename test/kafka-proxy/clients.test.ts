/**
 * Real clients (kafkajs, kcat) through the proxy to real brokers: librdkafka's mock cluster and a
 * single-node Apache Kafka 4.1 (KRaft) broker. Each suite says why it skips when its peer is
 * missing (.ci/deps/kafka.sh installs both).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ROLE_APIS, KAFKA_API_KEYS, PROXY_API_KEYS, decodableVersions, type KafkaPolicyJson } from '../../kafka-proxy/index.js';
import {
  RawConnection, eventually, javaClient, kafkaBrokerUnavailable, kcatAvailable, mockUnavailable, startKafkaBroker, startMockCluster, startProxy,
  type Peer, type RunningProxy,
} from './harness.js';
import { kafkajsDecode, kafkajsFrame } from './kafkajs-oracle.js';

jest.setTimeout(180_000);

const keys = (role: keyof typeof ROLE_APIS): number[] => ROLE_APIS[role].map((n) => KAFKA_API_KEYS[n]);

function rules(peer: Peer, extra: Partial<KafkaPolicyJson> = {}): KafkaPolicyJson[] {
  return [{
    name: 'orders-kafka', policy: 'shop/orders-kafka', endpoints: [{ address: peer.host, port: peer.port }],
    allow: [
      { id: 'shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[0]', role: 'produce', api_keys: keys('produce'), topic: { exact: 'orders' } },
      { id: 'shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[1]', role: 'consume', api_keys: keys('consume'), topic: { exact: 'orders' }, group: { prefix: 'billing-' } },
      { id: 'shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[2]', role: 'produce', api_keys: keys('produce'), topic: { prefix: 'internal.' } },
    ],
    deny: [
      { id: 'shop/orders-kafka#ingress[0].toPorts[0].deny.kafka[0]', topic: { prefix: 'internal.secret' } },
      { id: 'shop/orders-kafka#ingress[0].toPorts[0].deny.kafka[1]', transactional_id: { prefix: 'tx-evil' } },
    ],
    ...extra,
  }];
}

function kcat(args: string[], input?: string, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kcat', args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

async function produceRaw(proxyPort: number, topics: readonly string[], acks = -1, conn?: RawConnection, correlationId = 7): Promise<{ conn: RawConnection; errors: Record<string, number> | undefined }> {
  const c = conn ?? (await RawConnection.open(proxyPort));
  const frame = await kafkajsFrame('produce', 7, {
    acks, timeout: 5000, topicData: topics.map((topic) => ({ topic, partitions: [{ partition: 0, messages: [{ key: 'k', value: `to ${topic}` }] }] })),
  }, correlationId);
  c.write(frame);
  if (acks === 0) return { conn: c, errors: undefined };
  const payload = await c.read();
  if (!payload) return { conn: c, errors: undefined };
  expect(payload.readInt32BE(0)).toBe(correlationId);
  const decoded = await kafkajsDecode('produce', 7, payload) as { topics: { topicName: string; partitions: { errorCode: number }[] }[] };
  return { conn: c, errors: Object.fromEntries(decoded.topics.map((t) => [t.topicName, t.partitions[0]?.errorCode ?? -1])) };
}

type PeerKind = 'librdkafka mock cluster' | 'Apache Kafka 4.1.1 (KRaft)';
const peers: [PeerKind, () => string | undefined, () => Promise<Peer>][] = [
  ['librdkafka mock cluster', mockUnavailable, () => startMockCluster(1, ['orders', 'secret', 'audit.log', 'internal.secret.keys', 'internal.ok'])],
  ['Apache Kafka 4.1.1 (KRaft)', kafkaBrokerUnavailable, startKafkaBroker],
];

describe.each(peers)('through the proxy to %s', (kind, unavailable, start) => {
  const why = unavailable();
  if (why) {
    test.skip(`skipped: ${why}`, () => undefined);
    console.warn(`kafka-proxy clients suite for ${kind} skipped: ${why}`);
    return;
  }
  let peer: Peer;
  let proxy: RunningProxy;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    peer = await start();
    if (kind.startsWith('Apache')) {
      const admin = new Kafka({ brokers: [peer.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: ['orders', 'secret', 'audit.log', 'internal.secret.keys', 'internal.ok'].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
      await admin.disconnect();
    }
    proxy = await startProxy(peer, rules(peer));
    kafka = new Kafka({ brokers: [proxy.bootstrap], clientId: 'billing', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
  });

  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await proxy?.stop();
    await peer?.stop();
  });

  test('kafkajs: allowed produce works, a denied topic gets TOPIC_AUTHORIZATION_FAILED', async () => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      const sent = await producer.send({ topic: 'orders', messages: [{ value: 'one' }, { value: 'two' }] });
      expect(sent[0]?.errorCode).toBe(0);
      await expect(producer.send({ topic: 'secret', messages: [{ value: 'x' }] })).rejects.toThrow(/Topic authorization failed/);
      const flows = proxy.logs.filter((l) => l['msg'] === 'kafka flow' && l['name'] === 'secret' && l['verdict'] === 'deny');
      expect(flows.length).toBeGreaterThan(0);
      expect(flows[0]).toMatchObject({ client: expect.stringContaining('127.0.0.1'), clientId: 'billing', resource: 'topic', rule: 'default-deny', policy: 'shop/orders-kafka' });
    } finally {
      await producer.disconnect();
    }
  });

  // kafkajs finds a "controller" broker for InitProducerId; librdkafka's mock advertises none it lists.
  const txnTest = kind.startsWith('Apache') ? test : test.skip;
  if (!kind.startsWith('Apache')) console.warn(`transactional producer test skipped for ${kind}: kafkajs needs a controller id the mock does not advertise`);
  txnTest('kafkajs: idempotent and transactional producers work under role produce; a denied transactional id is refused', async () => {
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    expect((await idempotent.send({ topic: 'orders', messages: [{ value: 'idempotent' }] }))[0]?.errorCode).toBe(0);
    await idempotent.disconnect();

    const good = kafka.producer({ transactionalId: 'tx-good', idempotent: true, maxInFlightRequests: 1 });
    await good.connect();
    const txn = await good.transaction();
    await txn.send({ topic: 'orders', messages: [{ value: 'in-a-transaction' }] });
    await txn.commit();
    await good.disconnect();
    expect(proxy.logs.some((l) => l['api'] === 'EndTxn' && l['resource'] === 'transactionalId' && l['name'] === 'tx-good' && l['verdict'] === 'allow')).toBe(true);

    const evil = kafka.producer({ transactionalId: 'tx-evil-1', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
    await evil.connect();
    // The coordinator lookup is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED (as a broker
    // refuses Describe on the id); kafkajs reports that as "Failed to find group coordinator".
    await expect(evil.transaction()).rejects.toThrow(/coordinator|authorization/i);
    await evil.disconnect().catch(() => undefined);
    const denied = proxy.logs.find((l) => l['api'] === 'FindCoordinator' && l['resource'] === 'transactionalId' && l['name'] === 'tx-evil-1');
    expect(denied).toMatchObject({ verdict: 'deny', rule: 'shop/orders-kafka#ingress[0].toPorts[0].deny.kafka[1]' });
    expect(proxy.logs.some((l) => l['api'] === 'InitProducerId' && l['name'] === 'tx-evil-1' && l['verdict'] === 'allow')).toBe(false);
  });

  test('kafkajs: a consumer group under role consume reads what was produced', async () => {
    const consumer = kafka.consumer({ groupId: 'billing-readers', sessionTimeout: 10_000, heartbeatInterval: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value?.toString() ?? ''); } });
    await eventually(() => (seen.includes('one') && seen.includes('two') ? true : undefined), 'consumed messages', 60_000);
    await consumer.disconnect();
    const committed = proxy.logs.some((l) => l['api'] === 'OffsetCommit' && l['resource'] === 'group' && l['name'] === 'billing-readers' && l['verdict'] === 'allow');
    expect(committed).toBe(true);
  });

  test('kafkajs: a denied group fails the join with GROUP_AUTHORIZATION_FAILED', async () => {
    const consumer = kafka.consumer({ groupId: 'auditors', retry: { retries: 0 } });
    consumers.push(consumer);
    const crashed = new Promise<string>((resolve) => {
      consumer.on(consumer.events.CRASH, (e: { payload: { error: { type?: string; message: string } } }) => resolve(e.payload.error.type ?? e.payload.error.message));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    expect(await crashed).toBe('GROUP_AUTHORIZATION_FAILED');
  });

  test('a Produce naming allowed and denied topics is partially served (per-partition errors, kafkajs decoder)', async () => {
    const { conn, errors } = await produceRaw(proxy.port, ['orders', 'secret', 'internal.secret.keys', 'internal.ok']);
    conn.close();
    expect(errors).toEqual({ orders: 0, 'internal.ok': 0, secret: 29, 'internal.secret.keys': 29 });
    const denied = proxy.logs.find((l) => l['api'] === 'Produce' && l['name'] === 'internal.secret.keys');
    expect(denied).toMatchObject({ verdict: 'deny', rule: 'shop/orders-kafka#ingress[0].toPorts[0].deny.kafka[0]' });
  });

  test('an all-topics Metadata lists only the topics the client may see (kafkajs admin.listTopics)', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
      expect(topics.sort()).toEqual(['internal.ok', 'orders']);
    } finally {
      await admin.disconnect();
    }
    expect(proxy.logs.some((l) => l['api'] === 'Metadata' && l['name'] === 'secret' && l['verdict'] === 'deny')).toBe(true);
  });

  test('ApiVersions answers are capped to what the proxy decodes (kafkajs decoder)', async () => {
    const conn = await RawConnection.open(proxy.port);
    conn.write(await kafkajsFrame('apiVersions', 2, {}, 5));
    const payload = await conn.read();
    conn.close();
    const decoded = await kafkajsDecode('apiVersions', 2, payload!) as { errorCode: number; apiVersions: { apiKey: number; minVersion: number; maxVersion: number }[] };
    expect(decoded.errorCode).toBe(0);
    const byKey = new Map(decoded.apiVersions.map((a) => [a.apiKey, a]));
    for (const a of decoded.apiVersions) {
      expect(PROXY_API_KEYS).toContain(a.apiKey);
      expect(a.maxVersion).toBeLessThanOrEqual(decodableVersions(a.apiKey)![1]);
    }
    expect(byKey.get(KAFKA_API_KEYS.OffsetCommit)?.maxVersion).toBeLessThanOrEqual(9);
    expect(byKey.has(KAFKA_API_KEYS.Metadata)).toBe(true);
    expect(byKey.has(KAFKA_API_KEYS.LeaderAndIsr)).toBe(false);
  });

  test('a Fetch naming allowed and denied topics is partially served: records for one, 29 for the other', async () => {
    const seeded = await produceRaw(proxy.port, ['orders']);
    seeded.conn.close();
    expect(seeded.errors).toEqual({ orders: 0 });
    const conn = await RawConnection.open(proxy.port);
    const partitions = [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }];
    conn.write(await kafkajsFrame('fetch', 11, {
      replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 4 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: 0, forgottenTopics: [], rackId: '',
      topics: [{ topic: 'orders', partitions }, { topic: 'secret', partitions }],
    }, 21));
    const payload = await conn.read();
    conn.close();
    const decoded = await kafkajsDecode('fetch', 11, payload!) as { errorCode: number; sessionId: number; responses: { topicName: string; partitions: { errorCode: number; messages: unknown[] }[] }[] };
    const byTopic = Object.fromEntries(decoded.responses.map((r) => [r.topicName, r.partitions[0]]));
    expect(decoded.errorCode).toBe(0);
    expect(decoded.sessionId).toBe(0); // a rewritten fetch leaves its session
    expect(byTopic['orders']?.errorCode).toBe(0);
    expect(byTopic['orders']?.messages.length).toBeGreaterThan(0);
    expect(byTopic['secret']).toMatchObject({ errorCode: 29, messages: [] });
  });

  test('acks=0 Produce to a denied topic closes the connection', async () => {
    const { conn } = await produceRaw(proxy.port, ['secret'], 0);
    expect(await conn.waitClosed()).toBe(true);
  });

  test('a rules change applies to the next request on the same connection', async () => {
    const first = await produceRaw(proxy.port, ['audit.log'], -1, undefined, 11);
    expect(first.errors).toEqual({ 'audit.log': 29 });
    const before = proxy.metrics.connections.get();
    proxy.setRules(rules(peer, { allow: [...(rules(peer)[0]?.allow ?? []), { id: 'audit-writer', api_keys: [KAFKA_API_KEYS.Produce], topic: { exact: 'audit.log' } }] }));
    try {
      const second = await produceRaw(proxy.port, ['audit.log'], -1, first.conn, 12);
      expect(second.errors).toEqual({ 'audit.log': 0 });
      expect(first.conn.closed).toBe(false);
      expect(proxy.metrics.connections.get()).toBe(before);
    } finally {
      first.conn.close();
      proxy.setRules(rules(peer));
    }
  });

  test('audit mode lets denied requests through and logs the would-be verdict', async () => {
    proxy.setRules(rules(peer, { mode: 'AUDIT' }));
    try {
      const { conn, errors } = await produceRaw(proxy.port, ['secret']);
      conn.close();
      expect(errors).toEqual({ secret: 0 });
      expect(proxy.logs.some((l) => l['api'] === 'Produce' && l['name'] === 'secret' && l['verdict'] === 'audit_deny' && l['mode'] === 'audit')).toBe(true);
      expect(proxy.metrics.requests.get({ api: 'Produce', verdict: 'audit_deny' })).toBeGreaterThan(0);
      // An all-topics Metadata is not filtered in audit mode; what it would hide is logged.
      const admin = kafka.admin();
      await admin.connect();
      const before = proxy.logs.length;
      try {
        expect(await admin.listTopics()).toEqual(expect.arrayContaining(['secret', 'orders']));
      } finally {
        await admin.disconnect();
      }
      expect(proxy.logs.slice(before).some((l) => l['api'] === 'Metadata' && l['name'] === 'secret' && l['verdict'] === 'audit_deny')).toBe(true);
    } finally {
      proxy.setRules(rules(peer));
    }
  });

  // Apache Kafka's own Java client (4.1.1, the reference implementation), from the cached jars.
  const javaTest = kind.startsWith('Apache') ? test : test.skip;
  if (!kind.startsWith('Apache')) console.warn(`Java client test skipped for ${kind}: run against Apache Kafka only`);
  javaTest('Java client (kafka-clients 4.1.1): produce and group consume allowed, denied topic and group refused', async () => {
    const ok = await javaClient('org.apache.kafka.tools.ConsoleProducer', ['--bootstrap-server', proxy.bootstrap, '--topic', 'orders'], 'java-1\njava-2\n');
    expect(ok.output).not.toMatch(/Exception/);
    const denied = await javaClient('org.apache.kafka.tools.ConsoleProducer', ['--bootstrap-server', proxy.bootstrap, '--topic', 'secret'], 'nope\n');
    expect(denied.output).toContain('TopicAuthorizationException');
    const read = await javaClient('org.apache.kafka.tools.consumer.ConsoleConsumer', ['--bootstrap-server', proxy.bootstrap, '--topic', 'orders', '--group', 'billing-java', '--from-beginning', '--timeout-ms', '10000', '--max-messages', '100000']);
    expect(read.output).toContain('java-2');
    const group = await javaClient('org.apache.kafka.tools.consumer.ConsoleConsumer', ['--bootstrap-server', proxy.bootstrap, '--topic', 'orders', '--group', 'auditors', '--from-beginning', '--timeout-ms', '20000', '--max-messages', '1']);
    expect(group.output).toContain('GroupAuthorizationException');
    // The Java client negotiated the newest versions: Produce v13 and Fetch v13+ name topics by id,
    // resolved through the ids the proxy learned from Metadata.
    const produced = proxy.logs.filter((l) => l['api'] === 'Produce' && l['clientId'] === 'console-producer' && l['resource'] === 'topic');
    expect(Math.max(...produced.map((l) => Number(l['version'])))).toBe(13);
    expect(produced.some((l) => l['name'] === 'orders' && l['verdict'] === 'allow')).toBe(true);
    const fetched = proxy.logs.filter((l) => l['api'] === 'Fetch' && l['resource'] === 'topic' && l['clientId'] === 'console-consumer');
    expect(Math.min(...fetched.map((l) => Number(l['version'])))).toBeGreaterThanOrEqual(13);
    expect(fetched.some((l) => l['name'] === 'orders' && l['verdict'] === 'allow')).toBe(true);
    // Offsets are read with the batched-groups OffsetFetch (v8+), judged per group.
    expect(proxy.logs.some((l) => l['api'] === 'OffsetFetch' && Number(l['version']) >= 8 && l['name'] === 'billing-java' && l['verdict'] === 'allow')).toBe(true);

    // A topic the client may describe but not write: refused at Produce v13, by id.
    proxy.setRules(rules(peer, { allow: [...(rules(peer)[0]?.allow ?? []), { id: 'describe-secret', api_keys: [KAFKA_API_KEYS.Metadata], topic: { exact: 'secret' } }] }));
    try {
      const byId = await javaClient('org.apache.kafka.tools.ConsoleProducer', ['--bootstrap-server', proxy.bootstrap, '--topic', 'secret'], 'nope\n');
      expect(byId.output).toContain('TopicAuthorizationException');
      expect(proxy.logs.some((l) => l['api'] === 'Produce' && l['version'] === 13 && l['name'] === 'secret' && l['verdict'] === 'deny')).toBe(true);
    } finally {
      proxy.setRules(rules(peer));
    }
  });

  javaTest('Java client with the KIP-848 group protocol: ConsumerGroupHeartbeat allowed, denied group and topic refused', async () => {
    const seeded = await produceRaw(proxy.port, ['orders']);
    seeded.conn.close();
    const args = (topic: string, group: string, max: number) => ['--bootstrap-server', proxy.bootstrap, '--topic', topic, '--group', group, '--from-beginning',
      '--max-messages', String(max), '--timeout-ms', '20000', '--consumer-property', 'group.protocol=consumer'];
    const ok = await javaClient('org.apache.kafka.tools.consumer.ConsoleConsumer', args('orders', 'billing-848', 1));
    expect(ok.output).toContain('Processed a total of 1 messages');
    const group = await javaClient('org.apache.kafka.tools.consumer.ConsoleConsumer', args('orders', 'auditors-848', 1));
    expect(group.output).toContain('GroupAuthorizationException');
    const topic = await javaClient('org.apache.kafka.tools.consumer.ConsoleConsumer', args('secret', 'billing-848b', 1));
    expect(topic.output).toContain('TopicAuthorizationException');
    expect(proxy.logs.some((l) => l['api'] === 'ConsumerGroupHeartbeat' && l['name'] === 'billing-848' && l['verdict'] === 'allow')).toBe(true);
    expect(proxy.logs.some((l) => l['api'] === 'ConsumerGroupHeartbeat' && l['name'] === 'auditors-848' && l['verdict'] === 'deny')).toBe(true);
  });

  const kcatTest = kcatAvailable() ? test : test.skip;
  kcatTest('kcat: produce and consume allowed, denied topic and group rejected', async () => {
    const ok = await kcat(['-b', proxy.bootstrap, '-P', '-t', 'orders'], 'from-kcat\n');
    expect(ok.stderr).not.toMatch(/failed/i);
    const denied = await kcat(['-b', proxy.bootstrap, '-P', '-t', 'secret'], 'nope\n');
    expect(denied.stderr).toMatch(/Topic authorization failed/);
    const read = await kcat(['-b', proxy.bootstrap, '-C', '-t', 'orders', '-o', 'beginning', '-e']);
    expect(read.stdout).toContain('from-kcat');
    const group = await kcat(['-b', proxy.bootstrap, '-G', 'auditors', 'orders', '-e'], undefined, 20_000);
    expect(group.stderr).toMatch(/Group authorization failed/);
  });
});

const multi = mockUnavailable();
(multi ? describe.skip : describe)('multi-broker cluster (librdkafka mock, 3 brokers)', () => {
  if (multi) console.warn(`multi-broker suite skipped: ${multi}`);
  test('every broker is reached through a proxy listener of its own', async () => {
    const peer = await startMockCluster(3, ['spread:6']);
    const proxy = await startProxy(peer, [{ name: 'all', endpoints: [{ address: peer.host, port: peer.port }], allow: [{ id: 'any' }] }]);
    try {
      const kafka = new Kafka({ brokers: [proxy.bootstrap], clientId: 'spread', logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      const sent = await producer.send({ topic: 'spread', messages: Array.from({ length: 24 }, (_, i) => ({ value: `m${i}`, partition: i % 6 })) });
      await producer.disconnect();
      expect(sent.every((s) => s.errorCode === 0)).toBe(true);
      expect(new Set(sent.map((s) => s.partition)).size).toBe(6);
      // Three brokers, each behind its own listener (the bootstrap broker behind the main one).
      expect(proxy.proxy.addresses().length).toBe(3);
    } finally {
      await proxy.stop();
      await peer.stop();
    }
  });
});
