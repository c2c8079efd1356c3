/**
 * Flows on the real data path: `sluice serve` compiles the policies, real Envoy takes them over
 * ADS and, on the eBPF-redirected path, streams its access log back to serve's own collector
 * (the compiler points every listener's gRPC access logger at the xDS cluster). Allowed, denied
 * and audit-denied HTTP and gRPC requests each appear once in `/flows`, with both sides' workloads,
 * the verdict and the rule id Envoy's RBAC filters decided with; `sluice observe --follow` shows
 * them live; `/status` counts an audit policy's would-deny flows and `sluice audit-report` lists
 * them; `sluice simulate --replay` of the recorded flows against the audit policy enforced lists
 * exactly the flows whose verdict changes, and Envoy then does what the replay said. A connection
 * that reaches the proxy on a port no rule covers is closed by Envoy without a byte and is one
 * denied TCP flow (the listener's own access log), and no HTTP connection is logged as one; so is
 * a workload's connection that reaches the outbound listener on a port no egress rule covers (an
 * egress flow from that workload), and a redirected egress connection that no chain matches (a
 * workload without an address of the connection's family: nothing to bind, it arrives from the
 * loopback). Each is also one line on Envoy's stdout (`accessLog: [flows, stdout]`), the
 * listener's stdout log with the same filter. A policy whose Secret goes missing (deleted from
 * serve's --secrets) makes its port refuse connections: each refused TLS connection is one denied
 * TCP flow naming the policy, the field that named the Secret and why, one stdout line, and the
 * replay judges it again (denied while the proposal's chain still cannot serve its TLS).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Protocol } from '../../bench/envoy/call.js';
import { EnvoyBed, SERVE_ADMIN_PORT, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { main } from '../../cli/main.js';
import type { PolicyStatus } from '../../controller/index.js';
import { flowFromJson, UNMATCHED_REASON, type FlowRecord } from '../../flows/index.js';
import { tlsUnavailableChainName, UNMATCHED_CHAIN } from '../../policy-compiler/index.js';
import { DEFAULT_PORTS } from '../../policy-compiler/model/types.js';
import { describeDataPath } from '../support/envoy.js';
import { inForce, l7Policy, Scene, urlOf } from '../support/envoy-cases.js';
import { runCli } from '../support/run-cli.js';
import { eventually } from '../support/poll.js';
import { leaf, newCa, writeSecret } from '../support/tls.js';

const trial = (mode: 'audit' | 'enforce') => l7Policy('orders-trial', `  mode: ${mode}
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8081 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/legacy } } ] }
`);

const POLICIES = [
  l7Policy('orders-api', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/admin } } ] }
        - ports: [ { port: 9090 } ]
          rules: { grpc: [ { service: shop.v1.Orders, methods: [Get] } ] }
          deny: { grpc: [ { service: shop.v1.Orders, methods: [Delete] } ] }
`),
  l7Policy('web-out', `  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
          rules: { http: [ { method: GET, path: { exact: /allowed } } ] }
`),
  l7Policy('cron-out', `  selector: { matchLabels: { app: cron } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
          rules: { http: [ { method: GET, path: { exact: /cron } } ] }
`),
];

/** Terminates TLS on port 8443 with a Secret of serve's --secrets directory, which a test deletes. */
const ORDERS_TLS = l7Policy('orders-tls', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8443 } ]
          terminatingTLS: { secret: { name: orders-tls } }
