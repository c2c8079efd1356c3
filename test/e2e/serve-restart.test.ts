/**
 * The last good state survives a restart of a real `sluice serve` process: with unchanged inputs
 * the versions served are identical (so reconnecting proxies have nothing new to take), a file or
 * the inventory broken while sluice was down falls back to its persisted version (Stale), a
 * corrupt state file is reported and ignored, and kill -9 in the middle of a burst of edits leaves
 * a state that is whole and never empty. A grpc-js-xds server (its RBAC engine enforcing what
 * sluice serves) and a raw ADS client speaking like Envoy stay connected across the restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { decodeState, STATE_FILE, type PolicyStatus } from '../../controller/index.js';
import { BOOTSTRAP_OPTION, call, Ledger, ledgerImplementation, xdsBootstrap } from '../support/ledger.js';
import { eventually, freePort } from '../support/poll.js';
import { describeBuilt, spawnServe, type ServeProcess } from '../support/serve-process.js';
import { RawXdsClient } from '../xds-server/harness.js';

xds.register();

const inventory = (port: number) => `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: ledger, namespace: vault, labels: { app: ledger }, addresses: [127.0.0.1], ports: [ { port: ${port}, name: grpc } ], proxy: { grpcProxyless: true } }
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8080 } ], proxy: { node: node-a } }
`;

const LEDGER = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ledger-access, namespace: vault }
spec:
  selector: { matchLabels: { app: ledger } }
  ingress:
    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            grpc:
              - { service: vault.v1.Ledger, methods: [ GetBalance, ListEntries ] }
`;

const orders = (tag: string) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules:
            http: [ { method: GET, path: { prefix: /${tag}/orders } } ]
`;

/** Per type: the set version and each resource's version, as `/config_dump` shows them. */
type Versions = Record<string, { version: string; resources: Record<string, string> }>;

const describeServe = describeBuilt('serve-restart');

