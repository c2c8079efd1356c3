/**
 * Resources for an Envoy node: an inbound and an outbound listener for redirected traffic (the
 * `original_dst` listener filter recovers where each connection was going; filter chains match
 * the destination port and the workload's addresses), a RouteConfiguration per chain over RDS
 * carrying the chain's RBAC rules, and ORIGINAL_DST clusters that forward to that original
 * destination. Only connections a policy selects are steered here, so a connection no chain
 * matches is one the proxy cannot attribute (an egress client that bound a foreign address, a
 * redirect whose chain is not there yet): it is closed, never passed through unchecked.
 */
import type { HttpChain } from '../ir/types.js';
import { cidrRange } from './matchers.js';
import { INBOUND_LEG_MARK } from '../ir/redirect.js';
import { MESSAGES, typed, type envoy } from '../../envoy-api/index.js';
import { rbacPerRoute } from './filters/rbac.js';
import { httpConnectionManager } from './http-connection-manager.js';
import type { EnvoyResource, ResourceRef } from './resource.js';

/** Where each direction's chains forward: to the connection's original destination, over HTTP. */
export const ORIGINAL_DST = { inbound: 'sluice|original_dst|inbound', outbound: 'sluice|original_dst|outbound' } as const;

/** The filter chain of one workload port: matched by destination port and address, HCM with RBAC. */
export function filterChain(chain: HttpChain): envoy.config.listener.v3.FilterChain {
  const match: envoy.config.listener.v3.FilterChainMatch = {
    destination_port: { value: chain.port },
    ...(chain.destinations.length > 0 ? { prefix_ranges: chain.destinations.map(cidrRange) } : {}),
    ...(chain.sources.length > 0 ? { source_prefix_ranges: chain.sources.map(cidrRange) } : {}),
  };
  return {
    name: chain.name,
    filter_chain_match: match,
    filters: [httpConnectionManager(chain.name, chain.authz, chain.direction, 'envoy', { kind: 'rds', routeConfigName: chain.name })],
  };
}

/** The default chain: connections no workload chain matches are closed at once (fail closed). */
export const UNMATCHED_CHAIN = 'sluice|unmatched';
function unmatchedChain(): envoy.config.listener.v3.FilterChain {
  return { name: UNMATCHED_CHAIN, filters: [{ name: 'envoy.filters.network.direct_response', typed_config: typed(MESSAGES.directResponse) }] };
}

/** A chain with its translated filter chain, kept together so unchanged chains are reused as is. */
export interface TranslatedChain {
  readonly chain: HttpChain;
  readonly filterChain: envoy.config.listener.v3.FilterChain;
  readonly routeConfiguration: EnvoyResource<typeof MESSAGES.routeConfiguration>;
}

export function translateChain(chain: HttpChain): TranslatedChain {
  return { chain, filterChain: filterChain(chain), routeConfiguration: routeConfiguration(chain) };
}

/** Where an Envoy node listens: IPv4 always, IPv6 too when a workload it fronts has an IPv6 address. */
export interface NodeListen {
  readonly inboundPort: number;
  readonly outboundPort: number;
  readonly ipv6: boolean;
}

