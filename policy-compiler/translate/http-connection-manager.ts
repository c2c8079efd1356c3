/**
 * The HttpConnectionManager of a chain: its stat prefix and codec, what the features set on it
 * (path normalization, access log), its routes (over RDS, or inline for proxyless servers) and the
 * HTTP filters the features contribute, in the one order of ordering.ts.
 */
import { MESSAGES, typed, type envoy } from '../../envoy-api/index.js';
import { ADS_CONFIG_SOURCE } from './ads.js';
import type { ConnectionScope, HttpConnectionManager } from './feature.js';
import { HTTP_FILTER_ORDER, ordered } from './ordering.js';
import { HOOKS } from './registry.js';
import { statPrefix } from './resource.js';

export type RouteSource = { readonly kind: 'rds'; readonly routeConfigName: string } | { readonly kind: 'inline'; readonly routeConfig: envoy.config.route.v3.RouteConfiguration };

export function httpConnectionManager(scope: ConnectionScope, routes: RouteSource): envoy.config.listener.v3.Filter {
  let fields: HttpConnectionManager = {};
  for (const contribute of HOOKS.connectionManager) fields = { ...fields, ...contribute(scope) };
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: typed(MESSAGES.httpConnectionManager, {
      stat_prefix: statPrefix(scope.chainName),
      ...(scope.flavor === 'envoy' ? { codec_type: 'AUTO' } : {}),
      ...fields,
      ...(routes.kind === 'rds' ? { rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: routes.routeConfigName } } : { route_config: routes.routeConfig }),
      http_filters: ordered(HTTP_FILTER_ORDER, HOOKS.httpFilters.flatMap((contribute) => contribute(scope))),
    }),
  };
}
