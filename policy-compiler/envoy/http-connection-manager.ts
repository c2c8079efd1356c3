/** The HttpConnectionManager of a filter chain: RBAC filters in their order, the router, routes, access log. */
import type { Authz } from '../ir/types.js';
import { MESSAGES, typed, type envoy, type google } from '../../envoy-api/index.js';
import { ADS_CONFIG_SOURCE } from './extensions.js';
import { orderedHttpFilters } from './filters/ordering.js';
import { RBAC_PREFIX } from './filters/rbac.js';
import type { ProxyFlavor } from './filters/types.js';
import { statPrefix } from './resource.js';

type Hcm = envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;

export type RouteSource = { readonly kind: 'rds'; readonly routeConfigName: string } | { readonly kind: 'inline'; readonly routeConfig: envoy.config.route.v3.RouteConfiguration };

/**
 * One JSON line per request on Envoy's stdout: the request, the enforced verdict and the audit
 * (shadow) verdict with the id of the deciding rule, read from the RBAC filters' dynamic metadata.
 */
function auditAccessLog(): envoy.config.accesslog.v3.AccessLog {
  const rbac = (key: string) => `%DYNAMIC_METADATA(envoy.filters.http.rbac:${key})%`;
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: typed(MESSAGES.stdoutAccessLog, {
      log_format: {
        // A google.protobuf.Struct, in the field-by-field form protobufjs encodes (its bundled
        // struct.proto names the field stringValue).
        json_format: structOf({
          time: '%START_TIME%',
          chain: '%FILTER_CHAIN_NAME%',
          client: '%DOWNSTREAM_REMOTE_ADDRESS%',
          destination: '%DOWNSTREAM_LOCAL_ADDRESS%',
          method: '%REQ(:METHOD)%',
          path: '%REQ(:PATH)%',
          authority: '%REQ(:AUTHORITY)%',
          status: '%RESPONSE_CODE%',
          grpc_status: '%GRPC_STATUS%',
          deny_rule: rbac(`${RBAC_PREFIX.deny}enforced_effective_policy_id`),
          allow_result: rbac(`${RBAC_PREFIX.allow}enforced_engine_result`),
          allow_rule: rbac(`${RBAC_PREFIX.allow}enforced_effective_policy_id`),
          audit_deny_rule: rbac(`${RBAC_PREFIX.auditDeny}shadow_effective_policy_id`),
          audit_allow_result: rbac(`${RBAC_PREFIX.auditAllow}shadow_engine_result`),
          audit_allow_rule: rbac(`${RBAC_PREFIX.auditAllow}shadow_effective_policy_id`),
        }),
      },
    }),
  };
}

/**
 * Paths are normalized before any filter sees them, and forwarded as normalized: RFC 3986 (dot
 * segments removed, percent-encoded unreserved characters decoded) and adjacent slashes merged, as
 * Istio's MERGE_SLASHES. Without it `/v1/./admin`, `/v1//admin` or `/v1/%61dmin` would miss a deny
 * rule on `/v1/admin` and reach a workload that reads them as that path. Escaped slashes (`%2F`,
 * `%5C`) are kept: rules and the workload both see them as written.
 */
const PATH_NORMALIZATION: Hcm = { normalize_path: { value: true }, merge_slashes: true };

function structOf(fields: Record<string, string>): google.protobuf.Struct {
  return { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) };
}

export function httpConnectionManager(chainName: string, authz: Authz, direction: 'inbound' | 'outbound', flavor: ProxyFlavor, routes: RouteSource): envoy.config.listener.v3.Filter {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: typed(MESSAGES.httpConnectionManager, {
      stat_prefix: statPrefix(chainName),
      ...(flavor === 'envoy' ? { codec_type: 'AUTO', ...PATH_NORMALIZATION, access_log: [auditAccessLog()] } : {}),
      ...(routes.kind === 'rds' ? { rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: routes.routeConfigName } } : { route_config: routes.routeConfig }),
      http_filters: orderedHttpFilters(authz, direction, flavor),
    }),
  };
}
