/**
 * `sluice controller` as a command: its help and usage errors, and a run against a real
 * kube-apiserver from a kubeconfig: it serves, leads, writes the policy's status, keeps the
 * webhook configurations' caBundle equal to `--ca-bundle`, and on SIGTERM (the abort) stops with
 * exit 0 and hands the Lease back.
 */
import fs from 'node:fs';
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
  ])('refuses %j', async (args, message) => {
    const r = await runCli(['controller', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describeKube('sluice controller against a real API server', () => {
  let bed: ControllerBed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-controller-cli-'));
  beforeAll(async () => {
    bed = await ControllerBed.start();
    await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
    await bed.applyPolicy('shop', 'orders-api', { selector: { matchLabels: { app: 'orders' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }], rules: { http: [{ method: 'GET' }] } }] }] });
    // The webhook configurations (their webhooks are not running: policies are written before).
    for (const config of configurationsFor('https://127.0.0.1:1')) await bed.must('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config);
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('serves, leads, writes status and the caBundle, and hands the Lease back when stopped', async () => {
    const bundle = path.join(dir, 'ca.crt');
    fs.writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const adminPort = await freePort();
    const run = startCli(['controller', '--kubeconfig', bed.api.kubeconfig, '--xds-address', '127.0.0.1:0', '--admin-address', `127.0.0.1:${adminPort}`, '--identity', 'cli-replica', '--namespace', 'sluice-system', '--ca-bundle', bundle, '--state-dir', path.join(dir, 'state')]);
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
    expect(await run.stop()).toBe(0);
    const lease = (await bed.must('GET', '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-controller')) as { spec: { holderIdentity?: string } };
    expect(lease.spec.holderIdentity ?? '').toBe('');
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(true);
  }, 60_000);
});
