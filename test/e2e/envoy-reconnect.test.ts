/**
 * Real Envoy (1.40) across control-plane restarts, once over SotW ADS (`api_type: GRPC`) and once
 * over Delta ADS (`DELTA_GRPC`, the bootstrap's default). A proxy that reconnects holding the versions
 * it already has is sent nothing — Envoy's own `update_success` counters do not move, the policy
 * stays Enforced — while what changed (before or after the restart) still arrives, and what
 * Envoy needs to finish warming (EDS for a cluster CDS re-created, RDS after LDS) is answered
 * within a couple of seconds, not after its 15 s initial_fetch_timeout.
 *
 * "Nothing arrives" is asserted after a positive signal (the new server saw Envoy's stream and
 * resumed every type, and Envoy's control_plane.connected_state is 1) plus a bounded wait.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { Envoy, type Stats } from '../../bench/envoy/process.js';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { encodeMessage } from '../../envoy-api/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type ResourceInput, type ShortName, type Snapshot, type XdsEvent } from '../../xds-server/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';

/** How long "nothing arrives" is watched for, after the positive signal. */
const QUIET_MS = 1500;
/** Warming must finish well before Envoy's initial_fetch_timeout (15 s) would end it. */
const WARM_MS = 3000;
const TYPES: readonly ShortName[] = ['CDS', 'EDS', 'LDS', 'RDS', 'SDS', 'KAFKA'];
const XDS_APIS = ['sotw', 'delta'] as const;

/**
 * Envoy's `update_success` for the re-created cluster after one EDS response: SotW, 1. Delta: the
 * response reaches the successor and, when it arrives before the old cluster is gone, the old one
 * too (one stat name): 1 or 2 — still one response, which the responses check pins.
 */
const edsUpdates = (api: 'sotw' | 'delta'): unknown => (api === 'sotw' ? 1 : { asymmetricMatch: (n: unknown) => n === 1 || n === 2, toString: () => 'OneOf<1, 2>' });

const quiet = () => new Promise((r) => setTimeout(r, QUIET_MS));

/** Envoy's counters that move when it applies an xDS update (and the ones that say what it rebuilt). */
function updateCounters(stats: Stats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of stats) {
    if (/(^|\.)(update_success|update_rejected)$/.test(name) || /^(listener_manager\.listener_(added|modified|removed)|cluster_manager\.cluster_(added|modified|removed))$/.test(name)) out[name] = value;
  }
  return out;
}

/** The counters that differ between two readings. */
function moved(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[name] ?? 0) - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

const responsesBy = (xds: XdsServer) => Object.fromEntries(TYPES.map((t) => [t, xds.metrics.responses.get({ type: t })]).filter(([, n]) => n !== 0));

// ---- 1. `sluice serve` restarts ----

const inventory = (node: string, inbound: number, outbound: number) => `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies:
  - { node: ${node}, inboundPort: ${inbound}, outboundPort: ${outbound} }
workloads:
  - { name: orders, namespace: shop, labels: { app: orders, tier: api }, addresses: [10.1.0.7], ports: [ { port: 8080, name: http } ], proxy: { node: ${node} } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.1.0.9], ports: [ { port: 80, name: http } ], proxy: { node: ${node} } }
`;

/** The example policy with extra HTTP rules appended (each a new RBAC policy id in Envoy's config). */
function ordersPolicy(extraPaths: readonly string[]): string {
  const example = fs.readFileSync(path.resolve('examples/policies/orders-api.yaml'), 'utf8');
  const extra = extraPaths.map((p) => `              - { method: GET, path: { exact: ${p} } }\n`).join('');
  return example.replace('            grpc:\n', `${extra}            grpc:\n`);
}

