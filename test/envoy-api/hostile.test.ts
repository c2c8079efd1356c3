import { describe, expect, it } from '@jest/globals';
import { checkResource, roundTrip } from '../../envoy-api/index.js';

const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';
const LISTENER = 'envoy.config.listener.v3.Listener';

/** An RBAC filter whose one permission nests `not_rule` `depth` times (built without recursion). */
function deepRbac(depth: number): Record<string, unknown> {
  let permission: Record<string, unknown> = { any: true };
  for (let i = 0; i < depth; i++) permission = { not_rule: permission };
  return { rules: { action: 'DENY', policies: { p: { permissions: [permission], principals: [{ any: true }] } } } };
}

describe('hostile input: a precise violation, never a crash, in bounded time', () => {
  it('stops at the depth limit with one json.depth violation, even a million levels down', () => {
    const violations = checkResource(RBAC, deepRbac(1_000_000));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.rule).toBe('json.depth');
    expect(violations[0]?.path).toMatch(/^rules\.policies\["p"\]\.permissions\[0\](\.not_rule)+$/);
    expect(checkResource(RBAC, deepRbac(40))).toEqual([]);
    expect(checkResource(RBAC, deepRbac(40), { maxDepth: 20 }).map((v) => v.rule)).toEqual(['json.depth']);
  });

  it('round-trips deep input into an encode_failed difference, not a stack overflow', () => {
    const diffs = roundTrip(RBAC, deepRbac(1_000_000));
    expect(diffs).toHaveLength(1);
    expect(diffs[0]?.kind).toBe('encode_failed');
  });

  it('stops on a cyclic object (not JSON, but a JS value a bug could produce)', () => {
    const permission: Record<string, unknown> = {};
    permission.not_rule = permission;
    const violations = checkResource(RBAC, { rules: { policies: { p: { permissions: [permission], principals: [{ any: true }] } } } });
    expect(violations.map((v) => v.rule)).toEqual(['json.depth']);
  });

  it('caps the violations of a huge list and says so', () => {
    const permissions = Array.from({ length: 200_000 }, () => ({ any: false }));
    const violations = checkResource(RBAC, { rules: { policies: { p: { permissions, principals: [{ any: true }] } } } });
    expect(violations).toHaveLength(1001);
    expect(violations[0]).toMatchObject({ path: 'rules.policies["p"].permissions[0].any', rule: 'bool.const' });
    expect(violations[1000]?.rule).toBe('check.truncated');
    expect(checkResource(RBAC, { rules: { policies: { p: { permissions, principals: [{ any: true }] } } } }, { maxViolations: 5 })).toHaveLength(6);
  });

  it('walks a huge valid list to the end', () => {
    const serverNames = Array.from({ length: 300_000 }, (_, i) => `svc-${i}.example.com`);
    const listener = { name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 443 } }, filter_chains: [{ filter_chain_match: { server_names: serverNames }, filters: [] }] };
    expect(checkResource(LISTENER, listener)).toEqual([]);
    serverNames.push(42 as unknown as string);
    expect(checkResource(LISTENER, listener).map((v) => v.path)).toEqual(['filter_chains[0].filter_chain_match.server_names[300000]']);
  });

  it.each([
    ['null', null], ['a number', 42], ['a string', 'listener'], ['a list', []], ['undefined', undefined], ['a boolean', true],
  ])('refuses %s at the root with one json.type violation', (_what, json) => {
    expect(checkResource(LISTENER, json)).toEqual([{ path: '', rule: 'json.type', message: expect.stringContaining('expects a JSON object') }]);
    expect(roundTrip(LISTENER, json)).toEqual([{ path: '', kind: 'encode_failed', message: expect.any(String) }]);
  });

  it('treats __proto__, constructor and prototype keys as unknown fields and pollutes nothing', () => {
    const json: unknown = JSON.parse('{"name":"l","__proto__":{"polluted":true,"name":5},"constructor":{"x":1},"prototype":1,"hasOwnProperty":2}');
    const violations = checkResource(LISTENER, json);
    expect(violations.map((v) => `${v.path} ${v.rule}`)).toEqual([
      '__proto__ json.unknown_field', 'constructor json.unknown_field', 'prototype json.unknown_field', 'hasOwnProperty json.unknown_field',
    ]);
    expect(violations[0]?.message).toContain('forbidden key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes __proto__ as an ordinary key where keys are data (a map)', () => {
    const json: unknown = JSON.parse('{"name":"c","connect_timeout":{"seconds":1},"metadata":{"filter_metadata":{"__proto__":{"fields":{}}}}}');
    expect(checkResource('envoy.config.cluster.v3.Cluster', json)).toEqual([]);
  });

  it('takes plain objects from another realm (structuredClone, vm contexts) and objects without a prototype', () => {
    const listener = { name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 1 } } };
    expect(checkResource(LISTENER, structuredClone(listener))).toEqual([]);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, listener);
    expect(checkResource(LISTENER, bare)).toEqual([]);
  });

  it('refuses objects that are not plain JSON objects', () => {
    class Listener {
      name = 'l';
    }
    expect(checkResource(LISTENER, new Listener()).map((v) => v.rule)).toEqual(['json.type']);
    expect(checkResource(LISTENER, { name: 'l', address: new Map() }).map((v) => `${v.path} ${v.rule}`)).toEqual(['address json.type']);
    expect(checkResource(LISTENER, { name: 'l', filter_chains: [new Date()] }).map((v) => `${v.path} ${v.rule}`)).toEqual(['filter_chains[0] json.type']);
  });

  it("checks 60,000 distinct invalid regexes without exhausting re2-wasm's fixed heap", () => {
    const routes = (i: number): unknown => ({
      name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { safe_regex: { regex: `(unclosed-${i}` } }, route: { cluster: 'c' } }] }],
    });
    for (let i = 0; i < 60_000; i++) {
      const violations = checkResource('envoy.config.route.v3.RouteConfiguration', routes(i));
      if (violations.length !== 1 || violations[0]?.rule !== 'envoy.regex') throw new Error(`regex ${i}: ${JSON.stringify(violations)}`);
    }
    expect(checkResource('envoy.config.route.v3.RouteConfiguration', { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { safe_regex: { regex: '^/ok$' } }, route: { cluster: 'c' } }] }] })).toEqual([]);
  });

  it('throws only for a message type that is not loaded: a bug in the caller, not bad input', () => {
    expect(() => checkResource('envoy.config.listener.v3.Listenr', {})).toThrow(/not a loaded message type/);
  });
});
