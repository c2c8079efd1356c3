import { describe, expect, it } from '@jest/globals';
import { roundTrip } from '../../envoy-api/index.js';
import { harness } from './harness-root.js';
import { T } from './fixtures.js';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const base = { name: 'c', connect_timeout: { seconds: 1 } };
const diffs = (json: unknown): string[] => roundTrip(CLUSTER, json).map((d) => `${d.path} ${d.kind}`);

describe('roundTrip: what survives encode → decode', () => {
  it('finds the fields the codec drops silently: unknown fields and enum names it does not know', () => {
    expect(diffs({ ...base, conect_timeout: { seconds: 1 } })).toEqual(['conect_timeout lost']);
    expect(diffs({ ...base, lb_policy: 'least_request' })).toEqual(['lb_policy lost']);
    expect(diffs({ ...base, transport_socket: { name: 'tls', typed_config: { '@type': `${T}no.such.Type`, sni: 'x' } } })).toEqual(['transport_socket.typed_config.@type lost']);
  });

  it('finds values the codec coerces: a string "false" becomes true, a number name becomes a string', () => {
    const [flag] = roundTrip(CLUSTER, { ...base, respect_dns_ttl: 'false' });
    expect(flag).toEqual({ path: 'respect_dns_ttl', kind: 'changed', message: 'was "false", became true' });
    expect(diffs({ ...base, name: 5 })).toEqual(['name changed']);
  });

  it('treats proto3 defaults as absent, and the two JSON spellings of a value as equal', () => {
    expect(diffs({ ...base, respect_dns_ttl: false, lb_policy: 'ROUND_ROBIN', alt_stat_name: '' })).toEqual([]);
    expect(diffs({ ...base, lb_policy: 1, connect_timeout: { seconds: 5, nanos: 0 } })).toEqual([]);
    expect(diffs({ ...base, lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: 1024 }, maximum_ring_size: { value: '2048' } } })).toEqual([]);
    expect(diffs({ ...base, health_checks: [], metadata: { filter_metadata: {} } })).toEqual([]);
  });

  it('keeps message presence: an empty wrapper is not an absent one', () => {
    expect(diffs({ ...base, per_connection_buffer_limit_bytes: {} })).toEqual([]);
    expect(diffs({ ...base, per_connection_buffer_limit_bytes: { value: 0 } })).toEqual([]);
  });

  it('compares floats at float precision and bytes by content', () => {
    const { checker } = harness();
    expect(checker.roundTrip('tests.harness.cases.FloatConst', { val: 1.23 })).toEqual([]);
    expect(checker.roundTrip('tests.harness.cases.BytesNone', { val: 'AQID' })).toEqual([]);
    expect(checker.roundTrip('tests.harness.cases.MapMin', { val: { 1: 1.5, '-2': 2.5 } })).toEqual([]);
    expect(checker.roundTrip('tests.harness.cases.OneOfRequired', { y: 0 })).toEqual([]);
  });

  it("finds protobufjs's 64-bit map keys: they decode as 8-character hash strings, not numbers", () => {
    const { checker } = harness();
    expect(checker.roundTrip('tests.harness.cases.MapExact', { val: { 1: 'a' } }).map((d) => d.kind)).toEqual(['lost', 'added']);
  });

  it('reports an encoder refusal as one encode_failed difference', () => {
    const [failure] = roundTrip(CLUSTER, { ...base, connect_timeout: '5s' });
    expect(failure?.kind).toBe('encode_failed');
    expect(failure?.message).toContain('connect_timeout');
  });
});
