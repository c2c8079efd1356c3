/**
 * The data path never fails open, proven with what users run: real Envoy 1.40 booted from
 * `sluice bootstrap`, a real `sluice serve` process managing the eBPF dataplane, workloads in
 * their own cgroups in a node network namespace (bench/envoy/bed.ts). Envoy's own words (its
 * stats, config dump and access log) sit beside the HTTP status; the workloads report every
 * request they see, so "reached the workload without Envoy" is counted, not guessed.
 */
import http from 'node:http';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { http1, Http2Client, type Answer } from '../../bench/envoy/request.js';
import type { WorkloadAnswer } from '../../bench/envoy/workload.js';
import type { PolicyStatus } from '../../controller/index.js';
import { describeDataPath } from '../support/envoy.js';
import { eventually } from '../support/poll.js';

const ordersPolicy = (allow: readonly string[]) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules:
            http:
${allow.map((p) => `              - { method: GET, path: { prefix: ${p} } }`).join('\n')}
          deny:
            http: [ { path: { prefix: /v1/admin } } ]
`;

const WEB_OUT = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
          rules: { http: [ { method: GET, path: { exact: /allowed } } ] }
`;

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
const BYSTANDER: WorkloadSpec = { name: 'bystander', labels: { app: 'bystander' } };

