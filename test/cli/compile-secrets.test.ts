/** `sluice compile --secrets DIR`: TLS chains compiled against the secrets, certificates shown, private keys and credentials never printed. */
import { afterAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
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

it('hostile secrets: a self-signed certificate where a CA is required, a server-only certificate as a client certificate, a huge and a truncated file, a missing secret; each is an error at the field that named it, and that port is served nothing', async () => {
  const ca = await newCa('cli hostile CA');
  const server = await leaf(ca, { dns: ['orders.shop'] });
  const secrets = path.join(dir, 'hostile-secrets');
  const key = path.join(dir, 'self.key');
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  const selfSigned = execFileSync('openssl', ['req', '-x509', '-key', key, '-subj', '/CN=self.shop', '-days', '2', '-addext', 'basicConstraints=critical,CA:FALSE'], { encoding: 'utf8' });
  writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': server.cert, 'tls.key': server.key });
  writeSecret(secrets, 'shop/self-signed', { 'ca.crt': selfSigned });
  writeSecret(secrets, 'shop/server-only', { 'tls.crt': server.cert, 'tls.key': server.key });
  writeSecret(secrets, 'shop/orders-ca', { 'ca.crt': server.ca });
  const huge = server.cert + 'A'.repeat(300 * 1024);
  writeSecret(secrets, 'shop/huge', { 'tls.crt': huge, 'tls.key': server.key });
  writeSecret(secrets, 'shop/truncated', { 'tls.crt': server.cert.slice(0, server.cert.length / 2), 'tls.key': server.key });
  const policy = path.join(dir, 'hostile.yaml');
  fs.writeFileSync(policy, `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: hostile, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8001 } ]
          terminatingTLS: { secret: { name: orders-tls }, clientCA: { secret: { name: self-signed } } }
        - ports: [ { port: 8002 } ]
          originatingTLS: { trustedCA: { secret: { name: orders-ca } }, serverName: orders.shop, clientCertificate: { secret: { name: server-only } } }
        - ports: [ { port: 8003 } ]
          terminatingTLS: { secret: { name: huge } }
        - ports: [ { port: 8004 } ]
          terminatingTLS: { secret: { name: truncated } }
        - ports: [ { port: 8005 } ]
          terminatingTLS: { secret: { name: nowhere } }
`);
  const r = await runCli(['compile', '--inventory', path.join(dir, 'inventory.yaml'), '--secrets', secrets, '--show', 'resources', policy]);
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n').map((l) => l.replace(`${dir}/`, ''));
  expect(lines).toEqual([
    `hostile-secrets: secret shop/huge: tls.crt: ${Buffer.byteLength(huge)} bytes; the limit is 262144`,
    'hostile-secrets: secret shop/truncated: tls.crt: "-----BEGIN CERTIFICATE-----" is not closed before the end of the file: the file is truncated',
    'hostile.yaml:9:59: error: spec.ingress[0].toPorts[0].terminatingTLS.clientCA: ca.crt of secret shop/self-signed: certificate 1 (CN=self.shop) is a self-signed certificate that is not a CA; trust needs CA certificates (basicConstraints CA:TRUE) [ca.not-ca]',
    'hostile.yaml:11:98: error: spec.ingress[0].toPorts[1].originatingTLS.clientCertificate: tls.crt of secret shop/server-only may not be used by a TLS client: its extended key usage lacks clientAuth [cert.usage]',
    `hostile.yaml:13:29: error: spec.ingress[0].toPorts[2].terminatingTLS.secret: secret shop/huge has no usable version: tls.crt: ${Buffer.byteLength(huge)} bytes; the limit is 262144 [secret.invalid]`,
    'hostile.yaml:15:29: error: spec.ingress[0].toPorts[3].terminatingTLS.secret: secret shop/truncated has no usable version: tls.crt: "-----BEGIN CERTIFICATE-----" is not closed before the end of the file: the file is truncated [secret.invalid]',
    'hostile.yaml:17:29: error: spec.ingress[0].toPorts[4].terminatingTLS.secret: secret shop/nowhere does not exist (in a cluster: the Secret nowhere in namespace shop; standalone: the directory shop/nowhere under serve --secrets) [secret.missing]',
  ]);
  // Nothing half-configured: each of these ports closes its connections (a TLS-unavailable chain: its refusal set for the flow log, then direct_response, no TLS context), and no secret is given to the node.
  const node = (parse(r.stdout) as Array<{ node: string; listeners: Array<{ name: string; filter_chains?: Array<{ name: string; transport_socket?: unknown; filters: Array<{ name: string }> }> }>; secrets?: unknown[] }>).find((n) => n.node === 'node-a');
  const chains = node?.listeners.find((l) => l.name === 'inbound')?.filter_chains ?? [];
  expect(chains.map((c) => [c.name, c.transport_socket !== undefined, c.filters.map((f) => f.name)])).toEqual([8001, 8002, 8003, 8004, 8005].map((port) => [`sluice|tls-unavailable|inbound|${port}|shop/orders`, false, ['envoy.filters.network.set_filter_state', 'envoy.filters.network.direct_response']]));
  expect(node?.secrets ?? []).toEqual([]);
  // No PEM block (a header line and its body); the refusal's reason may quote a header line, as the diagnostics do.
  expect(r.stdout).not.toMatch(/BEGIN (CERTIFICATE|PRIVATE KEY)-----(\n|\\n)/);
  expect(r.stdout).toContain('TLS unavailable: secret shop/nowhere does not exist');
});