`);

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8081], grpc: [9090], services: ['shop.v1.Orders'] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
/** Given only its IPv4 address in the inventory: its IPv6 connections are redirected with nothing to bind. */
const CRON: WorkloadSpec = { name: 'cron', labels: { app: 'cron' } };

describeDataPath('flows from real Envoy on the data path reach serve, observe, the audit report and the replay', () => {
  const bed = new EnvoyBed();
  const scene = new Scene(bed);
  let orders: { v4: string; v6: string };
  let web: { v4: string; v6: string };
  let fromWeb: Awaited<ReturnType<Scene['clientIn']>>;
  let fromCron: Awaited<ReturnType<Scene['clientIn']>>;
  const admin = () => `http://${bed.node4}:${SERVE_ADMIN_PORT}`;
  const secrets = path.join(bed.dir, 'secrets');
  const followed: string[] = [];
  const stopFollow = new AbortController();
  let following: Promise<number> | undefined;

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    const w = bed.addWorkload(WEB);
    orders = o;
    web = w;
    // The test's own namespace is "another host": a workload of another node, so its flows name it.
    const batch = bed.remoteWorkload({ name: 'batch', namespace: 'ops', labels: { app: 'batch' }, addresses: [bed.host4, bed.host6], ports: [{ port: 9000 }] });
    const c = bed.addWorkload(CRON);
    bed.writeInventory([o.inventory, w.inventory, c.inventory.replace(`, "${c.v6}"`, ''), batch]);
    bed.writePolicy('policies.yaml', [...POLICIES, trial('audit')].join('---\n'));
    await Promise.all([bed.startWorkload(ORDERS), bed.startOutside('outside', 9000)]);
    // The TLS policy's Secret, in force until a test deletes it.
    writeSecret(secrets, 'shop/orders-tls', await leaf(await newCa('orders CA'), { dns: ['orders.shop'] }).then((p) => ({ 'tls.crt': p.cert, 'tls.key': p.key })));
    bed.writePolicy('tls.yaml', ORDERS_TLS);
    await scene.start(['--secrets', secrets]);
    fromWeb = await scene.clientIn('web');
    fromCron = await scene.clientIn('cron');
    // Started before any request: what it prints arrived live.
    following = main(['observe', '--server', admin(), '--follow', '-o', 'json'], { stdout: (t) => followed.push(...t.split('\n').filter(Boolean)), stderr: () => {}, signal: stopFollow.signal });
  }, 90_000);

  afterAll(async () => {
    stopFollow.abort();
    await following;
    await scene.stop();
  }, 60_000);

  const flows = async (query: string): Promise<FlowRecord[]> => {
    const res = await fetch(`${admin()}/flows?last=10000&${query}`, { signal: AbortSignal.timeout(5000) });
    return (await res.text()).split('\n').filter(Boolean).map((l) => flowFromJson(JSON.parse(l))).filter((f): f is FlowRecord => typeof f !== 'string');
  };
  /** The flows of one request path, once at least `n` arrived. */
  const flowsOf = (match: (f: FlowRecord) => boolean, what: string, n = 1) =>
    eventually(async () => {
      const found = (await flows('')).filter(match);
      return found.length >= n ? found : undefined;
    }, what, 15_000);
  /** Envoy's stdout lines (the inventory's `accessLog: [flows, stdout]`) of the connections its listeners' default chains closed. */
  const unmatchedLines = () => (bed.envoy?.accessLog ?? []).filter((l) => l.chain === UNMATCHED_CHAIN);
  const http = (path: string, method = 'GET') => (f: FlowRecord) => f.http?.path === path && f.http.method === method;
  const grpc = (method: string) => (f: FlowRecord) => f.grpc?.method === method;
  const send = (protocol: Protocol, port: number, path: string, method?: string) => scene.send({ protocol, url: urlOf(orders.v4, port), path, ...(method ? { method } : {}) });
  const id = (policy: string, tail: string, direction = 'ingress') => `shop/${policy}#spec.${direction}[0].${tail}`;

  it('gives every HTTP and gRPC request exactly one flow with the workloads, the verdict and the rule Envoy decided with', async () => {
    const cases = [
      { call: () => send('http1', 8080, '/v1/orders/7'), match: http('/v1/orders/7'), status: 200, verdict: 'forwarded', policy: 'shop/orders-api', rule: id('orders-api', 'toPorts[0].rules.http[0]') },
      { call: () => send('http1', 8080, '/v1/admin/keys'), match: http('/v1/admin/keys'), status: 403, verdict: 'denied', policy: 'shop/orders-api', rule: id('orders-api', 'toPorts[0].deny.http[0]') },
      { call: () => send('http1', 8080, '/v1/orders', 'POST'), match: http('/v1/orders', 'POST'), status: 403, verdict: 'denied', policy: 'shop/orders-api', rule: '' },
      { call: () => send('http1', 8081, '/v1/legacy/3'), match: http('/v1/legacy/3'), status: 200, verdict: 'audit-denied', policy: 'shop/orders-trial', rule: id('orders-trial', 'toPorts[0].deny.http[0]') },
      { call: () => send('grpc', 9090, '/shop.v1.Orders/Get'), match: grpc('Get'), grpc: 0, grpcStatus: 'OK', verdict: 'forwarded', policy: 'shop/orders-api', rule: id('orders-api', 'toPorts[1].rules.grpc[0]') },
      { call: () => send('grpc', 9090, '/shop.v1.Orders/Delete'), match: grpc('Delete'), grpc: 7, grpcStatus: 'PERMISSION_DENIED', verdict: 'denied', policy: 'shop/orders-api', rule: id('orders-api', 'toPorts[1].deny.grpc[0]') },
    ] as const;
    for (const c of cases) {
      const answer = await c.call();
      if ('status' in c) expect(answer.status).toBe(c.status);
      else expect(answer.grpc?.code).toBe(c.grpc);
    }
    for (const c of cases) {
      const found = await flowsOf(c.match, `the flow of ${c.rule || 'the default deny'}`);
      // Envoy flushes its log every second: a duplicate would have arrived with the first.
      await new Promise((r) => setTimeout(r, 1200));
      expect((await flows('')).filter(c.match)).toHaveLength(1);
      expect(found[0]).toMatchObject({
        node: 'node-a', direction: 'ingress', verdict: c.verdict, policy: c.policy, rule: c.rule,
        source: { address: bed.host4, workload: 'batch', namespace: 'ops', labels: { app: 'batch' } },
        destination: { address: orders.v4, workload: 'orders', namespace: 'shop', labels: { app: 'orders' } },
      });
      if ('grpc' in c) expect(found[0]).toMatchObject({ protocol: 'grpc', grpc: { service: 'shop.v1.Orders', status: c.grpcStatus } });
      else expect(found[0]).toMatchObject({ protocol: 'http', http: { status: c.status, authority: `${orders.v4}:${found[0]?.destination.port}` } });
    }
  });

  it('gives a connection no filter chain accepts exactly one denied TCP flow, and Envoy closes it without an answer', async () => {
    // Envoy's inbound listener takes every address of the node on its own port; no policy covers
    // that port, so the connection falls to the listener's default chain (sluice|unmatched).
    const port = DEFAULT_PORTS.inbound;
    /** One HTTP/1.1 request on a connection of its own, until the peer closes it: what came back. */
    const exchange = (to: number, path: string) => new Promise<{ text: string; local: number }>((resolve, reject) => {
      const socket = net.connect({ host: orders.v4, port: to });
      const chunks: Buffer[] = [];
      let local = 0;
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`the connection to ${to} stayed open`)); }, 5000);
      socket.on('connect', () => {
        local = socket.localPort ?? 0;
        socket.write(`GET ${path} HTTP/1.1\r\nhost: orders\r\nconnection: close\r\n\r\n`);
      });
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => {});
      socket.on('close', () => { clearTimeout(timer); resolve({ text: Buffer.concat(chunks).toString('latin1'), local }); });
    });
    // An allowed request on a connection that then closes: the listener logs every connection it
    // closes, so only the compiler's filter keeps this one from being a TCP flow too.
    expect((await exchange(8080, '/v1/orders/closed')).text).toMatch(/^HTTP\/1\.1 200 /);
    const answer = await exchange(port, '/');
    expect(answer.local).toBeGreaterThan(0); // the connection was accepted (by Envoy), then closed
    expect(answer.text).toBe('');
    const tcp = (f: FlowRecord) => f.protocol === 'tcp';
    await flowsOf(http('/v1/orders/closed'), 'the flow of the closed HTTP connection');
    const found = await flowsOf(tcp, 'the flow of the unmatched connection');
    // Envoy flushes its log every second: a duplicate would have arrived with the first.
    await new Promise((r) => setTimeout(r, 1200));
    // Exactly one TCP flow, although the HTTP connection before it closed on the same listener.
    expect((await flows('')).filter(tcp)).toHaveLength(1);
    expect((await flows('')).filter(http('/v1/orders/closed'))).toMatchObject([{ protocol: 'http', verdict: 'forwarded' }]);
    expect(found[0]).toMatchObject({
      node: 'node-a', direction: 'ingress', protocol: 'tcp', verdict: 'denied', policy: '', rule: '', reason: UNMATCHED_REASON,
      source: { address: bed.host4, port: answer.local, workload: 'batch', namespace: 'ops', labels: { app: 'batch' } },
      destination: { address: orders.v4, port, workload: 'orders', namespace: 'shop', labels: { app: 'orders' } },
    });
    expect(found[0]?.http).toBeUndefined();
    // Envoy's stdout has the same one connection (the listener's stdout log, same filter), not the HTTP one.
    expect(unmatchedLines()).toEqual([expect.objectContaining({ client: `${bed.host4}:${answer.local}`, destination: `${orders.v4}:${port}`, bytes_sent: 0 })]);
    // Every connection-only line (no request fields) is the default chain's: the filter kept the closed HTTP connection out.
    expect((bed.envoy?.accessLog ?? []).filter((l) => 'client' in l && !('path' in l)).map((l) => l.chain)).toEqual([UNMATCHED_CHAIN]);
    const denied = await runCli(['observe', '--server', admin(), '--verdict', 'denied', '--protocol', 'tcp', '-o', 'json']);
    expect(denied.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { destination: { port: number } }).destination.port)).toEqual([port]);
  });

  it('gives a workload\'s connection that no egress chain accepts exactly one denied egress TCP flow, and Envoy closes it without an answer', async () => {
    // web's own process (its cgroup, the node's namespace) connects, from its own address, to
    // Envoy's outbound listener port on orders' address: no egress rule covers that port, so the
    // connect hook leaves it alone and it reaches the outbound listener as it is; no chain of
    // that listener matches the port, so it falls to the default chain (sluice|unmatched).
    const port = DEFAULT_PORTS.outbound;
    const answer = await fromWeb({ protocol: 'http1', url: urlOf(orders.v4, port), path: '/unmatched-egress', localAddress: web.v4 });
    expect(answer.status).toBe(0);
    // Accepted (by Envoy) and closed without a byte: a reset or hang-up, not a refused connect.
    expect(answer.error).toMatch(/socket hang up|ECONNRESET/);
    const egressTcp = (f: FlowRecord) => f.protocol === 'tcp' && f.direction === 'egress';
    const found = await flowsOf(egressTcp, 'the flow of the unmatched egress connection');
    // Envoy flushes its log every second: a duplicate would have arrived with the first.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await flows('')).filter(egressTcp)).toHaveLength(1);
    expect(found[0]).toMatchObject({
      node: 'node-a', direction: 'egress', protocol: 'tcp', verdict: 'denied', policy: '', rule: '', reason: UNMATCHED_REASON,
      source: { address: web.v4, workload: 'web', namespace: 'shop', labels: { app: 'web' } },
      destination: { address: orders.v4, port, workload: 'orders', namespace: 'shop', labels: { app: 'orders' } },
    });
    expect(found[0]?.source.port).toBeGreaterThan(0);
    expect(found[0]?.http).toBeUndefined();
    // No HTTP flow: the request never reached a connection manager.
    expect((await flows('')).filter((f) => f.http?.path === '/unmatched-egress')).toHaveLength(0);
    // Envoy's stdout has it too, after the inbound test's connection: one line per connection.
    expect(unmatchedLines().map((l) => l.destination)).toEqual([`${orders.v4}:${DEFAULT_PORTS.inbound}`, `${orders.v4}:${port}`]);
    expect(unmatchedLines()[1]).toMatchObject({ client: `${web.v4}:${found[0]?.source.port}`, bytes_sent: 0 });
  });

  it('gives a redirected egress connection that no chain accepts (a family the workload has no address of) exactly one denied egress TCP flow', async () => {
    // cron's egress rule covers port 9000, so its IPv6 connect there is redirected to [::1]:15001;
    // cron has no IPv6 address to bind, so it arrives from ::1 and matches no chain (fail closed).
    expect((await fromCron({ protocol: 'http1', url: urlOf(bed.host4, 9000), path: '/cron' })).status).toBe(200);
    const answer = await fromCron({ protocol: 'http1', url: urlOf(bed.host6, 9000), path: '/cron' });
    expect(answer.status).toBe(0);
    expect(answer.error).toMatch(/socket hang up|ECONNRESET/);
    const redirected = (f: FlowRecord) => f.protocol === 'tcp' && f.direction === 'egress' && f.destination.port === 9000;
    const found = await flowsOf(redirected, 'the flow of the redirected unmatched connection');
    await new Promise((r) => setTimeout(r, 1200));
    expect((await flows('')).filter(redirected)).toHaveLength(1);
    // The original destination (restored by the outbound listener), from the loopback: no workload can be named.
    expect(found[0]).toMatchObject({ direction: 'egress', verdict: 'denied', reason: UNMATCHED_REASON, source: { address: '::1' }, destination: { address: bed.host6, port: 9000, workload: 'batch', namespace: 'ops' } });
    expect(found[0]?.source.workload).toBe('');
    // And one line on Envoy's stdout, after the two of the tests before.
    expect(unmatchedLines().slice(2).map((l) => [l.destination, String(l.client).startsWith('[::1]:')])).toEqual([[`[${bed.host6}]:9000`, true]]);
    expect((await flows('')).filter((f) => f.http?.path === '/cron').map((f) => [f.verdict, f.source.workload])).toEqual([['forwarded', 'cron']]);
  });

  it('labels egress flows with the calling workload', async () => {
    expect((await fromWeb({ protocol: 'http1', url: urlOf(bed.host4, 9000), path: '/allowed' })).status).toBe(200);
    expect((await fromWeb({ protocol: 'http1', url: urlOf(bed.host4, 9000), path: '/elsewhere' })).status).toBe(403);
    const allowed = await flowsOf(http('/allowed'), 'the egress flow');
    expect(allowed[0]).toMatchObject({ direction: 'egress', verdict: 'forwarded', rule: id('web-out', 'toPorts[0].rules.http[0]', 'egress'), source: { workload: 'web', namespace: 'shop' }, destination: { workload: 'batch', port: 9000 } });
    expect((await flowsOf(http('/elsewhere'), 'the denied egress flow'))[0]).toMatchObject({ direction: 'egress', verdict: 'denied', rule: '', policy: 'shop/web-out' });
    // Envoy flushes its log every second: a duplicate would have arrived by now.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await flows('direction=egress')).filter((f) => f.http?.path === '/allowed' || f.http?.path === '/elsewhere').map((f) => f.http?.path)).toEqual(['/allowed', '/elsewhere']);
  });

  it('streamed every flow live to sluice observe --follow, and filters as the server does', async () => {
    await eventually(() => (followed.some((l) => l.includes('/v1/legacy/3')) && followed.some((l) => l.includes('/elsewhere')) ? true : undefined), 'observe --follow to print the flows');
    const seen = followed.map((l) => flowFromJson(JSON.parse(l))).filter((f): f is FlowRecord => typeof f !== 'string');
    expect(seen.filter(http('/v1/admin/keys'))).toEqual([expect.objectContaining({ verdict: 'denied' })]);
    const denied = await runCli(['observe', '--server', admin(), '--verdict', 'denied', '--from', 'ops/batch', '--protocol', 'grpc', '-o', 'json']);
    expect(denied.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { grpc: { method: string } }).grpc.method)).toEqual(['Delete']);
  });

  it('counts what Envoy decided in the verdict metrics', async () => {
    const metrics = (await bed.serveAdmin('/metrics')) as string;
    const line = (rule: string, verdict: string) => metrics.split('\n').find((l) => l.startsWith('sluice_policy_verdicts_total{') && l.includes(`rule="${rule}"`) && l.includes(`verdict="${verdict}"`));
    expect(line(id('orders-api', 'toPorts[0].deny.http[0]'), 'denied')).toMatch(/ 1$/);
    expect(line(id('orders-trial', 'toPorts[0].deny.http[0]'), 'audit-denied')).toMatch(/ 1$/);
  });

  it('shows the audit policy\'s would-deny flows in /status and in sluice audit-report', async () => {
    const { policies } = (await bed.serveAdmin('/status')) as { policies: PolicyStatus[] };
    expect(policies.find((p) => p.key === 'shop/orders-trial')).toMatchObject({ state: 'Auditing', audit: { wouldDeny: 1, report: 'sluice audit-report --policy shop/orders-trial' } });
    const report = await runCli(['audit-report', '--policy', 'shop/orders-trial', '--since', '1h', '--allow-incomplete', '--server', admin()]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/^\s+1\s+ops\/batch\s+GET \/v1\/legacy\/3\s+.*shop\/orders-trial#spec\.ingress\[0\]\.toPorts\[0\]\.deny\.http\[0\]$/m);
  });

  it('replays the recorded flows against the trial enforced, and Envoy then does exactly what the replay said', async () => {
    expect((await send('http1', 8081, '/v1/orders/9')).status).toBe(200);
    await flowsOf(http('/v1/orders/9'), 'the allowed trial flow');
    const proposed = path.join(bed.dir, 'proposed');
    fs.mkdirSync(proposed, { recursive: true });
    fs.writeFileSync(path.join(proposed, 'policies.yaml'), [...POLICIES, trial('enforce')].join('---\n'));
    const r = await runCli(['simulate', '--inventory', bed.inventoryFile, '--replay', admin(), '--since', '1h', '-o', 'json', proposed]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { total: number; skipped: number; groups: unknown[] };
    expect(result.skipped).toBe(0);
    expect(result.groups).toEqual([{ from: 'audit-denied', to: 'denied', rule: id('orders-trial', 'toPorts[0].deny.http[0]'), peer: 'ops/batch', what: 'GET /v1/legacy/3', count: 1, approximate: false }]);

    bed.writePolicy('policies.yaml', [...POLICIES, trial('enforce')].join('---\n'));
    await eventually(async () => ((await bed.serveAdmin('/status')) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'shop/orders-trial')?.state === 'Enforced' || undefined, 'the trial to be Enforced', 30_000);
    await inForce(bed);
    expect((await send('http1', 8081, '/v1/legacy/3')).status).toBe(403);
    expect((await send('http1', 8081, '/v1/orders/9')).status).toBe(200);
    const after = await flowsOf(http('/v1/legacy/3'), 'the flow under the enforced trial', 2);
    expect(after.map((f) => [f.verdict, f.rule])).toEqual([
      ['audit-denied', id('orders-trial', 'toPorts[0].deny.http[0]')],
      ['denied', id('orders-trial', 'toPorts[0].deny.http[0]')],
    ]);
    expect((await flowsOf(http('/v1/orders/9'), 'the allowed flows', 2)).map((f) => f.verdict)).toEqual(['forwarded', 'forwarded']);
  }, 60_000);

  it('gives each connection a port refuses because its Secret is missing exactly one denied TCP flow with the policy, the field that named the Secret and why; one stdout line; the replay denies it again', async () => {
    fs.rmSync(path.join(secrets, 'shop', 'orders-tls'), { recursive: true });
    const status = async () => ((await bed.serveAdmin('/status')) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'shop/orders-tls');
    // serve says why the port refuses (the state's name is the controller's; the message names the Secret).
    await eventually(async () => ((await status())?.message.includes('secret shop/orders-tls does not exist') ? true : undefined), 'the TLS policy\'s status to name the missing Secret', 20_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(await status())}`);
    });
    const rule = 'shop/orders-tls#spec.ingress[0].toPorts[0].terminatingTLS.secret';
    const chain = tlsUnavailableChainName('inbound|8443|shop/orders');
    /** One TLS handshake attempt on 8443 (a real ClientHello, so the chain's TLS match applies): its local port, and whether the handshake completed. */
    const attempt = () => new Promise<{ local: number; handshake: boolean }>((resolve) => {
      const socket = net.connect({ host: orders.v4, port: 8443 });
      let local = 0;
      let handshake = false;
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('connect', () => {
        local = socket.localPort ?? 0;
        const client = tls.connect({ socket, servername: 'orders.shop', rejectUnauthorized: false });
        client.on('secureConnect', () => { handshake = true; client.destroy(); });
        client.on('error', () => {});
      });
      socket.on('error', () => {});
      socket.on('close', () => { clearTimeout(timer); resolve({ local, handshake }); });
    });
    // Envoy's own listener has the closing chain in place of the serving one.
    await eventually(async () => (JSON.stringify(await bed.envoy!.configDump('dynamic_listeners')).includes(`"name":"${chain}"`) ? true : undefined), `Envoy's inbound listener to have ${chain}`, 30_000, 250);
    const answer = await attempt();
    expect(answer).toEqual({ local: expect.any(Number), handshake: false });
    expect(answer.local).toBeGreaterThan(0);
    const refusedTls = (f: FlowRecord) => f.protocol === 'tcp' && f.destination.port === 8443;
    const found = await flowsOf(refusedTls, 'the flow of the refused TLS connection');
    // Envoy flushes its log every second: a duplicate would have arrived with the first.
    await new Promise((r) => setTimeout(r, 1200));
    // Exactly one, that connection's: the served handshakes before it were not flows.
    expect((await flows('')).filter(refusedTls).map((f) => f.source.port)).toEqual([answer.local]);
    expect(found[0]).toMatchObject({
      node: 'node-a', direction: 'ingress', protocol: 'tcp', verdict: 'denied', policy: 'shop/orders-tls', rule,
      reason: expect.stringMatching(/^TLS unavailable: secret shop\/orders-tls does not exist/),
      source: { address: bed.host4, port: answer.local, workload: 'batch', namespace: 'ops' },
      destination: { address: orders.v4, port: 8443, workload: 'orders', namespace: 'shop' },
    });
    expect(found[0]?.reason).not.toBe(UNMATCHED_REASON);
    // One line on Envoy's stdout, with the same refusal.
    const lines = (bed.envoy?.accessLog ?? []).filter((l) => l.chain === chain);
    expect(lines).toEqual([expect.objectContaining({ client: `${bed.host4}:${answer.local}`, destination: `${orders.v4}:8443`, bytes_sent: 0, policy: 'shop/orders-tls', rule, reason: found[0]?.reason })]);
    // Replay: the proposal as in force still cannot serve that TLS (simulate has no secret source): denied again, nothing changes, nothing skipped.
    const proposed = path.join(bed.dir, 'proposed-tls');
    fs.mkdirSync(proposed, { recursive: true });
    fs.writeFileSync(path.join(proposed, 'policies.yaml'), [...POLICIES, trial('enforce'), ORDERS_TLS].join('---\n'));
    const again = await runCli(['simulate', '--inventory', bed.inventoryFile, '--replay', admin(), '--since', '1h', '-o', 'json', proposed]);
    // The only change is the trial's (enforced in this proposal, as in the test before).
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: 0, groups: [{ from: 'audit-denied', to: 'denied', rule: id('orders-trial', 'toPorts[0].deny.http[0]'), count: 1 }] });
    // A plain port instead: the connection would be served, its requests are unknown: not replayed.
    fs.writeFileSync(path.join(proposed, 'policies.yaml'), [...POLICIES, trial('enforce'), ORDERS_TLS.replace(/^ {10}terminatingTLS: .*\n/m, '')].join('---\n'));
    const plain = await runCli(['simulate', '--inventory', bed.inventoryFile, '--replay', admin(), '--since', '1h', '-o', 'json', proposed]);
    expect(JSON.parse(plain.stdout)).toMatchObject({ skipped: 1, groups: [{ rule: id('orders-trial', 'toPorts[0].deny.http[0]') }] });
  }, 90_000);
});
