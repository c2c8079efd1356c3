/**
 * TLS termination: the `tls_inspector` listener filter reads the ClientHello's server name and
 * ALPN, a chain with `terminatingTLS` matches `transport_protocol: tls` (and its SNI allow list as
 * `server_names`), and its DownstreamTlsContext takes the certificate (and the client CA, which
 * makes a client certificate required) from SDS. A connection whose server name no chain lists
 * matches no chain: the listener's default chain closes it. Requests whose :authority is not one of
 * the allowed names get no route.
 */
import { MESSAGES, typed, type envoy } from '../../../envoy-api/index.js';
import type { HttpChain } from '../../ir/types.js';
import type { FeatureTranslator } from '../feature.js';
import { sdsSecret, secretRef } from '../sds.js';

type DownstreamTlsContext = envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;

const TLS_INSPECTOR = { name: 'envoy.filters.listener.tls_inspector', typed_config: typed(MESSAGES.tlsInspector) };

function downstreamContext(terminate: NonNullable<NonNullable<HttpChain['tls']>['terminate']>): DownstreamTlsContext {
  return {
    common_tls_context: {
      tls_certificate_sds_secret_configs: [sdsSecret(terminate.certificate)],
      ...(terminate.clientCa !== undefined ? { validation_context_sds_secret_config: sdsSecret(terminate.clientCa) } : {}),
      alpn_protocols: ['h2', 'http/1.1'],
    },
    ...(terminate.clientCa !== undefined ? { require_client_certificate: { value: true } } : {}),
  };
}

export const TLS_TERMINATION_FEATURE: FeatureTranslator = {
  name: 'TLS termination: tls_inspector, SNI filter chains, DownstreamTlsContext from SDS',
  listenerFilters: ({ node, direction }) => {
    const chains = direction === 'inbound' ? node.inbound : node.outbound;
    return chains.some((c) => c.tls?.terminate !== undefined || (c.tls?.serverNames.length ?? 0) > 0) ? [{ position: 'tls-inspector', value: TLS_INSPECTOR }] : [];
  },
  filterChainMatch: (chain) => {
    const tls = chain.tls;
    if (!tls) return {};
    return {
      ...(tls.serverNames.length > 0 ? { server_names: [...tls.serverNames] } : {}),
      ...(tls.terminate || tls.serverNames.length > 0 ? { transport_protocol: 'tls' } : {}),
    };
  },
  filterChainTransport: (chain) => {
    const terminate = chain.tls?.terminate;
    if (!terminate) return undefined;
    return { name: 'envoy.transport_sockets.tls', typed_config: typed(MESSAGES.downstreamTlsContext, downstreamContext(terminate)) };
  },
  chainReferences: (chain) => {
    const terminate = chain.tls?.terminate;
    if (!terminate) return [];
    return [secretRef(terminate.certificate), ...(terminate.clientCa !== undefined ? [secretRef(terminate.clientCa)] : [])];
  },
  routeDomains: (chain) => {
    const names = chain.tls?.serverNames ?? [];
    return names.length > 0 ? names.flatMap((n) => [n, `${n}:${chain.port}`]) : undefined;
  },
};
