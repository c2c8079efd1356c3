/**
 * Flows in `sluice serve`, composed: the collector (its gRPC services on the server the caller
 * gives, or a port of its own), the store, the metrics, the exports and the admin routes. The
 * inventory and the compiled IR are read through functions, so every publish is seen; the
 * address index and chain table are rebuilt only when those objects change.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Inventory, Ir } from '../policy-compiler/index.js';
import type { Logger, Registry } from '../telemetry/index.js';
import { coverageOf, wouldDenyCounts } from './audit.js';
import { chainLookup, type ChainLookup } from './chains.js';
import { FlowCollector } from './collector.js';
import { FileExport, type FileExportOptions } from './export-file.js';
import { KafkaExport, type KafkaExportOptions, type KafkaProducer } from './export-kafka.js';
import { DEFAULT_METRICS_CONFIG, FlowMetrics, type FlowMetricsConfig } from './metrics.js';
import type { NodeIdentityOptions } from '../xds-server/identity.js';
import type { FlowRecord } from './record.js';
import { flowRoutes, type ExtraRoute } from './routes.js';
import { FlowStore } from './store.js';
import { WorkloadIndex } from './workloads.js';

export interface FlowsOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly inventory: () => Inventory | undefined;
  readonly ir: () => Ir | undefined;
  /** Flows kept in memory (default 200,000; see docs/flows.md for the memory per flow). */
  readonly storeCapacity?: number;
  readonly queueCapacity?: number;
  readonly metrics?: FlowMetricsConfig;
  readonly file?: FileExportOptions;
  readonly kafka?: { readonly producer: KafkaProducer; readonly options: KafkaExportOptions };
  /** Bind each stream's flows to the node its client certificate names (mutual TLS on the port). */
  readonly identity?: NodeIdentityOptions;
}

export interface Flows {
  readonly collector: FlowCollector;
  readonly store: FlowStore;
  readonly metrics: FlowMetrics;
  /** For the admin endpoint's `extra` hook. */
  readonly routes: ExtraRoute;
  /** Per audit policy, its would-deny flows since `since` (for `/status`), and whether the store reaches back that far. */
  wouldDeny(policies: readonly string[], since: number): WouldDeny;
  register(server: grpc.Server): void;
  listen(address: string): Promise<number>;
  close(): Promise<void>;
}

/** Flows kept in memory unless told otherwise. */
export const DEFAULT_STORE_CAPACITY = 200_000;

export interface WouldDeny {
  readonly counts: Record<string, number>;
  readonly since: number;
  readonly complete: boolean;
  /** From when the store holds every flow, when that is after `since`. */
  readonly storeOldest?: number;
}

export function startFlows(o: FlowsOptions): Flows {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const store = new FlowStore(o.storeCapacity ?? DEFAULT_STORE_CAPACITY, now);
  const metrics = new FlowMetrics(o.registry, o.metrics ?? DEFAULT_METRICS_CONFIG);
  const file = o.file ? new FileExport(o.file) : undefined;
  const kafka = o.kafka ? new KafkaExport(o.kafka.producer, o.kafka.options) : undefined;
  const log = o.logger.child({ component: 'flows' });
  let inventory: Inventory | undefined;
  let workloads = new WorkloadIndex(undefined);
  let ir: Ir | undefined;
  let chains: ChainLookup = chainLookup(undefined);
  const exported = o.registry.counter('sluice_flow_exports_total', 'Flows exported, by export (file, kafka) and outcome (written, failed, dropped)');
  const seen = { file: { written: 0, failed: 0 }, kafka: { sent: 0, failed: 0, dropped: 0 } };
  o.registry.onCollect(() => {
    if (file) {
      exported.set(file.written, { export: 'file', outcome: 'written' });
      exported.set(file.failed, { export: 'file', outcome: 'failed' });
    }
    if (kafka) {
      exported.set(kafka.sent, { export: 'kafka', outcome: 'written' });
      exported.set(kafka.failed, { export: 'kafka', outcome: 'failed' });
      exported.set(kafka.dropped, { export: 'kafka', outcome: 'dropped' });
    }
  });
  const sink = (flows: readonly FlowRecord[]) => {
    for (const f of flows) store.add(f);
    metrics.record(flows);
    file?.write(flows);
    kafka?.write(flows);
    if (file && file.failed > seen.file.failed) {
      log.warn('the flow file export failed', { file: o.file?.path, error: file.lastError, failed: file.failed });
      seen.file.failed = file.failed;
    }
  };
  const collector = new FlowCollector({
    sink,
    registry: o.registry,
    logger: o.logger,
    now,
    ...(o.queueCapacity ? { queueCapacity: o.queueCapacity } : {}),
    ...(o.identity ? { identity: o.identity } : {}),
    workloads: () => {
      const current = o.inventory();
      if (current !== inventory) {
        inventory = current;
        workloads = new WorkloadIndex(current);
      }
      return workloads;
    },
    chains: () => {
      const current = o.ir();
      if (current !== ir) {
        ir = current;
        chains = chainLookup(current);
      }
      return chains;
    },
  });
  const routes = flowRoutes({
    store,
    now,
    coverage: () => ({ collectingSince: startedAt }),
    status: () => ({
      collector: collector.stats(),
      series: metrics.series(),
      ...(file ? { file: { path: o.file?.path, written: file.written, failed: file.failed, lastError: file.lastError } } : {}),
      ...(kafka ? { kafka: { topic: o.kafka?.options.topic, sent: kafka.sent, failed: kafka.failed, dropped: kafka.dropped, lastError: kafka.lastError } } : {}),
    }),
  });
  return {
    collector,
    store,
    metrics,
    routes,
    wouldDeny: (policies, since) => ({ counts: wouldDenyCounts(store, policies, since), since, ...coverageOf(store, since, { collectingSince: startedAt }) }),
    register: (server) => collector.register(server),
    listen: (address) => collector.listen(address),
    async close() {
      await collector.close();
      file?.close();
      await kafka?.close();
    },
  };
}