describeDataPath('real Envoy on the eBPF-redirected path never fails open', () => {
  const bed = new EnvoyBed();
  let orders: { v4: string; v6: string };
  let web: { v4: string; v6: string; cgroup: string };
  let ordersProcess: BedProcess;
  let outside: BedProcess;

  const status = async (): Promise<PolicyStatus[]> => ((await bed.serveAdmin('/status')) as { policies: PolicyStatus[] }).policies;
  const enforced = () => eventually(async () => (await status()).every((p) => p.state === 'Enforced'), 'every policy Enforced', 30_000);
  const base = (address: string, port = 8080) => new URL(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  const seenDirect = (p: BedProcess) => p.lines.filter((l) => l.event === 'request' && l.viaEnvoy === false);
  const answered = (a: Answer) => a.body as WorkloadAnswer;
  /** Requests from a process inside the `web` workload's cgroup, which binds nothing. */
  const fromWeb = async (target: string, paths: readonly string[], workload = 'web'): Promise<Array<Answer & { event: string }>> => {
    const client = bed.client(workload, ['--url', target, ...paths.flatMap((p) => ['--path', p])]);
    await client.exited;
    return client.lines as unknown as Array<Answer & { event: string }>;
  };

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    const w = bed.addWorkload(WEB);
    const b = bed.addWorkload(BYSTANDER);
    orders = o;
    web = w;
    bed.writeInventory([o.inventory, w.inventory, b.inventory]);
    bed.writePolicy('orders.yaml', ordersPolicy(['/v1/']));
    bed.writePolicy('web.yaml', WEB_OUT);
    ordersProcess = await bed.startWorkload(ORDERS);
    outside = await bed.startOutside('outside', 9000);
    await bed.startServe();
    await bed.startEnvoy();
    await enforced();
  }, 90_000);

  afterAll(() => bed.cleanup(), 60_000);

  it('inbound: allows and denies as written over IPv4 and IPv6; Envoy counts and logs the deciding rule', async () => {
    for (const address of [orders.v4, orders.v6]) {
      const allowed = await http1(base(address), '/v1/orders', false);
      expect(allowed.status).toBe(200);
      expect(answered(allowed).viaEnvoy).toBe(true);
      expect((await http1(base(address), '/v1/admin/keys', false)).status).toBe(403);
      expect((await http1(base(address), '/metrics', false)).status).toBe(403); // default deny on a selected port
    }
    const stats = await bed.envoy!.stats('rbac');
    expect(stats.get('http.inbound_8080_shop_orders.rbac.sluice_deny_.policy.shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0].denied')).toBe(2);
    expect(stats.get('http.inbound_8080_shop_orders.rbac.sluice_allow_.denied')).toBe(2);
    await eventually(() => bed.envoy!.accessLog.some((l) => l.path === '/v1/admin/keys' && l.deny_rule === 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]'), 'the access log line naming the deny rule', 15_000);
    expect(seenDirect(ordersProcess)).toEqual([]);
  });

  it('egress: a client that binds nothing is held to its workload\'s policy, over IPv4 and IPv6', async () => {
    for (const host of [bed.host4, `[${bed.host6}]`]) {
      const [allowed, denied] = await fromWeb(`http://${host}:9000`, ['/allowed', '/denied']);
      expect(allowed?.status).toBe(200);
      expect(answered(allowed!).viaEnvoy).toBe(true);
      expect(denied?.status).toBe(403);
    }
    expect(outside.lines.filter((l) => l.event === 'request' && l.path === '/denied')).toEqual([]);
    expect(await bed.envoy!.stat('http.outbound_9000_shop_web.rbac.sluice_allow_.denied')).toBe(2);
    // Envoy attributed the connections to web by their source: the address the kernel bound.
    expect(outside.lines.filter((l) => l.event === 'request').length).toBe(2);
    await eventually(() => bed.envoy!.accessLog.filter((l) => l.chain === 'outbound|9000|shop/web' && String(l.client).startsWith(web.v4)).length >= 2, 'outbound access log lines from web\'s own address', 15_000);
  });

  it('egress: a workload no egress policy selects is not touched', async () => {
    const before = outside.lines.length;
    const [direct] = await fromWeb(`http://${bed.host4}:9000`, ['/denied'], 'bystander');
    expect(direct?.status).toBe(200);
    expect(answered(direct!).viaEnvoy).toBe(false);
    expect(outside.lines.length).toBe(before + 1);
  });

  it('egress: a client that binds another address is refused, never passed through', async () => {
    // A process of web that binds orders' address would otherwise pass for orders.
    const before = outside.lines.length;
    const spoof = bed.box.peer(['client', '--connect', `${bed.host4}:9000`, '--bind', orders.v4, '--timeout', '5000'], { cgroup: web.cgroup, netns: bed.netns });
    const result = await spoof.waitFor((l) => l.event === 'reply' || l.event === 'error');
    expect(result).toMatchObject({ event: 'error', message: expect.stringMatching(/EPERM/) });
    expect(outside.lines.length).toBe(before);
  });

  it('inbound: a client that reuses its port right after Envoy closed (TIME_WAIT) is still judged by Envoy', async () => {
    // A client port outside the kernel's ephemeral range, so no other connection takes it meanwhile.
    const port = 10000 + Math.floor(Math.random() * 10000);
    const once = (path: string) => rawClose(orders.v4, 8080, bed.host4, port, path);
    for (let round = 0; round < 3; round += 1) {
      expect(await once('/v1/orders')).toBe('HTTP/1.1 200 OK');
      // Envoy closed first (Connection: close), so its side of the 4-tuple sits in TIME_WAIT now.
      const tw = execFileSync('nsenter', [`--net=/run/netns/${bed.netns}`, 'ss', '-Htan', 'state', 'time-wait', `( sport = :8080 and dport = :${port} )`], { encoding: 'utf8' });
      expect(tw).toContain(`:${port}`);
      expect(await once('/v1/admin/keys')).toBe('HTTP/1.1 403 Forbidden');
    }
    expect(seenDirect(ordersProcess)).toEqual([]);
  });

  it('inbound: under a load of short connections with kernel-chosen ports, none reaches the workload without Envoy', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        const out: number[] = [];
        for (let i = 0; i < 40; i += 1) out.push((await http1(base(orders.v4), (i + worker) % 2 === 0 ? '/v1/orders' : '/v1/admin/x', false, { headers: { connection: 'close' } })).status);
        return out;
      }),
    );
    const flat = results.flat();
    expect(flat.filter((s) => s === 200)).toHaveLength(160);
    expect(flat.filter((s) => s === 403)).toHaveLength(160);
    expect(seenDirect(ordersProcess)).toEqual([]);
  });

  it('a policy edit reaches open HTTP/1.1 keep-alive and HTTP/2 connections within 2 s of the ACK, revoking and granting', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const h2 = new Http2Client(base(orders.v4));
    try {
      const first = await http1(base(orders.v4), '/v1/orders', agent);
      expect(first.status).toBe(200);
      expect((await h2.request('/v1/orders')).status).toBe(200);
      const routeVersion = async () => (await status()).find((p) => p.key === 'shop/orders-api')?.targets.find((t) => t.resource.startsWith('RouteConfiguration/'))?.version;
      const edit = async (allow: readonly string[], expected: number) => {
        const before = await routeVersion();
        bed.writePolicy('orders.yaml', ordersPolicy(allow));
        // Enforced again, for the new version of the route that carries the rules...
        await eventually(async () => (await routeVersion()) !== before && (await status()).every((p) => p.state === 'Enforced'), 'the edit to be Enforced', 15_000);
        // ...means Envoy holds it already: status never runs ahead of the proxy.
        expect(JSON.stringify((await bed.envoy!.configDump('dynamic_route_configs')).configs)).toContain(`prefix":"${allow[0]}"`);
        const acked = Date.now();
        await eventually(async () => (await http1(base(orders.v4), '/v1/orders', agent)).status === expected, `HTTP/1.1 keep-alive to see ${expected}`, 2000, 20);
        await eventually(async () => (await h2.request('/v1/orders')).status === expected, `HTTP/2 to see ${expected}`, 2000, 20);
        return Date.now() - acked;
      };
      await edit(['/v2/'], 403); // revoke /v1/
      await edit(['/v1/'], 200); // grant it back
      // Still the very same HTTP/1.1 connection: the verdict changed on it, not on a new one.
      expect((await http1(base(orders.v4), '/v1/orders', agent)).local).toBe(first.local);
      expect(await bed.envoy!.stat('listener_manager.listener_modified')).toBe(0);
    } finally {
      agent.destroy();
      h2.close();
    }
  });

  it('inbound while Envoy is down, restarting and booting: refused, never delivered to the workload; status says Degraded, not Enforced', async () => {
    bed.envoy!.kill('SIGKILL');
    await bed.envoy!.exited;
    const down = await http1(base(orders.v4), '/v1/admin/keys', false, { timeoutMs: 3000 });
    expect(down.error).toMatch(/ECONNREFUSED/);
    // Envoy ACKed the policy before it died, and sluice serve still remembers the ACK: the
    // dataplane is what says the traffic does not pass through the rules now.
    const policy = (await status()).find((p) => p.key === 'shop/orders-api');
    expect(policy).toMatchObject({ state: 'Degraded', dataPath: [{ state: 'Degraded', node: 'node-a' }] });
    expect(policy?.message).toMatch(/node-a is not listening on :15006 .*refused until it listens/);
    const metrics = String(await bed.serveAdmin('/metrics'));
    expect(Number(/sluice_bpf_events_total\{event="in_refused"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    // A new Envoy: from its start, through booting and warming (no listener yet), until it serves.
    const booting = bed.startEnvoy();
    const during: Answer[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      during.push(await http1(base(orders.v4), '/v1/admin/keys', false, { timeoutMs: 3000 }));
      const probe = await http1(base(orders.v4), '/v1/orders', false, { timeoutMs: 3000 });
      if (probe.status === 200 || Date.now() > deadline) break;
    }
    await booting;
    expect(during.filter((a) => a.error?.includes('ECONNREFUSED')).length).toBeGreaterThan(0); // the window was seen
    expect(during.filter((a) => a.status === 200)).toEqual([]);
    expect((await http1(base(orders.v4), '/v1/orders', false)).status).toBe(200);
    expect((await http1(base(orders.v4), '/v1/admin/keys', false)).status).toBe(403);
    expect(seenDirect(ordersProcess)).toEqual([]);
    await enforced(); // listening again: the data path agrees with the ACK
  });
});

/** One HTTP/1.1 request from a fixed client port with `Connection: close`; the status line. */
function rawClose(host: string, port: number, localAddress: string, localPort: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress, localPort });
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', (e) => resolve(`error ${e.message}`));
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n`));
  });
}
