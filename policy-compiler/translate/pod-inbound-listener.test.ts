/**
 * The node proxy's listener for a node-mode Pod (envoy-node.ts podInboundListener), from a compiled
 * policy: the node's inbound listener carrying that Pod's chains only, on the Pod's port, in the
 * Pod's network namespace. Real Envoy ACKing it: test/e2e/envoy-netns-listener.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { checkResource } from '../../envoy-api/validate/index.js';
import { compiledPodListener, POD_UID } from '../../test/support/pod-inbound.js';
import { podInboundListener } from './envoy-node.js';

describe("a node-mode Pod's inbound listener", () => {
  const { node, port, listener } = compiledPodListener(`/run/sluice/netns/${POD_UID}`);
  const json = listener.json as Record<string, unknown> & { filter_chains: { name: string }[]; listener_filters: { name: string }[]; address: unknown };
  const shared = (node.inbound.length > 0 ? node : undefined)!;

  it("carries that Pod's chains only, on its port, opened in its network namespace, transparent", () => {
    expect(listener.name).toBe('sluice|inbound|pod|shop/orders');
    expect(json.address).toEqual({ socket_address: { address: '0.0.0.0', port_value: port, network_namespace_filepath: `/run/sluice/netns/${POD_UID}` } });
    expect(json.filter_chains.map((c) => c.name)).toEqual(['inbound|8080|shop/orders']);
    expect(shared.inbound.map((c) => c.name)).toContain('inbound|9000|shop/legacy');
    expect(json['transparent']).toEqual({ value: true });
    expect(json['traffic_direction']).toBe('INBOUND');
    expect(json['default_filter_chain']).toMatchObject({ name: 'sluice|unmatched' });
    expect(listener.references.map((r) => r.name)).toEqual(['inbound|8080|shop/orders']);
  });

  it('uses no original_src (the leg leaves from the node\'s namespace, from the node\'s address) and passes the Envoy-rules checker', () => {
    expect(json.listener_filters.map((f) => f.name)).not.toContain('envoy.filters.listener.original_src');
    expect(json.listener_filters.map((f) => f.name)).toContain('envoy.filters.listener.original_dst');
    expect(checkResource('envoy.config.listener.v3.Listener', listener.json)).toEqual([]);
  });

  it('binds :: too, in the same namespace, for a Pod with IPv6', () => {
    const { node: n, chains } = compiledPodListener('/x');
    const v6 = podInboundListener(n, { workload: 'shop/orders', podUid: POD_UID, port: 15123, netnsPath: '/x', ipv6: true }, chains).json as { additional_addresses: unknown };
    expect(v6.additional_addresses).toEqual([{ address: { socket_address: { address: '::', port_value: 15123, network_namespace_filepath: '/x' } } }]);
  });
});
