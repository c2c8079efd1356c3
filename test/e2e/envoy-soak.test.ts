/**
 * A soak of the real data path: a load generator (keep-alive and new connections, allowed,
 * granted-then-revoked and always-denied paths interleaved, well over 100 requests/s) runs while
 * the system goes through what happens in production: a policy edit that grants, one that
 * revokes, `kill -9` and restart of `sluice serve`, the eBPF loader run again over the live
 * dataplane, Envoy's hot restart (the next epoch takes over the listening sockets, the old one
 * drains), `kill -9` of Envoy and a new Envoy that boots before it has listeners. Per window it
 * counts requests answered by the workload without Envoy (must be 0: the port is protected),
 * failed requests, and verdicts that disagree with the policy in force.
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { http1 } from '../../bench/envoy/request.js';
import type { WorkloadAnswer } from '../../bench/envoy/workload.js';
import type { PolicyStatus } from '../../controller/index.js';
import { describeDataPath } from '../support/envoy.js';
import { eventually } from '../support/poll.js';

const policy = (grantV2: boolean) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules:
            http:
              - { method: GET, path: { prefix: /v1/ } }
${grantV2 ? '              - { method: GET, path: { prefix: /v2/ } }\n' : ''}          deny:
            http: [ { path: { prefix: /v1/admin } } ]
`;

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080] };
const PATHS = ['/v1/orders', '/v2/items', '/v1/admin/keys'] as const;

interface Sample {
  readonly at: number;
  readonly window: string;
  readonly path: (typeof PATHS)[number];
  readonly keepAlive: boolean;
  readonly status: number;
  readonly error?: string;
  readonly direct: boolean;
}

/** When the policy in force changed: before `from` the old verdict holds, after `until` the new one. */
interface Transition {
  readonly from: number;
  readonly until: number;
  readonly grantV2: boolean;
}

