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
 * - the unmatched-connection log: each listener's own access log (`Listener.access_log`, one
 *   entry per connection), filtered by a CEL expression to the connections the default chain
 *   (`sluice|unmatched`) closed, streams TCP entries to the same collector (`flows`) and/or prints
 *   one JSON line per connection on Envoy's stdout (`stdout`): a connection nothing allows is a
 *   denied flow, not silence.
 * Which of them a node's chains carry is the node's `accessLog` setting (default: flows only).
 */
import { MESSAGES, typed, type envoy, type google } from '../../../envoy-api/index.js';
import { ACCESS_LOG_NAME, UNMATCHED_CHAIN, RBAC_METADATA_KEYS, RBAC_METADATA_NAMESPACE, type ChainDirection } from '../../names.js';
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
 * One JSON line on Envoy's stdout per connection the listener's default chain closed: no request
 * exists, so only the connection's own fields (the chain name tells it from a request line).
 */
function stdoutUnmatchedAccessLog(): envoy.config.accesslog.v3.AccessLog {
  return {
    name: 'envoy.access_loggers.stdout',
    filter: UNMATCHED_ONLY,
    typed_config: typed(MESSAGES.stdoutAccessLog, {
      log_format: {
        json_format: structOf({
          ...CONNECTION_FIELDS,
          bytes_received: '%BYTES_RECEIVED%',
          bytes_sent: '%BYTES_SENT%',
          duration: '%DURATION%',
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

/** Keeps a listener log's entries to the connections the default chain (`sluice|unmatched`) took. */
const UNMATCHED_ONLY: envoy.config.accesslog.v3.AccessLogFilter = {
  extension_filter: {
    name: 'envoy.access_loggers.extension_filters.cel',
    typed_config: typed(MESSAGES.celAccessLogFilter, { expression: `xds.filter_chain_name == '${UNMATCHED_CHAIN}'` }),
  },
};

/**
 * The log of one direction's listener for the connections no chain matched: Envoy logs every
 * connection a listener closes, so a CEL filter (`xds.filter_chain_name`, Envoy's attribute of the
 * chain that took it) keeps only those of the default chain; the chains' HTTP flows are logged by
 * their connection managers, never twice.
 */
export function unmatchedFlowAccessLog(direction: ChainDirection, options: FlowLogOptions = {}): envoy.config.accesslog.v3.AccessLog {
  return {
    name: 'envoy.access_loggers.tcp_grpc',
    filter: UNMATCHED_ONLY,
    typed_config: typed(MESSAGES.tcpGrpcAccessLog, { common_config: flowCommonConfig(direction, options) }),
  };
}

export const ACCESS_LOG_FEATURE: FeatureTranslator = {
  name: "access logs: each request's enforced and audit verdicts with the deciding rule ids, to the flow collector and/or Envoy's stdout, and each connection no chain accepts (the listeners' own log, to the collector and/or stdout), as the node's accessLog says (Envoy)",
  connectionManager: ({ flavor, direction, accessLog }) => {
    if (flavor !== 'envoy' || accessLog.length === 0) return {};
    return { access_log: [...(accessLog.includes('flows') ? [flowAccessLog(direction)] : []), ...(accessLog.includes('stdout') ? [stdoutAccessLog()] : [])] };
  },
  listenerAccessLog: ({ node, direction }) => [
    ...(node.accessLog.includes('flows') ? [unmatchedFlowAccessLog(direction)] : []),
    ...(node.accessLog.includes('stdout') ? [stdoutUnmatchedAccessLog()] : []),
  ],
};
