/**
 * TLS origination: a chain with `originatingTLS` forwards to a cluster of its own, ORIGINAL_DST
 * like the plain ones (inbound, its leg marked the same way; optionally to another port of the
 * destination), whose UpstreamTlsContext
 * sends the SNI and verifies the destination's certificate against the trusted CA from SDS and the
 * names it must carry; with a client certificate (from SDS), mutual TLS. Without a fixed server
 * name, Envoy takes both from the request's :authority (auto SNI, auto SAN validation).
 */
import { MESSAGES, typed, type envoy } from '../../../envoy-api/index.js';
import type { ChainTls, EnvoyNode, HttpChain } from '../../ir/types.js';
import { legBinding } from './original-dst.js';
import { originatingClusterName } from '../../names.js';
import type { FeatureTranslator } from '../feature.js';
import type { EnvoyResource } from '../resource.js';
import { sdsSecret, secretRef } from '../sds.js';

type Originate = NonNullable<ChainTls['originate']>;
type UpstreamTlsContext = envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;

function sanMatchers(o: Originate): envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher[] {
  const names = o.subjectAltNames.length > 0 ? o.subjectAltNames : o.serverName !== undefined ? [o.serverName] : [];
  return names.map((n) => ({ san_type: 'DNS', matcher: n.startsWith('*.') ? { suffix: n.slice(1) } : { exact: n } }));
}

function upstreamContext(o: Originate): UpstreamTlsContext {
  const sans = sanMatchers(o);
  return {
    ...(o.serverName !== undefined ? { sni: o.serverName } : {}),
    common_tls_context: {
      ...(o.clientCertificate !== undefined ? { tls_certificate_sds_secret_configs: [sdsSecret(o.clientCertificate)] } : {}),
      combined_validation_context: {
        default_validation_context: sans.length > 0 ? { match_typed_subject_alt_names: sans } : {},
        validation_context_sds_secret_config: sdsSecret(o.trust),
      },
      alpn_protocols: ['h2', 'http/1.1'],
    },
  };
}

function originatingCluster(chain: HttpChain, o: Originate): EnvoyResource<typeof MESSAGES.cluster> {
  const name = originatingClusterName(chain.name);
  return {
    message: MESSAGES.cluster,
    name,
    references: [secretRef(o.trust), ...(o.clientCertificate !== undefined ? [secretRef(o.clientCertificate)] : [])],
    json: {
      name,
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      connect_timeout: { seconds: 5 },
      ...legBinding(chain.direction),
      ...(o.port !== undefined ? { original_dst_lb_config: { upstream_port_override: { value: o.port } } } : {}),
      transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: typed(MESSAGES.upstreamTlsContext, upstreamContext(o)) },
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed(MESSAGES.httpProtocolOptions, {
          // HTTP/2 or HTTP/1.1 as the destination's ALPN says; the SNI and the name verified from :authority unless fixed.
          ...(o.serverName === undefined ? { upstream_http_protocol_options: { auto_sni: true, auto_san_validation: sanMatchers(o).length === 0 } } : {}),
          auto_config: { http_protocol_options: {}, http2_protocol_options: {} },
        }),
      },
    },
  };
}

function originatingClusters(node: EnvoyNode): EnvoyResource[] {
  return [...node.inbound, ...node.outbound].flatMap((c) => (c.tls?.originate && c.tls.unavailable === undefined ? [originatingCluster(c, c.tls.originate)] : []));
}

export const TLS_ORIGINATION_FEATURE: FeatureTranslator = {
  name: 'TLS origination: a cluster per chain with an UpstreamTlsContext from SDS (SNI, SAN verification, optional client certificate)',
  upstreamCluster: (chain) => (chain.tls?.originate ? originatingClusterName(chain.name) : undefined),
  nodeResources: originatingClusters,
};