describeDataPath('soak: real Envoy and the eBPF data path under load through edits and restarts', () => {
  const bed = new EnvoyBed();
  let address = '';
  let workload: BedProcess;

  const status = async (): Promise<PolicyStatus[]> => ((await bed.serveAdmin('/status')) as { policies: PolicyStatus[] }).policies;
  const enforced = () => eventually(async () => (await status()).every((p) => p.state === 'Enforced'), 'the policy Enforced', 30_000);

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    address = o.v4;
    bed.writeInventory([o.inventory]);
    bed.writePolicy('orders.yaml', policy(false));
    workload = await bed.startWorkload(ORDERS);
    await bed.startServe();
    await bed.startEnvoy({ hotRestart: true });
    await enforced();
  }, 90_000);

  afterAll(() => bed.cleanup(), 60_000);

  it('never lets a request reach the workload without Envoy, never gives a verdict the policy in force does not, and drops nothing on edits and control-plane restarts', async () => {
    const base = new URL(`http://${address}:8080`);
    const samples: Sample[] = [];
    let window = 'baseline';
    let running = true;
    const seen = new Set<string>();
    const loop = async (id: number): Promise<void> => {
      const keepAlive = id % 2 === 0;
      let agent: http.Agent | false = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
      for (let i = id; running; i += 1) {
        const path = PATHS[i % PATHS.length]!;
        const at = Date.now();
        const answer = await http1(base, path, agent, { timeoutMs: 4000, headers: { 'x-soak': `${id}-${i}` } });
        const body = answer.body as Partial<WorkloadAnswer> | string;
        samples.push({ at, window, path, keepAlive, status: answer.status, ...(answer.error ? { error: answer.error } : {}), direct: typeof body === 'object' && body.viaEnvoy === false });
        if (answer.error && agent) {
          agent.destroy();
          agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      if (agent) agent.destroy();
    };
    const transitions: Transition[] = [];
    const edit = async (grantV2: boolean): Promise<void> => {
      const from = Date.now();
      bed.writePolicy('orders.yaml', policy(grantV2));
      await eventually(async () => JSON.stringify((await bed.envoy!.configDump('dynamic_route_configs')).configs).includes('/v2/') === grantV2, 'Envoy to hold the edit', 15_000);
      await enforced();
      transitions.push({ from, until: Date.now() + 2000, grantV2 }); // "within 2 s of the ACK"
    };
    const phase = async (name: string, action: () => Promise<void>, settleMs = 2500): Promise<void> => {
      window = name;
      seen.add(name);
      await action();
      await new Promise((r) => setTimeout(r, settleMs));
    };

    const loops = Array.from({ length: 8 }, (_, id) => loop(id));
    await phase('baseline', async () => undefined);
    await phase('grant /v2/', () => edit(true));
    await phase('revoke /v2/', () => edit(false));
    await phase('serve kill -9 + restart', async () => {
      bed.serve!.kill('SIGKILL');
      await bed.serve!.exited;
      await bed.startServe();
      await enforced();
    });
    await phase('eBPF loader run again', async () => {
      const load = bed.spawn('bpf load', { netns: bed.netns }, [process.execPath, 'dist/cli/main.js', 'bpf', 'load', '--cgroup', bed.workloadCgroup, '--proxy-cgroup', bed.proxyCgroup, '--inbound-iface', bed.nodeIface, '--pin-root', bed.pinRoot]);
      expect(await load.exited).toBe(0);
    });
    await phase('Envoy hot restart', async () => {
      const parent = bed.envoy!;
      await bed.startEnvoy({ hotRestart: true });
      expect(await parent.exited).toBe(0); // drained its connections and handed over
    });
    await phase('Envoy kill -9 + new Envoy', async () => {
      bed.envoy!.kill('SIGKILL');
      await bed.envoy!.exited;
      await new Promise((r) => setTimeout(r, 500)); // a gap with no proxy at all
      await bed.startEnvoy(); // boots with no listeners until LDS and RDS arrive
      await eventually(async () => (await http1(base, '/v1/orders', false)).status === 200, 'the new Envoy to serve', 30_000);
    }, 3000);
    await phase('steady', async () => undefined, 2000);
    running = false;
    await Promise.all(loops);

    // The verdict the policy in force gives; undefined inside a transition (either is right there).
    const expected = (s: Sample): number | undefined => {
      if (s.path === '/v1/orders') return 200;
      if (s.path === '/v1/admin/keys') return 403;
      let granted = false;
      for (const t of transitions) {
        if (s.at < t.from) break;
        if (s.at < t.until) return undefined;
        granted = t.grantV2;
      }
      return granted ? 200 : 403;
    };
    const windows = [...seen];
    const table = windows.map((name) => {
      const inWindow = samples.filter((s) => s.window === name);
      const seconds = Math.max(1, (Math.max(...inWindow.map((s) => s.at)) - Math.min(...inWindow.map((s) => s.at))) / 1000);
      return {
        window: name,
        requests: inWindow.length,
        perSecond: Math.round(inWindow.length / seconds),
        direct: inWindow.filter((s) => s.direct).length,
        failed: inWindow.filter((s) => s.status === 0).length,
        wrongVerdict: inWindow.filter((s) => s.status !== 0 && expected(s) !== undefined && s.status !== expected(s)).length,
      };
    });
    console.log(`soak, per window:\n${table.map((r) => `  ${r.window.padEnd(26)} ${String(r.requests).padStart(5)} req ${String(r.perSecond).padStart(4)}/s  direct ${r.direct}  failed ${r.failed}  wrong verdict ${r.wrongVerdict}`).join('\n')}`);

    expect(samples.length / ((samples.at(-1)!.at - samples[0]!.at) / 1000)).toBeGreaterThanOrEqual(100);
    for (const row of table) {
      expect({ window: row.window, direct: row.direct, wrongVerdict: row.wrongVerdict }).toEqual({ window: row.window, direct: 0, wrongVerdict: 0 });
      // Edits, a control-plane restart, the loader run again and Envoy's hot restart drop nothing; only a dead Envoy does.
      if (row.window !== 'Envoy kill -9 + new Envoy') expect({ window: row.window, failed: row.failed }).toEqual({ window: row.window, failed: 0 });
    }
    expect(workload.lines.filter((l) => l.event === 'request' && l.viaEnvoy === false)).toEqual([]);
    // Every failure while Envoy was away was a refused or reset connection, never an answer from the workload.
    const failures = samples.filter((s) => s.status === 0);
    expect(failures.every((s) => /ECONNREFUSED|ECONNRESET|socket hang up|timeout/.test(s.error ?? ''))).toBe(true);
  }, 120_000);
});
