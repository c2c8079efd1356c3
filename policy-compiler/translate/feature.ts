/**
 * What a feature translator is: one Envoy feature (a filter, a listener filter, a resource kind)
 * and what it contributes to the resources translation builds. Every hook is optional; a feature
 * declares only what it adds, and where in an ordered list (ordering.ts). The registry
 * (registry.ts) lists every feature; the builders (envoy-node.ts, http-connection-manager.ts,
 * translate.ts) ask each for its contributions. A feature reads the IR and nothing else.
 */
import type { AnyJson, envoy, MESSAGES } from '../../envoy-api/index.js';
import type { Authz, EnvoyNode, HttpChain, KafkaChain, ProxylessServer, Service, TrafficDirection } from '../ir/types.js';
import type { AccessLogSink } from '../model/types.js';
import type { HttpFilterPosition, ListenerFilterPosition, Placed } from './ordering.js';
import type { EnvoyResource, ResourceRef } from './resource.js';

export type Listener = envoy.config.listener.v3.Listener;
export type ListenerFilter = envoy.config.listener.v3.ListenerFilter;
export type HttpFilter = envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
export type HttpConnectionManager = envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
export type FilterChainMatch = envoy.config.listener.v3.FilterChainMatch;
export type TransportSocket = envoy.config.core.v3.TransportSocket;
export type AccessLog = envoy.config.accesslog.v3.AccessLog;

/** Which xDS client receives the config: Envoy, or gRPC's own xDS implementation (proxyless). */
export type ProxyFlavor = 'envoy' | 'grpc';

/** One of an Envoy node's two listeners for redirected traffic. */
export interface ListenerScope {
  readonly node: EnvoyNode;
  readonly direction: TrafficDirection;
}

/** The HttpConnectionManager of one chain (an Envoy filter chain, or a proxyless server's listener). */
export interface ConnectionScope {
  readonly chainName: string;
  readonly direction: TrafficDirection;
  readonly authz: Authz;
  readonly flavor: ProxyFlavor;
  /** The Envoy chain itself (absent for proxyless servers). */
  readonly chain?: HttpChain;
  /** Where the chain's access log entries go (an Envoy node's setting; none for proxyless servers). */
  readonly accessLog: readonly AccessLogSink[];
}

export interface FeatureTranslator {
  /** What the feature is, as docs/architecture.md lists it. */
  readonly name: string;
  /** Listener filters of an Envoy node's listener, each at its position. */
  readonly listenerFilters?: (scope: ListenerScope) => readonly Placed<ListenerFilterPosition, ListenerFilter>[];
  /** Access logs of an Envoy node's listener (`Listener.access_log`: logged once per connection, whichever chain took it), in registry order. */
  readonly listenerAccessLog?: (scope: ListenerScope) => readonly AccessLog[];
  /** HTTP filters of a chain's HttpConnectionManager, each at its position. */
  readonly httpFilters?: (scope: ConnectionScope) => readonly Placed<HttpFilterPosition, HttpFilter>[];
  /** Fields it sets on a chain's HttpConnectionManager (after `stat_prefix` and `codec_type`, before the routes), in registry order. */
  readonly connectionManager?: (scope: ConnectionScope) => HttpConnectionManager;
  /** `typed_per_filter_config` entries of a chain's route (config for its own HTTP filters, over RDS). */
  readonly routeFilterConfig?: (chain: HttpChain) => { readonly [filter: string]: AnyJson };
  /** Fields it adds to the match of an Envoy chain's filter chain (after port and addresses). */
  readonly filterChainMatch?: (chain: HttpChain) => FilterChainMatch;
  /** The transport socket of an Envoy chain's filter chain (one feature may set it). */
  readonly filterChainTransport?: (chain: HttpChain) => TransportSocket | undefined;
  /** Resources an Envoy chain's filter chain names (its listener's references: the SDS secrets). */
  readonly chainReferences?: (chain: HttpChain) => readonly ResourceRef[];
  /** The cluster an Envoy chain's route forwards to, instead of the ORIGINAL_DST cluster of its direction (one feature may say). */
  readonly upstreamCluster?: (chain: HttpChain) => string | undefined;
  /** The :authority values an Envoy chain's route accepts (default any); others get no route. */
  readonly routeDomains?: (chain: HttpChain) => readonly string[] | undefined;
  /** Resources every Envoy node gets whatever its chains (the clusters its routes forward to). */
  readonly nodeResources?: (node: EnvoyNode) => readonly EnvoyResource[];
  /** The Listener a proxyless gRPC server asks for by its name, for the server of the IR bound there (undefined: no policy selects it). */
  readonly serverListener?: (name: string, host: string, port: number, server: ProxylessServer | undefined) => EnvoyResource<typeof MESSAGES.listener>;
  /** What proxyless gRPC clients need to reach a service by name. */
  readonly serviceResources?: (service: Service) => readonly EnvoyResource[];
  /** The resources of a Kafka enforcer's chain. */
  readonly kafkaChain?: (chain: KafkaChain) => readonly EnvoyResource[];
}
