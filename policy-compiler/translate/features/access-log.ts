/**
 * The access logs of Envoy chains, each request's enforced and audit (shadow) verdicts with the
 * ids of the deciding rules (read from the RBAC filters' dynamic metadata):
 * - the flow log: Envoy's gRPC access logger streams every entry to sluice's flow collector,
 *   which shares the xDS server's port (the bootstrap's xDS cluster); the stream's dynamic
 *   metadata travels with each entry unasked, and the log name carries the listener's direction;
 *   a gRPC call's status is asked for in the response headers (Envoy's own local replies) and
 *   trailers. Envoy buffers and drops on its side if the collector is slow: never a blocked proxy.
 * - one JSON line per request on Envoy's stdout (the inventory's `accessLog: [flows, stdout]`),
 *   for log shipping, or a proxy run without sluice.
 * - the closed-connection log: each listener's own access log (`Listener.access_log`, one
 *   entry per connection), filtered by a CEL expression to the connections a closing chain took
 *   (the default chain `sluice|unmatched`, and the chain of a port whose TLS cannot be served,
 *   `sluice|tls-unavailable|…`), streams TCP entries to the same collector (`flows`) and/or prints
 *   one JSON line per connection on Envoy's stdout (`stdout`): a connection refused is a denied
 *   flow, not silence. A TLS-unavailable chain sets its refusal (policy, rule, reason) in the
 *   connection's filter state first, and both logs carry it.
 * Which of them a node's chains carry is the node's `accessLog` setting (default: flows only).
 */
import { MESSAGES, typed, type envoy, type google } from '../../../envoy-api/index.js';
import { ACCESS_LOG_NAME, closingChainFilter, parseRuleId, RBAC_METADATA_KEYS, RBAC_METADATA_NAMESPACE, REFUSAL_STATE, tlsUnavailableReason, type ChainDirection } from '../../names.js';
import type { HttpChain } from '../../ir/types.js';
import { XDS_CLUSTER } from '../bootstrap.js';
import type { FeatureTranslator } from '../feature.js';

/** A google.protobuf.Struct, in the field-by-field form protobufjs encodes (its bundled struct.proto names the field stringValue). */
function structOf(fields: Record<string, string>): google.protobuf.Struct {
  return { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) };
}

/** The fields of a stdout line that every line has, a request's or a connection's. */
const CONNECTION_FIELDS = {
  time: '%START_TIME%',
  chain: '%FILTER_CHAIN_NAME%',
  client: '%DOWNSTREAM_REMOTE_ADDRESS%',
  destination: '%DOWNSTREAM_LOCAL_ADDRESS%',
} as const;

function stdoutAccessLog(): envoy.config.accesslog.v3.AccessLog {
  const rbac = (key: string) => `%DYNAMIC_METADATA(${RBAC_METADATA_NAMESPACE}:${key})%`;
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: typed(MESSAGES.stdoutAccessLog, {
      log_format: {
        json_format: structOf({
          ...CONNECTION_FIELDS,
          method: '%REQ(:METHOD)%',
          path: '%REQ(:PATH)%',
          authority: '%REQ(:AUTHORITY)%',
          status: '%RESPONSE_CODE%',
          grpc_status: '%GRPC_STATUS%',
          deny_rule: rbac(RBAC_METADATA_KEYS.denyRule),
          allow_result: rbac(RBAC_METADATA_KEYS.allowResult),
          allow_rule: rbac(RBAC_METADATA_KEYS.allowRule),
          audit_deny_rule: rbac(RBAC_METADATA_KEYS.auditDenyRule),
          audit_allow_result: rbac(RBAC_METADATA_KEYS.auditAllowResult),
          audit_allow_rule: rbac(RBAC_METADATA_KEYS.auditAllowRule),
        }),
      },
    }),
  };
}

/**
 * One JSON line on Envoy's stdout per connection a closing chain of the listener closed: no request
 * exists, so only the connection's own fields (the chain name tells it from a request line), and
 * the refusal a TLS-unavailable chain set (null for the default chain's).
 */
function stdoutClosedAccessLog(): envoy.config.accesslog.v3.AccessLog {
  return {
    name: 'envoy.access_loggers.stdout',
    filter: CLOSING_CHAINS_ONLY,
    typed_config: typed(MESSAGES.stdoutAccessLog, {
      log_format: {
        json_format: structOf({
          ...CONNECTION_FIELDS,
          bytes_received: '%BYTES_RECEIVED%',
          bytes_sent: '%BYTES_SENT%',
          duration: '%DURATION%',
          policy: `%FILTER_STATE(${REFUSAL_STATE.policy}:PLAIN)%`,
          rule: `%FILTER_STATE(${REFUSAL_STATE.rule}:PLAIN)%`,
          reason: `%FILTER_STATE(${REFUSAL_STATE.reason}:PLAIN)%`,
        }),
      },
    }),
  };
}

