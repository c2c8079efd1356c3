/**
 * The one registry of xDS resource types: per type its message, type URL, short name, push order,
 * SotW semantics, per-type service and the label `sluice compile` groups it under. The xDS server,
 * the compiler (its resource union and sort order), the CLI, `/status` and `/config_dump` all
 * derive from it; nothing else spells a type URL.
 */
import { MESSAGES, TYPE_URL_PREFIX, type MessageName } from './protos.js';

/**
 * Per type, in the order people read them (listeners first): `message` (the fully qualified
 * protobuf message), `label` (the plural `sluice compile` prints), `fullState` (SotW responses carry
 * every resource the client should have, so a missing one is deleted; otherwise responses may carry
 * a subset and absence means nothing), `order` (position in a push: make-before-break,
 * CDS → EDS → LDS → RDS → SDS → Kafka) and `service` (the per-type SotW gRPC service and method,
 * when there is one; every type is also served over ADS). The key is the short name (the xDS
 * acronym, used in logs and metric labels).
 */
export const RESOURCE_TYPES = {
  LDS: {
    message: MESSAGES.listener,
    label: 'listeners',
    fullState: true,
    order: 2,
    service: { name: 'envoy.service.listener.v3.ListenerDiscoveryService', method: 'StreamListeners' },
  },
  RDS: {
    message: MESSAGES.routeConfiguration,
    label: 'routes',
    fullState: false,
    order: 3,
    service: { name: 'envoy.service.route.v3.RouteDiscoveryService', method: 'StreamRoutes' },
  },
  CDS: {
    message: MESSAGES.cluster,
    label: 'clusters',
    fullState: true,
    order: 0,
    service: { name: 'envoy.service.cluster.v3.ClusterDiscoveryService', method: 'StreamClusters' },
  },
  EDS: {
    message: MESSAGES.clusterLoadAssignment,
    label: 'endpoints',
    fullState: false,
    order: 1,
    service: { name: 'envoy.service.endpoint.v3.EndpointDiscoveryService', method: 'StreamEndpoints' },
  },
  SDS: {
    message: MESSAGES.secret,
    label: 'secrets',
    fullState: false,
    order: 4,
    service: { name: 'envoy.service.secret.v3.SecretDiscoveryService', method: 'StreamSecrets' },
  },
  KAFKA: {
    message: MESSAGES.kafkaPolicy,
    label: 'kafkaPolicies',
    fullState: true,
    order: 5,
    service: undefined,
  },
  REDIRECTS: {
    message: MESSAGES.nodeRedirects,
    label: 'nodeRedirects',
    fullState: true,
    order: 6,
    service: undefined,
  },
} as const;

/** A type's short name: `'CDS' | 'EDS' | 'LDS' | 'RDS' | 'SDS' | 'KAFKA' | 'REDIRECTS'`. */
export type ShortName = keyof typeof RESOURCE_TYPES;
/** A served type's message name. */
export type ResourceMessage = (typeof RESOURCE_TYPES)[ShortName]['message'];
/** A served type URL, e.g. `type.googleapis.com/envoy.config.listener.v3.Listener`. */
export type TypeUrl = `${typeof TYPE_URL_PREFIX}${ResourceMessage}`;
/** The type URL of any emitted message (what an `Any` says it holds). */
export type MessageTypeUrl<M extends MessageName = MessageName> = `${typeof TYPE_URL_PREFIX}${M}`;

/** Everything the registry knows about one type. */
export interface ResourceTypeInfo {
  readonly short: ShortName;
  readonly typeUrl: TypeUrl;
  readonly message: ResourceMessage;
  readonly label: string;
  readonly fullState: boolean;
  readonly order: number;
  readonly service: { readonly name: string; readonly method: string } | undefined;
}

/** `type.googleapis.com/<message>`. */
export function typeUrlOf<M extends MessageName>(message: M): MessageTypeUrl<M> {
  return `${TYPE_URL_PREFIX}${message}`;
}

const SHORT_NAMES = Object.keys(RESOURCE_TYPES) as ShortName[];

function infoOf(short: ShortName): ResourceTypeInfo {
  const t = RESOURCE_TYPES[short];
  return { short, typeUrl: typeUrlOf(t.message), message: t.message, label: t.label, fullState: t.fullState, order: t.order, service: t.service };
}

/** Every served type in the registry's (reading) order: LDS, RDS, CDS, EDS, SDS, Kafka, node redirects. */
export const RESOURCE_TYPE_LIST: readonly ResourceTypeInfo[] = Object.freeze(SHORT_NAMES.map(infoOf));

/** Every served type, in push order (CDS → EDS → LDS → RDS → SDS → Kafka → node redirects). */
export const PUSH_ORDER: readonly ResourceTypeInfo[] = Object.freeze([...RESOURCE_TYPE_LIST].sort((a, b) => a.order - b.order));

/** The type URL of each short name: `TYPE_URL.LDS`, … */
export const TYPE_URL: { readonly [S in ShortName]: TypeUrl } = Object.freeze(
  Object.fromEntries(RESOURCE_TYPE_LIST.map((t) => [t.short, t.typeUrl])) as { [S in ShortName]: TypeUrl },
);

const BY_URL: ReadonlyMap<string, ResourceTypeInfo> = new Map(RESOURCE_TYPE_LIST.map((t) => [t.typeUrl, t]));
const BY_MESSAGE: ReadonlyMap<string, ResourceTypeInfo> = new Map(RESOURCE_TYPE_LIST.map((t) => [t.message, t]));

/** The info of a served type URL, or `undefined` for a type the server does not serve. */
export function typeInfo(typeUrl: string): ResourceTypeInfo | undefined {
  return BY_URL.get(typeUrl);
}

/** The info of a served message. */
export function resourceType(message: ResourceMessage): ResourceTypeInfo {
  const info = BY_MESSAGE.get(message);
  if (!info) throw new Error(`${message} is not in RESOURCE_TYPES`);
  return info;
}

/** Narrows a string to a served type URL. */
export function isTypeUrl(typeUrl: string): typeUrl is TypeUrl {
  return BY_URL.has(typeUrl);
}

/** The fully qualified message name of a type URL (`type.googleapis.com/a.b.C` → `a.b.C`). */
export function messageNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}
