/**
 * Flow metrics, in the process's Prometheus registry:
 * - `sluice_policy_verdicts_total{policy,rule,verdict,direction,protocol}`: every flow, by the rule
 *   that decided it;
 * - `sluice_flow_requests_total{...}` and `sluice_flow_request_duration_seconds{...}`: requests and
 *   their latency per source and destination, with the labels the configuration chooses (Hubble's
 *   "context options": which of the context labels below, and nothing else).
 * Every family has a hard cap on its series: a label set past the cap is counted in one `other`
 * series (every label "other") and in `sluice_flow_metrics_overflow_total{metric}`, so a scan of
 * random addresses cannot grow the registry.
 */
import type { Diagnostic } from '../policy-compiler/index.js';
import type { Counter, Histogram, Labels, Registry } from '../telemetry/index.js';
import type { FlowEndpoint, FlowRecord } from './record.js';

export const CONTEXT_LABELS = ['source_namespace', 'source_workload', 'source_address', 'destination_namespace', 'destination_workload', 'destination_address', 'destination_port', 'protocol', 'verdict', 'direction', 'node', 'method'] as const;
export type ContextLabel = (typeof CONTEXT_LABELS)[number];

export interface FlowMetricsConfig {
  readonly labels: readonly ContextLabel[];
  /** Series per family before new label sets go to `other` (default 2,000). */
  readonly maxSeries: number;
  /** Latency histogram buckets, in seconds. */
  readonly buckets: readonly number[];
}

export const DEFAULT_METRICS_CONFIG: FlowMetricsConfig = {
  labels: ['source_namespace', 'source_workload', 'destination_namespace', 'destination_workload', 'protocol', 'verdict'],
  maxSeries: 2000,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
};

export const OTHER = 'other';

/** `--flow-metrics-labels a,b,c` and `--flow-metrics-max-series N` (for `serve`'s flags). */
export function parseMetricsConfig(labels: string | undefined, maxSeries: string | undefined): { config: FlowMetricsConfig; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  let chosen: ContextLabel[] = [...DEFAULT_METRICS_CONFIG.labels];
  if (labels !== undefined) {
    chosen = [];
    labels.split(',').map((s) => s.trim()).filter(Boolean).forEach((l, i) => {
      const hit = CONTEXT_LABELS.find((c) => c === l);
      if (!hit) problems.push({ severity: 'error', code: 'flows.metrics.label', path: `flow-metrics-labels[${i}]`, message: `unknown label "${l}"; expected any of ${CONTEXT_LABELS.join(', ')}` });
      else if (!chosen.includes(hit)) chosen.push(hit);
    });
  }
  let max = DEFAULT_METRICS_CONFIG.maxSeries;
  if (maxSeries !== undefined) {
    if (/^\d{1,7}$/.test(maxSeries) && Number(maxSeries) >= 1) max = Number(maxSeries);
    else problems.push({ severity: 'error', code: 'flows.metrics.max-series', path: 'flow-metrics-max-series', message: `expected a count of at least 1, got "${maxSeries}"` });
  }
  return { config: { ...DEFAULT_METRICS_CONFIG, labels: chosen, maxSeries: max }, problems };
}

/** Admits at most `max` distinct label sets; the rest become the `other` set. */
class SeriesCap {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number, readonly other: Labels) {}
  admit(labels: Labels, key: string): Labels {
    if (this.seen.has(key)) return labels;
    if (this.seen.size < this.max) {
      this.seen.add(key);
      return labels;
    }
    return this.other;
  }
  get size(): number {
    return this.seen.size;
  }
}

const workloadOf = (e: FlowEndpoint): string => (e.workload ? e.workload : 'unknown');
const namespaceOf = (e: FlowEndpoint): string => (e.workload ? e.namespace : 'unknown');

