import { describe, expect, it } from '@jest/globals';
import type { HttpChain } from '../../ir/types.js';
import { REFUSAL_STATE } from '../../names.js';
import { refusalStateFilter } from './access-log.js';

const chain = (tls: HttpChain['tls'], policies: HttpChain['policies'] = [{ key: 'shop/orders-tls', mode: 'enforce' }]): HttpChain => ({
  name: 'inbound|8443|shop/orders', direction: 'inbound', port: 8443, destinations: [], sources: [], workload: 'shop/orders', policies, authz: {}, ...(tls ? { tls } : {}),
});

/** The filter-state values the filter sets, by key, as Envoy's format strings hold them. */
function values(c: HttpChain): Record<string, string | undefined> {
  const config = refusalStateFilter(c).typed_config as unknown as { on_new_connection: Array<{ object_key: string; factory_key: string; format_string: { text_format_source: { inline_string: string } } }> };
  expect(config.on_new_connection.every((v) => v.factory_key === 'envoy.string')).toBe(true);
  return Object.fromEntries(config.on_new_connection.map((v) => [v.object_key, v.format_string.text_format_source.inline_string]));
}

describe("a TLS-unavailable chain's refusal, set in the connection's filter state", () => {
  it('names the policy of the field that named the secret, that field, and why; a % is written %% (the only special character of a format string)', () => {
    const rule = 'shop/orders-tls#spec.ingress[0].toPorts[1].terminatingTLS.clientCA';
    expect(values(chain({ serverNames: [], unavailable: 'secret shop/ca has no usable version: 100% broken', unavailableRule: rule }))).toEqual({
      [REFUSAL_STATE.policy]: 'shop/orders-tls',
      [REFUSAL_STATE.rule]: rule,
      [REFUSAL_STATE.reason]: 'TLS unavailable: secret shop/ca has no usable version: 100%% broken',
    });
  });

  it('without a rule: the chain\'s one policy, or none when several share it (an empty value is not set)', () => {
    expect(values(chain({ serverNames: [], unavailable: 'x' }))).toEqual({ [REFUSAL_STATE.policy]: 'shop/orders-tls', [REFUSAL_STATE.reason]: 'TLS unavailable: x' });
    expect(values(chain({ serverNames: [], unavailable: 'x' }, [{ key: 'a/p', mode: 'enforce' }, { key: 'b/q', mode: 'audit' }]))).toEqual({ [REFUSAL_STATE.reason]: 'TLS unavailable: x' });
  });
});
