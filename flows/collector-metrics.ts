/** The collector's own counters: what arrived, what the bounded queue dropped, what was refused. */
import type { Counter, Registry } from '../telemetry/index.js';

export interface CollectorMetrics {
  readonly received: Counter;
  readonly dropped: Counter;
  readonly rejected: Counter;
  readonly streams: Counter;
}

export function collectorMetrics(registry: Registry, queued: () => number): CollectorMetrics {
  const depth = registry.gauge('sluice_flows_queue_depth', 'Flows decoded and waiting for the store');
  registry.onCollect(() => depth.set(queued()));
  return {
    received: registry.counter('sluice_flows_received_total', 'Flows received, by source (envoy: the access-log service; kafka: the enforcer)'),
    dropped: registry.counter('sluice_flows_dropped_total', 'Flows lost, by reason (queue_full: the bounded queue was full; sink_failed)'),
    rejected: registry.counter('sluice_flows_rejected_total', 'Messages or flows refused as malformed, by reason'),
    streams: registry.counter('sluice_flow_streams_total', 'Flow streams opened, by source and whether the inventory knows the node'),
  };
}
