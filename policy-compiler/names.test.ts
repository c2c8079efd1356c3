import { describe, expect, it } from '@jest/globals';
import { parsePath } from './diagnostics.js';
import { chainName, CLOSING_CHAIN_PREFIX, closingChainFilter, compareChains, isTlsUnavailableReason, objectKey, parseClosingChain, tlsUnavailableChainName, tlsUnavailableReason, UNMATCHED_CHAIN, parseChainName, parseObjectKey, parseRuleId, parseServerListenerName, ruleId, ruleIdPath, serverListenerName, serviceClusterName, serviceRouteName, serviceTarget } from './names.js';

describe('names built and parsed in pairs', () => {
  it('chains', () => {
    expect(chainName('inbound', 8080, 'shop/orders')).toBe('inbound|8080|shop/orders');
    expect(parseChainName('outbound|443|shop/web')).toEqual({ direction: 'outbound', port: 443, workload: 'shop/web' });
    expect(parseChainName(chainName('inbound', 1, 'a/b|c'))).toEqual({ direction: 'inbound', port: 1, workload: 'a/b|c' });
    expect([parseChainName('sideways|1|a/b'), parseChainName('inbound|x|a/b'), parseChainName('inbound|1|')]).toEqual([undefined, undefined, undefined]);
  });

  it('closing chains: the default chain and a TLS-unavailable chain share a prefix no workload chain has, which the listener logs\' one filter tests', () => {
    const chain = chainName('inbound', 8443, 'shop/orders', ['orders.shop']);
    expect(tlsUnavailableChainName(chain)).toBe('sluice|tls-unavailable|inbound|8443|shop/orders@orders.shop');
    expect(parseClosingChain(tlsUnavailableChainName(chain))).toEqual({ kind: 'tls-unavailable', chain });
    expect(parseClosingChain(UNMATCHED_CHAIN)).toEqual({ kind: 'unmatched' });
    expect([parseClosingChain(chain), parseClosingChain('sluice|other')]).toEqual([undefined, undefined]);
    for (const name of [UNMATCHED_CHAIN, tlsUnavailableChainName(chain)]) expect(name.startsWith(CLOSING_CHAIN_PREFIX)).toBe(true);
    for (const direction of ['inbound', 'outbound'] as const) expect(chainName(direction, 1, 'sluice/x').startsWith(CLOSING_CHAIN_PREFIX)).toBe(false);
    expect(closingChainFilter()).toBe("xds.filter_chain_name.startsWith('sluice|')");
    expect(isTlsUnavailableReason(tlsUnavailableReason('secret a/b does not exist'))).toBe(true);
    expect(isTlsUnavailableReason('no filter chain accepts this connection')).toBe(false);
  });

  it('chains are listed by direction, workload, then port as text', () => {
    const keys = [
      { direction: 'outbound' as const, workload: 'a/x', port: 80 },
      { direction: 'inbound' as const, workload: 'b/y', port: 443 },
      { direction: 'inbound' as const, workload: 'b/y', port: 10000 },
      { direction: 'inbound' as const, workload: 'a/z', port: 8080 },
    ];
    expect([...keys].sort(compareChains).map((k) => chainName(k.direction, k.port, k.workload))).toEqual(['inbound|8080|a/z', 'inbound|10000|b/y', 'inbound|443|b/y', 'outbound|80|a/x']);
  });

  it('server listeners, both families; anything else is not one', () => {
    expect(serverListenerName('::1', 50051)).toBe('grpc/server?xds.resource.listening_address=[::1]:50051');
    expect(parseServerListenerName(serverListenerName('::1', 50051))).toEqual({ host: '::1', port: 50051, family: 6 });
    expect(parseServerListenerName(serverListenerName('127.0.0.1', 7443))).toEqual({ host: '127.0.0.1', port: 7443, family: 4 });
    expect(parseServerListenerName(serverListenerName('1.2.3.4', 65535))).toEqual({ host: '1.2.3.4', port: 65535, family: 4 });
    for (const bad of ['orders.shop:8080', 'grpc/server?xds.resource.listening_address=::1:50051', 'grpc/server?xds.resource.listening_address=1.2.3.4:0', 'grpc/server?xds.resource.listening_address=1.2.3.4:65536', 'grpc/server?xds.resource.listening_address=host:80', 'grpc/server?xds.resource.listening_address=[host]:80']) {
      expect(parseServerListenerName(bad)).toBeUndefined();
    }
  });

  it('keys, rule ids and the names of a service', () => {
    const key = objectKey('shop', 'orders-api');
    const id = ruleId(key, ['spec', 'ingress', 0, 'toPorts', 1]);
    expect(parseObjectKey(key)).toEqual({ namespace: 'shop', name: 'orders-api' });
    expect([parseObjectKey('orders-api'), parseObjectKey(objectKey('', 'x'))]).toEqual([undefined, { namespace: '', name: 'x' }]);
    expect([key, id, ruleIdPath(id)]).toEqual(['shop/orders-api', 'shop/orders-api#spec.ingress[0].toPorts[1]', 'spec.ingress[0].toPorts[1]']);
    expect(parseRuleId(id)).toEqual({ policy: 'shop/orders-api', path: 'spec.ingress[0].toPorts[1]' });
    // A key of the source path may hold a '#': the id splits at its first one.
    const path = ['spec', 'ingress', 0, 'toPorts', 0, 'rules', 'x#y', 2];
    const parsed = parseRuleId(ruleId(key, path));
    expect(parsed?.policy).toBe('shop/orders-api');
    expect(parsePath(parsed?.path ?? '')).toEqual(path);
    expect([parseRuleId('shop/orders-api'), parseRuleId('')]).toEqual([undefined, undefined]);
    const target = serviceTarget('orders', 'shop', 8080);
    expect([target, serviceRouteName(target), serviceClusterName(8080, 'shop/orders')]).toEqual(['orders.shop:8080', 'client|orders.shop:8080', 'outbound|8080|shop/orders']);
  });
});
