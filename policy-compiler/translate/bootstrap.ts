/**
 * An Envoy bootstrap for a sluice node: a static cluster for the xDS server (HTTP/2, which gRPC
 * needs), ADS over gRPC for everything else — Delta (incremental) by default, or state of the
 * world — and Envoy's admin on loopback.
 */
import { MESSAGES, typed, type envoy } from '../../envoy-api/index.js';
import { isIpAddress } from '../../ip/index.js';
import { ADS_CONFIG_SOURCE } from './ads.js';

/** Which ADS variant Envoy speaks: `delta` (`DELTA_GRPC`, incremental) or `sotw` (`GRPC`, state of the world). */
export type XdsApiChoice = 'delta' | 'sotw';

/**
 * The default: Delta. Measured with bench:xds (docs/xds.md): a change sends each proxy only the
 * resources that changed (for the bench's one-rule change, one Listener instead of all 20), so
 * bytes on the wire and Envoy's work per change fall with the size of the config, while latency
 * and server CPU are on par with SotW; and a reconnect names what Envoy holds per resource.
 */
export const DEFAULT_XDS_API: XdsApiChoice = 'delta';

export interface BootstrapOptions {
  readonly node: string;
  readonly cluster: string;
  readonly xds: { readonly host: string; readonly port: number };
  /** Envoy's admin endpoint (keep it on loopback or a private address: it can change Envoy's state). */
  readonly admin: { readonly host: string; readonly port: number };
  /** Default `DEFAULT_XDS_API`. */
  readonly xdsApi?: XdsApiChoice;
}

export const XDS_CLUSTER = 'sluice_xds';

export function envoyBootstrap(o: BootstrapOptions): envoy.config.bootstrap.v3.Bootstrap {
  return {
    node: { id: o.node, cluster: o.cluster },
    admin: { address: { socket_address: { address: o.admin.host, port_value: o.admin.port } } },
    dynamic_resources: {
      ads_config: { api_type: (o.xdsApi ?? DEFAULT_XDS_API) === 'delta' ? 'DELTA_GRPC' : 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }], set_node_on_first_message_only: true },
      lds_config: ADS_CONFIG_SOURCE,
      cds_config: ADS_CONFIG_SOURCE,
    },
    static_resources: {
      clusters: [
        {
          name: XDS_CLUSTER,
          type: isIpAddress(o.xds.host) !== undefined ? 'STATIC' : 'STRICT_DNS',
          connect_timeout: { seconds: 5 },
          load_assignment: {
            cluster_name: XDS_CLUSTER,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: o.xds.host, port_value: o.xds.port } } } }] }],
          },
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed(MESSAGES.httpProtocolOptions, { explicit_http_config: { http2_protocol_options: {} } }),
          },
        },
      ],
    },
  };
}
