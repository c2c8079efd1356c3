/**
 * Kafka policy end to end: an L7Policy with Kafka rules → `sluice serve` compiles a KafkaPolicy for
 * the enforcer node → `sluice kafka-proxy` takes it over ADS → kafkajs, through the proxy, against
 * librdkafka's mock cluster. The status turns Enforced when the enforcer ACKed; edits apply live.
 * Every decision reaches serve as a flow, exactly once (the enforcer pushes them to its xDS address); a replay
 * of those flows against an edit predicts what the enforcer then really does; in audit mode
 * `/status` and `sluice audit-report` show the would-deny flows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { flowFromJson, type FlowRecord } from '../../flows/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { mockUnavailable, startMockCluster, type Peer } from '../kafka-proxy/harness.js';
import { runCli } from '../support/run-cli.js';
import { eventually, freePort } from '../support/poll.js';

const policy = (mode: string, deny: boolean) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: invoices, namespace: data }
spec:
  mode: ${mode}
  selector: { matchLabels: { app: broker } }
  ingress:
    - toPorts:
        - ports: [ { port: kafka } ]
          rules:
            kafka:
              - { role: produce, topic: { exact: invoices } }
              - { role: produce, topic: { prefix: secrets } }
              - { role: consume, topic: { prefix: audit. }, group: { exact: auditors } }
${deny ? '          deny:\n            kafka: [ { topic: { prefix: secrets } } ]\n' : ''}`;

const why = mockUnavailable();
const suite = why ? describe.skip : describe;
if (why) console.warn(`[skip] Kafka policy end to end: ${why}`);

suite('Kafka policy end to end: serve → kafka-proxy → kafkajs', () => {
  let dir: string;
  let broker: Peer;
  let serving: Serving;
  const stopProxy = new AbortController();
  let proxyRun: Promise<unknown>;
  let kafka: Kafka;

  const status = async (): Promise<PolicyStatus | undefined> =>
    ((await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'data/invoices');
  const write = (text: string) => fs.writeFileSync(path.join(dir, 'policies', 'invoices.yaml'), text);
  const admin = () => `http://127.0.0.1:${serving.adminPort}`;
  const kafkaFlows = async (query = ''): Promise<FlowRecord[]> => {
    const text = await (await fetch(`${admin()}/flows?protocol=kafka&last=1000${query}`)).text();
    return text.split('\n').filter(Boolean).map((l) => flowFromJson(JSON.parse(l))).filter((f): f is FlowRecord => typeof f !== 'string');
  };
  const topicFlows = async (api: string, topic: string, verdict: string) => (await kafkaFlows(`&verdict=${verdict}`)).filter((f) => f.kafka?.api === api && f.kafka.topic === topic);
  const flowsOf = (api: string, topic: string, verdict: string) =>
    eventually(async () => {
      const found = await topicFlows(api, topic, verdict);
      return found.length > 0 ? found : undefined;
    }, `a ${verdict} ${api} ${topic} flow`, 10_000);
  const rule = (tail: string) => `data/invoices#spec.ingress[0].toPorts[0].${tail}`;
  const produce = async (topic: string) => {
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

  beforeAll(async () => {
    broker = await startMockCluster(1, ['invoices', 'secrets.keys', 'audit.events']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-e2e-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: kafka-a, kind: kafka } ]
workloads:
  - { name: broker, namespace: data, labels: { app: broker }, addresses: [${broker.host}], ports: [ { port: ${broker.port}, name: kafka } ], proxy: { node: node-a, kafka: kafka-a } }
`);
    write(policy('enforce', true));
    serving = await startServe({ policies: path.join(dir, 'policies'), inventory: path.join(dir, 'inventory.yaml'), xds: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, logger: silentLogger, debounceMs: 20 });
    const listen = await freePort();
    const admin = await freePort();
    proxyRun = runCli(
      ['kafka-proxy', '--node', 'kafka-a', '--xds-address', `127.0.0.1:${serving.xdsPort}`, '--listen', `127.0.0.1:${listen}`, '--upstream', `${broker.host}:${broker.port}`, '--admin', `127.0.0.1:${admin}`, '--log-level', 'error'],
      stopProxy.signal,
    );
    kafka = new Kafka({ brokers: [`127.0.0.1:${listen}`], clientId: 'billing', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
  });

  afterAll(async () => {
    stopProxy.abort();
    await proxyRun;
    await serving?.close();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the policy Enforced once the enforcer ACKed its KafkaPolicy', async () => {
    await eventually(async () => (await status())?.state === 'Enforced', 'the policy to be Enforced', 15_000);
    expect((await status())?.targets).toEqual([expect.objectContaining({ node: 'kafka-a', resource: 'KafkaPolicy/inbound|' + broker.port + '|data/broker', state: 'acked' })]);
  });

  it('lets an allowed produce through and answers a denied topic with TOPIC_AUTHORIZATION_FAILED', async () => {
    expect(await produce('invoices')).toBe('ok');
    expect(await produce('secrets.keys')).toMatch(/Topic authorization failed/);
  });

  it('sends every decision to serve as a flow, with the verdict, the rule and the broker workload', async () => {
    const allowed = await flowsOf('Produce', 'invoices', 'forwarded');
    expect(allowed[0]).toMatchObject({
      node: 'kafka-a', direction: 'ingress', protocol: 'kafka', verdict: 'forwarded', policy: 'data/invoices', rule: rule('rules.kafka[0]'),
      destination: { address: broker.host, port: broker.port, workload: 'broker', namespace: 'data' }, kafka: { clientId: 'billing' },
    });
    // kafkajs asks for the topic's metadata first; denied there, it never sends the Produce.
    const denied = await flowsOf('Metadata', 'secrets.keys', 'denied');
    // The enforcer pushes every 200 ms: a decision delivered twice would be here by now.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await topicFlows('Produce', 'invoices', 'forwarded')).toHaveLength(1);
    const refused = await kafkaFlows('&verdict=denied');
    expect(refused.map((f) => `${f.kafka?.api} ${f.kafka?.topic}`)).toEqual(['Metadata secrets.keys']);
    expect(denied[0]).toMatchObject({ verdict: 'denied', rule: rule('deny.kafka[0]'), reason: 'deny rule matched' });
  });

  it('replays the recorded flows against an edit, and the enforcer then does what the replay said', async () => {
    const proposed = path.join(dir, 'proposed');
    fs.mkdirSync(proposed);
    fs.writeFileSync(path.join(proposed, 'invoices.yaml'), policy('enforce', false));
    const r = await runCli(['simulate', '--inventory', path.join(dir, 'inventory.yaml'), '--replay', admin(), '-o', 'json', proposed]);
    expect(r.code).toBe(1);
    const groups = (JSON.parse(r.stdout) as { groups: Array<{ from: string; to: string; what: string; rule: string }> }).groups;
    expect(groups).toEqual([expect.objectContaining({ from: 'denied', to: 'forwarded', what: 'Metadata secrets.keys', rule: rule('rules.kafka[1]'), count: 1 })]);

    write(policy('enforce', false));
    await eventually(async () => (await produce('secrets.keys')) === 'ok', 'the edit to allow secrets.keys', 10_000);
    expect((await flowsOf('Metadata', 'secrets.keys', 'forwarded'))[0]?.rule).toBe(rule('rules.kafka[1]'));
    expect((await flowsOf('Produce', 'secrets.keys', 'forwarded'))[0]?.rule).toBe(rule('rules.kafka[1]'));
  });

  it('lets everything through in audit mode, and shows what it would have denied', async () => {
    write(policy('audit', true));
    await eventually(async () => (await status())?.state === 'Auditing', 'the policy to be Auditing', 10_000);
    expect(await produce('secrets.keys')).toBe('ok');
    expect((await flowsOf('Produce', 'secrets.keys', 'audit-denied'))[0]).toMatchObject({ rule: rule('deny.kafka[0]'), reason: 'audit deny rule matched' });
    const evidence = await eventually(async () => {
      const a = (await status())?.audit;
      return a && a.wouldDeny > 0 ? a : undefined;
    }, '/status to count the would-deny flow');
    // Collection began with this serve, seconds ago: the 24 h window is not complete, and says so.
    expect(evidence).toMatchObject({ complete: false, report: 'sluice audit-report --policy data/invoices' });
    const report = await runCli(['audit-report', '--policy', 'data/invoices', '--since', '1h', '--server', admin()]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/Produce secrets\.keys\s+\S+ \S+\s+data\/invoices#spec\.ingress\[0\]\.toPorts\[0\]\.deny\.kafka\[0\]/);
    const clean = await runCli(['audit-report', '--policy', 'data/other', '--since', '1h', '--server', admin()]);
    expect(clean.code).toBe(4);
  });
});
