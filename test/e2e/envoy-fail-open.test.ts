/**
 * Fail-open is a choice a user makes per node, never a default, and it is never silent: with
 * `proxies[].failOpen: true`, while that node's Envoy is down new connections reach the workload
 * unchecked (the documented risk, shown here), `/status` calls the policy Bypassed and marks the
 * node, and the kernel counts every such connection.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, NODE_ID, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { http1 } from '../../bench/envoy/request.js';
import type { WorkloadAnswer } from '../../bench/envoy/workload.js';
import type { PolicyStatus } from '../../controller/index.js';
import { describeDataPath } from '../support/envoy.js';
import { eventually } from '../support/poll.js';

const POLICY = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] } } ] } ]
`;
const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080] };

describeDataPath('a node that fails open says so', () => {
  const bed = new EnvoyBed();
  let base: URL;
  let workload: BedProcess;
  const statusDoc = async () => (await bed.serveAdmin('/status')) as { policies: PolicyStatus[]; nodes: Array<{ node: string; failOpen?: boolean }> };

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    base = new URL(`http://${o.v4}:8080`);
    bed.writeInventory([o.inventory], `  - { node: ${NODE_ID}, failOpen: true, accessLog: [flows, stdout] }`);
    bed.writePolicy('orders.yaml', POLICY);
    workload = await bed.startWorkload(ORDERS);
    await bed.startServe();
    await bed.startEnvoy();
    await eventually(async () => (await statusDoc()).policies.every((p) => p.state === 'Enforced'), 'the policy Enforced', 30_000);
  }, 90_000);

  afterAll(() => bed.cleanup(), 60_000);

  it('enforces while Envoy listens, and marks the node in /status', async () => {
    expect((await http1(base, '/admin', false)).status).toBe(403);
    expect((await statusDoc()).nodes.find((n) => n.node === NODE_ID)?.failOpen).toBe(true);
  });

  it('while Envoy is down, new connections reach the workload unchecked: Bypassed in /status, counted by the kernel', async () => {
    bed.envoy!.kill('SIGKILL');
    await bed.envoy!.exited;
    const direct = await http1(base, '/admin', false);
    expect(direct.status).toBe(200); // the risk failOpen takes, on purpose
    expect((direct.body as WorkloadAnswer).viaEnvoy).toBe(false);
    expect(workload.lines.filter((l) => l.event === 'request' && l.viaEnvoy === false)).toHaveLength(1);
    const policy = (await statusDoc()).policies.find((p) => p.key === 'shop/orders-api');
    expect(policy?.state).toBe('Bypassed');
    expect(policy?.message).toMatch(/node-a is not listening on :15006 .*reach it unchecked \(failOpen\)/);
    const metrics = String(await bed.serveAdmin('/metrics'));
    expect(Number(/sluice_bpf_events_total\{event="in_fail_open"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('enforces again once a new Envoy listens', async () => {
    await bed.startEnvoy();
    await eventually(async () => (await http1(base, '/admin', false)).status === 403, 'the new Envoy to deny', 30_000);
    await eventually(async () => (await statusDoc()).policies.every((p) => p.state === 'Enforced'), 'the policy Enforced again', 30_000);
  });
});
