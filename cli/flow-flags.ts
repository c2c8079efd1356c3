/** `sluice serve`'s flow flags: the store, the metrics' labels and cap, the file and Kafka exports. */
import path from 'node:path';
import type { ServeFlowsOptions } from '../controller/index.js';
import { CONTEXT_LABELS, createKafkajsProducer, DEFAULT_METRICS_CONFIG, DEFAULT_STORE_CAPACITY, FILE_EXPORT_DEFAULTS, parseMetricsConfig } from '../flows/index.js';
import { UsageError } from './command.js';

export const FLOW_FLAGS = {
  'flow-store-size': { type: 'string' },
  'flow-metrics-labels': { type: 'string' },
  'flow-metrics-max-series': { type: 'string' },
  'flow-export-file': { type: 'string' },
  'flow-export-file-size': { type: 'string' },
  'flow-export-file-count': { type: 'string' },
  'flow-export-kafka': { type: 'string' },
  'flow-export-kafka-topic': { type: 'string' },
} as const;

const DEFAULT_TOPIC = 'sluice-flows';

/** Wraps a comma-separated list onto continuation lines of the help's option column. */
const wrapped = (items: readonly string[], indent = 28, width = 96): string => {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line},${item}` : item;
    if (indent + next.length > width && line) {
      lines.push(`${line},`);
      line = item;
    } else line = next;
  }
  return [...lines, line].join(`\n${' '.repeat(indent)}`);
};

export const FLOW_HELP = `Flows (what each proxy decided, request by request; docs/flows.md):
  --flow-store-size N       flows kept in memory for /flows, /map and audit reports
                            (default ${DEFAULT_STORE_CAPACITY}, about 365 bytes each)
  --flow-metrics-labels L   the labels of sluice_flow_requests_total and _duration_seconds, from
                            ${wrapped(CONTEXT_LABELS)}
                            (default ${wrapped(DEFAULT_METRICS_CONFIG.labels)})
  --flow-metrics-max-series N  label sets past N are counted as "other" (default ${DEFAULT_METRICS_CONFIG.maxSeries})
  --flow-export-file PATH   also write every flow as a JSON line to PATH, rotated by size
  --flow-export-file-size MIB  rotate before the file passes this size (default ${FILE_EXPORT_DEFAULTS.maxBytes / 1024 / 1024})
  --flow-export-file-count N   rotated files kept (default ${FILE_EXPORT_DEFAULTS.files})
  --flow-export-kafka BROKERS  also produce every flow (JSON, keyed by destination workload) to
                            Kafka, BROKERS as host:port,...; a broker that is away costs flows
                            (counted in /flows/status and sluice_flow_exports_total), never serving
  --flow-export-kafka-topic T  the topic (default ${DEFAULT_TOPIC}; it must exist)`;

type FlowValues = { [K in keyof typeof FLOW_FLAGS]?: string | undefined };

/** A positive integer flag, at most `max`; a usage error names the flag. */
function count(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw new UsageError(`--${flag}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export async function flowOptions(values: FlowValues): Promise<ServeFlowsOptions> {
  const { config, problems } = parseMetricsConfig(values['flow-metrics-labels'], values['flow-metrics-max-series']);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `--${p.path}: ${p.message}`).join('\n'));
  const storeCapacity = count('flow-store-size', values['flow-store-size'], 10_000_000);
  const fileFlags = (['flow-export-file-size', 'flow-export-file-count'] as const).find((f) => values[f] !== undefined);
  if (fileFlags && values['flow-export-file'] === undefined) throw new UsageError(`--${fileFlags} needs --flow-export-file`);
  if (values['flow-export-kafka-topic'] !== undefined && values['flow-export-kafka'] === undefined) throw new UsageError('--flow-export-kafka-topic needs --flow-export-kafka');
  const sizeMiB = count('flow-export-file-size', values['flow-export-file-size'], 1024 * 1024);
  const files = count('flow-export-file-count', values['flow-export-file-count'], 1000);
  const file = values['flow-export-file'] !== undefined
    ? { path: path.resolve(values['flow-export-file']), ...(sizeMiB ? { maxBytes: sizeMiB * 1024 * 1024 } : {}), ...(files ? { files } : {}) }
    : undefined;
  let kafka: ServeFlowsOptions['kafka'];
  if (values['flow-export-kafka'] !== undefined) {
    const brokers = values['flow-export-kafka'].split(',').map((b) => b.trim()).filter(Boolean);
    const bad = brokers.find((b) => !/^(?:\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/.test(b));
    if (brokers.length === 0 || bad !== undefined) throw new UsageError(`--flow-export-kafka: expected host:port,... (for example 127.0.0.1:9092), got "${bad ?? values['flow-export-kafka']}"`);
    const topic = values['flow-export-kafka-topic'] ?? DEFAULT_TOPIC;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') throw new UsageError(`--flow-export-kafka-topic: "${topic}" is not a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)`);
    kafka = { producer: await createKafkajsProducer(brokers), options: { topic } };
  }
  return { metrics: config, ...(storeCapacity ? { storeCapacity } : {}), ...(file ? { file } : {}), ...(kafka ? { kafka } : {}) };
}
