import { describe, expect, it } from '@jest/globals';
import { checkResource, decodeMessage, encodeMessage, roundTrip } from '../../envoy-api/index.js';
import { fullListener, realisticResources, T } from './fixtures.js';

const LISTENER = 'envoy.config.listener.v3.Listener';

describe('realistic resources, shaped like what the compiler emits', () => {
  it('the full inbound listener has every part the compiler emits', () => {
    const text = JSON.stringify(fullListener());
    for (const part of [
      `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`, '"destination_port":{"value":8080}', '"prefix_ranges"',
      '"rds":{"route_config_name"', '"ads":{}', '"action":"DENY"', '"action":"ALLOW"', '"shadow_rules"', '"shadow_rules_stat_prefix"',
      `${T}envoy.extensions.filters.http.router.v3.Router`, `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
    ]) expect([part, text.includes(part)]).toEqual([part, true]);
    const hcm = text.indexOf('HttpConnectionManager');
    expect(text.indexOf('"action":"DENY"', hcm)).toBeLessThan(text.indexOf('"action":"ALLOW"', hcm));
  });

  it('the full listener checks clean and round-trips without loss', () => {
    expect(checkResource(LISTENER, fullListener())).toEqual([]);
    expect(roundTrip(LISTENER, fullListener())).toEqual([]);
  });

  it.each(realisticResources().map((r) => [r.type, r.json] as const))('%s checks clean and round-trips without loss', (type, json) => {
    expect(checkResource(type, json)).toEqual([]);
    expect(roundTrip(type, json)).toEqual([]);
  });

  it('the binary form really carries the RBAC shadow rules and the DENY-then-ALLOW order', () => {
    const decoded = decodeMessage(LISTENER, encodeMessage(LISTENER, fullListener())) as {
      filter_chains: Array<{ filters: Array<{ typed_config: { http_filters?: Array<{ typed_config: Record<string, unknown> }> } }> }>;
    };
    const filters = decoded.filter_chains[0]?.filters[0]?.typed_config.http_filters ?? [];
    expect(filters.map((f) => (f.typed_config.rules as { action?: string } | undefined)?.action ?? f.typed_config['@type'])).toEqual([
      'DENY', 'ALLOW', `${T}envoy.extensions.filters.http.router.v3.Router`,
    ]);
    expect(filters[1]?.typed_config.shadow_rules_stat_prefix).toBe('sluice_audit_');
  });

  it('a realistic resource with one planted mistake reports exactly that mistake', () => {
    const listener = fullListener() as { filter_chains: Array<{ filters: Array<{ typed_config: { http_filters: Array<{ typed_config: { rules: { policies: Record<string, { permissions: unknown[] }> } } }> } }> }> };
    const deny = listener.filter_chains[0]?.filters[0]?.typed_config.http_filters[0]?.typed_config.rules.policies['shop/orders-api/deny-0'];
    if (!deny) throw new Error('fixture shape');
    deny.permissions = [];
    expect(checkResource(LISTENER, listener)).toEqual([{
      path: 'filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.rules.policies["shop/orders-api/deny-0"].permissions',
      rule: 'repeated.min_items',
      message: 'value must contain at least 1 item(s), got 0',
    }]);
  });
});
