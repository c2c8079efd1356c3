/**
 * Benchmark: checking 10,000 realistic resources (listeners with HCM + two RBAC filters + router,
 * route configurations, clusters with TLS and protocol options, endpoint assignments), against the
 * peer measured in the same run: sluice's codec encoding the same resources (protobufjs
 * `fromObject` + `verify` + `encode`), the work the xDS server does on each of them anyway.
 *
 *   make build && node dist/envoy-api/validate/bench.js [count]
 */
import { pathToFileURL } from 'node:url';
import { encodeMessage } from '../codec.js';
import { protoRoot } from '../proto-root.js';
import { createEnvoyChecker } from './checker.js';
import { TYPE_URL_PREFIX } from '../protos.js';

const T = TYPE_URL_PREFIX;
const ADS = { ads: {}, resource_api_version: 'V3' };

type Resource = { readonly type: string; readonly json: Record<string, unknown> };

function rbac(action: string, i: number, shadow: boolean): Record<string, unknown> {
  const policy = {
    permissions: [{ and_rules: { rules: [{ header: { name: ':method', string_match: { exact: 'GET' } } }, { url_path: { path: { prefix: `/v1/svc-${i}` } } }] } }],
    principals: [{ direct_remote_ip: { address_prefix: `10.${i % 250}.0.0`, prefix_len: { value: 16 } } }],
  };
  return {
    '@type': `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
    rules: { action, policies: { [`ns/policy-${i}`]: policy } },
    ...(shadow ? { shadow_rules: { action, policies: { [`ns/audit-${i}`]: policy } }, shadow_rules_stat_prefix: 'audit_' } : {}),
  };
}

function listener(i: number): Resource {
  const hcm = {
    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
    stat_prefix: `in_${i}`,
    rds: { route_config_name: `route-${i}`, config_source: ADS },
    http_filters: [
      { name: 'envoy.filters.http.rbac', typed_config: rbac('DENY', i, false) },
      { name: 'envoy.filters.http.rbac', typed_config: rbac('ALLOW', i, true) },
      { name: 'envoy.filters.http.router', typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` } },
    ],
  };
  return {
    type: 'envoy.config.listener.v3.Listener',
    json: {
      name: `listener-${i}`,
      address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
      listener_filters: [{ name: 'envoy.filters.listener.original_dst', typed_config: { '@type': `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` } }],
      filter_chains: [{ filter_chain_match: { destination_port: { value: 8000 + (i % 1000) }, prefix_ranges: [{ address_prefix: `10.0.${i % 250}.7`, prefix_len: { value: 32 } }] }, filters: [{ name: 'hcm', typed_config: hcm }] }],
    },
  };
}

function routes(i: number): Resource {
  return {
    type: 'envoy.config.route.v3.RouteConfiguration',
    json: { name: `route-${i}`, virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: `cluster-${i}`, timeout: { seconds: 15 } } }] }] },
  };
}

function cluster(i: number): Resource {
  return {
    type: 'envoy.config.cluster.v3.Cluster',
    json: {
      name: `cluster-${i}`, type: 'EDS', eds_cluster_config: { eds_config: ADS }, connect_timeout: { seconds: 5 },
      typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`, explicit_http_config: { http2_protocol_options: {} } } },
      transport_socket: { name: 'tls', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`, sni: `svc-${i}`, common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'client', sds_config: ADS }] } } },
    },
  };
}

function endpoints(i: number): Resource {
  return {
    type: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
    json: { cluster_name: `cluster-${i}`, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: `10.0.${i % 250}.7`, port_value: 8080 } } }, load_balancing_weight: { value: 1 } }] }] },
  };
}

/** `count` resources, a quarter of each kind. */
export function benchResources(count: number): Resource[] {
  const makers = [listener, routes, cluster, endpoints];
  return Array.from({ length: count }, (_, i) => (makers[i % 4] ?? listener)(i));
}

function timeMs(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function main(): void {
  const count = Number(process.argv[2] ?? 10_000);
  const loadMs = timeMs(() => protoRoot());
  const resources = benchResources(count);
  const checker = createEnvoyChecker();
  let violations = 0;
  const coldMs = timeMs(() => { for (const r of resources.slice(0, 4)) violations += checker.check(r.type, r.json).length; });
  const rounds = 3;
  const check: number[] = [];
  const encode: number[] = [];
  const trip: number[] = [];
  for (let round = 0; round < rounds; round++) {
    encode.push(timeMs(() => { for (const r of resources) encodeMessage(r.type, r.json); }));
    check.push(timeMs(() => { for (const r of resources) violations += checker.check(r.type, r.json).length; }));
    trip.push(timeMs(() => { for (const r of resources) violations += checker.roundTrip(r.type, r.json).length; }));
  }
  const best = (xs: number[]): number => Math.min(...xs);
  console.log(`envoy-validate bench: ${count} resources (listeners with HCM+2×RBAC+router, routes, clusters with TLS, endpoints), best of ${rounds}`);
  console.log(`  proto load ${loadMs.toFixed(0)} ms; first 4 checks incl. plan building ${coldMs.toFixed(1)} ms`);
  console.log(`  checkResource: ${best(check).toFixed(0)} ms (${((best(check) * 1000) / count).toFixed(1)} µs/resource)`);
  console.log(`  roundTrip:     ${best(trip).toFixed(0)} ms (${((best(trip) * 1000) / count).toFixed(1)} µs/resource)`);
  console.log(`  peer, codec encodeMessage: ${best(encode).toFixed(0)} ms (${((best(encode) * 1000) / count).toFixed(1)} µs/resource)`);
  console.log(`  ratio check/encode: ${(best(check) / best(encode)).toFixed(2)}; violations found: ${violations} (expected 0)`);
  if (violations !== 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
