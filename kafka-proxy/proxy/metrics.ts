/** The proxy's Prometheus metrics, registered on the process registry. */
import type { Counter, Gauge, Registry } from '../../telemetry/index.js';

export interface ProxyMetrics {
  readonly requests: Counter;
  readonly decisions: Counter;
  readonly bytes: Counter;
  readonly connections: Gauge;
  readonly decodeErrors: Counter;
  readonly closes: Counter;
}

export function proxyMetrics(registry: Registry): ProxyMetrics {
  return {
    requests: registry.counter('sluice_kafka_requests_total', 'Kafka requests by API and verdict (allow, deny, partial, audit_deny, error)'),
    decisions: registry.counter('sluice_kafka_decisions_total', 'Kafka authorization decisions by resource kind and verdict'),
    bytes: registry.counter('sluice_kafka_bytes_total', 'Bytes relayed, by direction (client_to_broker, broker_to_client)'),
    connections: registry.gauge('sluice_kafka_active_connections', 'Client connections open'),
    decodeErrors: registry.counter('sluice_kafka_decode_errors_total', 'Frames the proxy could not decode, by side (request, response)'),
    closes: registry.counter('sluice_kafka_connection_closes_total', 'Connections closed by the proxy, by reason'),
  };
}