export interface FlowLogOptions {
  readonly clusterName?: string;
  readonly flushIntervalMs?: number;
}

/** The flow log of one direction's chains; the options are for test and benchmark peers with a collector of their own. */
export function flowAccessLog(direction: ChainDirection, options: FlowLogOptions = {}): envoy.config.accesslog.v3.AccessLog {
  return {
    name: 'envoy.access_loggers.http_grpc',
    typed_config: typed(MESSAGES.httpGrpcAccessLog, {
      common_config: flowCommonConfig(direction, options),
      additional_response_headers_to_log: ['grpc-status'],
      additional_response_trailers_to_log: ['grpc-status'],
    }),
  };
}

function flowCommonConfig(direction: ChainDirection, options: FlowLogOptions) {
  const flushMs = options.flushIntervalMs ?? 1000;
  return {
    log_name: ACCESS_LOG_NAME[direction],
    transport_api_version: 'V3' as const,
    grpc_service: { envoy_grpc: { cluster_name: options.clusterName ?? XDS_CLUSTER } },
    buffer_flush_interval: { seconds: Math.floor(flushMs / 1000), nanos: (flushMs % 1000) * 1e6 },
    buffer_size_bytes: { value: 16384 },
  };
}

/** Keeps a listener log's entries to the connections a closing chain (`sluice|unmatched`, `sluice|tls-unavailable|…`) took. */
const CLOSING_CHAINS_ONLY: envoy.config.accesslog.v3.AccessLogFilter = {
  extension_filter: {
    name: 'envoy.access_loggers.extension_filters.cel',
    typed_config: typed(MESSAGES.celAccessLogFilter, { expression: closingChainFilter() }),
  },
};

/**
 * The log of one direction's listener for the connections its closing chains refused: Envoy logs
 * every connection a listener closes, so a CEL filter (`xds.filter_chain_name`, Envoy's attribute
 * of the chain that took it) keeps only those; the chains' HTTP flows are logged by their
 * connection managers, never twice. Each entry carries the refusal a chain set (its filter state).
 */
export function closingChainFlowAccessLog(direction: ChainDirection, options: FlowLogOptions = {}): envoy.config.accesslog.v3.AccessLog {
  return {
    name: 'envoy.access_loggers.tcp_grpc',
    filter: CLOSING_CHAINS_ONLY,
    typed_config: typed(MESSAGES.tcpGrpcAccessLog, { common_config: { ...flowCommonConfig(direction, options), filter_state_objects_to_log: Object.values(REFUSAL_STATE) } }),
  };
}

/** A format string's literal text: `%` is its only special character. */
const literal = (text: string) => text.replaceAll('%', '%%');

/**
 * The first filter of a chain whose TLS cannot be served: it writes the refusal into the
 * connection's filter state (the policy, the rule of the field that named the secret, the reason
 * in words), where the listener's logs read it, before the connection is closed.
 */
export function refusalStateFilter(chain: HttpChain): envoy.config.listener.v3.Filter {
  const rule = chain.tls?.unavailableRule ?? '';
  const state = { policy: parseRuleId(rule)?.policy ?? (chain.policies.length === 1 ? (chain.policies[0]?.key ?? '') : ''), rule, reason: tlsUnavailableReason(chain.tls?.unavailable ?? '') };
  return {
    name: 'envoy.filters.network.set_filter_state',
    typed_config: typed(MESSAGES.setFilterState, {
      on_new_connection: (Object.keys(REFUSAL_STATE) as (keyof typeof REFUSAL_STATE)[]).filter((k) => state[k] !== '').map((k) => ({
        object_key: REFUSAL_STATE[k],
        factory_key: 'envoy.string',
        format_string: { text_format_source: { inline_string: literal(state[k]) } },
      })),
    }),
  };
}

export const ACCESS_LOG_FEATURE: FeatureTranslator = {
  name: "access logs: each request's enforced and audit verdicts with the deciding rule ids, to the flow collector and/or Envoy's stdout, and each connection a closing chain refuses: no chain accepts it, or its TLS cannot be served (the listeners' own log, to the collector and/or stdout), as the node's accessLog says (Envoy)",
  connectionManager: ({ flavor, direction, accessLog }) => {
    if (flavor !== 'envoy' || accessLog.length === 0) return {};
    return { access_log: [...(accessLog.includes('flows') ? [flowAccessLog(direction)] : []), ...(accessLog.includes('stdout') ? [stdoutAccessLog()] : [])] };
  },
  listenerAccessLog: ({ node, direction }) => [
    ...(node.accessLog.includes('flows') ? [closingChainFlowAccessLog(direction)] : []),
    ...(node.accessLog.includes('stdout') ? [stdoutClosedAccessLog()] : []),
  ],
};
