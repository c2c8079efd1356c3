/**
 * Hostile input for the controller, against a real kube-apiserver: a flood of updates to one
 * policy (300 spec changes as fast as the API server takes them, some of them invalid, as a
 * policy stored while the webhook was off would be). Status writes stay within the rate limit,
 * 409 conflicts (the object changed since it was read) are retried against the object read
 * again, the controller keeps serving, and once the flood ends the status describes the last
 * generation. A policy that selects nothing says so.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually } from '../../support/poll.js';
import { condition, ControllerBed, POLICY_API } from './bed.js';

const spec = (prefix: string) => ({
  selector: { matchLabels: { app: 'orders' } },
  ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix } }] } }] }],
});
const UPDATES = 300;
const QPS = 5;
const PER_POLICY_MS = 400;

describeKube('the controller under a flood of updates to one policy', () => {
  let bed: ControllerBed;
  let controller: Controller;

  beforeAll(async () => {
    bed = await ControllerBed.start();
    await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
    await bed.applyPolicy('shop', 'orders-api', spec('/v0'));
    controller = await bed.controller({ identity: 'replica-1', status: { perPolicyMs: PER_POLICY_MS, qps: QPS, burst: 2 } });
    await eventually(async () => (await bed.policy('shop', 'orders-api')).status?.observedGeneration === 1, 'the first status', 20_000);
  }, 120_000);

  afterAll(async () => {
    await controller?.close();
    await bed?.stop();
  }, 60_000);

  it('writes status at most at its rate, retries conflicts, keeps serving, and ends on the last generation', async () => {
    const writtenBefore = controller.writer.counts.written;
    const started = Date.now();
    const path = `${POLICY_API}/namespaces/shop/l7policies/orders-api`;
    for (let i = 1; i <= UPDATES; i++) {
      // Every 10th is invalid (a regex RE2 refuses), as stored while the webhook was off.
      const prefix = i % 10 === 5 ? undefined : `/v${i}`;
      const body = prefix ? { spec: spec(prefix) } : { spec: { ...spec('/x'), ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ path: { regex: '(?<=a)b' } }] } }] }] } };
      await bed.must('PATCH', path, body, 'application/merge-patch+json');
    }
    const floodMs = Date.now() - started;
    const last = await bed.policy('shop', 'orders-api');
    const s = await eventually(async () => {
      const got = (await bed.policy('shop', 'orders-api')).status;
      return got?.observedGeneration === last.metadata.generation ? got : undefined;
    }, 'the status of the last generation', 30_000);
    const elapsedS = (Date.now() - started) / 1000;
    const written = controller.writer.counts.written - writtenBefore;
    // The bucket: `burst` at once, then QPS a second; per policy at most one write per PER_POLICY_MS.
    expect(written).toBeLessThanOrEqual(Math.ceil(2 + elapsedS * Math.min(QPS, 1000 / PER_POLICY_MS)) + 1);
    expect(written).toBeGreaterThan(0);
    expect(condition(s, 'Accepted')).toMatchObject({ status: 'True', observedGeneration: last.metadata.generation });
    expect(controller.runtime.state().policies.get('shop/orders-api')?.policy).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${controller.adminPort}/healthz`)).status).toBe(200);
    console.log(`flood: ${UPDATES} updates in ${floodMs} ms; ${written} status writes in ${elapsedS.toFixed(1)} s; conflicts ${controller.writer.counts.conflict}, failed ${controller.writer.counts.failed}`);
  }, 120_000);

  it('says Accepted False with the error while the newest generation is invalid, and keeps the last good one in force', async () => {
    await bed.must('PATCH', `${POLICY_API}/namespaces/shop/l7policies/orders-api`, { spec: { ...spec('/x'), ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ path: { regex: '(?<=a)b' } }] } }] }] } }, 'application/merge-patch+json');
    const generation = (await bed.policy('shop', 'orders-api')).metadata.generation;
    const s = await eventually(async () => {
      const got = (await bed.policy('shop', 'orders-api')).status;
      return got?.observedGeneration === generation ? got : undefined;
    }, 'the invalid generation\'s status', 20_000);
    expect(condition(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(condition(s, 'Accepted')?.message).toContain('its last good version stays in force');
    expect(condition(s, 'Enforced')?.status).toBe('False');
    const dump = await (await fetch(`http://127.0.0.1:${controller.adminPort}/config_dump?node=node-a`)).text();
    expect(dump).toContain('shop/orders-api#');
  });

  it('says so when a policy selects nothing', async () => {
    await bed.applyPolicy('shop', 'nobody', { ...spec('/y'), selector: { matchLabels: { app: 'nobody' } } });
    const s = await eventually(async () => (await bed.policy('shop', 'nobody')).status, 'a status for the policy that selects nothing', 20_000);
    expect(condition(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'NoTargets' });
    expect(s.enforced.summary).toBe('0/0');
  });
});