function contextValue(label: ContextLabel, f: FlowRecord): string {
  switch (label) {
    case 'source_namespace':
      return namespaceOf(f.source);
    case 'source_workload':
      return workloadOf(f.source);
    case 'source_address':
      return f.source.address;
    case 'destination_namespace':
      return namespaceOf(f.destination);
    case 'destination_workload':
      return workloadOf(f.destination);
    case 'destination_address':
      return f.destination.address;
    case 'destination_port':
      return String(f.destination.port);
    case 'protocol':
      return f.protocol;
    case 'verdict':
      return f.verdict;
    case 'direction':
      return f.direction;
    case 'node':
      return f.node;
    case 'method':
      return f.http?.method ?? (f.grpc ? `${f.grpc.service}/${f.grpc.method}` : (f.kafka?.api ?? ''));
  }
}

export class FlowMetrics {
  readonly verdicts: Counter;
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly overflow: Counter;
  private readonly verdictCap: SeriesCap;
  private readonly requestCap: SeriesCap;

  constructor(registry: Registry, readonly config: FlowMetricsConfig = DEFAULT_METRICS_CONFIG) {
    this.verdicts = registry.counter('sluice_policy_verdicts_total', 'Flows by the policy and rule that decided them, verdict (forwarded, denied, audit-denied), direction and protocol');
    this.requests = registry.counter('sluice_flow_requests_total', 'Requests seen by the proxies, per source and destination (labels chosen in configuration)');
    this.duration = registry.histogram('sluice_flow_request_duration_seconds', 'Request duration as the proxy measured it, per source and destination', config.buckets);
    this.overflow = registry.counter('sluice_flow_metrics_overflow_total', 'Flows counted in the "other" series because a metric reached its series cap');
    const other = (names: readonly string[]): Labels => Object.fromEntries(names.map((n) => [n, OTHER]));
    this.verdictCap = new SeriesCap(config.maxSeries, other(['policy', 'rule', 'verdict', 'direction', 'protocol']));
    this.requestCap = new SeriesCap(config.maxSeries, other(config.labels));
  }

  record(flows: readonly FlowRecord[]): void {
    // Counted per batch: one increment per distinct label set, not one per flow.
    const verdicts = new Map<string, { labels: Labels; n: number }>();
    const requests = new Map<string, { labels: Labels; n: number }>();
    for (const f of flows) {
      const policy = f.policy || 'none';
      const rule = f.rule || (f.policy ? 'default-deny' : 'none');
      const vk = `${policy}\u0000${rule}\u0000${f.verdict}\u0000${f.direction}\u0000${f.protocol}`;
      const v = verdicts.get(vk);
      if (v) v.n += 1;
      else verdicts.set(vk, { labels: this.verdictCap.admit({ policy, rule, verdict: f.verdict, direction: f.direction, protocol: f.protocol }, vk), n: 1 });
      let rk = '';
      for (const l of this.config.labels) rk += `${contextValue(l, f)}\u0000`;
      let r = requests.get(rk);
      if (r) r.n += 1;
      else {
        const labels: Record<string, string> = {};
        for (const l of this.config.labels) labels[l] = contextValue(l, f);
        r = { labels: this.requestCap.admit(labels, rk), n: 1 };
        requests.set(rk, r);
      }
      this.duration.observe(f.durationMs / 1000, r.labels);
    }
    for (const v of verdicts.values()) {
      this.verdicts.inc(v.labels, v.n);
      if (v.labels === this.verdictCap.other) this.overflow.inc({ metric: 'sluice_policy_verdicts_total' }, v.n);
    }
    for (const r of requests.values()) {
      this.requests.inc(r.labels, r.n);
      if (r.labels === this.requestCap.other) this.overflow.inc({ metric: 'sluice_flow_requests_total' }, r.n);
    }
  }

  /** Distinct series admitted, per family (the cap is `config.maxSeries`). */
  series(): { verdicts: number; requests: number } {
    return { verdicts: this.verdictCap.size, requests: this.requestCap.size };
  }
}
