/**
 * HTTP and Kafka flows in one store: one `sluice serve` on the real data path, real Envoy 1.40
 * streaming its access log (ALS) to serve's collector, and the Kafka enforcer (`sluice
 * kafka-proxy`, in the same node namespace, in front of librdkafka's mock cluster) pushing its
 * decisions over gRPC to the same serve. Requests from "another host" (ops/batch): HTTP through
 * Envoy (forwarded, denied, audit-denied) and kafkajs through the enforcer (a produce allowed, a
 * topic denied). The peers' own answers say what happened (200/403 from Envoy, the produce's ack or
 * TOPIC_AUTHORIZATION_FAILED); `sluice observe` on serve's store must then show each decision
 * exactly once, both protocols side by side, with the verdict, the policy and the rule id that
 * leads back to a line of YAML, and its `--protocol` filter must split them, also live (`--follow`).
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { EnvoyBed, NODE_ID, SERVE_ADMIN_PORT, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { flowFromJson, type FlowRecord } from '../../flows/index.js';
import { describeDataPath } from '../support/envoy.js';
import { inForce, l7Policy, Scene, urlOf } from '../support/envoy-cases.js';
import { mockBrokerBinary, mockUnavailable } from '../kafka-proxy/harness.js';
import { eventually } from '../support/poll.js';
import { runCli, startCli } from '../support/run-cli.js';

const cliMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const KAFKA_LISTEN = 19092;
const KAFKA_ADMIN = 19911;

const HTTP_POLICIES = [
  l7Policy('orders-api', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/admin } } ] }
`),
  l7Policy('orders-trial', `  mode: audit
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8081 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/legacy } } ] }
`),
];
const KAFKA_POLICY = l7Policy('invoices', `  selector: { matchLabels: { app: broker } }
  ingress:
    - toPorts:
        - ports: [ { port: kafka } ]
          rules:
            kafka:
              - { role: produce, topic: { exact: invoices } }
          deny:
            kafka: [ { topic: { prefix: secrets } } ]
`, 'data');

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8081] };

const why = mockUnavailable();
if (why && process.env['CI'] !== 'true') console.warn(`[skip] HTTP and Kafka flows in one store: ${why}`);
const suite = why && process.env['CI'] !== 'true' ? describe.skip : describeDataPath;

suite('HTTP flows from real Envoy and Kafka flows from the enforcer, in one serve\'s store', () => {
  const bed = new EnvoyBed();
  const scene = new Scene(bed);
  let orders: { v4: string; v6: string };
  let broker: { host: string; port: number };
  let enforcer: BedProcess;
  const admin = () => `http://${bed.node4}:${SERVE_ADMIN_PORT}`;

  beforeAll(async () => {
    if (why) throw new Error(why);
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    orders = o;
    // The broker runs in the node namespace on its loopback, where the enforcer reaches it.
    const mock = bed.spawn('mock broker', { netns: bed.netns }, [mockBrokerBinary(), '1', 'invoices', 'secrets.keys']);
    const line = String((await mock.waitFor((l) => l.event === 'text', 'the mock broker\'s address')).line);
    const [host = '', port = '0'] = (line.split(',')[0] ?? '').split(':');
    broker = { host, port: Number(port) };
    // The test's own namespace is "another host": ops/batch sends both the HTTP and the Kafka requests.
    const batch = bed.remoteWorkload({ name: 'batch', namespace: 'ops', labels: { app: 'batch' }, addresses: [bed.host4, bed.host6] });
    const brokerEntry = `  - { name: broker, namespace: data, labels: { app: broker }, addresses: [${broker.host}], ports: [ { port: ${broker.port}, name: kafka } ], proxy: { node: node-k, kafka: kafka-a } }`;
    bed.writeInventory([o.inventory, batch, brokerEntry], `  - { node: ${NODE_ID}, accessLog: [flows, stdout] }\n  - { node: kafka-a, kind: kafka }`);
    bed.writePolicy('policies.yaml', [...HTTP_POLICIES, KAFKA_POLICY].join('---\n'));
    await bed.startWorkload(ORDERS);
    await bed.startServe();
    await bed.startEnvoy();
    // The enforcer in the node namespace (not in a workload cgroup: never redirected), taking its
    // KafkaPolicy from serve's xDS port and pushing its flows there (its default --flows-address).
    enforcer = bed.spawn('sluice kafka-proxy', { netns: bed.netns }, [
      process.execPath, cliMain, 'kafka-proxy', '--node', 'kafka-a', '--xds-address', '127.0.0.1:18000',
      '--listen', `${bed.node4}:${KAFKA_LISTEN}`, '--upstream', `${broker.host}:${broker.port}`, '--admin', `${bed.node4}:${KAFKA_ADMIN}`, '--log-level', 'error',
    ]);
    await eventually(() => listening(bed.node4, KAFKA_LISTEN), 'the enforcer to listen', 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${enforcer.stderr.slice(-2000)}`);
    });
    await inForce(bed);
  }, 120_000);

  afterAll(async () => {
    await enforcer?.stop();
    await scene.stop();
  }, 60_000);

  const observe = async (...flags: string[]): Promise<FlowRecord[]> => {
    const r = await runCli(['observe', '--server', admin(), '--last', '1000', ...flags, '-o', 'json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    return r.stdout.split('\n').filter(Boolean).map((l) => flowFromJson(JSON.parse(l))).filter((f): f is FlowRecord => typeof f !== 'string');
  };
  const send = (port: number, p: string) => scene.send({ protocol: 'http1', url: urlOf(orders.v4, port), path: p });
  const produce = async (kafka: Kafka, topic: string): Promise<string> => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: 'x' }] });
      return 'ok';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      await producer.disconnect();
    }
  };

  it('shows every HTTP and Kafka decision exactly once, with its verdict, policy and rule', async () => {
    // Following only Kafka flows from before the first request: what it prints arrived live.
    const follow = startCli(['observe', '--server', admin(), '--follow', '--protocol', 'kafka', '-o', 'json']);
    await eventually(async () => (((await (await fetch(`${admin()}/flows/status`)).json()) as { followers: number }).followers === 1 ? true : undefined), 'observe --follow to connect');
    // The peers' answers first: Envoy's, and the broker's through the enforcer.
    expect((await send(8080, '/v1/orders/7')).status).toBe(200);
    expect((await send(8080, '/v1/admin/keys')).status).toBe(403);
    expect((await send(8081, '/v1/legacy/3')).status).toBe(200);
    const kafka = new Kafka({ brokers: [`${bed.node4}:${KAFKA_LISTEN}`], clientId: 'billing-1', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
    expect(await produce(kafka, 'invoices')).toBe('ok');
    expect(await produce(kafka, 'secrets.keys')).toMatch(/Topic authorization failed/);

    const ruleOf = (policy: string, tail: string) => `${policy}#spec.ingress[0].toPorts[0].${tail}`;
    const expected = [
      { what: 'GET /v1/orders/7', protocol: 'http', verdict: 'forwarded', policy: 'shop/orders-api', rule: ruleOf('shop/orders-api', 'rules.http[0]'), node: NODE_ID, to: 'orders' },
      { what: 'GET /v1/admin/keys', protocol: 'http', verdict: 'denied', policy: 'shop/orders-api', rule: ruleOf('shop/orders-api', 'deny.http[0]'), node: NODE_ID, to: 'orders' },
      { what: 'GET /v1/legacy/3', protocol: 'http', verdict: 'audit-denied', policy: 'shop/orders-trial', rule: ruleOf('shop/orders-trial', 'deny.http[0]'), node: NODE_ID, to: 'orders' },
      { what: 'Produce invoices', protocol: 'kafka', verdict: 'forwarded', policy: 'data/invoices', rule: ruleOf('data/invoices', 'rules.kafka[0]'), node: 'kafka-a', to: 'broker' },
      // kafkajs asks for the topic's metadata first; denied there, it never sends the Produce.
      { what: 'Metadata secrets.keys', protocol: 'kafka', verdict: 'denied', policy: 'data/invoices', rule: ruleOf('data/invoices', 'deny.kafka[0]'), node: 'kafka-a', to: 'broker' },
    ];
    const summary = (f: FlowRecord) => (f.http ? `${f.http.method} ${f.http.path}` : f.kafka ? `${f.kafka.api} ${f.kafka.topic}` : '');
    const wanted = new Set(expected.map((e) => e.what));
    const mine = async () => (await observe()).filter((f) => wanted.has(summary(f)));
    await eventually(async () => (new Set((await mine()).map(summary)).size === expected.length ? true : undefined), 'all five decisions in the store', 20_000);
    // Envoy flushes its log every second and the enforcer pushes every 200 ms: a duplicate would be here by now.
    await new Promise((r) => setTimeout(r, 2500));
    const found = await mine();
    expect(found.map(summary).sort()).toEqual(expected.map((e) => e.what).sort());
    for (const e of expected) {
      expect([e.what, found.find((f) => summary(f) === e.what)]).toEqual([e.what, expect.objectContaining({
        node: e.node, direction: 'ingress', protocol: e.protocol, verdict: e.verdict, policy: e.policy, rule: e.rule,
        source: expect.objectContaining({ address: bed.host4, workload: 'batch', namespace: 'ops' }),
        destination: expect.objectContaining({ workload: e.to, namespace: e.to === 'broker' ? 'data' : 'shop' }),
      })]);
    }
    expect(found.find((f) => summary(f) === 'Produce invoices')?.kafka).toMatchObject({ clientId: 'billing-1' });
    expect(found.find((f) => summary(f) === 'GET /v1/admin/keys')?.http).toMatchObject({ status: 403 });

    // The same store answers each protocol apart; no Kafka flow is labelled HTTP or the reverse.
    const http = await observe('--protocol', 'http');
    const kafkaFlows = await observe('--protocol', 'kafka');
    expect(http.length).toBeGreaterThan(0);
    expect(kafkaFlows.length).toBeGreaterThan(0);
    expect(http.every((f) => f.node === NODE_ID && f.http && !f.kafka)).toBe(true);
    expect(kafkaFlows.every((f) => f.node === 'kafka-a' && f.kafka && !f.http)).toBe(true);
    expect(http.filter((f) => wanted.has(summary(f))).map(summary).sort()).toEqual(['GET /v1/admin/keys', 'GET /v1/legacy/3', 'GET /v1/orders/7']);
    expect(kafkaFlows.filter((f) => wanted.has(summary(f))).map(summary).sort()).toEqual(['Metadata secrets.keys', 'Produce invoices']);
    const denied = await observe('--verdict', 'denied');
    expect(denied.map(summary).sort()).toEqual(['GET /v1/admin/keys', 'Metadata secrets.keys']);

    // The live stream with the same filter saw the Kafka decisions, once each, and no HTTP flow.
    expect(await follow.stop()).toBe(0);
    const followed = follow.out.stdout.split('\n').filter(Boolean).map((l) => flowFromJson(JSON.parse(l))).filter((f): f is FlowRecord => typeof f !== 'string');
    expect(followed.every((f) => f.protocol === 'kafka')).toBe(true);
    expect(followed.filter((f) => wanted.has(summary(f))).map(summary).sort()).toEqual(['Metadata secrets.keys', 'Produce invoices']);
  }, 90_000);
});

function listening(host: string, port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(undefined));
  });
}
