/**
 * One valid and one invalid real Envoy resource for every PGV rule kind annotated in the closure
 * of the types sluice emits. The coverage test requires an entry here for each kind the audit
 * finds, so a new kind cannot arrive without a case that proves the checker evaluates it.
 *
 * `expect` is the violation the invalid resource must produce (rule and path); the valid resource
 * must produce no violation at all. Two kinds cannot fail on any real message (`bytes.min_len: 0`
 * and `uint64.gte: 0`); their failing side is proven on a synthetic message in
 * pgv-semantics.test.ts, and here `invalid` is `undefined`.
 */
import { ADS, T } from './fixtures.js';

export interface RuleCase {
  readonly kind: string;
  readonly type: string;
  readonly valid: unknown;
  readonly invalid?: unknown;
  readonly expect?: { readonly rule: string; readonly path: string };
}

const LISTENER = 'envoy.config.listener.v3.Listener';
const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTES = 'envoy.config.route.v3.RouteConfiguration';
const HTTP_RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';
const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

const HCM_PATH = 'filter_chains[0].filters[0].typed_config';

function listener(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 15006 } }, ...patch };
}

function hcmListener(hcmPatch: Record<string, unknown>, filters: unknown[] = [{ name: 'router', typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` } }]): Record<string, unknown> {
  const hcm = {
    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
    stat_prefix: 'in',
    rds: { route_config_name: 'r', config_source: ADS },
    http_filters: filters,
    ...hcmPatch,
  };
  for (const [k, v] of Object.entries(hcmPatch)) if (v === undefined) delete (hcm as Record<string, unknown>)[k];
  return listener({ filter_chains: [{ filters: [{ name: 'hcm', typed_config: hcm }] }] });
}

function cluster(patch: Record<string, unknown>): Record<string, unknown> {
  return { name: 'c', connect_timeout: { seconds: 1 }, ...patch };
}

function routes(routePatch: Record<string, unknown>, configPatch: Record<string, unknown> = {}): Record<string, unknown> {
  const route = { match: { prefix: '/' }, route: { cluster: 'c' }, ...routePatch };
  for (const [k, v] of Object.entries(routePatch)) if (v === undefined) delete (route as Record<string, unknown>)[k];
  return { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [route] }], ...configPatch };
}

function rbac(policy: Record<string, unknown>): Record<string, unknown> {
  return { rules: { action: 'ALLOW', policies: { p: { permissions: [{ any: true }], principals: [{ any: true }], ...policy } } } };
}

function healthCheck(patch: Record<string, unknown>): Record<string, unknown> {
  const hc = { timeout: { seconds: 1 }, interval: { seconds: 5 }, unhealthy_threshold: { value: 3 }, healthy_threshold: { value: 1 }, tcp_health_check: {}, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (hc as Record<string, unknown>)[k];
  return cluster({ health_checks: [hc] });
}

function bootstrapWithFlush(interval: unknown): Record<string, unknown> {
  return { node: { id: 'n' }, stats_flush_interval: interval };
}

function apiConfigSource(patch: Record<string, unknown>): Record<string, unknown> {
  return { node: { id: 'n' }, dynamic_resources: { lds_config: { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'x' } }], ...patch } } } };
}

function udpListener(socket: Record<string, unknown>): Record<string, unknown> {
  return listener({ address: { socket_address: { protocol: 'UDP', address: '0.0.0.0', port_value: 443 } }, udp_listener_config: socket });
}

function http2Options(maxStreams: number): Record<string, unknown> {
  return cluster({
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
        explicit_http_config: { http2_protocol_options: { max_concurrent_streams: { value: maxStreams } } },
      },
    },
  });
}

const big = (n: number): string => 'a'.repeat(n);

export const RULE_CASES: readonly RuleCase[] = [
  {
    kind: 'any.required', type: CLUSTER,
    valid: cluster({ upstream_config: { name: 'generic', typed_config: { '@type': `${T}google.protobuf.Empty` } } }),
    invalid: cluster({ upstream_config: { name: 'generic' } }),
    expect: { rule: 'any.required', path: 'upstream_config.typed_config' },
  },
  {
    kind: 'bool.const', type: HTTP_RBAC,
    valid: rbac({ principals: [{ any: true }] }), invalid: rbac({ principals: [{ any: false }] }),
    expect: { rule: 'bool.const', path: 'rules.policies["p"].principals[0].any' },
  },
  {
    kind: 'bytes.max_len', type: ROUTES,
    valid: routes({}, { request_headers_to_add: [{ header: { key: 'x-a', raw_value: Buffer.from(big(16384)).toString('base64') } }] }),
    invalid: routes({}, { request_headers_to_add: [{ header: { key: 'x-a', raw_value: Buffer.from(big(16385)).toString('base64') } }] }),
    expect: { rule: 'bytes.max_len', path: 'request_headers_to_add[0].header.raw_value' },
  },
  {
    kind: 'bytes.min_len', type: ROUTES,
    valid: routes({}, { request_headers_to_add: [{ header: { key: 'x-a', raw_value: '' } }] }),
  },
  {
    kind: 'double.gt', type: BOOTSTRAP,
    valid: apiConfigSource({ rate_limit_settings: { fill_rate: { value: 10 } } }),
    invalid: apiConfigSource({ rate_limit_settings: { fill_rate: { value: 0 } } }),
    expect: { rule: 'double.gt', path: 'dynamic_resources.lds_config.api_config_source.rate_limit_settings.fill_rate' },
  },
  {
    kind: 'double.gte', type: CLUSTER,
    valid: cluster({ common_lb_config: { healthy_panic_threshold: { value: 0 } } }),
    invalid: cluster({ common_lb_config: { healthy_panic_threshold: { value: -0.5 } } }),
    expect: { rule: 'double.gte', path: 'common_lb_config.healthy_panic_threshold.value' },
  },
  {
    kind: 'double.lte', type: CLUSTER,
    valid: cluster({ common_lb_config: { healthy_panic_threshold: { value: 100 } } }),
    invalid: cluster({ common_lb_config: { healthy_panic_threshold: { value: 100.5 } } }),
    expect: { rule: 'double.lte', path: 'common_lb_config.healthy_panic_threshold.value' },
  },
  {
    kind: 'duration.gt', type: CLUSTER,
    valid: cluster({ connect_timeout: { nanos: 1 } }), invalid: cluster({ connect_timeout: {} }),
    expect: { rule: 'duration.gt', path: 'connect_timeout' },
  },
  {
    kind: 'duration.gte', type: BOOTSTRAP,
    valid: bootstrapWithFlush({ nanos: 1000000 }), invalid: bootstrapWithFlush({ nanos: 999999 }),
    expect: { rule: 'duration.gte', path: 'stats_flush_interval' },
  },
  {
    kind: 'duration.lt', type: BOOTSTRAP,
    valid: bootstrapWithFlush({ seconds: 299, nanos: 999999999 }), invalid: bootstrapWithFlush({ seconds: 300 }),
    expect: { rule: 'duration.lt', path: 'stats_flush_interval' },
  },
  {
    kind: 'duration.lte', type: LISTENER,
    valid: udpListener({ quic_options: { quic_protocol_options: { idle_network_timeout: { seconds: 600 } } } }),
    invalid: udpListener({ quic_options: { quic_protocol_options: { idle_network_timeout: { seconds: 600, nanos: 1 } } } }),
    expect: { rule: 'duration.lte', path: 'udp_listener_config.quic_options.quic_protocol_options.idle_network_timeout' },
  },
  {
    kind: 'duration.required', type: CLUSTER,
    valid: healthCheck({}), invalid: healthCheck({ timeout: undefined }),
    expect: { rule: 'duration.required', path: 'health_checks[0].timeout' },
  },
  {
    kind: 'enum.defined_only', type: LISTENER,
    valid: hcmListener({ codec_type: 'HTTP2' }), invalid: hcmListener({ codec_type: 99 }),
    expect: { rule: 'enum.defined_only', path: `${HCM_PATH}.codec_type` },
  },
  {
    kind: 'enum.not_in', type: CLUSTER,
    valid: healthCheck({ tcp_health_check: undefined, http_health_check: { path: '/healthz', method: 'GET' } }),
    invalid: healthCheck({ tcp_health_check: undefined, http_health_check: { path: '/healthz', method: 'CONNECT' } }),
    expect: { rule: 'enum.not_in', path: 'health_checks[0].http_health_check.method' },
  },
  {
    kind: 'map.keys', type: CLUSTER,
    valid: cluster({ metadata: { filter_metadata: { 'sluice.policy': { fields: { name: { stringValue: 'orders' } } } } } }),
    invalid: cluster({ metadata: { filter_metadata: { '': { fields: {} } } } }),
    expect: { rule: 'string.min_len', path: 'metadata.filter_metadata[""]' },
  },
  {
    kind: 'map.min_pairs', type: LISTENER,
    valid: listener({ filter_chain_matcher: { matcher_tree: { input: { name: 'port', typed_config: { '@type': `${T}google.protobuf.Empty` } }, exact_match_map: { map: { '8080': { action: { name: 'chain-a', typed_config: { '@type': `${T}google.protobuf.StringValue`, value: 'chain-a' } } } } } } } }),
    invalid: listener({ filter_chain_matcher: { matcher_tree: { input: { name: 'port', typed_config: { '@type': `${T}google.protobuf.Empty` } }, exact_match_map: { map: {} } } } }),
    expect: { rule: 'map.min_pairs', path: 'filter_chain_matcher.matcher_tree.exact_match_map.map' },
  },
  {
    kind: 'message.required', type: ROUTES,
    valid: routes({}), invalid: routes({ match: undefined }),
    expect: { rule: 'message.required', path: 'virtual_hosts[0].routes[0].match' },
  },
  {
    kind: 'oneof.required', type: LISTENER,
    valid: hcmListener({}), invalid: hcmListener({ rds: undefined }),
    expect: { rule: 'oneof.required', path: `${HCM_PATH}.route_specifier` },
  },
  {
    kind: 'repeated.items', type: LISTENER,
    valid: hcmListener({}, [{ name: 'router', typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router`, strict_check_headers: ['x-envoy-max-retries'] } }]),
    invalid: hcmListener({}, [{ name: 'router', typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router`, strict_check_headers: ['x-envoy-max-retries', 'x-tenant'] } }]),
    expect: { rule: 'string.in', path: `${HCM_PATH}.http_filters[0].typed_config.strict_check_headers[1]` },
  },
  {
    kind: 'repeated.max_items', type: 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
    valid: { stat_prefix: 't', cluster: 'c', hash_policy: [{ source_ip: {} }] },
    invalid: { stat_prefix: 't', cluster: 'c', hash_policy: [{ source_ip: {} }, { source_ip: {} }] },
    expect: { rule: 'repeated.max_items', path: 'hash_policy' },
  },
  {
    kind: 'repeated.min_items', type: HTTP_RBAC,
    valid: rbac({}), invalid: rbac({ permissions: [] }),
    expect: { rule: 'repeated.min_items', path: 'rules.policies["p"].permissions' },
  },
  {
    kind: 'repeated.unique', type: ROUTES,
    valid: routes({ route: { cluster: 'c', internal_redirect_policy: { response_headers_to_copy: ['x-a', 'x-b'] } } }),
    invalid: routes({ route: { cluster: 'c', internal_redirect_policy: { response_headers_to_copy: ['x-a', 'x-a'] } } }),
    expect: { rule: 'repeated.unique', path: 'virtual_hosts[0].routes[0].route.internal_redirect_policy.response_headers_to_copy' },
  },
  {
    kind: 'string.ignore_empty', type: CLUSTER,
    valid: cluster({ upstream_http_protocol_options: { auto_sni: true, override_auto_sni_header: '' } }),
    invalid: cluster({ upstream_http_protocol_options: { auto_sni: true, override_auto_sni_header: 'x sni' } }),
    expect: { rule: 'string.well_known_regex', path: 'upstream_http_protocol_options.override_auto_sni_header' },
  },
  {
    kind: 'string.in', type: LISTENER,
    valid: hcmListener({ scheme_header_transformation: { scheme_to_overwrite: 'https' } }),
    invalid: hcmListener({ scheme_header_transformation: { scheme_to_overwrite: 'ftp' } }),
    expect: { rule: 'string.in', path: `${HCM_PATH}.scheme_header_transformation.scheme_to_overwrite` },
  },
  {
    kind: 'string.max_bytes', type: ROUTES,
    valid: routes({}, { request_headers_to_add: [{ header: { key: 'x-a', value: big(16384) } }] }),
    invalid: routes({}, { request_headers_to_add: [{ header: { key: 'x-a', value: big(16383) + 'é' } }] }),
    expect: { rule: 'string.max_bytes', path: 'request_headers_to_add[0].header.value' },
  },
  {
    kind: 'string.min_len', type: LISTENER,
    valid: hcmListener({ stat_prefix: 'x' }), invalid: hcmListener({ stat_prefix: '' }),
    expect: { rule: 'string.min_len', path: `${HCM_PATH}.stat_prefix` },
  },
  {
    kind: 'string.pattern', type: ROUTES,
    valid: routes({ match: { path_separated_prefix: '/api' } }), invalid: routes({ match: { path_separated_prefix: '/api/' } }),
    expect: { rule: 'string.pattern', path: 'virtual_hosts[0].routes[0].match.path_separated_prefix' },
  },
  {
    kind: 'string.strict', type: ROUTES,
    // strict: false on HeaderMatcher.name: a space passes (it would not under RFC 7230), CR/LF do not.
    valid: routes({ match: { prefix: '/', headers: [{ name: 'x tenant', present_match: true }] } }),
    invalid: routes({ match: { prefix: '/', headers: [{ name: 'x-tenant\r', present_match: true }] } }),
    expect: { rule: 'string.well_known_regex', path: 'virtual_hosts[0].routes[0].match.headers[0].name' },
  },
  {
    kind: 'string.well_known_regex', type: ROUTES,
    valid: routes({ match: { prefix: '/', headers: [{ name: 'x-tenant', string_match: { exact: 'acme' } }] } }),
    invalid: routes({ match: { prefix: '/', headers: [{ name: 'x-tenant\nx-evil', string_match: { exact: 'acme' } }] } }),
    expect: { rule: 'string.well_known_regex', path: 'virtual_hosts[0].routes[0].match.headers[0].name' },
  },
  {
    kind: 'uint32.gt', type: LISTENER,
    valid: hcmListener({ max_request_headers_kb: { value: 1 } }), invalid: hcmListener({ max_request_headers_kb: { value: 0 } }),
    expect: { rule: 'uint32.gt', path: `${HCM_PATH}.max_request_headers_kb` },
  },
  {
    kind: 'uint32.gte', type: CLUSTER,
    valid: http2Options(1), invalid: http2Options(0),
    expect: { rule: 'uint32.gte', path: 'typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].explicit_http_config.http2_protocol_options.max_concurrent_streams' },
  },
  {
    kind: 'uint32.lt', type: ROUTES,
    valid: routes({ route: undefined, direct_response: { status: 599 } }), invalid: routes({ route: undefined, direct_response: { status: 600 } }),
    expect: { rule: 'uint32.lt', path: 'virtual_hosts[0].routes[0].direct_response.status' },
  },
  {
    kind: 'uint32.lte', type: LISTENER,
    valid: listener({ address: { socket_address: { address: '0.0.0.0', port_value: 65535 } } }),
    invalid: listener({ address: { socket_address: { address: '0.0.0.0', port_value: 65536 } } }),
    expect: { rule: 'uint32.lte', path: 'address.socket_address.port_value' },
  },
  {
    kind: 'uint64.gt', type: LISTENER,
    valid: udpListener({ downstream_socket_config: { max_rx_datagram_size: { value: 1500 } } }),
    invalid: udpListener({ downstream_socket_config: { max_rx_datagram_size: { value: 0 } } }),
    expect: { rule: 'uint64.gt', path: 'udp_listener_config.downstream_socket_config.max_rx_datagram_size' },
  },
  {
    kind: 'uint64.gte', type: CLUSTER,
    valid: healthCheck({ tcp_health_check: undefined, http_health_check: { path: '/healthz', response_buffer_size: { value: '0' } } }),
  },
  {
    kind: 'uint64.lt', type: LISTENER,
    valid: udpListener({ downstream_socket_config: { max_rx_datagram_size: { value: '65535' } } }),
    invalid: udpListener({ downstream_socket_config: { max_rx_datagram_size: { value: '65536' } } }),
    expect: { rule: 'uint64.lt', path: 'udp_listener_config.downstream_socket_config.max_rx_datagram_size' },
  },
  {
    kind: 'uint64.lte', type: CLUSTER,
    valid: cluster({ lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: 65537 } } }),
    invalid: cluster({ lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: 5000012 } } }),
    expect: { rule: 'uint64.lte', path: 'maglev_lb_config.table_size' },
  },
];