describeServe('serve across restarts (real processes, a state directory)', () => {
  let root: string;
  let stateDir: string;
  let xdsAddress: string;
  let serve: ServeProcess | undefined;
  let server: xds.XdsServer;
  let ledger: grpc.Client;
  let envoy: RawXdsClient | undefined;
  const file = (name: string) => path.join(root, name);

  const start = async () => {
    serve = await spawnServe({
      args: ['--policies', file('policies'), '--inventory', file('inventory.yaml'), '--state-dir', stateDir, '--rescan-interval', '0.5'],
      xdsAddress,
    });
    return serve;
  };
  const running = () => {
    if (!serve) throw new Error('serve is not running');
    return serve;
  };
  const versions = async (node: string): Promise<Versions> => {
    const dump = await running().get<{ types: { type: string; version: string; resources: { name: string; version: string }[] }[] }>(`/config_dump?node=${node}`);
    return Object.fromEntries(dump.types.map((t) => [t.type, { version: t.version, resources: Object.fromEntries(t.resources.map((r) => [r.name, r.version])) }]));
  };
  const status = async (key: string) => (await running().get<{ policies: PolicyStatus[] }>('/status')).policies.find((p) => p.key === key);
  const sources = async () => (await running().get<{ sources: { inventoryState: string; state: { restored: { policies: number; inventory: boolean }; problems: string[] } } }>('/status')).sources;
  /** The RBAC behaviour of the grpc-js-xds server: what the ledger policy allows and denies. */
  const verdicts = async () => ({ get: (await call(ledger, 'GetBalance')).ok, list: (await call(ledger, 'ListEntries')).ok, transfer: (await call(ledger, 'Transfer')).ok });
  const ENFORCED = { get: true, list: true, transfer: false };
  /** What an Envoy on node-a holds: it subscribes (wildcard CDS and LDS) and ACKs. */
  const connectEnvoy = async (held?: Versions): Promise<{ client: RawXdsClient; responses: () => { type: string; version: string }[] }> => {
    const client = new RawXdsClient(running().xdsPort);
    const responses: { type: string; version: string }[] = [];
    client.call.on('data', () => undefined);
    for (const type of ['CDS', 'LDS'] as const) client.send({ type, node: 'node-a', ...(held?.[type] ? { version: held[type].version } : {}) });
    const record = async () => {
      for (;;) {
        const r = await client.next(60_000).catch(() => undefined);
        if (!r) return;
        responses.push({ type: r.type, version: r.version });
        client.ack(r.type as 'CDS' | 'LDS', [], 'node-a');
      }
    };
    void record();
    return { client, responses: () => responses };
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-restart-'));
    stateDir = file('state');
    fs.mkdirSync(file('policies'));
    const port = await freePort();
    xdsAddress = `127.0.0.1:${await freePort()}`;
    fs.writeFileSync(file('inventory.yaml'), inventory(port));
    fs.writeFileSync(file('policies/ledger.yaml'), LEDGER);
    fs.writeFileSync(file('policies/orders-api.yaml'), orders('v1'));
    const serving = await start();
    server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: xdsBootstrap(serving.xdsPort, 'ledger-server') } as grpc.ServerOptions);
    server.addService(Ledger.service, ledgerImplementation('xds-ledger'));
    await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    ledger = new Ledger(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await eventually(async () => JSON.stringify(await verdicts()) === JSON.stringify(ENFORCED), 'the ledger policy to be enforced', 30_000);
  }, 60_000);

  const ledgerConnected = async () => (await running().get<{ nodes: { node: string; connected: boolean }[] }>('/status')).nodes.some((n) => n.node === 'ledger-server' && n.connected);

  afterAll(async () => {
    envoy?.close();
    ledger?.close();
    // grpc-js-xds keeps retrying (and the process alive) if its server is shut down while its
    // xDS stream is in back-off: shut it down connected, and wait for the stream to close.
    if (serve && server) {
      await eventually(ledgerConnected, 'the ledger server to be connected before shutting it down', 60_000).catch(() => undefined);
      server.forceShutdown();
      await eventually(async () => !(await ledgerConnected()), 'the ledger server to disconnect', 10_000).catch(() => undefined);
    }
    await serve?.stop('SIGKILL');
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves identical versions after a restart with unchanged inputs; reconnecting clients get nothing new', async () => {
    const held = await connectEnvoy();
    envoy = held.client;
    await eventually(() => held.responses().length >= 2, 'node-a to get CDS and LDS', 10_000);
    const nodeA = await versions('node-a');
    const serverListener = (v: Versions) => Object.keys(v.LDS?.resources ?? {}).some((name) => name.startsWith('grpc/server?xds.resource.listening_address='));
    await eventually(async () => serverListener(await versions('ledger-server')), 'the ledger server to hold its Listener', 30_000);
    const ledgerServer = await versions('ledger-server');
    const listenerBefore = await eventually(async () => {
      const t = (await status('vault/ledger-access'))?.targets.find((x) => x.node === 'ledger-server');
      return t?.state === 'acked' ? t : undefined;
    }, 'the ledger server to ACK its Listener', 10_000);
    expect(listenerBefore.ackedVersion).toBe(listenerBefore.version);

    await running().stop();
    held.client.close();
    expect(await verdicts()).toEqual(ENFORCED); // sluice is down: the server keeps what it holds
    await start();
    expect(await versions('node-a')).toEqual(nodeA);
    expect((await sources()).state.restored).toEqual({ policies: 2, inventory: true });

    // Envoy reconnects holding the versions it had: whatever it is sent carries those same versions.
    const again = await connectEnvoy(nodeA);
    envoy = again.client;
    await eventually(async () => (await running().get<{ nodes: { node: string; connected: boolean }[] }>('/status')).nodes.some((n) => n.node === 'node-a' && n.connected), 'node-a to reconnect', 10_000);
    // The grpc-js-xds server reconnects on its own (with backoff) and ends up on the same versions.
    await eventually(ledgerConnected, 'the ledger server to reconnect', 60_000);
    await eventually(async () => serverListener(await versions('ledger-server')), 'the ledger server to ask for its Listener again', 30_000);
    expect(await versions('ledger-server')).toEqual(ledgerServer);
    // What the server holds: the Listener version it ACKed, if it was sent anything, is the one it had.
    const target = (await status('vault/ledger-access'))?.targets.find((t) => t.node === 'ledger-server');
    expect(target?.version).toBe(listenerBefore?.version);
    if (target?.ackedVersion !== undefined) expect(target.ackedVersion).toBe(listenerBefore?.version);
    for (const r of again.responses()) expect(r.version).toBe(nodeA[r.type]?.version);
    expect(await verdicts()).toEqual(ENFORCED);
  });

  it('serves the persisted last good versions when files are broken at start (Stale)', async () => {
    const before = await versions('node-a');
    await running().stop();
    fs.writeFileSync(file('policies/orders-api.yaml'), orders('v2').replace('http: [ {', 'http: [ [ {'));
    fs.writeFileSync(file('policies/ledger.yaml'), LEDGER.replace('metadata: { name:', 'metadata: { nmae:'));
    await start();
    expect(await versions('node-a')).toEqual(before);
    expect(await status('shop/orders-api')).toMatchObject({ state: 'Stale', source: 'stale', file: file('policies/orders-api.yaml') });
    expect(await status('vault/ledger-access')).toMatchObject({ state: 'Stale', source: 'stale' });
    expect(await verdicts()).toEqual(ENFORCED);
    fs.writeFileSync(file('policies/ledger.yaml'), LEDGER);
    fs.writeFileSync(file('policies/orders-api.yaml'), orders('v1'));
    await eventually(async () => (await status('shop/orders-api'))?.source === 'current' && (await status('vault/ledger-access'))?.source === 'current', 'the fixed files to be current', 5000);
    expect(await versions('node-a')).toEqual(before);
  });

  it('serves the persisted inventory when the inventory is broken at start', async () => {
    const before = await versions('node-a');
    const good = fs.readFileSync(file('inventory.yaml'), 'utf8');
    await running().stop();
    fs.writeFileSync(file('inventory.yaml'), good.replace('workloads:', 'workloads: ['));
    await start();
    expect((await sources()).inventoryState).toBe('stale');
    expect(await versions('node-a')).toEqual(before);
    expect(await running().metric('sluice_policy_sources_stale')).toBe(1);
    fs.writeFileSync(file('inventory.yaml'), good);
    await eventually(async () => (await sources()).inventoryState === 'current', 'the inventory to be current', 5000);
  });

  it('reports a corrupt state file, ignores it and serves from the sources', async () => {
    const before = await versions('node-a');
    await running().stop();
    fs.writeFileSync(path.join(stateDir, STATE_FILE), '{"format": "sluice/last-good-state", "version": 1, "policies": [');
    await start();
    const s = await sources();
    expect(s.state.restored).toEqual({ policies: 0, inventory: false });
    expect(s.state.problems).toEqual([expect.stringMatching(/last-good\.json: not JSON .*the file is corrupt \(kept as last-good\.json\.corrupt\); the state file is ignored/)]);
    expect(running().logs()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'the state file is ignored: serving starts from the sources alone' }));
    expect(await versions('node-a')).toEqual(before);
    // The next publish writes a good state again.
    await eventually(() => decodeState(fs.readFileSync(path.join(stateDir, STATE_FILE), 'utf8')).ok, 'a good state file', 5000);
  });

  it('keeps a whole state through kill -9 in a burst of edits: the restart serves a good version, never nothing', async () => {
    const written: string[] = ['v1'];
    const applies = (await running().metric('sluice_policy_applies_total')) ?? 0;
    let edits = 0;
    let killedAt: number | undefined;
    // Edits every few milliseconds (every 7th one torn), until 20 edits after the kill.
    const burst = (async () => {
      for (let i = 0; i < 2000 && (killedAt === undefined || i < killedAt + 20); i = ++edits) {
        const tag = `k${i}`;
        fs.writeFileSync(file('policies/orders-api.yaml'), i % 7 === 6 ? orders(tag).slice(0, 100) : orders(tag));
        if (i % 7 !== 6) written.push(tag);
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    await eventually(async () => ((await running().metric('sluice_policy_applies_total')) ?? 0) >= applies + 3, 'a few applies during the burst', 10_000);
    await running().stop('SIGKILL');
    killedAt = edits;
    await burst;
    // Left half-written, as by an editor that died too.
    fs.writeFileSync(file('policies/orders-api.yaml'), orders('torn').slice(0, 120));
    const state = decodeState(fs.readFileSync(path.join(stateDir, STATE_FILE), 'utf8'));
    expect(state.ok).toBe(true);
    if (!state.ok) return;
    const persisted = /prefix: \/(\w+)\/orders/.exec(state.state.policies.find((p) => p.key === 'shop/orders-api')?.text ?? '')?.[1];
    expect(written).toContain(persisted);
    await start();
    const served = JSON.stringify(await running().get('/config_dump?node=node-a'));
    expect(served).toContain('shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]');
    expect(served).toContain(`"/${persisted ?? ''}/orders"`);
    expect(await status('shop/orders-api')).toMatchObject({ state: 'Stale' });
    expect(await verdicts()).toEqual(ENFORCED);
    expect(fs.readdirSync(stateDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
