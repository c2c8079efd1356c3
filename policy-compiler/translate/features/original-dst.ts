/**
 * Redirected connections keep their original destination: the `original_dst` listener filter
 * recovers it (every filter chain matches on it), and two ORIGINAL_DST clusters forward there over
 * HTTP. Inbound: the leg to the workload the chain protects, marked (SO_MARK) so the kernel's
 * inbound steering knows it is the proxy's own and lets it through. Outbound: unmarked, so a call
 * to a workload of this node goes through that workload's inbound chain too (its ingress rules apply).
 */
import { MESSAGES, typed, type envoy } from '../../../envoy-api/index.js';
import { INBOUND_LEG_MARK } from '../../ir/redirect.js';
import type { TrafficDirection } from '../../ir/types.js';
import type { FeatureTranslator } from '../feature.js';
import type { EnvoyResource } from '../resource.js';

/** Where each direction's chains forward: to the connection's original destination, over HTTP. */
export const ORIGINAL_DST = { inbound: 'sluice|original_dst|inbound', outbound: 'sluice|original_dst|outbound' } as const;

const SOL_SOCKET = 1;
const SO_MARK = 36;

/**
 * How a cluster's connections leave for the original destination: inbound, marked (SO_MARK) so
 * the kernel's inbound steering lets the proxy's own leg through to the workload; outbound, as is.
 */
export function legBinding(direction: TrafficDirection): Pick<envoy.config.cluster.v3.Cluster, 'upstream_bind_config'> {
  if (direction === 'outbound') return {};
  return {
    upstream_bind_config: {
      source_address: { address: '0.0.0.0', port_value: 0 },
      extra_source_addresses: [{ address: { address: '::', port_value: 0 } }],
      socket_options: [{ description: 'sluice inbound leg', level: SOL_SOCKET, name: SO_MARK, int_value: INBOUND_LEG_MARK, state: 'STATE_PREBIND' }],
    },
  };
}

function originalDstCluster(direction: TrafficDirection): EnvoyResource<typeof MESSAGES.cluster> {
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
      ...legBinding(direction),
      // Speak upstream whatever the client spoke downstream (HTTP/1.1 or HTTP/2 for gRPC).
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed(MESSAGES.httpProtocolOptions, {
          use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
        }),
      },
    },
  };
}

/** The same objects for every node, so unchanged nodes share them and they are encoded once. */
const ORIGINAL_DST_CLUSTERS: readonly EnvoyResource[] = [originalDstCluster('inbound'), originalDstCluster('outbound')];

export const ORIGINAL_DST_FEATURE: FeatureTranslator = {
  name: 'original destination: the original_dst listener filter and the ORIGINAL_DST clusters (inbound leg marked)',
  listenerFilters: () => [{ position: 'original-dst', value: { name: 'envoy.filters.listener.original_dst', typed_config: typed(MESSAGES.originalDst) } }],
  nodeResources: () => ORIGINAL_DST_CLUSTERS,
};
