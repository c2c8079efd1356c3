/**
 * `sluice serve --envoy`, the node agent of a single host, with the real Envoy binary: serve
 * writes the bootstrap, starts Envoy, which takes the policies over ADS until they are Enforced;
 * `/status` shows the supervised Envoy (pid, admin, state); Envoy's own log lines arrive in
 * serve's JSON log; a crashed Envoy (kill -9) is restarted and the policies are Enforced again;
 * stopping serve stops Envoy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { EnvoyStatus, PolicyStatus } from '../../controller/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';

interface StatusDoc {
  readonly policies: PolicyStatus[];
  readonly nodes: Array<{ node: string; connected: boolean; envoy?: EnvoyStatus }>;
}

const POLICY = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { method: GET } ] } } ] } ]
`;

describeEnvoy('sluice serve --envoy supervises the local Envoy', () => {
  let dir: string;
  let serve: ServeProcess;
  let adminPort: number;
  const status = () => serve.get<StatusDoc>('/status');
  const local = async () => (await status()).nodes.find((n) => n.node === 'node-a')?.envoy;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-serve-envoy-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'policies', 'orders.yaml'), POLICY);
    // Its own listener ports, so it never collides with another suite's Envoy.
    const [inbound, outbound] = [await freePort(), await freePort()];
    fs.writeFileSync(
      path.join(dir, 'inventory.yaml'),
      `apiVersion: sluice.dev/v1alpha1\nkind: Inventory\nproxies: [ { node: node-a, inboundPort: ${inbound}, outboundPort: ${outbound} } ]\nworkloads:\n  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8080 } ], proxy: { node: node-a } }\n`,
    );
    adminPort = await freePort();
    serve = await spawnServe({ args: ['--policies', path.join(dir, 'policies'), '--inventory', path.join(dir, 'inventory.yaml'), '--state-dir', path.join(dir, 'state'), '--envoy', '--envoy-admin-port', String(adminPort)] });
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts Envoy from its own bootstrap; Envoy ACKs until the policy is Enforced; /status shows it', async () => {
    await eventually(async () => (await status()).policies.every((p) => p.state === 'Enforced'), 'the policy Enforced by the supervised Envoy', 30_000);
    const envoy = await local();
    expect(envoy).toMatchObject({ node: 'node-a', admin: `127.0.0.1:${adminPort}`, restarts: 0 });
    expect(alive(envoy!.pid!)).toBe(true);
    const info = (await (await fetch(`http://127.0.0.1:${adminPort}/server_info`)).json()) as { node: { id: string }; state: string };
    expect(info).toMatchObject({ node: { id: 'node-a' }, state: 'LIVE' });
    expect(serve.stdout()).toMatch(new RegExp(`Envoy {6}node-a: running \\(pid \\d+\\), admin http://127\\.0\\.0\\.1:${adminPort}/`));
    // Envoy's own log, as JSON lines of serve's log stream.
    await eventually(() => serve.logs().some((l) => l.component === 'envoy' && l.node === 'node-a' && typeof l.envoyLogger === 'string'), 'an Envoy log line in serve\'s log', 15_000);
  });

  it('restarts a crashed Envoy, which takes the configuration again', async () => {
    const before = (await local())!.pid!;
    process.kill(before, 'SIGKILL');
    await eventually(async () => {
      const e = await local();
      return e?.restarts === 1 && e.pid !== undefined && e.pid !== before && e.state === 'running';
    }, 'a new Envoy', 30_000);
    expect((await local())?.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(serve.logs().some((l) => l.msg === 'envoy exited; restarting' && l.signal === 'SIGKILL')).toBe(true);
    await eventually(async () => (await status()).policies.every((p) => p.state === 'Enforced'), 'Enforced again', 30_000);
  });

  it('stops Envoy when serve stops', async () => {
    const pid = (await local())!.pid!;
    await serve.stop('SIGTERM');
    await eventually(() => !alive(pid), 'Envoy to be gone', 10_000);
  });
});