for (const api of XDS_APIS) describeEnvoy(`real Envoy across \`sluice serve\` restarts (${api})`, () => {
  const node = 'node-restart';
  let dir: string;
  let policyFile: string;
  let serving: Serving | undefined;
  let envoy: Envoy | undefined;
  let xdsPort = 0;

  const serve = async (port: number) =>
    startServe({
      policies: path.join(dir, 'policies'),
      inventory: path.join(dir, 'inventory.yaml'),
      xds: { host: '127.0.0.1', port },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      debounceMs: 50,
    });
  const live = (): Serving => {
    if (!serving) throw new Error('sluice is not serving');
    return serving;
  };
  const proxy = (): Envoy => {
    if (!envoy) throw new Error('Envoy is not running');
    return envoy;
  };
  const policy = async (): Promise<PolicyStatus | undefined> =>
    ((await (await fetch(`http://127.0.0.1:${live().adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'shop/orders-api');
  const enforced = () =>
    eventually(async () => {
      const s = await policy();
      if (s?.state === 'Rejected') throw new Error(`Envoy rejected the configuration: ${s.message}`);
      return s?.state === 'Enforced';
    }, 'the policy to be Enforced', 30_000);
  const versions = (s: Serving) => Object.fromEntries(TYPES.map((t) => [t, s.cache.view(node).version(TYPE_URL[t])]));
  const ruleIds = async (): Promise<string[]> => [...JSON.stringify((await proxy().configDump()).configs).matchAll(/shop\/orders-api#[^"]+/g)].map((m) => m[0]);

  /** Stops sluice, lets `whileDown` edit its inputs, starts it again on the same xDS port and waits for Envoy's stream. */
  async function restart(whileDown: () => void = () => undefined): Promise<XdsEvent[]> {
    await live().close();
    serving = undefined;
    whileDown();
    serving = await serve(xdsPort);
    const events: XdsEvent[] = [];
    serving.xds.on((e) => events.push(e));
    await eventually(() => serving?.xds.nodeStatus(node)?.connected, 'Envoy to reconnect', 30_000);
    // Envoy's first requests on the new stream: CDS, LDS and RDS are each answered or resumed.
    await eventually(() => ['CDS', 'LDS', 'RDS'].every((t) => serving?.xds.nodeStatus(node)?.streams[0]?.types.some((s) => s.type === t && (s.lastSent || s.lastAcked))), 'Envoy to ask for every type', 30_000);
    await proxy().until(async () => (await proxy().stat('control_plane.connected_state')) === 1, 'Envoy to say it is connected');
    return events;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-envoy-reconnect-'));
    fs.mkdirSync(path.join(dir, 'policies'));
    policyFile = path.join(dir, 'policies', 'orders-api.yaml');
    fs.writeFileSync(policyFile, ordersPolicy([]));
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), inventory(node, await freePort(), await freePort()));
    serving = await serve(0);
    xdsPort = serving.xdsPort;
    envoy = await Envoy.start({ node, xds: { host: '127.0.0.1', port: xdsPort }, admin: { host: '127.0.0.1', port: await freePort() }, xdsApi: api });
  });

  afterAll(async () => {
    await envoy?.stop();
    await serving?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Envoy ACKs every type: the policy is Enforced', async () => {
    await enforced();
    expect(await proxy().state()).toBe('LIVE');
    expect(live().xds.nodeStatus(node)?.streams.map((s) => s.api)).toEqual([api]);
  });

  it('a restart with unchanged inputs sends Envoy nothing: its update counters do not move, the policy stays Enforced', async () => {
    const before = updateCounters(await proxy().stats());
    const oldVersions = versions(live());
    const events = await restart();
    // Content-hash versions: the new process serves exactly the versions Envoy holds.
    expect(versions(live())).toEqual(oldVersions);
    await quiet();
    const after = updateCounters(await proxy().stats());
    expect(moved(before, after)).toEqual({});
    expect(Object.keys(before).filter((n) => /^http\..*\.rds\..*\.update_success$/.test(n))).not.toEqual([]);
    expect(responsesBy(live().xds)).toEqual({});
    expect(events.filter((e) => e.kind === 'resume').map((e) => (e.kind === 'resume' ? e.type : '')).sort()).toEqual(['CDS', 'LDS', 'RDS']);
    await enforced();
    expect((await policy())?.targets.map((t) => t.state)).toEqual(expect.arrayContaining(['acked']));
  });

  it('a policy edit after the reconnect reaches Envoy (RDS only: the rules ride on the route, the listener is untouched)', async () => {
    const before = updateCounters(await proxy().stats());
    fs.writeFileSync(policyFile, ordersPolicy(['/v1/after-restart']));
    await proxy().until(async () => (await ruleIds()).includes('shop/orders-api#spec.ingress[0].toPorts[0].rules.http[2]'), 'the new rule in Envoy\'s config', 15_000);
    await enforced();
    const delta = moved(before, updateCounters(await proxy().stats()));
    expect(delta).toEqual({ 'http.inbound_8080_shop_orders.rds.inbound|8080|shop/orders.update_success': 1 });
  });

  it('a restart after an edit made while sluice was down sends exactly the changed type', async () => {
    const before = updateCounters(await proxy().stats());
    await restart(() => fs.writeFileSync(policyFile, ordersPolicy(['/v1/after-restart', '/v1/while-down'])));
    await proxy().until(async () => (await ruleIds()).includes('shop/orders-api#spec.ingress[0].toPorts[0].rules.http[3]'), 'the rule written while sluice was down', 15_000);
    await quiet();
    expect(moved(before, updateCounters(await proxy().stats()))).toEqual({ 'http.inbound_8080_shop_orders.rds.inbound|8080|shop/orders.update_success': 1 });
    expect(responsesBy(live().xds)).toEqual({ RDS: 1 });
    await enforced();
    expect(await proxy().stat('listener_manager.total_listeners_warming')).toBe(0);
  });
});

// ---- 2. Warming, at the xDS server with hand-built resources (sluice emits no EDS cluster for Envoy nodes) ----

const ADS = { ads: {}, resource_api_version: 'V3' };
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

interface Shape {
  /** The EDS cluster's connect timeout: changing it makes Envoy re-create (and re-warm) the cluster. */
  readonly connectTimeoutS: number;
  /** The listener's stat prefix: changing it makes Envoy replace (and re-warm) the listener. */
  readonly statPrefix: string;
  readonly listenPort: number;
  /** A second listener, on this port, with a route configuration of its own (rc2). */
  readonly secondListenerPort?: number;
}

const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

function listener(name: string, port: number, statPrefix: string, rc: string): ResourceInput {
  return {
    typeUrl: TYPE_URL.LDS,
    name,
    body: encodeMessage('envoy.config.listener.v3.Listener', {
      name,
      address: { socket_address: { address: '127.0.0.1', port_value: port } },
      filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, stat_prefix: statPrefix, rds: { route_config_name: rc, config_source: ADS }, http_filters: [ROUTER] } }] }],
    }),
    references: [{ typeUrl: TYPE_URL.RDS, name: rc }],
  };
}

function routes(name: string): ResourceInput {
  return {
    typeUrl: TYPE_URL.RDS,
    name,
    body: encodeMessage('envoy.config.route.v3.RouteConfiguration', { name, virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'svc' } }] }] }),
  };
}

function resources(s: Shape): ResourceInput[] {
  return [
    {
      typeUrl: TYPE_URL.CDS,
      name: 'svc',
      body: encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'svc', type: 'EDS', eds_cluster_config: { eds_config: ADS, service_name: 'svc' }, connect_timeout: { seconds: s.connectTimeoutS } }),
      references: [{ typeUrl: TYPE_URL.EDS, name: 'svc' }],
    },
    {
      typeUrl: TYPE_URL.EDS,
      name: 'svc',
      body: encodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', { cluster_name: 'svc', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9 } } } }] }] }),
    },
    listener('l1', s.listenPort, s.statPrefix, 'rc1'),
    routes('rc1'),
    ...(s.secondListenerPort !== undefined ? [listener('l2', s.secondListenerPort, 'in_second', 'rc2'), routes('rc2')] : []),
  ];
}

function snapshotOf(s: Shape): Snapshot {
  const r = createSnapshot(resources(s));
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.snapshot;
}

for (const api of XDS_APIS) describeEnvoy(`real Envoy warms what a reconnect re-created (${api})`, () => {
  const node = 'node-warm';
  let server: XdsServer | undefined;
  let cache: SnapshotCache | undefined;
  let envoy: Envoy | undefined;
  let port = 0;
  let shape: Shape;
  let events: XdsEvent[] = [];

  const proxy = (): Envoy => {
    if (!envoy) throw new Error('Envoy is not running');
    return envoy;
  };
  const xds = (): XdsServer => {
    if (!server) throw new Error('no xDS server');
    return server;
  };
  async function serveAt(at: number, s: Shape): Promise<number> {
    cache = new SnapshotCache();
    cache.set(node, snapshotOf(s));
    server = new XdsServer({ cache });
    const mine: XdsEvent[] = [];
    events = mine;
    server.on((e) => mine.push(e));
    return server.listen(`127.0.0.1:${at}`);
  }
  const warm = async () => (await proxy().stat('cluster_manager.warming_clusters')) === 0 && (await proxy().stat('listener_manager.total_listeners_warming')) === 0 && (await proxy().state()) === 'LIVE';

  /** Restarts the xDS server with `next` and waits until Envoy's stream is back and has asked for every type. */
  async function restart(next: Shape): Promise<number> {
    await xds().close();
    shape = next;
    await serveAt(port, next);
    await eventually(() => xds().nodeStatus(node)?.connected, 'Envoy to reconnect', 30_000);
    await eventually(() => TYPES.slice(0, 4).every((t) => xds().nodeStatus(node)?.streams[0]?.types.some((s) => s.type === t && (s.lastSent || s.lastAcked))), 'Envoy to ask for every type', 30_000);
    const at = Date.now();
    await proxy().until(async () => (await proxy().stat('control_plane.connected_state')) === 1, 'Envoy to say it is connected');
    return at;
  }

  beforeAll(async () => {
    shape = { connectTimeoutS: 5, statPrefix: 'in_v1', listenPort: await freePort() };
    port = await serveAt(0, shape);
    envoy = await Envoy.start({ node, xds: { host: '127.0.0.1', port }, admin: { host: '127.0.0.1', port: await freePort() }, xdsApi: api });
  });

  afterAll(async () => {
    await envoy?.stop();
    await server?.close();
  });

  it('connects, warms the EDS cluster and the RDS listener, ACKs every type', async () => {
    await proxy().until(warm, 'Envoy to be LIVE with nothing warming');
    await eventually(() => ['CDS', 'EDS', 'LDS', 'RDS'].every((t) => xds().nodeStatus(node)?.types.some((s) => s.type === t && s.lastAck)), 'four ACKs');
    expect(await proxy().stat('cluster.svc.membership_total')).toBe(1);
  });

  it('without a restart, a changed listener that keeps its route name needs no RDS: LDS only, and it warms at once', async () => {
    const before = updateCounters(await proxy().stats());
    const sent = responsesBy(xds());
    shape = { ...shape, statPrefix: `${shape.statPrefix}-x` };
    const at = Date.now();
    cache?.set(node, snapshotOf(shape));
    await proxy().until(async () => (await proxy().stat('listener_manager.listener_modified')) > (before['listener_manager.listener_modified'] ?? 0) && (await warm()), 'the new listener to warm', 20_000);
    expect(Date.now() - at).toBeLessThan(WARM_MS);
    await quiet();
    expect(moved(before, updateCounters(await proxy().stats()))).toEqual({ 'listener_manager.lds.update_success': 1, 'listener_manager.listener_modified': 1 });
    expect(moved(sent, responsesBy(xds()))).toEqual({ LDS: 1 });
  });

  it(`without a restart, a changed EDS cluster warms at once too (${api === 'sotw' ? 'the EDS request after CDS is answered' : 'its endpoints follow the CDS response'})`, async () => {
    const before = updateCounters(await proxy().stats());
    const sent = responsesBy(xds());
    shape = { ...shape, connectTimeoutS: 4 };
    const at = Date.now();
    cache?.set(node, snapshotOf(shape));
    await proxy().until(async () => (await proxy().stat('cluster_manager.cluster_modified')) > (before['cluster_manager.cluster_modified'] ?? 0) && (await warm()), 'the re-created cluster to warm', 20_000);
    expect(Date.now() - at).toBeLessThan(WARM_MS);
    await quiet();
    expect(moved(before, updateCounters(await proxy().stats()))).toEqual({ 'cluster_manager.cds.update_success': 1, 'cluster_manager.cluster_modified': 1, 'cluster.svc.update_success': edsUpdates(api) });
    expect(moved(sent, responsesBy(xds()))).toEqual({ CDS: 1, EDS: 1 });
  });

  it('a restart with nothing changed sends nothing', async () => {
    const before = updateCounters(await proxy().stats());
    await restart(shape);
    await eventually(() => events.filter((e) => e.kind === 'resume').length === 4, 'four resumes');
    await quiet();
    expect(moved(before, updateCounters(await proxy().stats()))).toEqual({});
    expect(responsesBy(xds())).toEqual({});
  });

  it('a restart with a changed EDS cluster: Envoy re-creates it and it warms at once (its EDS request is answered)', async () => {
    const before = updateCounters(await proxy().stats());
    const at = await restart({ ...shape, connectTimeoutS: 6 });
    await proxy().until(async () => (await proxy().stat('cluster_manager.cluster_modified')) > (before['cluster_manager.cluster_modified'] ?? 0) && (await warm()), 'the re-created cluster to warm', 20_000);
    const took = Date.now() - at;
    await quiet();
    const delta = moved(before, updateCounters(await proxy().stats()));
    expect({ took: took < WARM_MS, delta }).toEqual({ took: true, delta: { 'cluster_manager.cds.update_success': 1, 'cluster_manager.cluster_modified': 1, 'cluster.svc.update_success': edsUpdates(api) } });
    expect(responsesBy(xds())).toEqual({ CDS: 1, EDS: 1 });
    expect(await proxy().stat('cluster.svc.membership_total')).toBe(1);
  });

  it('a restart with a changed listener: Envoy replaces it and it warms at once', async () => {
    const before = updateCounters(await proxy().stats());
    const at = await restart({ ...shape, statPrefix: 'in_v2' });
    await proxy().until(async () => (await proxy().stat('listener_manager.listener_modified')) > (before['listener_manager.listener_modified'] ?? 0) && (await warm()), 'the new listener to warm', 20_000);
    const took = Date.now() - at;
    await quiet();
    const delta = moved(before, updateCounters(await proxy().stats()));
    expect({ took: took < WARM_MS, delta }).toEqual({ took: true, delta: { 'listener_manager.lds.update_success': 1, 'listener_manager.listener_modified': 1 } });
    expect(responsesBy(xds())).toEqual({ LDS: 1 });
  });

  it('a restart with a listener added: its new route configuration is asked for, answered, and it warms at once', async () => {
    const before = updateCounters(await proxy().stats());
    const at = await restart({ ...shape, secondListenerPort: await freePort() });
    await proxy().until(async () => (await proxy().stat('listener_manager.listener_added')) > (before['listener_manager.listener_added'] ?? 0) && (await warm()), 'the new listener to warm', 20_000);
    const took = Date.now() - at;
    await quiet();
    const delta = moved(before, updateCounters(await proxy().stats()));
    // SotW: its RDS request names rc1 and rc2, a subscription change answered with the whole
    // subscribed set (rc1 too). Delta: it subscribes to rc2, and is sent rc2 alone.
    expect({ took: took < WARM_MS, delta }).toEqual({
      took: true,
      delta: {
        'listener_manager.lds.update_success': 1,
        'listener_manager.listener_added': 1,
        'http.in_second.rds.rc2.update_success': 1,
        ...(api === 'sotw' ? { 'http.in_v1.rds.rc1.update_success': 1 } : {}),
      },
    });
    expect(responsesBy(xds())).toEqual({ LDS: 1, RDS: 1 });
  });
});
