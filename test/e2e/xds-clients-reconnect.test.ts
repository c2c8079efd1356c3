/**
 * sluice's other xDS clients across a control-plane restart, with the versions they hold: the
 * proxyless gRPC peers (grpc-js-xds 1.14: an XdsServer enforcing sluice's RBAC Listener and an
 * `xds:///` client) and sluice's Kafka enforcer. They are sent nothing, keep working throughout
 * (no gap: grpc-js-xds starts no does-not-exist timer for a resource it has cached), show as
 * Enforced, and the next change still reaches them.
 *
 * "Nothing is sent" is asserted after a positive signal (the new server resumed every type the
 * client asks for) plus a bounded wait.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { encodeMessage, MESSAGES } from '../../envoy-api/index.js';
import { KafkaXdsClient, PolicyStore, type KafkaPolicyJson, type XdsUpdate } from '../../kafka-proxy/index.js';
import { createLogger, silentLogger } from '../../telemetry/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type ShortName, type XdsEvent } from '../../xds-server/index.js';
import { BOOTSTRAP_OPTION, call, Ledger, ledgerImplementation, xdsBootstrap, type CallResult } from '../support/ledger.js';
import { eventually, freePort } from '../support/poll.js';

xds.register();

const QUIET_MS = 1500;
const quiet = () => new Promise((r) => setTimeout(r, QUIET_MS));
const TYPES: readonly ShortName[] = ['CDS', 'EDS', 'LDS', 'RDS', 'SDS', 'KAFKA'];
const responsesBy = (x: XdsServer) => Object.fromEntries(TYPES.map((t) => [t, x.metrics.responses.get({ type: t })]).filter(([, n]) => n !== 0));

const inventory = (port: number) => `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: ledger, namespace: vault, labels: { app: ledger }, addresses: [127.0.0.1], ports: [ { port: ${port}, name: grpc } ], proxy: { grpcProxyless: true } }
  - { name: teller, namespace: vault, labels: { app: teller }, addresses: [127.0.0.2], ports: [ { port: 7000 } ], proxy: { grpcProxyless: true } }
`;

const policy = (methods: string) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ledger-access, namespace: vault }
spec:
  mode: enforce
  selector: { matchLabels: { app: ledger } }
  ingress:
    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            grpc:
              - { service: vault.v1.Ledger, methods: [ ${methods} ] }
`;

describe('proxyless gRPC (grpc-js-xds) across a `sluice serve` restart', () => {
  let dir: string;
  let serving: Serving | undefined;
  let server: xds.XdsServer | undefined;
  let direct: grpc.Client;
  let viaXds: grpc.Client;
  let port = 0;
  let xdsPort = 0;

  const live = (): Serving => {
    if (!serving) throw new Error('sluice is not serving');
    return serving;
  };
  const serve = (at: number) =>
    startServe({ policies: path.join(dir, 'policies'), inventory: path.join(dir, 'inventory.yaml'), xds: { host: '127.0.0.1', port: at }, admin: { host: '127.0.0.1', port: 0 }, logger: silentLogger, debounceMs: 50 });
  const status = async (): Promise<PolicyStatus | undefined> => ((await (await fetch(`http://127.0.0.1:${live().adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies[0];
  /** What the policy says, through the server's RBAC engine and through the xds:/// client's routing. */
  const verdicts = async (): Promise<CallResult[]> => Promise.all([call(direct, 'ListEntries'), call(direct, 'Transfer'), call(viaXds, 'ListEntries')]);
  const ALLOWED = { ok: true, servedBy: 'xds-ledger' };
  const DENIED = { ok: false, code: grpc.status.PERMISSION_DENIED };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-grpc-reconnect-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), inventory(port));
    fs.writeFileSync(path.join(dir, 'policies', 'ledger.yaml'), policy('GetBalance, ListEntries'));
    serving = await serve(0);
    xdsPort = serving.xdsPort;
    server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: xdsBootstrap(xdsPort, 'ledger-server') } as grpc.ServerOptions);
    server.addService(Ledger.service, ledgerImplementation('xds-ledger'));
    await new Promise<void>((resolve, reject) => server?.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    direct = new Ledger(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    viaXds = new Ledger(`xds:///ledger.vault:${port}`, grpc.credentials.createInsecure(), { [BOOTSTRAP_OPTION]: xdsBootstrap(xdsPort, 'teller-client') });
  });

  afterAll(async () => {
    direct?.close();
    viaXds?.close();
    server?.forceShutdown();
    await serving?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enforces the policy, which is Enforced', async () => {
    await eventually(async () => JSON.stringify(await verdicts()) === JSON.stringify([ALLOWED, DENIED, ALLOWED]), 'the verdicts of the policy', 30_000);
    await eventually(async () => (await status())?.state === 'Enforced', 'the policy to be Enforced', 30_000);
  });

  it('a restart with unchanged inputs sends the gRPC peers nothing; they keep enforcing without a gap and the policy stays Enforced', async () => {
    // What each peer ACKed, per type: after the restart the new process must serve exactly these versions.
    const acked = (node: string) => Object.fromEntries((live().xds.nodeStatus(node)?.types ?? []).map((t) => [t.type, t.lastAck?.version]));
    const before = { server: acked('ledger-server'), client: acked('teller-client') };
    expect([Object.keys(before.server), Object.keys(before.client)]).toEqual([['LDS'], ['CDS', 'EDS', 'LDS', 'RDS']]);
    // RPCs run all along, through the restart: each must give the policy's verdict, promptly.
    let running = true;
    const outcomes: { results: CallResult[]; ms: number }[] = [];
    const traffic = (async () => {
      while (running) {
        const start = Date.now();
        outcomes.push({ results: await verdicts(), ms: Date.now() - start });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await live().close();
      serving = await serve(xdsPort);
      const events: XdsEvent[] = [];
      serving.xds.on((e) => events.push(e));
      const resumed = (node: string) => events.flatMap((e) => (e.kind === 'resume' && e.nodeId === node ? [e.type] : [])).sort();
      await eventually(() => resumed('ledger-server').length === 1 && resumed('teller-client').length === 4, 'both peers to come back', 60_000);
      await quiet();
      expect({ server: resumed('ledger-server'), client: resumed('teller-client') }).toEqual({ server: ['LDS'], client: ['CDS', 'EDS', 'LDS', 'RDS'] });
      expect(responsesBy(live().xds)).toEqual({});
      expect({ server: acked('ledger-server'), client: acked('teller-client') }).toEqual(before);
    } finally {
      running = false;
      await traffic;
    }
    expect(outcomes.length).toBeGreaterThan(3);
    expect(outcomes.filter((o) => JSON.stringify(o.results) !== JSON.stringify([ALLOWED, DENIED, ALLOWED]))).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(2000);
    await eventually(async () => (await status())?.state === 'Enforced', 'the policy to be Enforced after the restart', 10_000);
    expect((await status())?.targets).toEqual([expect.objectContaining({ node: 'ledger-server', state: 'acked' })]);
  });

  it('a policy edit after the restart reaches the server within 2 s', async () => {
    fs.writeFileSync(path.join(dir, 'policies', 'ledger.yaml'), policy('GetBalance, ListEntries, Transfer'));
    const edited = Date.now();
    await eventually(async () => (await call(direct, 'Transfer')).ok, 'Transfer to be allowed', 5000);
    expect(Date.now() - edited).toBeLessThan(2000);
    expect(live().xds.metrics.responses.get({ type: 'LDS' })).toBeGreaterThan(0);
  });
});

