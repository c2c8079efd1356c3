import { describe, expect, it } from '@jest/globals';
import { checkResource } from '../../envoy-api/index.js';
import { fullListener, T } from './fixtures.js';

const LISTENER = 'envoy.config.listener.v3.Listener';
const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const rules = (type: string, json: unknown): string[] => checkResource(type, json).map((v) => `${v.path} ${v.rule}`);
const cluster = (patch: Record<string, unknown>): Record<string, unknown> => ({ name: 'c', connect_timeout: { seconds: 1 }, ...patch });

describe("the JSON shape Envoy's loader and sluice's codec accept", () => {
  it('refuses unknown fields, and names the proto field a camelCase or misspelt key stands for', () => {
    const [unknown, camel] = checkResource(CLUSTER, cluster({ connect_timout: {}, connectTimeout: { seconds: 1 } }));
    expect(unknown).toEqual({ path: 'connect_timout', rule: 'json.unknown_field', message: 'unknown field "connect_timout" in envoy.config.cluster.v3.Cluster' });
    expect(camel?.path).toBe('connectTimeout');
    expect(camel?.message).toContain('"connect_timeout"');
  });

  it('refuses wrong JSON types for each scalar kind', () => {
    expect(rules(CLUSTER, cluster({ name: 5 }))).toEqual(['name json.type']);
    expect(rules(CLUSTER, cluster({ respect_dns_ttl: 'false' }))).toEqual(['respect_dns_ttl json.type']);
    expect(rules(CLUSTER, cluster({ per_connection_buffer_limit_bytes: { value: 1.5 } }))).toEqual(['per_connection_buffer_limit_bytes.value json.type']);
    expect(rules(CLUSTER, cluster({ per_connection_buffer_limit_bytes: { value: 4294967296 } }))).toEqual(['per_connection_buffer_limit_bytes.value json.type']);
    expect(rules(CLUSTER, cluster({ per_connection_buffer_limit_bytes: { value: '4096' } }))).toEqual([]);
    expect(rules(CLUSTER, cluster({ health_checks: {} }))).toEqual(['health_checks json.type']);
    expect(rules(CLUSTER, cluster({ metadata: [] }))).toEqual(['metadata json.type']);
  });

  it('takes 64-bit integers as decimal strings or safe numbers, and refuses numbers that lost precision', () => {
    const ring = (min: unknown): unknown => cluster({ lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: min } } });
    expect(rules(CLUSTER, ring('1024'))).toEqual([]);
    expect(rules(CLUSTER, ring(1024))).toEqual([]);
    expect(rules(CLUSTER, ring(2 ** 60))).toEqual(['ring_hash_lb_config.minimum_ring_size.value json.type']);
    expect(rules(CLUSTER, ring('0x400'))).toEqual(['ring_hash_lb_config.minimum_ring_size.value json.type']);
    expect(rules(CLUSTER, ring('-1'))).toEqual(['ring_hash_lb_config.minimum_ring_size.value json.type']);
  });

  it('refuses enum names that do not exist, and explains the case-insensitive ones Envoy would take', () => {
    const [bad] = checkResource(CLUSTER, cluster({ lb_policy: 'round_robin' }));
    expect(bad?.rule).toBe('json.enum');
    expect(bad?.message).toContain('write "ROUND_ROBIN"');
    expect(rules(CLUSTER, cluster({ lb_policy: 'FASTEST' }))).toEqual(['lb_policy json.enum']);
    expect(rules(CLUSTER, cluster({ lb_policy: 1 }))).toEqual([]);
    expect(rules(CLUSTER, cluster({ lb_policy: true }))).toEqual(['lb_policy json.type']);
  });

  it('refuses two members of one oneof, and takes null as absent', () => {
    expect(rules(CLUSTER, cluster({ type: 'EDS', cluster_type: { name: 'custom' } }))).toEqual(['cluster_type json.oneof']);
    expect(rules(CLUSTER, cluster({ type: 'STATIC', cluster_type: null, load_assignment: null }))).toEqual([]);
  });

  it('resolves each Any by its @type, recursing with that type, and refuses what does not resolve', () => {
    const listener = fullListener() as { filter_chains: Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }> };
    const hcm = listener.filter_chains[0]?.filters[0]?.typed_config;
    if (!hcm) throw new Error('fixture shape');
    hcm['@type'] = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManagr`;
    expect(rules(LISTENER, listener)).toEqual(['filter_chains[0].filters[0].typed_config.@type json.any']);
    hcm['@type'] = 'example.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
    expect(rules(LISTENER, listener)).toEqual(['filter_chains[0].filters[0].typed_config.@type json.any']);
    hcm['@type'] = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
    hcm.stat_prefx = 'x';
    expect(rules(LISTENER, listener)).toEqual(['filter_chains[0].filters[0].typed_config.stat_prefx json.unknown_field']);
    expect(rules(CLUSTER, cluster({ transport_socket: { name: 'tls', typed_config: { type_url: `${T}x`, value: '' } } }))).toEqual(['transport_socket.typed_config json.any']);
    expect(rules(CLUSTER, cluster({ transport_socket: { name: 'tls', typed_config: { '@type': 42 } } }))).toEqual(['transport_socket.typed_config.@type json.any']);
    expect(rules(CLUSTER, cluster({ '@type': `${T}envoy.config.cluster.v3.Cluster` }))).toEqual(['@type json.unknown_field']);
  });

  it('checks well-known types in their {seconds, nanos} and {value} forms', () => {
    const [duration] = checkResource(CLUSTER, cluster({ connect_timeout: '5s' }));
    expect(duration).toMatchObject({ path: 'connect_timeout', rule: 'json.type' });
    expect(duration?.message).toContain('{ seconds, nanos }');
    expect(rules(CLUSTER, cluster({ connect_timeout: { seconds: '5', nanos: 500 } }))).toEqual([]);
    expect(rules(CLUSTER, cluster({ connect_timeout: { seconds: 5, millis: 1 } }))).toEqual(['connect_timeout.millis json.unknown_field']);
    expect(rules(CLUSTER, cluster({ per_connection_buffer_limit_bytes: 32768 }))).toEqual(['per_connection_buffer_limit_bytes json.type']);
    // Struct, as the codec takes it: { fields: { key: { stringValue } } } (protobufjs's own google.protobuf.Value).
    expect(rules(CLUSTER, cluster({ metadata: { filter_metadata: { sluice: { fields: { policy: { stringValue: 'orders' }, n: { numberValue: 1 }, l: { listValue: { values: [{ boolValue: true }] } } } } } } }))).toEqual([]);
    expect(rules(CLUSTER, cluster({ metadata: { filter_metadata: { sluice: { policy: 'orders' } } } }))).toEqual(['metadata.filter_metadata["sluice"].policy json.unknown_field']);
    expect(rules(CLUSTER, cluster({ metadata: { filter_metadata: { sluice: { fields: { a: { stringValue: 'x', boolValue: true } } } } } }))).toEqual(['metadata.filter_metadata["sluice"].fields["a"].boolValue json.oneof']);
  });

  it("refuses Envoy's duration values that are out of range even where PGV has no rule (envoy.duration)", () => {
    const tcp = (idle: unknown): unknown => ({ stat_prefix: 't', cluster: 'c', idle_timeout: idle });
    const TCP = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
    expect(rules(TCP, tcp({ seconds: 0 }))).toEqual([]);
    expect(rules(TCP, tcp({ seconds: -1 }))).toEqual(['idle_timeout envoy.duration']);
    expect(rules(TCP, tcp({ seconds: 1, nanos: -1 }))).toEqual(['idle_timeout envoy.duration']);
    expect(rules(TCP, tcp({ seconds: 1, nanos: 1000000000 }))).toEqual(['idle_timeout envoy.duration']);
    expect(rules(TCP, tcp({ seconds: '315576000001' }))).toEqual(['idle_timeout envoy.duration']);
    expect(rules(CLUSTER, cluster({ connect_timeout: { seconds: -1 } }))).toEqual(['connect_timeout envoy.duration', 'connect_timeout duration.gt']);
  });

  it('refuses bytes that are not standard base64, and strings that are not valid UTF-8', () => {
    const secret = (inline: unknown): unknown => ({ name: 's', generic_secret: { secret: { inline_bytes: inline } } });
    expect(rules('envoy.extensions.transport_sockets.tls.v3.Secret', secret('c2x1aWNl'))).toEqual([]);
    expect(rules('envoy.extensions.transport_sockets.tls.v3.Secret', secret('c2x1aWNl!'))).toEqual(['generic_secret.secret.inline_bytes json.type']);
    expect(rules('envoy.extensions.transport_sockets.tls.v3.Secret', secret('c2x1aW-l'))).toEqual(['generic_secret.secret.inline_bytes json.type']);
    expect(rules(CLUSTER, cluster({ name: 'bad\ud800' }))).toEqual(['name json.type']);
  });

  it('reports deprecated fields only when asked, and always those Envoy refuses by default', () => {
    const deprecated = { ...cluster({}), use_tcp_for_dns_lookups: true };
    expect(rules(CLUSTER, deprecated)).toEqual([]);
    expect(checkResource(CLUSTER, deprecated, { reportDeprecated: true }).map((v) => `${v.path} ${v.rule}`)).toEqual(['use_tcp_for_dns_lookups envoy.deprecated']);
    expect(checkResource(CLUSTER, { ...cluster({}), use_tcp_for_dns_lookups: false }, { reportDeprecated: true })).toEqual([]);
  });
});
