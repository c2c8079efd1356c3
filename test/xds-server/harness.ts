/**
 * Test peers for the xDS server: a raw `@grpc/grpc-js` xDS client (the protocol seam) that sends
 * DiscoveryRequests built with envoy-api and decodes every DiscoveryResponse, and resource fixtures.
 */
import * as grpc from '@grpc/grpc-js';
import { eventually } from '../support/poll.js';
import { RawStream } from './raw-stream.js';
import { encodeMessage, messageType } from '../../envoy-api/index.js';
import { Registry } from '../../telemetry/index.js';
import {
  createSnapshot,
  SnapshotCache,
  TYPE_URL,
  typeInfo,
  XdsServer,
  type ResourceInput,
  type ShortName,
  type Snapshot,
  type TypeUrl,
  type XdsEvent,
  type XdsLimits,
} from '../../xds-server/index.js';

export const T = TYPE_URL;

// ---- fixtures: real Envoy resources encoded with envoy-api ----

const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' };

export function cluster(name: string, edsName = name): ResourceInput {
  return {
    typeUrl: T.CDS,
    name,
    body: encodeMessage('envoy.config.cluster.v3.Cluster', { name, type: 'EDS', eds_cluster_config: { eds_config: ADS_SOURCE, service_name: edsName }, lb_policy: 'ROUND_ROBIN' }),
    references: [{ typeUrl: T.EDS, name: edsName }],
  };
}

export function endpoints(name: string, ports: readonly number[], host = '127.0.0.1'): ResourceInput {
  return {
    typeUrl: T.EDS,
    name,
    body: encodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', {
      cluster_name: name,
      endpoints: [
        {
          locality: { region: 'r1', zone: 'z1' },
          load_balancing_weight: { value: 1 },
          lb_endpoints: ports.map((p) => ({ endpoint: { address: { socket_address: { address: host, port_value: p } } }, health_status: 'HEALTHY' })),
        },
      ],
    }),
  };
}

export function routeConfig(name: string, clusterName: string): ResourceInput {
  return {
    typeUrl: T.RDS,
    name,
    body: encodeMessage('envoy.config.route.v3.RouteConfiguration', {
      name,
      virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: clusterName } }] }],
    }),
  };
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

/** A client-side (API) listener, as proxyless gRPC clients resolve `xds:///name`. */
export function apiListener(name: string, rc: string, tag = ''): ResourceInput {
  return {
    typeUrl: T.LDS,
    name,
    body: encodeMessage('envoy.config.listener.v3.Listener', {
      name,
      api_listener: { api_listener: { '@type': HCM, stat_prefix: `${name}${tag}`, rds: { route_config_name: rc, config_source: ADS_SOURCE }, http_filters: [ROUTER] } },
    }),
    references: [{ typeUrl: T.RDS, name: rc }],
  };
}

export const SERVER_LISTENER_PREFIX = 'grpc/server?xds.resource.listening_address=';

/** A proxyless gRPC server's Listener with an RBAC filter (`action` DENY or ALLOW or LOG). */
export function serverListener(host: string, port: number, paths: readonly string[], action: 'DENY' | 'ALLOW' | 'LOG' = 'DENY'): ResourceInput {
  const name = `${SERVER_LISTENER_PREFIX}${host}:${port}`;
  const rbac = {
    name: 'envoy.filters.http.rbac',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
      rules: { action, policies: { p: { permissions: paths.map((p) => ({ url_path: { path: { exact: p } } })), principals: [{ any: true }] } } },
    },
  };
  return {
    typeUrl: T.LDS,
    name,
    body: encodeMessage('envoy.config.listener.v3.Listener', {
      name,
      address: { socket_address: { address: host, port_value: port } },
      filter_chains: [
        {
          name: 'fc0',
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': HCM,
                stat_prefix: 'inbound',
                route_config: { name: 'inbound', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '' }, non_forwarding_action: {} }] }] },
                http_filters: [rbac, ROUTER],
              },
            },
          ],
        },
      ],
    }),
  };
}

export function secret(name: string, value = 'x'): ResourceInput {
  return {
    typeUrl: T.SDS,
    name,
    body: encodeMessage('envoy.extensions.transport_sockets.tls.v3.Secret', { name, generic_secret: { secret: { inline_string: value } } }),
  };
}

/** Two clusters with endpoints, two API listeners with their routes, and a secret: what the conformance tests start from. */
export function baseResources(port = 80): ResourceInput[] {
  return [cluster('c1'), endpoints('c1', [port]), cluster('c2'), endpoints('c2', [90]), apiListener('l1', 'rc1'), routeConfig('rc1', 'c1'), apiListener('l2', 'rc2'), routeConfig('rc2', 'c2'), secret('s1')];
}

/** baseResources and a Kafka policy: what the SotW tests start from (every type sluice serves). */
export function baseResourcesWithKafka(port = 80): ResourceInput[] {
  return [...baseResources(port), kafkaPolicy('k1')];
}

/** The resources without one of them. */
export function withoutResource(rs: readonly ResourceInput[], type: keyof typeof TYPE_URL, name: string): ResourceInput[] {
  return rs.filter((r) => !(r.typeUrl === TYPE_URL[type] && r.name === name));
}


/** The Kafka enforcer's type: the server only moves its bytes, so the fixture is opaque bytes. */
const kafkaNames = new Map<string, string>();
export function kafkaPolicy(name: string, value = 'v1'): ResourceInput {
  const body = Buffer.from(`kafka-policy ${name} ${value}`);
  kafkaNames.set(body.toString('base64'), name);
  return { typeUrl: T.KAFKA, name, body };
}