describe('the Kafka enforcer across an xDS server restart', () => {
  const kafkaPolicy = (topic: string): KafkaPolicyJson => ({
    name: 'orders-kafka',
    policy: 'shop/orders-kafka',
    endpoints: [{ address: '127.0.0.1', port: 9092 }],
    allow: [{ id: 'shop/orders-kafka#ingress[0].toPorts[0].rules.kafka[0]', role: 'produce', api_keys: [0, 3, 18], topic: { exact: topic } }],
  });
  const snapshot = (topic: string) => {
    const r = createSnapshot([{ typeUrl: TYPE_URL.KAFKA, name: 'orders-kafka', body: encodeMessage(MESSAGES.kafkaPolicy, kafkaPolicy(topic)) }]);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.snapshot;
  };

  it('is sent nothing when it holds the current rules, keeps them, and takes the next change', async () => {
    const node = 'kafka-restart';
    const firstCache = new SnapshotCache();
    firstCache.set(node, snapshot('orders'));
    const first = new XdsServer({ cache: firstCache });
    const port = await first.listen('127.0.0.1:0');
    const store = new PolicyStore();
    const updates: XdsUpdate[] = [];
    const client = new KafkaXdsClient({ address: `127.0.0.1:${port}`, nodeId: node, store, logger: createLogger({ level: 'error' }), backoff: { initial: 50, max: 500 }, onUpdate: (u) => updates.push(u) });
    client.start();
    const cache = new SnapshotCache();
    const second = new XdsServer({ cache });
    try {
      await eventually(() => updates.find((u) => u.kind === 'ack'), 'first ACK');
      const held = store.version;
      await first.close();
      cache.set(node, snapshot('orders'));
      const events: XdsEvent[] = [];
      second.on((e) => events.push(e));
      await second.listen(`127.0.0.1:${port}`);
      await eventually(() => events.find((e) => e.kind === 'resume' && e.type === 'KAFKA'), 'the enforcer to come back', 30_000);
      await quiet();
      // Sent nothing, and connected all the same (its /healthz says so).
      expect(client.connected).toBe(true);
      expect(second.metrics.responses.get({ type: 'KAFKA' })).toBe(0);
      expect(second.nodeStatus(node)?.types[0]?.lastAck).toMatchObject({ version: held, resumed: true });
      expect([updates.length, store.version, store.lookup('127.0.0.1', 9092)?.allow[0]?.topic?.value]).toEqual([1, held, 'orders']);
      cache.set(node, snapshot('invoices'));
      await eventually(() => store.lookup('127.0.0.1', 9092)?.allow[0]?.topic?.value === 'invoices', 'the change after the restart', 10_000);
      expect(client.connected).toBe(true);
    } finally {
      client.stop();
      await first.close();
      await second.close();
    }
  });
});
