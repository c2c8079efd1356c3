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
  /**
   * Mutual TLS to the xDS server: the node's client certificate (whose URI SAN names the node:
   * `spiffe://<trust-domain>/node/<id>`), its key, and the CA the server's certificate must chain
   * to. Files on the proxy's host, read by Envoy; the key never passes through sluice.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
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
          ...(o.tls ? { transport_socket: xdsTransportSocket(o.tls) } : {}),
        },
      ],
    },
  };
}

function xdsTransportSocket(tls: NonNullable<BootstrapOptions['tls']>): envoy.config.core.v3.TransportSocket {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: typed(MESSAGES.upstreamTlsContext, {
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: tls.cert }, private_key: { filename: tls.key } }],
        validation_context: { trusted_ca: { filename: tls.ca } },
        // gRPC servers negotiate HTTP/2 by ALPN.
        alpn_protocols: ['h2'],
      },
    }),
  };
}