function listener(name: 'inbound' | 'outbound', port: number, ipv6: boolean, chains: readonly TranslatedChain[]): EnvoyResource<typeof MESSAGES.listener> {
  const references: ResourceRef[] = chains.map((c) => ({ message: MESSAGES.routeConfiguration, name: c.chain.name }));
  return {
    message: MESSAGES.listener,
    name,
    references,
    json: {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      // The kernel hands IPv6 connections to an IPv6 socket; bound only where IPv6 workloads exist,
      // because a host without IPv6 cannot bind it and Envoy would reject the whole listener.
      ...(ipv6 ? { additional_addresses: [{ address: { socket_address: { address: '::', port_value: port } } }] } : {}),
      listener_filters: [
        { name: 'envoy.filters.listener.original_dst', typed_config: typed(MESSAGES.originalDst) },
        // Outbound: the leg to the destination leaves from the workload's own address, so a
        // workload of this node it calls sees (and its ingress rules judge) who is calling.
        ...(name === 'outbound' ? [{ name: 'envoy.filters.listener.original_src', typed_config: typed(MESSAGES.originalSrc) }] : []),
      ],
      ...(chains.length > 0 ? { filter_chains: chains.map((c) => c.filterChain) } : {}),
      default_filter_chain: unmatchedChain(),
      traffic_direction: name === 'inbound' ? 'INBOUND' : 'OUTBOUND',
      // Inbound connections are handed to this socket by the kernel's sk_lookup program with their
      // original destination as local address. The socket is transparent because that is how
      // Envoy's original_dst filter knows the local address *is* the original destination (with
      // no SO_ORIGINAL_DST to read, it restores it only for a transparent socket; without the
      // restore the ORIGINAL_DST cluster has no host: 503). One socket, not a reuse_port group:
      // the socket the proxy registers is the one that takes the connection.
      ...(name === 'inbound' ? { transparent: { value: true }, enable_reuse_port: { value: false } } : {}),
    },
  };
}

function routeConfiguration(chain: HttpChain): EnvoyResource<typeof MESSAGES.routeConfiguration> {
  return {
    message: MESSAGES.routeConfiguration,
    name: chain.name,
    references: [{ message: MESSAGES.cluster, name: ORIGINAL_DST[chain.direction] }],
    json: {
      name: chain.name,
      virtual_hosts: [
        {
          name: chain.name,
          domains: ['*'],
          typed_per_filter_config: rbacPerRoute(chain.authz, chain.direction),
          // No route timeout: gRPC streams and long polls must not be cut by the proxy.
          routes: [{ name: 'original-destination', match: { prefix: '/' }, route: { cluster: ORIGINAL_DST[chain.direction], timeout: { seconds: 0 } } }],
        },
      ],
    },
  };
}

const SOL_SOCKET = 1;
const SO_MARK = 36;

/**
 * The clusters every Envoy node gets: forward over HTTP to where the connection was going.
 * Inbound: the leg to the workload the chain protects, marked (SO_MARK) so the kernel's inbound
 * steering knows it is the proxy's own and lets it through. Outbound: unmarked, so a call to a
 * workload of this node goes through that workload's inbound chain too (its ingress rules apply).
 */
function originalDstCluster(direction: 'inbound' | 'outbound'): EnvoyResource<typeof MESSAGES.cluster> {
  const name = ORIGINAL_DST[direction];
  return {
    message: MESSAGES.cluster,
    name,
    references: [],
    json: {
      name,
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      connect_timeout: { seconds: 5 },
      ...(direction === 'inbound'
        ? {
            upstream_bind_config: {
              source_address: { address: '0.0.0.0', port_value: 0 },
              extra_source_addresses: [{ address: { address: '::', port_value: 0 } }],
              socket_options: [{ description: 'sluice inbound leg', level: SOL_SOCKET, name: SO_MARK, int_value: INBOUND_LEG_MARK, state: 'STATE_PREBIND' }],
            },
          }
        : {}),
      // Speak upstream whatever the client spoke downstream (HTTP/1.1 or HTTP/2 for gRPC).
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed(MESSAGES.httpProtocolOptions, {
          use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
        }),
      },
    },
  };
}

export const ORIGINAL_DST_CLUSTERS: readonly EnvoyResource[] = [originalDstCluster('inbound'), originalDstCluster('outbound')];

/** Every resource of an Envoy node, from its translated chains. */
export function envoyNodeResources(node: NodeListen, inbound: readonly TranslatedChain[], outbound: readonly TranslatedChain[]): EnvoyResource[] {
  return [
    listener('inbound', node.inboundPort, node.ipv6, inbound),
    listener('outbound', node.outboundPort, node.ipv6, outbound),
    ...[...inbound, ...outbound].map((c) => c.routeConfiguration),
    ...ORIGINAL_DST_CLUSTERS,
  ];
}

