/**
 * Real Envoy on a mutually authenticated xDS channel: booted from `sluice bootstrap --tls-cert
 * --tls-key --ca`'s bootstrap, it gets its listeners and its SDS secret (Envoy's own config dump
 * redacts the key); an Envoy whose certificate names another node, claiming node-a, gets nothing.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Envoy } from '../../bench/envoy/process.js';
import { startServe, type Serving } from '../../controller/index.js';
import { envoyBootstrap } from '../../policy-compiler/index.js';
import { createLogger } from '../../telemetry/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually } from '../support/poll.js';
import { caPem, leaf, newCa, writeSecret } from '../support/tls.js';

const base = 20_000 + Math.floor(Math.random() * 20_000);

describeEnvoy('real Envoy over mutual TLS xDS with SDS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-xds-mtls-'));
  const logs: string[] = [];
  let serving: Serving;
  const envoys: Envoy[] = [];
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  let boot: (node: string, cert: string, key: string, adminPort: number) => Promise<Envoy>;

  beforeAll(async () => {
    const ca = await newCa('xds CA');
    const server = await leaf(ca, { dns: ['xds.sluice'], ips: ['127.0.0.1'] });
    const orders = await leaf(ca, { dns: ['orders.shop'] });
    fs.mkdirSync(path.join(dir, 'policies'));
    file('policies/p.yaml', `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-tls, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8443 } ]
          terminatingTLS: { secret: { name: orders-tls } }
`);
    writeSecret(path.join(dir, 'secrets'), 'shop/orders-tls', { 'tls.crt': orders.cert, 'tls.key': orders.key });
    const inventory = file('inventory.yaml', `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: node-a, inboundPort: ${base}, outboundPort: ${base + 1} } ]
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8443 } ], proxy: { node: node-a } }
`);
    const caFile = file('ca.crt', caPem(ca));
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory,
      secrets: path.join(dir, 'secrets'),
      xds: { host: '127.0.0.1', port: 0 },
      xdsTls: { cert: file('server.crt', server.cert), key: file('server.key', server.key), clientCa: caFile, trustDomain: 'sluice.local' },
      admin: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'info', write: (l) => logs.push(l) }),
    });
    boot = async (node, cert, key, adminPort) => {
      const admin = { host: '127.0.0.1', port: adminPort };
      const bootstrap = envoyBootstrap({ node, cluster: 'sluice', xds: { host: '127.0.0.1', port: serving.xdsPort }, admin, tls: { cert, key, ca: caFile } });
      const envoy = await Envoy.start({ node, xds: { host: '127.0.0.1', port: serving.xdsPort }, admin, bootstrap: bootstrap as unknown as Record<string, unknown> });
      envoys.push(envoy);
      return envoy;
    };
    const a = await leaf(ca, { uris: ['spiffe://sluice.local/node/node-a'], usages: ['client'] });
    const b = await leaf(ca, { uris: ['spiffe://sluice.local/node/node-b'], usages: ['client'] });
    Object.assign(certs, { a: [file('a.crt', a.cert), file('a.key', a.key)], b: [file('b.crt', b.cert), file('b.key', b.key)] });
  }, 60_000);
  const certs: { a: [string, string]; b: [string, string] } = { a: ['', ''], b: ['', ''] };

  afterAll(async () => {
    for (const e of envoys) await e.stop();
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('node-a with its own certificate gets its listeners and its secret over SDS (redacted in Envoy\'s dump)', async () => {
    const envoy = await boot('node-a', certs.a[0], certs.a[1], base + 2);
    await eventually(async () => (await envoy.stat('listener_manager.total_listeners_active')) >= 2, 'node-a\'s listeners active', 20_000);
    // The dump is read until it holds the secret: under load the admin answer can trail the stats.
    const dump = await eventually(async () => {
      const d = JSON.stringify(await envoy.configDump('dynamic_active_secrets'));
      return d.includes('tls|shop/orders-tls') ? d : undefined;
    }, 'node-a\'s secret in Envoy\'s config dump', 20_000);
    expect(dump).toContain('[redacted]');
    expect(dump).not.toContain('PRIVATE KEY');
  }, 40_000);

  it('an Envoy with node-b\'s certificate claiming node-a gets nothing, and serve logs the refusal', async () => {
    const envoy = await boot('node-a', certs.b[0], certs.b[1], base + 3);
    await eventually(() => logs.some((l) => l.includes('refusing an xDS stream') && l.includes('certificate is for node \\"node-b\\"')), 'the refusal logged', 20_000);
    expect(await envoy.stat('listener_manager.total_listeners_active')).toBe(0);
    expect(await envoy.stat('control_plane.connected_state')).toBe(0);
  }, 40_000);
});