// ---- the raw client ----

export interface Request {
  readonly type: ShortName | string;
  readonly node?: string | null;
  readonly names?: readonly string[];
  readonly version?: string;
  readonly nonce?: string;
  readonly error?: string;
}

export interface Response {
  readonly type: ShortName | string;
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  /** Resource names, in the order sent. */
  readonly names: readonly string[];
  readonly bodies: readonly Uint8Array[];
  readonly bytes: number;
}

const NAME_FIELD: Record<string, string> = { EDS: 'cluster_name' };

function resourceName(typeUrl: string, body: Uint8Array): string {
  const info = typeInfo(typeUrl);
  if (!info) return '?';
  if (info.short === 'KAFKA') return kafkaNames.get(Buffer.from(body).toString('base64')) ?? '?';
  const msg = messageType(info.message).decode(body) as unknown as Record<string, unknown>;
  return String(msg[NAME_FIELD[info.short] ?? 'name'] ?? '?');
}

export function decodeResponse(buf: Buffer): Response {
  const msg = messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(buf) as unknown as {
    version_info: string;
    type_url: string;
    nonce: string;
    resources: { type_url: string; value: Uint8Array }[];
  };
  const info = typeInfo(msg.type_url);
  for (const r of msg.resources) if (r.type_url !== msg.type_url) throw new Error(`resource of type ${r.type_url} in a ${msg.type_url} response`);
  return {
    type: info?.short ?? msg.type_url,
    typeUrl: msg.type_url,
    version: msg.version_info,
    nonce: msg.nonce,
    names: msg.resources.map((r) => resourceName(msg.type_url, r.value)),
    bodies: msg.resources.map((r) => r.value),
    bytes: buf.length,
  };
}

export function encodeRequest(r: Request): Buffer {
  const typeUrl = (T as Record<string, string>)[r.type] ?? r.type;
  const json: Record<string, unknown> = { type_url: typeUrl, resource_names: r.names ?? [], version_info: r.version ?? '', response_nonce: r.nonce ?? '' };
  if (r.node !== null) json.node = { id: r.node ?? 'node-1', cluster: 'test', user_agent_name: 'raw-test-client', locality: {} };
  if (r.error !== undefined) json.error_detail = { code: 3, message: r.error };
  return Buffer.from(encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', json));
}


const SERVICE_PATH: Record<string, string> = {
  ADS: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
  LDS: '/envoy.service.listener.v3.ListenerDiscoveryService/StreamListeners',
  RDS: '/envoy.service.route.v3.RouteDiscoveryService/StreamRoutes',
  CDS: '/envoy.service.cluster.v3.ClusterDiscoveryService/StreamClusters',
  EDS: '/envoy.service.endpoint.v3.EndpointDiscoveryService/StreamEndpoints',
  SDS: '/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets',
};

export type { Ended } from './raw-stream.js';

/** One xDS stream (SotW) opened with a raw gRPC client. Responses queue until `next()` takes them. */
export class RawXdsClient extends RawStream<Response> {
  constructor(port: number, service: keyof typeof SERVICE_PATH = 'ADS', options: grpc.ClientOptions = {}, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    super(port, SERVICE_PATH[service] ?? '', decodeResponse, options, credentials);
  }

  send(r: Request): this {
    return this.sendRaw(encodeRequest(r));
  }

  /** ACKs the last response of a type. */
  ack(type: ShortName, names?: readonly string[], node?: string): this {
    const r = this.last.get(type);
    if (!r) throw new Error(`no ${type} response to ACK`);
    return this.send({ type, node: node ?? null, names: names ?? [], version: r.version, nonce: r.nonce });
  }

  /**
   * Proves nothing was sent before this point: subscribes to a Secret name on SDS (which the server
   * answers with a response, since a changed subscription is always answered) and expects that
   * response to be the next message. Requests on a stream are handled in order.
   */
  async barrier(tag: string): Promise<void> {
    this.send({ type: 'SDS', node: null, names: [`barrier-${tag}`], nonce: this.last.get('SDS')?.nonce ?? '', version: this.last.get('SDS')?.version ?? '' });
    const r = await this.next();
    if (r.type !== 'SDS') throw new Error(`expected the barrier response, got an unexpected ${r.type} response (version ${r.version})`);
  }
}

/** Polls `check` until it returns true (no fixed sleeps), failing after `ms`. */
export async function until(check: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
  await eventually(check, what, ms, 20);
}

export type { TypeUrl };

/** A server on an ephemeral loopback port over a fresh cache, with its events and metrics. */
export async function startServer(options: { limits?: Partial<XdsLimits>; now?: () => number } = {}): Promise<{
  cache: SnapshotCache;
  server: XdsServer;
  registry: Registry;
  port: number;
  events: XdsEvent[];
  clients: RawXdsClient[];
  client(service?: keyof typeof SERVICE_PATH): RawXdsClient;
  stop(): Promise<void>;
}> {
  const cache = new SnapshotCache();
  const registry = new Registry();
  const server = new XdsServer({ cache, registry, limits: options.limits, now: options.now });
  const events: XdsEvent[] = [];
  server.on((e) => events.push(e));
  const port = await server.listen();
  const clients: RawXdsClient[] = [];
  return {
    cache,
    server,
    registry,
    port,
    events,
    clients,
    client(service = 'ADS') {
      const c = new RawXdsClient(port, service);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.close();
    },
  };
}

/** `createSnapshot` that fails the test on a consistency problem. */
export function snap(resources: readonly ResourceInput[]): Snapshot {
  const r = createSnapshot(resources);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.snapshot;
}
