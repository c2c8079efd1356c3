/**
 * The access log sluice's listeners need for flows: Envoy's gRPC access logger
 * (`envoy.access_loggers.http_grpc`) streaming `HTTPAccessLogEntry` messages to the collector.
 *
 * What reaches the collector without asking: Envoy copies the whole dynamic metadata of the
 * stream into `common_properties.metadata`, and the RBAC filters write theirs under
 * `envoy.filters.http.rbac`, keyed by each filter's stat prefix (`sluice_deny_`, `sluice_allow_`,
 * `sluice_audit_deny_`, `sluice_audit_allow_`) + `enforced_effective_policy_id`,
 * `enforced_engine_result`, `shadow_effective_policy_id`, `shadow_engine_result` (proved with
 * Envoy 1.40 in test/flows/envoy-als.test.ts). What must be asked for: the grpc-status of gRPC
 * calls, in the response headers (trailers-only answers, which Envoy's own local replies are) or
 * trailers. The log name carries the listener's direction.
 *
 * This is what `policy-compiler/envoy/http-connection-manager.ts` is to emit beside (or instead
 * of) its stdout log, with `clusterName` the bootstrap's xDS cluster (`sluice_xds`), when the
 * collector shares the xDS server's gRPC port.
 */
import { MESSAGE } from './proto.js';

export const LOG_NAME = { inbound: 'sluice.inbound', outbound: 'sluice.outbound' } as const;

export interface AlsAccessLogOptions {
  /** The Envoy cluster that reaches the collector (HTTP/2). */
  readonly clusterName: string;
  readonly direction: 'inbound' | 'outbound';
  /** How long Envoy buffers entries before it sends them (Envoy's default 1 s). */
  readonly flushIntervalMs?: number;
  /** Envoy's buffer per stream before a flush (Envoy's default 16 KiB). */
  readonly bufferBytes?: number;
}

export function alsAccessLog(o: AlsAccessLogOptions): Record<string, unknown> {
  const flushMs = o.flushIntervalMs ?? 1000;
  return {
    name: 'envoy.access_loggers.http_grpc',
    typed_config: {
      '@type': `type.googleapis.com/${MESSAGE.httpGrpcAccessLogConfig}`,
      common_config: {
        log_name: LOG_NAME[o.direction],
        transport_api_version: 'V3',
        grpc_service: { envoy_grpc: { cluster_name: o.clusterName } },
        buffer_flush_interval: { seconds: Math.floor(flushMs / 1000), nanos: (flushMs % 1000) * 1e6 },
        buffer_size_bytes: { value: o.bufferBytes ?? 16384 },
      },
      additional_response_headers_to_log: ['grpc-status'],
      additional_response_trailers_to_log: ['grpc-status'],
    },
  };
}
