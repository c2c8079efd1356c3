/**
 * The protos sluice loads and the messages it emits, in one table. It imports nothing, because
 * `scripts/gen-message-types.mjs` reads it too (`npm run gen` generates the JSON-form types of
 * `MESSAGES` and of everything they contain, see envoy-api/generated/messages.ts).
 *
 * To emit a new message (a filter, a TLS context): add it to `MESSAGES`, add its `.proto` to
 * `PROTO_FILES` when no listed file imports it yet, and run `npm run gen`.
 */

/** The include directories of `@grpc/grpc-js-xds`'s copies of Envoy's API and its dependencies (under its `deps/`). */
export const PROTO_DEPS: readonly string[] = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'];

/** Every proto file whose messages sluice emits or serves (sluice's own protos under `proto/` are added to these). */
export const PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/direct_response/v3/config.proto',
  'envoy/extensions/filters/network/set_filter_state/v3/set_filter_state.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/original_src/v3/original_src.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/access_loggers/grpc/v3/als.proto',
  'envoy/extensions/access_loggers/filters/cel/v3/cel.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/http/credential_injector/v3/credential_injector.proto',
  'envoy/extensions/http/injected_credentials/generic/v3/generic.proto',
];

/**
 * The messages sluice emits: the xDS resources (and the bootstrap) and every message it packs into
 * a `google.protobuf.Any` (filters, protocol options, TLS contexts). Their transitive closure is
 * what the generated types cover and what the Envoy-rules checker's coverage audit walks; an `Any`
 * in a generated type may hold exactly these.
 */
export const MESSAGES = {
  // xDS resources and the bootstrap
  listener: 'envoy.config.listener.v3.Listener',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  cluster: 'envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'envoy.extensions.transport_sockets.tls.v3.Secret',
  kafkaPolicy: 'sluice.kafka.v1alpha1.KafkaPolicy',
  nodeRedirects: 'sluice.redirect.v1alpha1.NodeRedirects',
  bootstrap: 'envoy.config.bootstrap.v3.Bootstrap',
  // typed_config payloads
  originalDst: 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  originalSrc: 'envoy.extensions.filters.listener.original_src.v3.OriginalSrc',
  httpConnectionManager: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  directResponse: 'envoy.extensions.filters.network.direct_response.v3.Config',
  setFilterState: 'envoy.extensions.filters.network.set_filter_state.v3.Config',
  networkRbac: 'envoy.extensions.filters.network.rbac.v3.RBAC',
  rbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  rbacPerRoute: 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  stdoutAccessLog: 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  httpGrpcAccessLog: 'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig',
  tcpGrpcAccessLog: 'envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig',
  celAccessLogFilter: 'envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter',
  upstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  tlsInspector: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  credentialInjector: 'envoy.extensions.filters.http.credential_injector.v3.CredentialInjector',
  genericCredential: 'envoy.extensions.http.injected_credentials.generic.v3.Generic',
} as const;

/** The fully qualified name of an emitted message. */
export type MessageName = (typeof MESSAGES)[keyof typeof MESSAGES];

/** The prefix of every type URL: `type.googleapis.com/<message>`. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The emitted messages as a list: the roots of the checker's coverage audit. */
export const SLUICE_EMITTED_TYPES: readonly MessageName[] = Object.values(MESSAGES);

/**
 * Fields Envoy 1.40 reads that `@grpc/grpc-js-xds`'s copy of Envoy's API (under its `deps/`) is
 * too old to declare. Each is added to the protobuf root after the protos load (envoy-api/proto-root.ts
 * and scripts/gen-message-types.mjs both apply this table, through `addNewerFields`), so the codec,
 * the generated types and the Envoy-rules checker all know it. The number and type are Envoy's own:
 * drop a row when grpc-js-xds's copy gains the field (`addNewerFields` throws then, so it is noticed).
 */
export const NEWER_FIELDS: readonly { readonly message: string; readonly name: string; readonly id: number; readonly type: string; readonly upstream: string }[] = [
  {
    // envoyproxy/envoy api/envoy/config/core/v3/address.proto, `message SocketAddress`
    // ([#next-free-field: 8]): `string network_namespace_filepath = 7;` "Filepath that specifies
    // the Linux network namespace this socket will be created in"; valid for listener sockets and
    // upstream bind configs only. sluice sets it on a node-mode Pod's inbound listener.
    message: 'envoy.config.core.v3.SocketAddress',
    name: 'network_namespace_filepath',
    id: 7,
    type: 'string',
    upstream: 'envoyproxy/envoy api/envoy/config/core/v3/address.proto',
  },
];

/** The part of protobufjs `addNewerFields` needs (structural, so this file imports nothing). */
export interface NewerFieldsRoot<F> {
  lookupType(name: string): { fields: Record<string, unknown>; fieldsById?: Record<number, unknown>; add(field: F): unknown };
}

/**
 * Adds `NEWER_FIELDS` to a freshly loaded root (before `resolveAll`). Throws when the loaded protos
 * already declare the name or the number: the table row is then stale or wrong.
 */
export function addNewerFields<F>(root: NewerFieldsRoot<F>, field: (name: string, id: number, type: string) => F): void {
  for (const f of NEWER_FIELDS) {
    const type = root.lookupType(f.message);
    const byId = Object.values(type.fields).some((x) => (x as { id?: number }).id === f.id);
    if (f.name in type.fields || byId) throw new Error(`${f.message}: the loaded protos already declare field ${f.name} or number ${f.id}; remove it from NEWER_FIELDS (envoy-api/protos.ts)`);
    type.add(field(f.name, f.id, f.type));
  }
}
