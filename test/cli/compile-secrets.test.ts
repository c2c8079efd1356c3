/** `sluice compile --secrets DIR`: TLS chains compiled against the secrets, certificates shown, private keys and credentials never printed. */
import { afterAll, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/run-cli.js';
import { leaf, newCa, writeSecret } from '../support/tls.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-compile-secrets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('compiles TLS against --secrets and redacts every private key and credential', async () => {
  const pem = await leaf(await newCa('cli CA'), { dns: ['orders.shop'] });
  writeSecret(path.join(dir, 'secrets'), 'shop/orders-tls', { 'tls.crt': pem.cert, 'tls.key': pem.key });
  writeSecret(path.join(dir, 'secrets'), 'shop/token', { token: 'cli-secret-token' });
  fs.writeFileSync(path.join(dir, 'inventory.yaml'), `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8443 } ], proxy: { node: node-a } }
`);
  fs.writeFileSync(path.join(dir, 'p.yaml'), `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-tls, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8443 } ]
          terminatingTLS: { secret: { name: orders-tls } }
          injectHeaders: [ { name: X-Api-Key, secret: { name: token }, key: token } ]
`);
  for (const show of ['resources', 'ir']) {
    const r = await runCli(['compile', '--inventory', path.join(dir, 'inventory.yaml'), '--secrets', path.join(dir, 'secrets'), '--show', show, path.join(dir, 'p.yaml')]);
    expect({ show, code: r.code, stderr: r.stderr }).toEqual({ show, code: 0, stderr: '' });
    expect(r.stdout).toContain('tls|shop/orders-tls');
    expect(r.stdout).toContain('BEGIN CERTIFICATE');
    expect(r.stdout).toContain('[redacted]');
    expect(r.stdout).not.toContain('PRIVATE KEY');
    expect(r.stdout).not.toContain('cli-secret-token');
  }
});
