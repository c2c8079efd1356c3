/**
 * The end-to-end proof of the policy pipeline, with gRPC's own xDS implementation as the real peer:
 * policy files → `sluice serve` → xDS → grpc-js-xds's XdsServer, whose RBAC engine enforces the
 * Listener sluice built; a proxyless client resolves `xds:///name` through sluice's LDS/RDS/CDS/EDS.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { startServe, type Serving } from '../../controller/index.js';
import { createLogger } from '../../telemetry/index.js';
import { BOOTSTRAP_OPTION, call, Ledger, ledgerImplementation, xdsBootstrap } from '../support/ledger.js';
import { eventually, freePort } from '../support/poll.js';

xds.register();

const inventory = (port: number) => `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: ledger, namespace: vault, labels: { app: ledger }, addresses: [127.0.0.1], ports: [ { port: ${port}, name: grpc } ], proxy: { grpcProxyless: true } }
  - { name: teller, namespace: vault, labels: { app: teller }, addresses: [127.0.0.2], ports: [ { port: 7000 } ], proxy: { grpcProxyless: true } }
`;

const policy = (body: string, mode = 'enforce') => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ledger-access, namespace: vault }
spec:
  mode: ${mode}
  selector: { matchLabels: { app: ledger } }
  ingress:
${body}`;

const V1 = policy(`    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            grpc:
              - { service: vault.v1.Ledger, methods: [ GetBalance ], headers: [ { name: x-tenant, exact: acme } ] }
              - { service: vault.v1.Ledger, methods: [ ListEntries ] }
          deny:
            grpc:
              - { service: vault.v1.Ledger, methods: [ ListEntries ], headers: [ { name: x-debug, present: true } ] }
`);

const V2 = policy(`    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            grpc:
              - { service: vault.v1.Ledger, methods: [ GetBalance ], headers: [ { name: x-tenant, exact: acme } ] }
              - { service: vault.v1.Ledger, methods: [ ListEntries, Transfer ] }
`);

const INVALID = policy(`    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            http:
              - path: { regex: "/vault.v1.Ledger/(?!Transfer)" }
`);

const AUDIT = policy(`    - toPorts:
        - ports: [ { port: grpc } ]
          rules:
            grpc: [ { service: vault.v1.Ledger, methods: [ GetBalance ] } ]
`, 'audit');

const LOOPBACK_ONLY = policy(`    - from: [ { ipBlock: { cidr: 127.0.0.0/8 } } ]
      toPorts:
        - ports: [ { port: grpc } ]
`);

describe('policy pipeline end to end with grpc-js-xds', () => {
  let dir: string;
  let policyFile: string;
  let serving: Serving;
  let server: xds.XdsServer;
  let direct: grpc.Client;
  let port: number;
  const clients: grpc.Client[] = [];
  const logs: string[] = [];

  const getJson = async (p: string) => (await fetch(`http://127.0.0.1:${serving.adminPort}${p}`)).json() as Promise<Record<string, unknown>>;
  const policyStatus = async () => ((await getJson('/status')).policies as { key: string; state: string; source: string; errors: string[]; warnings: string[]; message: string; targets: { node: string; state: string }[] }[])[0];
  const writePolicy = (text: string) => fs.writeFileSync(policyFile, text);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    policyFile = path.join(dir, 'policies', 'ledger.yaml');
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), inventory(port));
    writePolicy(V1);
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory: path.join(dir, 'inventory.yaml'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
      debounceMs: 50,
    });
    server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: xdsBootstrap(serving.xdsPort, 'ledger-server') } as grpc.ServerOptions);
    server.addService(Ledger.service, ledgerImplementation('xds-ledger'));
    await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    direct = new Ledger(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    clients.push(direct);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    server?.forceShutdown();
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('allows what the rules allow and answers PERMISSION_DENIED to the rest', async () => {
    expect(await call(direct, 'GetBalance', { 'x-tenant': 'acme' })).toEqual({ ok: true, servedBy: 'xds-ledger' });
    expect(await call(direct, 'ListEntries')).toEqual({ ok: true, servedBy: 'xds-ledger' });
    expect(await call(direct, 'Transfer')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
  });

  it('checks metadata conditions', async () => {
    expect(await call(direct, 'GetBalance')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    expect(await call(direct, 'GetBalance', { 'x-tenant': 'evil' })).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
  });

  it('lets deny win over allow', async () => {
    expect(await call(direct, 'ListEntries', { 'x-debug': '1' })).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
  });

  it('reports the policy Enforced once the server ACKed its Listener', async () => {
    await eventually(async () => (await policyStatus())?.state === 'Enforced', 'the policy to be Enforced', 5000);
    const status = await policyStatus();
    expect(status?.targets).toEqual([expect.objectContaining({ node: 'ledger-server', state: 'acked' })]);
    const metrics = await (await fetch(`http://127.0.0.1:${serving.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/sluice_policies\{source="current"\} 1/);
  });

  it('flips the verdict within 2 s of editing the policy file', async () => {
    writePolicy(V2);
    const edited = Date.now();
    await eventually(async () => (await call(direct, 'Transfer')).ok, 'Transfer to be allowed', 2000);
    expect(Date.now() - edited).toBeLessThan(2000);
    expect(await call(direct, 'ListEntries', { 'x-debug': '1' })).toEqual({ ok: true, servedBy: 'xds-ledger' });
  });

  it('keeps the last good policy enforced when an edit is invalid, and says why', async () => {
    const before = serving.runtime.state().generation;
    writePolicy(INVALID);
    await eventually(() => serving.runtime.state().generation > before, 'the invalid edit to be loaded', 3000);
    const status = await policyStatus();
    expect(status).toMatchObject({ source: 'stale', state: 'Stale', file: policyFile });
    expect(status?.errors.join('\n')).toMatch(/line 12: spec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\]\.path\.regex: not a valid RE2 regular expression/);
    expect(await call(direct, 'Transfer')).toEqual({ ok: true, servedBy: 'xds-ledger' });
    expect(await call(direct, 'GetBalance')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    expect(logs.some((l) => l.includes('its last good version stays in force'))).toBe(true);
  });

  it('lets everything through in audit mode', async () => {
    writePolicy(AUDIT);
    await eventually(async () => (await call(direct, 'Transfer')).ok && (await call(direct, 'GetBalance')).ok, 'audit mode to let everything through', 2000);
    await eventually(async () => (await policyStatus())?.state === 'Auditing', 'the policy to be Auditing', 3000);
  });

  it('routes a proxyless client through xds:/// with sluice\'s CDS and EDS', async () => {
    const client = new Ledger(`xds:///ledger.vault:${port}`, grpc.credentials.createInsecure(), { [BOOTSTRAP_OPTION]: xdsBootstrap(serving.xdsPort, 'teller-client') });
    clients.push(client);
    expect(await call(client, 'Transfer')).toEqual({ ok: true, servedBy: 'xds-ledger' });
    const dump = await getJson('/config_dump?node=teller-client');
    const types = (dump.types as { type: string; resources: { name: string }[] }[]).flatMap((t) => t.resources.map((r) => `${t.type}:${r.name}`));
    expect(types).toEqual(expect.arrayContaining([`LDS:ledger.vault:${port}`, `CDS:outbound|${port}|vault/ledger`, `EDS:outbound|${port}|vault/ledger`]));
  });

  it('warns that grpc-js-xds cannot match IPv4 peers, and the server fails closed (a known defect of the peer)', async () => {
    // grpc-js-xds 1.14 sees this IPv4 client as ::ffff:127.0.0.1 and throws parsing it against an
    // IPv4 range: a rule allowing 127.0.0.0/8 denies the client. sluice says so when it compiles;
    // peers are proven against the real engine over IPv6 in simulate-vs-grpc.test.ts. When this
    // test fails, grpc-js-xds has fixed it: drop the proxyless.ipv4-peers warning.
    writePolicy(LOOPBACK_ONLY);
    await eventually(async () => (await policyStatus())?.warnings.some((w) => w.includes('grpc-js-xds (1.14) sees IPv4 clients as ::ffff:a.b.c.d')), 'the IPv4-peers warning', 3000);
    await eventually(async () => (await call(direct, 'ListEntries')).code === grpc.status.PERMISSION_DENIED, 'the server to deny', 2000);
    expect(await call(direct, 'GetBalance')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
  });

  it('keeps the deny in force through a sed -i typo, and flips the verdict on the next atomic save', async () => {
    // Editors and sed -i save by writing a new file and renaming it over the old one.
    fs.writeFileSync(`${policyFile}.new`, V1);
    fs.renameSync(`${policyFile}.new`, policyFile);
    await eventually(async () => (await call(direct, 'ListEntries')).ok, 'V1 to be enforced again', 2000);
    expect(await call(direct, 'ListEntries', { 'x-debug': '1' })).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });

    execFileSync('sed', ['-i', 's/methods: \\[ ListEntries \\] }$/methods: [ ListEntries }/', policyFile]);
    await eventually(async () => (await policyStatus())?.state === 'Stale', 'the typo to make the policy Stale', 3000);
    expect((await policyStatus())?.errors.join('\n')).toMatch(/^line \d+: /);
    expect(await call(direct, 'ListEntries', { 'x-debug': '1' })).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    expect(await call(direct, 'Transfer')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    expect(await call(direct, 'ListEntries')).toEqual({ ok: true, servedBy: 'xds-ledger' });

    execFileSync('sed', ['-i', 's/methods: \\[ ListEntries }$/methods: [ ListEntries, Transfer ] }/', policyFile]);
    const edited = Date.now();
    await eventually(async () => (await call(direct, 'Transfer')).ok, 'Transfer to be allowed after the fix', 2000);
    expect(Date.now() - edited).toBeLessThan(2000);
    expect(await call(direct, 'ListEntries', { 'x-debug': '1' })).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    expect((await policyStatus())?.source).toBe('current');
  });
});
