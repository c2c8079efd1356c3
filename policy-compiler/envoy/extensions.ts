/**
 * The Envoy message types sluice puts inside `typed_config` and resources, in one table, so the
 * `@type` strings are written once.
 */
export const MESSAGES = {
  listener: 'envoy.config.listener.v3.Listener',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  cluster: 'envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  httpConnectionManager: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  originalDst: 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  originalSrc: 'envoy.extensions.filters.listener.original_src.v3.OriginalSrc',
  rbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  rbacPerRoute: 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
  directResponse: 'envoy.extensions.filters.network.direct_response.v3.Config',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  stdoutAccessLog: 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  kafkaPolicy: 'sluice.kafka.v1alpha1.KafkaPolicy',
} as const;

export type MessageName = (typeof MESSAGES)[keyof typeof MESSAGES];

/** `{ '@type': …, ...fields }`: a `google.protobuf.Any` in the JSON form Envoy's config uses. */
export function typed(message: MessageName, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { '@type': `type.googleapis.com/${message}`, ...fields };
}

/** The config source that points a resource at the ADS stream it came from. */
export const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;
