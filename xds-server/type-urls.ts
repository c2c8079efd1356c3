/**
 * The one table of resource types the xDS server serves. Everything else (push order, full-state
 * semantics, metric labels, per-type services) is derived from it; nothing else spells a type URL.
 */
import { TYPE_URL_PREFIX } from '../envoy-api/index.js';

/**
 * Per type: `short` (the xDS acronym, used in logs and metric labels), `message` (the fully qualified
 * protobuf message), `fullState` (SotW responses carry every resource the client should have, so a
 * missing one is deleted; otherwise responses may carry a subset and absence means nothing), `order`
 * (position in a push: make-before-break, CDS → EDS → LDS → RDS → SDS → Kafka) and `service` (the
 * per-type SotW gRPC service and method, when there is one; every type is also served over ADS).
 */
export const RESOURCE_TYPES = {
  CDS: {
    message: 'envoy.config.cluster.v3.Cluster',
    fullState: true,
    order: 0,
    service: { name: 'envoy.service.cluster.v3.ClusterDiscoveryService', method: 'StreamClusters' },
  },
  EDS: {
    message: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
    fullState: false,
    order: 1,
    service: { name: 'envoy.service.endpoint.v3.EndpointDiscoveryService', method: 'StreamEndpoints' },
  },
  LDS: {
    message: 'envoy.config.listener.v3.Listener',
    fullState: true,
    order: 2,
    service: { name: 'envoy.service.listener.v3.ListenerDiscoveryService', method: 'StreamListeners' },
  },
  RDS: {
    message: 'envoy.config.route.v3.RouteConfiguration',
    fullState: false,
    order: 3,
    service: { name: 'envoy.service.route.v3.RouteDiscoveryService', method: 'StreamRoutes' },
  },
  SDS: {
    message: 'envoy.extensions.transport_sockets.tls.v3.Secret',
    fullState: false,
    order: 4,
    service: { name: 'envoy.service.secret.v3.SecretDiscoveryService', method: 'StreamSecrets' },
  },
  KAFKA: {
    message: 'sluice.kafka.v1alpha1.KafkaPolicy',
    fullState: true,
    order: 5,
    service: undefined,
  },
} as const;

/** A type's short name: `'CDS' | 'EDS' | 'LDS' | 'RDS' | 'SDS' | 'KAFKA'`. */
export type ShortName = keyof typeof RESOURCE_TYPES;
/** A served type's message name. */
export type MessageName = (typeof RESOURCE_TYPES)[ShortName]['message'];
/** A served type URL, e.g. `type.googleapis.com/envoy.config.listener.v3.Listener`. */
export type TypeUrl = `type.googleapis.com/${MessageName}`;

/** Everything the server knows about one type. */
export interface ResourceTypeInfo {
  readonly short: ShortName;
  readonly typeUrl: TypeUrl;
  readonly message: MessageName;
  readonly fullState: boolean;
  readonly order: number;
  readonly service: { readonly name: string; readonly method: string } | undefined;
}

const toUrl = (message: MessageName): TypeUrl => `${TYPE_URL_PREFIX}${message}` as TypeUrl;

/** The type URL of each short name: `TYPE_URL.LDS`, … */
export const TYPE_URL: { readonly [S in ShortName]: TypeUrl } = Object.freeze(
  Object.fromEntries(Object.entries(RESOURCE_TYPES).map(([s, t]) => [s, toUrl(t.message)])) as { [S in ShortName]: TypeUrl },
);

/** Every served type, in push order (CDS → EDS → LDS → RDS → SDS → Kafka). */
export const PUSH_ORDER: readonly ResourceTypeInfo[] = Object.freeze(
  (Object.keys(RESOURCE_TYPES) as ShortName[])
    .map((short): ResourceTypeInfo => {
      const t = RESOURCE_TYPES[short];
      return { short, typeUrl: toUrl(t.message), message: t.message, fullState: t.fullState, order: t.order, service: t.service };
    })
    .sort((a, b) => a.order - b.order),
);

const BY_URL: ReadonlyMap<string, ResourceTypeInfo> = new Map(PUSH_ORDER.map((t) => [t.typeUrl, t]));

/** The info of a served type URL, or `undefined` for a type the server does not serve. */
export function typeInfo(typeUrl: string): ResourceTypeInfo | undefined {
  return BY_URL.get(typeUrl);
}

/** Narrows a string to a served type URL. */
export function isTypeUrl(typeUrl: string): typeUrl is TypeUrl {
  return BY_URL.has(typeUrl);
}
