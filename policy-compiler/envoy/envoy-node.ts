/**
 * Resources for an Envoy node: an inbound and an outbound listener for redirected traffic (the
 * `original_dst` listener filter recovers where each connection was going; filter chains match
 * the destination port and the workload's addresses), a RouteConfiguration per chain over RDS,
 * and ORIGINAL_DST clusters that forward to that original destination. Connections no chain
 * matches pass through untouched.
 */
import type { EnvoyNode, HttpChain } from '../ir/types.js';
import { cidrRange } from './matchers.js';
import { MESSAGES, typed } from './extensions.js';
import { httpConnectionManager } from './http-connection-manager.js';
import type { EnvoyResource, ResourceRef } from './resource.js';

export const ORIGINAL_DST_HTTP = 'sluice|original_dst|http';
export const ORIGINAL_DST_TCP = 'sluice|original_dst|tcp';

function filterChain(chain: HttpChain): Record<string, unknown> {
  const match: Record<string, unknown> = { destination_port: { value: chain.port } };
  if (chain.destinations.length > 0) match.prefix_ranges = chain.destinations.map(cidrRange);
  if (chain.sources.length > 0) match.source_prefix_ranges = chain.sources.map(cidrRange);
  return {
    name: chain.name,
    filter_chain_match: match,
    filters: [httpConnectionManager(chain.name, chain.authz, chain.direction, 'envoy', { kind: 'rds', routeConfigName: chain.name })],
  };
}

function passthroughChain(): Record<string, unknown> {
  return {
    name: 'passthrough',
    filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: typed(MESSAGES.tcpProxy, { stat_prefix: 'passthrough', cluster: ORIGINAL_DST_TCP }) }],
  };
}

function listener(name: 'inbound' | 'outbound', port: number, chains: readonly HttpChain[]): EnvoyResource {
  const references: ResourceRef[] = [
    ...chains.map((c) => ({ message: MESSAGES.routeConfiguration, name: c.name })),
    { message: MESSAGES.cluster, name: ORIGINAL_DST_TCP },
  ];
  return {
    message: MESSAGES.listener,
    name,
    references,
    json: {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      listener_filters: [{ name: 'envoy.filters.listener.original_dst', typed_config: typed(MESSAGES.originalDst) }],
      ...(chains.length > 0 ? { filter_chains: chains.map(filterChain) } : {}),
      default_filter_chain: passthroughChain(),
      traffic_direction: name === 'inbound' ? 'INBOUND' : 'OUTBOUND',
    },
  };
}

function routeConfiguration(chain: HttpChain): EnvoyResource {
  return {
    message: MESSAGES.routeConfiguration,
    name: chain.name,
    references: [{ message: MESSAGES.cluster, name: ORIGINAL_DST_HTTP }],
    json: {
      name: chain.name,
      virtual_hosts: [
        {
          name: chain.name,
          domains: ['*'],
          // No route timeout: gRPC streams and long polls must not be cut by the proxy.
          routes: [{ name: 'original-destination', match: { prefix: '/' }, route: { cluster: ORIGINAL_DST_HTTP, timeout: { seconds: 0 } } }],
        },
      ],
    },
  };
}

function originalDstCluster(name: string, http: boolean): EnvoyResource {
  return {
    message: MESSAGES.cluster,
    name,
    references: [],
    json: {
      name,
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      connect_timeout: { seconds: 5 },
      ...(http
        ? {
            // Speak upstream whatever the client spoke downstream (HTTP/1.1 or HTTP/2 for gRPC).
            typed_extension_protocol_options: {
              'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed(MESSAGES.httpProtocolOptions, {
                use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
              }),
            },
          }
        : {}),
    },
  };
}

export function envoyNodeResources(node: EnvoyNode): EnvoyResource[] {
  return [
    listener('inbound', node.inboundPort, node.inbound),
    listener('outbound', node.outboundPort, node.outbound),
    ...[...node.inbound, ...node.outbound].map(routeConfiguration),
    originalDstCluster(ORIGINAL_DST_HTTP, true),
    originalDstCluster(ORIGINAL_DST_TCP, false),
  ];
}

