/**
 * `sluice webhook`: its help and usage errors; run from a CA directory and from a TLS directory
 * (reloaded without a restart when `sluice certs rotate` replaces it); and against a real
 * kube-apiserver, which it puts its caBundle into (--sync-ca-bundle) and which then calls it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ApiServer } from '../../bench/k8s/apiserver.js';
import { PATHS } from '../../k8s/admission/index.js';
import { tempDir } from '../certs/support.js';
import { describeKube } from '../support/kube.js';
import { eventually, freePort } from '../support/poll.js';
import { runCli, startCli as start } from '../support/run-cli.js';
import { ordersSpec, policyObject, reviewOf } from './admission/fixtures.js';
import { post, servedSerial } from './admission/https.js';
import { configurationsFor } from './webhook-bed.js';

const INVENTORY = path.resolve('examples/inventory.yaml');

describe('sluice webhook', () => {
  const dir = tempDir('sluice-webhook-cli-');
  beforeAll(async () => {
    expect((await runCli(['certs', 'init', '--dir', path.join(dir.dir, 'ca')])).code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('has --help, and refuses what it cannot run with the reason', async () => {
    const help = await runCli(['webhook', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sluice webhook --inventory FILE \(--tls-dir DIR \| --ca-dir DIR\)/);
    expect(help.stdout).toContain(PATHS.rolloutGuard);
    const cases: [string[], number, RegExp][] = [
      [['webhook', '--ca-dir', 'x'], 2, /--inventory FILE is required/],
      [['webhook', '--inventory', INVENTORY], 2, /give one of --tls-dir DIR and --ca-dir DIR/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', 'a', '--tls-dir', 'b'], 2, /give one of/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', 'a', '--audit-for', '3'], 2, /--audit-for: expected a duration/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', 'a', '--service', 'nodot'], 2, /--service: expected NAME\.NAMESPACE/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', 'a', '--listen', 'nowhere'], 2, /--listen: expected HOST:PORT/],
      [['webhook', '--inventory', path.join(dir.dir, 'missing.yaml'), '--ca-dir', path.join(dir.dir, 'ca')], 1, /--inventory .*missing\.yaml: .*ENOENT/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', path.join(dir.dir, 'no-ca'), '--listen', '127.0.0.1:0'], 3, /no-ca\/root\.crt: no such file/],
      [['webhook', '--inventory', INVENTORY, '--ca-dir', path.join(dir.dir, 'ca'), '--sync-ca-bundle'], 1, /--sync-ca-bundle needs the API server/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code, stderr: expect.stringMatching(message) as unknown });
    }
  });

  it('serves from a CA directory: a certificate for the IPs given, and answers reviews', async () => {
    const port = await freePort();
    const run = start(['webhook', '--ca-dir', path.join(dir.dir, 'ca'), '--ip', '127.0.0.1', '--inventory', INVENTORY, '--listen', `127.0.0.1:${port}`]);
    const ca = fs.readFileSync(path.join(dir.dir, 'ca', 'root.crt'), 'utf8');
    await eventually(() => run.out.stdout.includes(`serving https://127.0.0.1:${port}`), 'the webhook to listen', 10_000);
    const r = await post(`https://127.0.0.1:${port}`, PATHS.validatePolicy, reviewOf(policyObject('p', ordersSpec([{ method: 'GET' }]))), { ca });
    expect(r.json()).toMatchObject({ response: { allowed: true } });
    expect(await run.stop()).toBe(0);
  });

  it('serves a TLS directory and serves its replacement without a restart', async () => {
    const tls = path.join(dir.dir, 'tls');
    expect((await runCli(['certs', 'issue', '--ca-dir', path.join(dir.dir, 'ca'), '--out', tls, '--ip', '127.0.0.1', '--dns', 'localhost'])).code).toBe(0);
    const port = await freePort();
    const run = start(['webhook', '--tls-dir', tls, '--inventory', INVENTORY, '--listen', `127.0.0.1:${port}`, '--reload-interval', '1s']);
    const ca = fs.readFileSync(path.join(tls, 'ca.crt'), 'utf8');
    await eventually(() => run.out.stdout.includes('serving'), 'the webhook to listen', 10_000);
    const first = await servedSerial(port, ca);
    expect((await runCli(['certs', 'rotate', '--ca-dir', path.join(dir.dir, 'ca'), '--dir', tls, '--force'])).code).toBe(0);
    const second = await eventually(async () => {
      const serial = await servedSerial(port, ca);
      return serial !== first ? serial : undefined;
    }, 'the rotated certificate to be served', 15_000);
    expect(second).not.toBe(first);
    expect(await run.stop()).toBe(0);
  }, 30_000);
});

describeKube('sluice webhook with a real kube-apiserver', () => {
  let api: ApiServer;
  const dir = tempDir('sluice-webhook-cli-kube-');
  beforeAll(async () => {
    api = await ApiServer.start();
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    dir.remove();
  }, 30_000);

  it('puts its CA into the configurations (--sync-ca-bundle), and the API server calls it', async () => {
    expect((await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', parse(fs.readFileSync('deploy/crds/l7policy.yaml', 'utf8')))).status).toBe(201);
    expect((await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).status).toBe(201);
    const port = await freePort();
    for (const config of configurationsFor(`https://127.0.0.1:${port}`)) {
      expect((await api.request('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config)).status).toBe(201);
    }
    expect((await runCli(['certs', 'init', '--dir', path.join(dir.dir, 'ca')])).code).toBe(0);
    const run = start(['webhook', '--ca-dir', path.join(dir.dir, 'ca'), '--ip', '127.0.0.1', '--inventory', INVENTORY, '--listen', `127.0.0.1:${port}`, '--kubeconfig', api.kubeconfig, '--sync-ca-bundle']);
    await eventually(() => run.out.stdout.includes('serving'), 'the webhook to listen', 10_000);
    const refused = await eventually(async () => {
      const r = await api.request('POST', '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies', { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'bad' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } });
      return r.body.includes('[cidr.invalid]') ? r : undefined;
    }, 'the API server to call the webhook with the synced caBundle', 20_000);
    expect(refused.status).toBe(422);
    expect(run.out.stderr).toContain('"msg":"caBundle synced"');
    expect(await run.stop()).toBe(0);
  }, 60_000);
});
