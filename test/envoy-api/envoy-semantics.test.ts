import { describe, expect, it } from '@jest/globals';
import { checkResource } from '../../envoy-api/index.js';
import { bootstrap, edsCluster, fullListener, router, routeConfiguration, T } from './fixtures.js';

const LISTENER = 'envoy.config.listener.v3.Listener';
const rules = (type: string, json: unknown): string[] => checkResource(type, json).map((v) => `${v.path} ${v.rule}`);
type Chain = { name?: string; filter_chain_match?: Record<string, unknown>; filters: Array<Record<string, unknown>> };

function listenerWith(mutate: (chains: Chain[]) => void): Record<string, unknown> {
  const listener = fullListener() as { filter_chains: Chain[] };
  mutate(listener.filter_chains);
  return listener;
}

describe("Envoy's own checks beyond PGV", () => {
  it('envoy.terminal_filter: the router must be the last HTTP filter, and the last must be terminal', () => {
    const swapped = listenerWith((chains) => {
      const hcm = chains[0]?.filters[0]?.typed_config as { http_filters: unknown[] };
      hcm.http_filters = [router(), ...hcm.http_filters.slice(0, 2)];
    });
    expect(rules(LISTENER, swapped)).toEqual([
      'filter_chains[0].filters[0].typed_config.http_filters[0] envoy.terminal_filter',
      'filter_chains[0].filters[0].typed_config.http_filters[2] envoy.terminal_filter',
    ]);
  });

  it('envoy.terminal_filter: tcp_proxy must end a network filter chain', () => {
    const swapped = listenerWith((chains) => {
      const chain = chains[1];
      if (chain) chain.filters = [...chain.filters].reverse();
    });
    expect(rules(LISTENER, swapped)).toEqual(['filter_chains[1].filters[0] envoy.terminal_filter', 'filter_chains[1].filters[1] envoy.terminal_filter']);
  });

  it('envoy.filter_chain_match: two chains may not match the same connections', () => {
    const duplicate = listenerWith((chains) => {
      const first = chains[0];
      if (first) chains.push({ ...first, name: 'copy' });
    });
    expect(rules(LISTENER, duplicate)).toEqual(['filter_chains[2].filter_chain_match envoy.filter_chain_match']);
    const overlap = listenerWith((chains) => {
      const second = chains[1];
      if (second) second.filter_chain_match = { destination_port: { value: 8080 }, prefix_ranges: [{ address_prefix: '10.1.0.9', prefix_len: { value: 32 } }, { address_prefix: 'FD00::7', prefix_len: { value: 128 } }] };
    });
    expect(rules(LISTENER, overlap)).toEqual(['filter_chains[1].filter_chain_match envoy.filter_chain_match']);
    const distinct = listenerWith((chains) => {
      const second = chains[1];
      if (second) second.filter_chain_match = { destination_port: { value: 8080 } };
    });
    expect(rules(LISTENER, distinct)).toEqual([]);
  });

  it('envoy.unique_domains: a domain belongs to one virtual host, compared case-insensitively', () => {
    const routes = routeConfiguration() as { virtual_hosts: Array<Record<string, unknown>> };
    routes.virtual_hosts.push({ name: 'other', domains: ['orders.shop', 'ORDERS.shop'], routes: [] });
    expect(rules('envoy.config.route.v3.RouteConfiguration', routes)).toEqual(['virtual_hosts[1].domains[1] envoy.unique_domains']);
  });

  it('envoy.regex: a google_re2 regex must compile with RE2', () => {
    const routes = routeConfiguration() as { virtual_hosts: Array<{ routes: Array<{ match: Record<string, unknown> }> }> };
    const route = routes.virtual_hosts[0]?.routes[1];
    if (!route) throw new Error('fixture shape');
    route.match = { safe_regex: { regex: '^/v1/(?=orders)' } };
    const [violation] = checkResource('envoy.config.route.v3.RouteConfiguration', routes);
    expect(violation).toMatchObject({ path: 'virtual_hosts[0].routes[1].match.safe_regex.regex', rule: 'envoy.regex' });
    route.match = { safe_regex: { regex: '^/v1/(orders' } };
    expect(rules('envoy.config.route.v3.RouteConfiguration', routes)).toEqual(['virtual_hosts[0].routes[1].match.safe_regex.regex envoy.regex']);
  });

  it('envoy.unique_names: bootstrap static clusters need distinct names', () => {
    const b = bootstrap() as { static_resources: { clusters: unknown[] } };
    b.static_resources.clusters.push(edsCluster(), { ...edsCluster(), connect_timeout: { seconds: 2 } });
    expect(rules('envoy.config.bootstrap.v3.Bootstrap', b)).toEqual(['static_resources.clusters[2].name envoy.unique_names']);
  });

  it('checks Any payloads by type wherever they sit (a filter inside a filter chain inside a bootstrap)', () => {
    const b = bootstrap() as { static_resources: Record<string, unknown> };
    const listener = fullListener() as { filter_chains: Chain[] };
    const hcm = listener.filter_chains[0]?.filters[0]?.typed_config as Record<string, unknown>;
    hcm.stat_prefix = '';
    b.static_resources.listeners = [listener];
    expect(rules('envoy.config.bootstrap.v3.Bootstrap', b)).toEqual(['static_resources.listeners[0].filter_chains[0].filters[0].typed_config.stat_prefix string.min_len']);
    expect(T).toBe('type.googleapis.com/');
  });
});
