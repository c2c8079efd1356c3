/**
 * Resources for an Envoy node: an inbound and an outbound listener for redirected traffic (the
 * listener filters the features contribute; filter chains match the destination port and the
 * workload's addresses), a RouteConfiguration per chain over RDS carrying what the features put on
 * routes (the chain's RBAC rules), and the resources every node gets (the ORIGINAL_DST clusters).
 * Only connections a policy selects are steered here, so a connection no chain matches is one the
 * proxy cannot attribute (an egress client that bound a foreign address, a redirect whose chain is
 * not there yet): it is closed, never passed through unchecked.
 */
import { MESSAGES, typed, type AnyJson, type envoy } from '../../envoy-api/index.js';
import type { EnvoyNode, HttpChain, PodInbound, TrafficDirection } from '../ir/types.js';
import type { AccessLogSink } from '../model/types.js';
import { podInboundListenerName, tlsUnavailableChainName, UNMATCHED_CHAIN } from '../names.js';
import { refusalStateFilter } from './features/access-log.js';
import { ORIGINAL_DST } from './features/original-dst.js';
import { httpConnectionManager } from './http-connection-manager.js';
import { cidrRange } from './matchers.js';
import { LISTENER_FILTER_ORDER, ordered } from './ordering.js';
import { HOOKS } from './registry.js';
import type { EnvoyResource, ResourceRef } from './resource.js';

type FilterChain = envoy.config.listener.v3.FilterChain;

/** Closes a connection at once, sending nothing. */
const CLOSE_FILTER: envoy.config.listener.v3.Filter = { name: 'envoy.filters.network.direct_response', typed_config: typed(MESSAGES.directResponse) };

/**
 * The filter chain of one workload port: matched by destination port and address (and what the
 * features add: the SNI allow list), its transport socket (TLS termination), HCM with its filters.
 * A chain whose secrets are not available closes its connections (fail closed), under a closing
 * chain's name, having set its refusal for the listener's logs when the node has any.
 */
function filterChain(chain: HttpChain, accessLog: readonly AccessLogSink[]): FilterChain {
  let match: envoy.config.listener.v3.FilterChainMatch = {
    destination_port: { value: chain.port },
    ...(chain.destinations.length > 0 ? { prefix_ranges: chain.destinations.map(cidrRange) } : {}),
    ...(chain.sources.length > 0 ? { source_prefix_ranges: chain.sources.map(cidrRange) } : {}),
  };
  for (const contribute of HOOKS.filterChainMatch) match = { ...match, ...contribute(chain) };
  if (chain.tls?.unavailable !== undefined) return { name: tlsUnavailableChainName(chain.name), filter_chain_match: match, filters: [...(accessLog.length > 0 ? [refusalStateFilter(chain)] : []), CLOSE_FILTER] };
  const transport = HOOKS.filterChainTransport.map((contribute) => contribute(chain)).find((t) => t !== undefined);
  return {
    name: chain.name,
    filter_chain_match: match,
    filters: [httpConnectionManager({ chainName: chain.name, authz: chain.authz, direction: chain.direction, flavor: 'envoy', accessLog, chain }, { kind: 'rds', routeConfigName: chain.name })],
    ...(transport ? { transport_socket: transport } : {}),
  };
}

/** The default chain: connections no workload chain matches are closed at once (fail closed); the listener's access log reports them. */
function unmatchedChain(): FilterChain {
  return { name: UNMATCHED_CHAIN, filters: [CLOSE_FILTER] };
}

function routeConfiguration(chain: HttpChain): EnvoyResource<typeof MESSAGES.routeConfiguration> {
  let perFilter: { readonly [filter: string]: AnyJson } = {};
  for (const contribute of HOOKS.routeFilterConfig) perFilter = { ...perFilter, ...contribute(chain) };
  const cluster = HOOKS.upstreamCluster.map((pick) => pick(chain)).find((c) => c !== undefined) ?? ORIGINAL_DST[chain.direction];
  const domains = HOOKS.routeDomains.map((pick) => pick(chain)).find((d) => d !== undefined) ?? ['*'];
  return {
    message: MESSAGES.routeConfiguration,
    name: chain.name,
    references: [{ message: MESSAGES.cluster, name: cluster }],
    json: {
      name: chain.name,
      virtual_hosts: [
        {
          name: chain.name,
          domains: [...domains],
          typed_per_filter_config: perFilter,
          // No route timeout: gRPC streams and long polls must not be cut by the proxy.
          routes: [{ name: 'original-destination', match: { prefix: '/' }, route: { cluster, timeout: { seconds: 0 } } }],
        },
      ],
    },
  };
}

/** A chain with its translated filter chain and route, kept together so unchanged chains are reused as they are. */
export interface TranslatedChain {
  readonly chain: HttpChain;
  /** The node's access-log setting it was translated with (its filter chain depends on it). */
  readonly accessLog: readonly AccessLogSink[];
  readonly filterChain: FilterChain;
  /** Absent for a chain that closes its connections (its secrets are not available). */
  readonly routeConfiguration?: EnvoyResource<typeof MESSAGES.routeConfiguration>;
  /** What its filter chain names besides its route (SDS secrets): the listener's references. */
  readonly references: readonly ResourceRef[];
}

