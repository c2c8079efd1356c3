/**
 * `sluice simulate` must say what the proxy does. Here the proxy is gRPC's own RBAC engine
 * (grpc-js-xds's XdsServer, configured by `sluice serve`): for every policy variant and every
 * request of a matrix, the simulated verdict equals the one the real server returns. The server
 * and client speak IPv6 (::1): grpc-js-xds 1.14 cannot match IPv4 clients against address rules
 * (see the known-defect test in proxyless-grpc.test.ts), IPv6 ones it matches correctly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { startServe, type Serving } from '../../controller/index.js';
import { evaluate, findChain, SERVER_LISTENER_PREFIX } from '../../policy-compiler/index.js';
import { TYPE_URL } from '../../xds-server/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { BOOTSTRAP_OPTION, call, Ledger, ledgerImplementation, xdsBootstrap, type LedgerMethod } from '../support/ledger.js';
import { eventually, freePort } from '../support/poll.js';

xds.register();

const rules = (body: string, mode = 'enforce', from = '') => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ledger, namespace: vault }
spec:
  mode: ${mode}
  selector: {}
  ingress:
    - ${from}toPorts:
        - ports: [ { port: grpc } ]
${body}`;

const VARIANTS: Record<string, string> = {
  'methods and metadata': rules(`          rules:
            grpc:
              - { service: vault.v1.Ledger, methods: [ GetBalance ], headers: [ { name: x-tenant, exact: acme } ] }
              - { service: vault.v1.Ledger, methods: [ ListEntries ] }
`),
  'deny wins, with present and prefix matchers': rules(`          rules:
            grpc: [ { service: vault.v1.Ledger } ]
          deny:
            grpc: [ { service: vault.v1.Ledger, methods: [ Transfer ], headers: [ { name: x-tenant, prefix: ev } ] } ]
            http: [ { headers: [ { name: x-debug, present: true } ] } ]
`),
  'http rules on gRPC paths, regex and suffix': rules(`          rules:
            http:
              - { method: POST, path: { regex: "/vault\\\\.v1\\\\.Ledger/(Get|List)[A-Za-z]+" } }
              - { path: { suffix: /Transfer }, headers: [ { name: x-tenant, regex: "ac.e|root" } ] }
`),
  'peers exclude the client': rules(`          rules:
            grpc: [ { service: vault.v1.Ledger } ]
`, 'enforce', `from: [ { ipBlock: { cidr: "fd00::/8" } } ]
      `),
  'peers include the client, minus an exception elsewhere': rules(`          rules:
            grpc: [ { service: vault.v1.Ledger, methods: [ GetBalance, Transfer ] } ]
          deny:
            grpc: [ { service: vault.v1.Ledger, methods: [ Transfer ], headers: [ { name: x-tenant, exact: evil } ] } ]
`, 'enforce', `from: [ { ipBlock: { cidr: "::/0", except: [ "fd00::/8" ] } }, { selector: { matchLabels: { app: ledger } } } ]
      `),
  'audit lets everything through': rules(`          rules:
            grpc: [ { service: vault.v1.Ledger, methods: [ GetBalance ] } ]
`, 'audit'),
};

const METHODS: readonly LedgerMethod[] = ['GetBalance', 'ListEntries', 'Transfer'];
const METADATA: readonly Record<string, string>[] = [{}, { 'x-tenant': 'acme' }, { 'x-tenant': 'evil' }, { 'x-debug': '1' }, { 'x-tenant': 'root', 'x-debug': 'yes' }];

describe('sluice simulate agrees with gRPC\'s RBAC engine', () => {
  let dir: string;
  let serving: Serving;
  let server: xds.XdsServer;
  let client: grpc.Client;
  let port: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sim-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: ledger, namespace: vault, labels: { app: ledger }, addresses: ["::1"], ports: [ { port: ${port}, name: grpc } ], proxy: { grpcProxyless: true } }
`);
    fs.writeFileSync(path.join(dir, 'policies', 'ledger.yaml'), Object.values(VARIANTS)[0] ?? '');
    serving = await startServe({ policies: path.join(dir, 'policies'), inventory: path.join(dir, 'inventory.yaml'), xds: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, logger: silentLogger, debounceMs: 20 });
    server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: xdsBootstrap(serving.xdsPort, 'sim-ledger') } as grpc.ServerOptions);
    server.addService(Ledger.service, ledgerImplementation('ledger'));
    await new Promise<void>((resolve, reject) => server.bindAsync(`[::1]:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    client = new Ledger(`[::1]:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    server?.forceShutdown();
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, text] of Object.entries(VARIANTS)) {
    it(name, async () => {
      const generation = serving.runtime.state().generation;
      fs.writeFileSync(path.join(dir, 'policies', 'ledger.yaml'), text);
      if (name !== Object.keys(VARIANTS)[0]) await eventually(() => serving.runtime.state().generation > generation, 'the variant to be loaded', 5000);
      const state = serving.runtime.state();
      expect([...state.policies.values()].map((p) => p.source)).toEqual(['current']);
      // The server runs the new Listener once it ACKed the version now served.
      const listener = `${SERVER_LISTENER_PREFIX}[::1]:${port}`;
      await eventually(() => {
        const current = serving.cache.view('sim-ledger').of(TYPE_URL.LDS).byName.get(listener)?.version;
        return current !== undefined && serving.xds.ackedVersion('sim-ledger', TYPE_URL.LDS, listener) === current;
      }, 'the server to ACK the new Listener', 5000);
      const output = state.output;
      if (!output) throw new Error('nothing compiled');
      const chain = findChain(output.ir, 'inbound', '::1', '::1', port);
      const results: string[] = [];
      const expected: string[] = [];
      for (const method of METHODS) {
        for (const metadata of METADATA) {
          const real = await call(client, method, metadata);
          const label = `${method} ${JSON.stringify(metadata)}`;
          results.push(`${label} → ${real.ok ? 'allow' : real.code === grpc.status.PERMISSION_DENIED ? 'deny' : `error ${real.code}`}`);
          const simulated = chain
            ? evaluate(chain.authz, { source: '::1', destination: '::1', method: 'POST', path: `/vault.v1.Ledger/${method}`, authority: `[::1]:${port}`, headers: metadata }).enforced.verdict
            : 'allow';
          expected.push(`${label} → ${simulated}`);
        }
      }
      expect(results).toEqual(expected);
    });
  }
});
