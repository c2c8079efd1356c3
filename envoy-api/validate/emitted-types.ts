/**
 * The Envoy message types sluice emits: the xDS resources themselves and every type it packs into
 * an `Any` (filters, protocol options, TLS contexts). Their transitive closure is what the
 * checker's coverage audit walks; add a type here when the compiler starts emitting it.
 */
export const SLUICE_EMITTED_TYPES: readonly string[] = [
  // xDS resources and the bootstrap
  'envoy.config.listener.v3.Listener',
  'envoy.config.route.v3.RouteConfiguration',
  'envoy.config.cluster.v3.Cluster',
  'envoy.config.endpoint.v3.ClusterLoadAssignment',
  'envoy.extensions.transport_sockets.tls.v3.Secret',
  'envoy.config.bootstrap.v3.Bootstrap',
  // typed_config payloads
  'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  'envoy.extensions.filters.listener.original_src.v3.OriginalSrc',
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  'envoy.extensions.filters.network.direct_response.v3.Config',
  'envoy.extensions.filters.network.rbac.v3.RBAC',
  'envoy.extensions.filters.http.rbac.v3.RBAC',
  'envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
  'envoy.extensions.filters.http.router.v3.Router',
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
];
