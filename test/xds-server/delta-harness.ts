/**
 * A raw Delta xDS client (the protocol seam): DeltaDiscoveryRequests built with envoy-api, every
 * DeltaDiscoveryResponse decoded with envoy-api's own protobuf types (not the server's encoder).
 */
import { encodeMessage, messageType } from '../../envoy-api/index.js';
import { TYPE_URL, typeInfo, type ShortName } from '../../xds-server/index.js';
import { RawStream } from './raw-stream.js';

export interface DeltaRequest {
  readonly type: ShortName | string;
  readonly node?: string | null;
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  readonly initial?: Readonly<Record<string, string>>;
  readonly nonce?: string;
  readonly error?: string;
}

export interface DeltaResponse {
  readonly type: ShortName | string;
  readonly typeUrl: string;
  readonly systemVersion: string;
  readonly nonce: string;
  /** name → version of each resource carried, in the order sent. */
  readonly resources: ReadonlyArray<{ readonly name: string; readonly version: string; readonly typeUrl: string }>;
  readonly names: readonly string[];
  readonly removed: readonly string[];
}

function decodeDelta(buf: Buffer): DeltaResponse {
  const msg = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse').decode(buf) as unknown as {
    system_version_info: string;
    type_url: string;
    nonce: string;
    removed_resources: string[];
    resources: { name: string; version: string; resource?: { type_url: string } }[];
  };
  const resources = msg.resources.map((r) => ({ name: r.name, version: r.version, typeUrl: r.resource?.type_url ?? '' }));
  return {
    type: typeInfo(msg.type_url)?.short ?? msg.type_url,
    typeUrl: msg.type_url,
    systemVersion: msg.system_version_info,
    nonce: msg.nonce,
    resources,
    names: resources.map((r) => r.name),
    removed: msg.removed_resources,
  };
}

export function encodeDeltaRequest(r: DeltaRequest): Buffer {
  const json: Record<string, unknown> = {
    type_url: (TYPE_URL as Record<string, string>)[r.type] ?? r.type,
    resource_names_subscribe: r.subscribe ?? [],
    resource_names_unsubscribe: r.unsubscribe ?? [],
    initial_resource_versions: r.initial ?? {},
    response_nonce: r.nonce ?? '',
  };
  if (r.node !== null) json.node = { id: r.node ?? 'node-1', cluster: 'test', user_agent_name: 'raw-delta-client', locality: {} };
  if (r.error !== undefined) json.error_detail = { code: 3, message: r.error };
  return Buffer.from(encodeMessage('envoy.service.discovery.v3.DeltaDiscoveryRequest', json));
}

/** The Delta methods, spelled as in Envoy's protos: aggregated, and each type's own service. */
export const DELTA_SERVICE_PATH = {
  ADS: '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
  LDS: '/envoy.service.listener.v3.ListenerDiscoveryService/DeltaListeners',
  RDS: '/envoy.service.route.v3.RouteDiscoveryService/DeltaRoutes',
  CDS: '/envoy.service.cluster.v3.ClusterDiscoveryService/DeltaClusters',
  EDS: '/envoy.service.endpoint.v3.EndpointDiscoveryService/DeltaEndpoints',
  SDS: '/envoy.service.secret.v3.SecretDiscoveryService/DeltaSecrets',
} as const;

export class RawDeltaClient extends RawStream<DeltaResponse> {
  /** What the client holds, per type: name → version (applied from every response). */
  readonly held = new Map<string, Map<string, string>>();

  constructor(port: number, service: keyof typeof DELTA_SERVICE_PATH = 'ADS') {
    super(port, DELTA_SERVICE_PATH[service], decodeDelta);
  }

  protected override received(r: DeltaResponse): void {
    const h = this.held.get(r.type) ?? new Map<string, string>();
    for (const x of r.resources) h.set(x.name, x.version);
    for (const n of r.removed) h.delete(n);
    this.held.set(r.type, h);
  }

  send(r: DeltaRequest): this {
    return this.sendRaw(encodeDeltaRequest(r));
  }

  ack(type: ShortName): this {
    const r = this.last.get(type);
    if (!r) throw new Error(`no ${type} response to ACK`);
    return this.send({ type, node: null, nonce: r.nonce });
  }

  nack(type: ShortName, message: string): this {
    const r = this.last.get(type);
    if (!r) throw new Error(`no ${type} response to NACK`);
    return this.send({ type, node: null, nonce: r.nonce, error: message });
  }

  /**
   * Proves nothing was sent before this point: subscribes to a new Secret name that exists (the
   * test's snapshot must hold `barrier-<tag>`) and expects its response to be the next message.
   */
  async barrier(tag: string): Promise<void> {
    this.send({ type: 'SDS', node: null, subscribe: [`barrier-${tag}`] });
    const r = await this.next();
    if (r.type !== 'SDS' || r.names[0] !== `barrier-${tag}`) throw new Error(`expected the barrier response, got ${r.type} ${JSON.stringify(r.names)} removed ${JSON.stringify(r.removed)}`);
  }
}
