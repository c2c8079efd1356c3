/**
 * `sluice controller` as a command: its help and usage errors, and a run against a real
 * kube-apiserver from a kubeconfig: it serves, leads, writes the policy's status, keeps the
 * webhook configurations' caBundle equal to `--ca-bundle`, serves the admission webhooks itself
 * (`--webhook-tls-dir`), which the API server calls and which validate against the controller's
 * informers (a policy that selects a Pod the informers hold gets no "selects no workload"
 * warning; one that selects nothing does), and on SIGTERM (the abort) stops with exit 0 and
 * hands the Lease back.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import nodeTls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { runCli, startCli } from '../../support/run-cli.js';
import { configurationsFor } from '../webhook-bed.js';
import { condition, ControllerBed } from './bed.js';

describe('sluice controller (usage)', () => {
  it('explains itself', async () => {
    const help = await runCli(['controller', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sluice controller (--kubeconfig FILE | --in-cluster)');
    expect(help.stdout).toContain('--ca-bundle FILE');
  });

  it.each([
    [[], /give one of --kubeconfig FILE and --in-cluster/],
    [['--kubeconfig', 'k', '--in-cluster'], /give one of --kubeconfig FILE and --in-cluster/],
    [['--kubeconfig', 'k', '--status-qps', '0'], /--status-qps: expected a number/],
    [['--kubeconfig', 'k', '--inbound-port', '70000'], /--inbound-port: expected a port/],
    [['--kubeconfig', 'k', '--log-level', 'loud'], /--log-level: expected one of debug, info, warn, error/],
    [['--kubeconfig', 'k', '--audit-for', '1h'], /--audit-for needs --webhook-certificates controller or --webhook-tls-dir/],
    [['--kubeconfig', 'k', '--webhook-certificates', 'self'], /--webhook-certificates: expected controller or external, got "self"/],
    [['--kubeconfig', 'k', '--webhook-certificates', 'external'], /--webhook-certificates external needs --webhook-tls-dir DIR/],
    [['--kubeconfig', 'k', '--webhook-certificates', 'controller', '--webhook-tls-dir', 'd'], /--webhook-tls-dir is for external certificates/],
    [['--kubeconfig', 'k', '--webhook-certificates', 'controller', '--ca-bundle', 'f'], /--ca-bundle is for external certificates/],
    [['--kubeconfig', 'k', '--webhook-tls-dir', 'd', '--webhook-ca-secret', 'x'], /--webhook-ca-secret needs --webhook-certificates controller/],
  ])('refuses %j', async (args, message) => {
    const r = await runCli(['controller', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describeKube('sluice controller against a real API server', () => {
  let bed: ControllerBed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-controller-cli-'));
  const tls = path.join(dir, 'tls');
  let webhookPort: number;
  beforeAll(async () => {
    expect((await runCli(['certs', 'init', '--dir', path.join(dir, 'ca')])).code).toBe(0);
    expect((await runCli(['certs', 'issue', '--ca-dir', path.join(dir, 'ca'), '--out', tls, '--ip', '127.0.0.1'])).code).toBe(0);
    webhookPort = await freePort();
    bed = await ControllerBed.start();
    await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
    await bed.applyPolicy('shop', 'orders-api', { selector: { matchLabels: { app: 'orders' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }], rules: { http: [{ method: 'GET' }] } }] }] });
    // The webhook configurations, calling the controller's own webhooks (caBundle empty until the leader fills it).
    for (const config of configurationsFor(`https://127.0.0.1:${webhookPort}`)) await bed.must('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config);
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('serves, leads, writes status and the caBundle, serves the webhooks from its informers, and hands the Lease back when stopped', async () => {
    const bundle = path.join(tls, 'ca.crt');
    const adminPort = await freePort();
    const run = startCli(['controller', '--kubeconfig', bed.api.kubeconfig, '--xds-address', '127.0.0.1:0', '--admin-address', `127.0.0.1:${adminPort}`, '--identity', 'cli-replica', '--namespace', 'sluice-system', '--ca-bundle', bundle, '--state-dir', path.join(dir, 'state'), '--webhook-tls-dir', tls, '--webhook-listen', `127.0.0.1:${webhookPort}`, '--steering', 'external']);
    await eventually(() => run.out.stdout.includes('sluice controller'), 'the controller to start', 20_000);
    await eventually(async () => (await (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).text()).includes('synced with the API server; leader'), 'ready and leading', 30_000);
    const s = await eventually(async () => (await bed.policy('shop', 'orders-api')).status, 'the status', 20_000);
    expect(condition(s, 'Accepted')?.status).toBe('True');
    expect(s.enforced.summary).toBe('0/1');
    const expected = Buffer.from(fs.readFileSync(bundle, 'utf8')).toString('base64');
    await eventually(async () => {
      const v = (await bed.must('GET', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/sluice-l7policies')) as { webhooks: { clientConfig: { caBundle?: string } }[] };
      const m = (await bed.must('GET', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/sluice-pods')) as { webhooks: { clientConfig: { caBundle?: string } }[] };
      return [...v.webhooks, ...m.webhooks].every((w) => w.clientConfig.caBundle === expected);
    }, 'the caBundle in every webhook', 20_000);
    expect(run.out.stdout).toContain(`webhooks   https://127.0.0.1:${webhookPort}`);
    // The API server calls the controller's webhooks: an invalid policy refused with its field path…
    const path_ = '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies';
    const refused = await eventually(async () => {
      const r = await bed.admin.request('POST', path_, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'bad' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } });
      return r.body.includes('[cidr.invalid]') ? r : undefined;
    }, 'the API server to call the controller\'s webhook', 20_000);
    expect(refused.status).toBe(422);
    // …and valid ones checked against the informers' inventory: orders-a is a workload there, nobody is not.
    const selects = await bed.admin.request('POST', path_, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'more-orders' }, spec: { selector: { matchLabels: { app: 'orders' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }] }] }] } });
    expect(selects.status).toBe(201);
    expect(String(selects.headers['warning'] ?? '')).not.toContain('selects no workload');
    const nothing = await bed.admin.request('POST', path_, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'nobody' }, spec: { selector: { matchLabels: { app: 'nobody' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }] }] }] } });
    expect(nothing.status).toBe(201);
    expect(String(nothing.headers['warning'] ?? '')).toContain('selects no workload in namespace shop');
    expect(await run.stop()).toBe(0);
    const lease = (await bed.must('GET', '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-controller')) as { spec: { holderIdentity?: string } };
    expect(lease.spec.holderIdentity ?? '').toBe('');
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(true);
  }, 60_000);

  it('--webhook-certificates controller: the leader creates the CA and serving Secrets, publishes the caBundle, and the webhook port serves the Secret\'s leaf for the Service', async () => {
    const port = await freePort();
    const run = startCli(['controller', '--kubeconfig', bed.api.kubeconfig, '--xds-address', '127.0.0.1:0', '--admin-address', '127.0.0.1:0', '--identity', 'cli-issuer', '--namespace', 'sluice-system',
      '--webhook-certificates', 'controller', '--webhook-tls-secret', 'cli-tls', '--webhook-ca-secret', 'cli-ca', '--webhook-service', 'cli-webhook', '--webhook-listen', `127.0.0.1:${port}`, '--steering', 'external']);
    const secret = async (name: string) => {
      const r = await bed.admin.request('GET', `/api/v1/namespaces/sluice-system/secrets/${name}`);
      return r.status === 200 ? Object.fromEntries(Object.entries((JSON.parse(r.body) as { data: Record<string, string> }).data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : undefined;
    };
    const ca = await eventually(async () => (await secret('cli-ca'))?.['ca.crt'], 'the CA Secret', 30_000);
    const serving = await eventually(() => secret('cli-tls'), 'the serving Secret', 30_000);
    expect(serving['ca.crt']).toBe(ca);
    const expected = Buffer.from(ca).toString('base64');
    await eventually(async () => {
      const v = (await bed.must('GET', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/sluice-l7policies')) as { webhooks: { clientConfig: { caBundle?: string } }[] };
      return v.webhooks.every((w) => w.clientConfig.caBundle === expected);
    }, 'the caBundle of the issued CA', 20_000);
    // The port serves the Secret's leaf, verified against the CA for the Service's name.
    const served = await eventually(() => new Promise<string | undefined>((resolve) => {
      const socket = nodeTls.connect({ host: '127.0.0.1', port, ca, servername: 'cli-webhook.sluice-system.svc' }, () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        resolve(cert?.serialNumber);
      });
      socket.on('error', () => resolve(undefined));
    }), 'the webhook port to serve the issued leaf', 20_000);
    expect(served).toBe(new X509Certificate(serving['tls.crt'] ?? '').serialNumber);
    expect(await run.stop()).toBe(0);
  }, 60_000);
});
