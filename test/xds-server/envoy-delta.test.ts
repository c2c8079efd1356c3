/**
 * Real Envoy (1.40) on the Delta protocol rules this server added after the first Delta release,
 * judged by Envoy's own counters and gauges:
 *
 * 1. A name Envoy subscribes to that does not exist (an EDS cluster's endpoints not published yet)
 *    is reported in `removed_resources`: Envoy finishes warming the cluster at once, empty
 *    (`update_empty`), instead of waiting for its 15 s initial_fetch_timeout; the name stays
 *    subscribed, and when the endpoints appear they are sent and applied.
 * 2. Envoy booted with per-type Delta config sources (`api_config_source: {api_type: DELTA_GRPC}`
 *    for CDS, EDS, LDS and RDS, no ADS) is served by the per-type Delta services
 *    (DeltaClusters, DeltaEndpoints, DeltaListeners, DeltaRoutes): it ACKs every type, its
 *    cluster and listener warm, and a change reaches it.
 */
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { Envoy } from '../../bench/envoy/process.js';
import { encodeMessage } from '../../envoy-api/index.js';
import { envoyBootstrap } from '../../policy-compiler/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type ResourceInput, type Snapshot } from '../../xds-server/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';

/** Warming must end well before Envoy's initial_fetch_timeout (15 s) would end it. */
const WARM_MS = 3000;
const ADS = { ads: {}, resource_api_version: 'V3' };
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

function cluster(name: string, source: unknown, connectTimeoutS = 5): ResourceInput {
  // No declared reference: the snapshot may hold a cluster whose endpoints are not published yet.
  return { typeUrl: TYPE_URL.CDS, name, body: encodeMessage('envoy.config.cluster.v3.Cluster', { name, type: 'EDS', eds_cluster_config: { eds_config: source, service_name: name }, connect_timeout: { seconds: connectTimeoutS } }) };
}

function endpoints(name: string, ports: readonly number[]): ResourceInput {
  return {
    typeUrl: TYPE_URL.EDS,
    name,
    body: encodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', { cluster_name: name, endpoints: [{ lb_endpoints: ports.map((p) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } } })) }] }),
  };
}

function listener(name: string, port: number, rc: string, source: unknown): ResourceInput {
  return {
    typeUrl: TYPE_URL.LDS,
    name,
    body: encodeMessage('envoy.config.listener.v3.Listener', {
      name,
      address: { socket_address: { address: '127.0.0.1', port_value: port } },
      filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, stat_prefix: 'in', rds: { route_config_name: rc, config_source: source }, http_filters: [ROUTER] } }] }],
    }),
    references: [{ typeUrl: TYPE_URL.RDS, name: rc }],
  };
}

function routes(name: string, clusterName: string): ResourceInput {
  return {
    typeUrl: TYPE_URL.RDS,
    name,
    body: encodeMessage('envoy.config.route.v3.RouteConfiguration', { name, virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: clusterName } }] }] }),
  };
}

function snapshotOf(resources: readonly ResourceInput[]): Snapshot {
  const r = createSnapshot(resources);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.snapshot;
}

/** One xDS server with one node's snapshot, and Envoy booted against it. */
function bed(node: string, bootstrap?: (xdsPort: number, adminPort: number) => Readonly<Record<string, unknown>>) {
  const s = { cache: new SnapshotCache(), server: undefined as XdsServer | undefined, envoy: undefined as Envoy | undefined };
  const proxy = (): Envoy => {
    if (!s.envoy) throw new Error('Envoy is not running');
    return s.envoy;
  };
  const xds = (): XdsServer => {
    if (!s.server) throw new Error('no xDS server');
    return s.server;
  };
  const start = async (first: readonly ResourceInput[]) => {
    s.cache.set(node, snapshotOf(first));
    s.server = new XdsServer({ cache: s.cache });
    const port = await s.server.listen('127.0.0.1:0');
    const admin = await freePort();
    s.envoy = await Envoy.start({ node, xds: { host: '127.0.0.1', port }, admin: { host: '127.0.0.1', port: admin }, xdsApi: 'delta', ...(bootstrap ? { bootstrap: bootstrap(port, admin) } : {}) });
  };
  const stop = async () => {
    await s.envoy?.stop();
    await s.server?.close();
  };
  return { cache: s.cache, proxy, xds, start, stop };
}

