/**
 * `sluice kafka-proxy --tls-cert --tls-key --ca` on serve's mutually authenticated xDS channel:
 * with its own certificate the enforcer gets its KafkaPolicy (the policy turns Enforced on its ACK)
 * and pushes its flows over the same channel; with another node's certificate, or without TLS, it
 * gets nothing and stays unready (fail closed: it refuses every request), and serve logs the refusal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { createLogger } from '../../telemetry/index.js';
import { mockUnavailable, startMockCluster, type Peer } from '../kafka-proxy/harness.js';
import { runCli, startCli } from '../support/run-cli.js';
import { eventually, freePort } from '../support/poll.js';
import { caPem, leaf, newCa } from '../support/tls.js';

const POLICY = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: invoices, namespace: data }
spec:
  selector: { matchLabels: { app: broker } }
  ingress:
    - toPorts:
        - ports: [ { port: kafka } ]
          rules:
            kafka: [ { role: produce, topic: { exact: invoices } } ]
`;

const why = mockUnavailable();
const suite = why ? describe.skip : describe;
if (why) console.warn(`[skip] kafka-proxy over mutual TLS: ${why}`);

suite('kafka-proxy over mutual TLS xDS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-mtls-'));
  const logs: string[] = [];
  const files: Record<string, string> = {};
  const running: Array<ReturnType<typeof startCli>> = [];
  let broker: Peer;
  let serving: Serving;

  const file = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  const status = async (): Promise<PolicyStatus | undefined> =>
    ((await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'data/invoices');
  const healthz = async (port: number): Promise<{ code: number; body: { ready: boolean; xds: { connected: boolean; last: unknown } } }> => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { code: r.status, body: (await r.json()) as { ready: boolean; xds: { connected: boolean; last: unknown } } };
  };
  /** Starts an enforcer claiming `node`, with `tls` flags; resolves with its Kafka and admin ports once it listens. */
  const enforcer = async (node: string, tls: readonly string[]): Promise<{ listen: number; admin: number }> => {
    const listen = await freePort();
    const admin = await freePort();
    const run = startCli(['kafka-proxy', '--node', node, '--xds-address', `127.0.0.1:${serving.xdsPort}`, '--listen', `127.0.0.1:${listen}`, '--upstream', `${broker.host}:${broker.port}`, '--admin', `127.0.0.1:${admin}`, '--log-level', 'error', ...tls]);
    running.push(run);
    await eventually(() => run.out.stdout.includes('"listening"'), `${node}'s enforcer listening`, 10_000);
    return { listen, admin };
  };

  beforeAll(async () => {
    broker = await startMockCluster(1, ['invoices']);
    const ca = await newCa('xds CA');
    const server = await leaf(ca, { dns: ['xds.sluice'], ips: ['127.0.0.1'] });
    for (const node of ['kafka-a', 'kafka-b']) {
      const pem = await leaf(ca, { uris: [`spiffe://sluice.local/node/${node}`], usages: ['client'] });
      files[`${node}.crt`] = file(`${node}.crt`, pem.cert);
      files[`${node}.key`] = file(`${node}.key`, pem.key);
    }
    files.ca = file('ca.crt', caPem(ca));
    fs.mkdirSync(path.join(dir, 'policies'));
    file('policies/invoices.yaml', POLICY);
    const inventory = file('inventory.yaml', `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: kafka-a, kind: kafka } ]
workloads:
  - { name: broker, namespace: data, labels: { app: broker }, addresses: [${broker.host}], ports: [ { port: ${broker.port}, name: kafka } ], proxy: { node: node-a, kafka: kafka-a } }
`);
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory,
      xds: { host: '127.0.0.1', port: 0 },
      xdsTls: { cert: file('server.crt', server.cert), key: file('server.key', server.key), clientCa: files.ca, trustDomain: 'sluice.local' },
      admin: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'info', write: (l) => logs.push(l) }),
      debounceMs: 20,
    });
  }, 60_000);

  afterAll(async () => {
    for (const r of running) await r.stop();
    await serving?.close();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('refuses a partial set of TLS flags as a usage error', async () => {
    const r = await runCli(['kafka-proxy', '--node', 'kafka-a', '--xds-address', '127.0.0.1:1', '--listen', '127.0.0.1:0', '--tls-cert', 'a.crt', '--tls-key', 'a.key']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tls-cert, --tls-key and --ca go together');
  });

  it('with its own certificate: gets its KafkaPolicy, the policy is Enforced, and its flows reach serve', async () => {
    const { listen, admin } = await enforcer('kafka-a', ['--tls-cert', files['kafka-a.crt'] ?? '', '--tls-key', files['kafka-a.key'] ?? '', '--ca', files.ca ?? '']);
    await eventually(async () => (await healthz(admin)).code === 200, 'the enforcer ready', 15_000);
    expect((await healthz(admin)).body.xds.connected).toBe(true);
    await eventually(async () => (await status())?.state === 'Enforced', 'the policy Enforced', 15_000);
    expect((await status())?.targets).toEqual([expect.objectContaining({ node: 'kafka-a', state: 'acked' })]);

    const kafka = new Kafka({ brokers: [`127.0.0.1:${listen}`], clientId: 'billing', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'invoices', messages: [{ value: 'x' }] });
    await producer.disconnect();
    const flows = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${serving.adminPort}/flows?protocol=kafka&verdict=forwarded&last=100`)).text();
      const produced = text.split('\n').filter((l) => l.includes('"Produce"'));
      return produced.length > 0 ? produced : undefined;
    }, 'the Produce flow pushed over mutual TLS', 10_000);
    expect(JSON.parse(flows[0] ?? '{}')).toMatchObject({ node: 'kafka-a', verdict: 'forwarded', policy: 'data/invoices' });
  }, 40_000);

  it("with kafka-b's certificate claiming kafka-a: refused by serve, and the enforcer stays unready", async () => {
    const { admin } = await enforcer('kafka-a', ['--tls-cert', files['kafka-b.crt'] ?? '', '--tls-key', files['kafka-b.key'] ?? '', '--ca', files.ca ?? '']);
    await eventually(() => logs.some((l) => l.includes('refusing an xDS stream') && l.includes('certificate is for node \\"kafka-b\\"')), 'the refusal logged', 15_000);
    const h = await healthz(admin);
    expect(h.code).toBe(503);
    expect(h.body).toMatchObject({ ready: false, xds: { connected: false, last: null } });
  }, 30_000);

  it('without TLS against the mutual TLS server: never connected, never ready', async () => {
    const { admin } = await enforcer('kafka-a', []);
    // A plaintext client gets no HTTP/2 from a TLS listener: it keeps retrying, unready all along.
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const h = await healthz(admin);
      expect(h.code).toBe(503);
      expect(h.body.xds.connected).toBe(false);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 20_000);
});