export function translateChain(chain: HttpChain, accessLog: readonly AccessLogSink[]): TranslatedChain {
  if (chain.tls?.unavailable !== undefined) return { chain, accessLog, filterChain: filterChain(chain, accessLog), references: [] };
  return { chain, accessLog, filterChain: filterChain(chain, accessLog), routeConfiguration: routeConfiguration(chain), references: HOOKS.chainReferences.flatMap((contribute) => contribute(chain)) };
}

function accessLogs(node: EnvoyNode, direction: TrafficDirection): { access_log?: envoy.config.accesslog.v3.AccessLog[] } {
  const logs = HOOKS.listenerAccessLog.flatMap((contribute) => contribute({ node, direction }));
  return logs.length > 0 ? { access_log: [...logs] } : {};
}

/** Where a listener is opened when it is not one of the node's two: a node-mode Pod's, inside the Pod's network namespace. */
interface ListenerPlace {
  readonly name: string;
  readonly port: number;
  readonly ipv6: boolean;
  readonly netnsPath: string;
}

function listener(node: EnvoyNode, direction: TrafficDirection, chains: readonly TranslatedChain[], place?: ListenerPlace): EnvoyResource<typeof MESSAGES.listener> {
  const port = place?.port ?? (direction === 'inbound' ? node.inboundPort : node.outboundPort);
  const name = place?.name ?? direction;
  const ipv6 = place?.ipv6 ?? node.ipv6;
  const netns = place ? { network_namespace_filepath: place.netnsPath } : {};
  const references: ResourceRef[] = chains.flatMap((c) => [...(c.routeConfiguration ? [{ message: MESSAGES.routeConfiguration, name: c.chain.name }] : []), ...c.references]);
  return {
    message: MESSAGES.listener,
    name,
    references,
    json: {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port, ...netns } },
      // The kernel hands IPv6 connections to an IPv6 socket; bound only where IPv6 workloads exist,
      // because a host without IPv6 cannot bind it and Envoy would reject the whole listener.
      ...(ipv6 ? { additional_addresses: [{ address: { socket_address: { address: '::', port_value: port, ...netns } } }] } : {}),
      listener_filters: ordered(LISTENER_FILTER_ORDER, HOOKS.listenerFilters.flatMap((contribute) => contribute({ node, direction }))),
      ...(chains.length > 0 ? { filter_chains: chains.map((c) => c.filterChain) } : {}),
      default_filter_chain: unmatchedChain(),
      ...accessLogs(node, direction),
      traffic_direction: direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
      // Inbound connections are handed to this socket by the kernel's sk_lookup program with their
      // original destination as local address. The socket is transparent because that is how
      // Envoy's original_dst filter knows the local address *is* the original destination (with
      // no SO_ORIGINAL_DST to read, it restores it only for a transparent socket; without the
      // restore the ORIGINAL_DST cluster has no host: 503). One socket, not a reuse_port group:
      // the socket the proxy registers is the one that takes the connection.
      ...(direction === 'inbound' ? { transparent: { value: true }, enable_reuse_port: { value: false } } : {}),
    },
  };
}

/**
 * The node proxy's listener for one node-mode Pod: the node's inbound listener (transparent, the
 * same listener filters, filter chains and closing default chain) carrying the Pod's chains only,
 * on the Pod's own port, opened by Envoy inside the Pod's network namespace
 * (`network_namespace_filepath`). Its leg to the workload leaves from the node's namespace through
 * the inbound ORIGINAL_DST cluster, from the node's address (no original_src inbound), marked.
 */
export function podInboundListener(node: EnvoyNode, pod: PodInbound & { readonly port: number; readonly netnsPath: string }, chains: readonly TranslatedChain[]): EnvoyResource<typeof MESSAGES.listener> {
  return listener(node, 'inbound', chains, { name: podInboundListenerName(pod.workload), port: pod.port, ipv6: pod.ipv6, netnsPath: pod.netnsPath });
}

/** Every resource of an Envoy node, from its translated chains (`translated` returns each chain's, memoised by the caller). */
export function envoyNodeResources(node: EnvoyNode, translated: (chain: HttpChain) => TranslatedChain): EnvoyResource[] {
  // A node-mode Pod's inbound connections are looked up in the Pod's namespace: once its agent
  // linked it, its chains are on a listener of their own there (until then on the node's, as
  // without node agents, where something else may steer them).
  const pods = new Map((node.pods ?? []).flatMap(({ port, netnsPath, ...pod }) => (port !== undefined && netnsPath !== undefined ? [[pod.workload, { ...pod, port, netnsPath }] as const] : [])));
  const inbound = node.inbound.filter((c) => !pods.has(c.workload)).map(translated);
  const outbound = node.outbound.map(translated);
  const podListeners = [...pods.values()].map((pod) => {
    const chains = node.inbound.filter((c) => c.workload === pod.workload).map(translated);
    return { chains, listener: podInboundListener(node, pod, chains) };
  });
  return [
    listener(node, 'inbound', inbound),
    listener(node, 'outbound', outbound),
    ...podListeners.map((p) => p.listener),
    ...[...inbound, ...outbound, ...podListeners.flatMap((p) => p.chains)].flatMap((c) => (c.routeConfiguration ? [c.routeConfiguration] : [])),
    ...HOOKS.nodeResources.flatMap((contribute) => contribute(node)),
  ];
}