describeEnvoy('real Envoy, Delta ADS: a subscribed name that does not exist', () => {
  const node = 'node-missing';
  const b = bed(node);
  let at = 0;

  beforeAll(async () => {
    at = Date.now();
    await b.start([cluster('later', ADS)]);
  });
  afterAll(async () => b.stop());

  it('is reported missing: Envoy warms the cluster at once, empty, instead of waiting for its initial_fetch_timeout', async () => {
    const p = b.proxy();
    await p.until(async () => (await p.stat('cluster.later.update_empty')) >= 1 && (await p.stat('cluster_manager.warming_clusters')) === 0 && (await p.state()) === 'LIVE', 'the cluster to warm', 20_000);
    expect(Date.now() - at).toBeLessThan(WARM_MS + 5000); // Envoy's own start-up included
    expect(await p.stat('cluster.later.membership_total')).toBe(0);
    const eds = b.xds().nodeStatus(node)?.streams[0]?.types.find((t) => t.type === 'EDS');
    expect(eds?.subscription).toEqual({ wildcard: false, names: ['later'] });
    expect(eds?.lastSent).toMatchObject({ count: 0, removed: 1 });
  });

  it('stays subscribed: when the endpoints are published they are sent, applied, and nothing else moves', async () => {
    const p = b.proxy();
    const sent = b.xds().metrics.responses.get({ type: 'EDS' });
    b.cache.set(node, snapshotOf([cluster('later', ADS), endpoints('later', [9])]));
    await p.until(async () => (await p.stat('cluster.later.membership_total')) === 1, 'the endpoints to arrive', 10_000);
    expect(await p.stat('cluster.later.update_success')).toBeGreaterThanOrEqual(1);
    expect(b.xds().metrics.responses.get({ type: 'EDS' }) - sent).toBe(1);
    await eventually(() => b.xds().nodeStatus(node)?.types.find((t) => t.type === 'EDS')?.lastAck?.resources['later'] !== undefined, 'the EDS ACK');
  });
});

/** A config source of its own for each type: Envoy's per-type Delta gRPC subscription. */
const deltaSource = { api_config_source: { api_type: 'DELTA_GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'sluice_xds' } }], set_node_on_first_message_only: true }, resource_api_version: 'V3' };

describeEnvoy('real Envoy on the per-type Delta services (no ADS)', () => {
  const node = 'node-per-type-delta';
  const b = bed(node, (port, admin) => {
    const boot = envoyBootstrap({ node, cluster: 'sluice', xds: { host: '127.0.0.1', port }, admin: { host: '127.0.0.1', port: admin } }) as unknown as Record<string, unknown>;
    return { ...boot, dynamic_resources: { lds_config: deltaSource, cds_config: deltaSource } };
  });
  let listenPort = 0;
  const resources = (ports: readonly number[]) => [cluster('svc', deltaSource), endpoints('svc', ports), listener('l1', listenPort, 'rc1', deltaSource), routes('rc1', 'svc')];

  beforeAll(async () => {
    listenPort = await freePort();
    await b.start(resources([9]));
  });
  afterAll(async () => b.stop());

  it('opens one Delta stream per type, ACKs each, and its cluster and listener warm', async () => {
    const p = b.proxy();
    await p.until(async () => (await p.stat('cluster_manager.warming_clusters')) === 0 && (await p.stat('listener_manager.total_listeners_active')) === 1 && (await p.state()) === 'LIVE', 'Envoy to be LIVE with its listener active', 20_000);
    expect(await p.stat('cluster.svc.membership_total')).toBe(1);
    expect(await p.stat('http.in.rds.rc1.update_success')).toBe(1);
    await eventually(() => ['CDS', 'EDS', 'LDS', 'RDS'].every((t) => b.xds().nodeStatus(node)?.types.some((s) => s.type === t && s.lastAck)), 'four ACKs');
    const streams = b.xds().nodeStatus(node)?.streams ?? [];
    expect(streams.map((s) => s.transport).sort()).toEqual(['DELTA_CDS', 'DELTA_EDS', 'DELTA_LDS', 'DELTA_RDS']);
    expect(streams.every((s) => s.api === 'delta' && s.types.length === 1)).toBe(true);
  });

  it('a change reaches it on its type stream alone', async () => {
    const p = b.proxy();
    const before = await p.stat('cluster.svc.update_success');
    b.cache.set(node, snapshotOf(resources([9, 10])));
    await p.until(async () => (await p.stat('cluster.svc.membership_total')) === 2, 'the new endpoint', 10_000);
    expect((await p.stat('cluster.svc.update_success')) - before).toBe(1);
    expect(await p.stat('http.in.rds.rc1.update_success')).toBe(1);
  });
});
