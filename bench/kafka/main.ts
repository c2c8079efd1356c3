/**
 * `npm run bench:kafka`: what the Kafka enforcer costs. The same kafkajs workloads run against
 * the broker directly and through `sluice kafka-proxy` (its own process, rules enforced, a flow
 * record logged per decision), alternating round by round, and the figures are printed side by
 * side with the proxy/direct ratios:
 *   produce  throughput: BENCH_BATCHES batches of BENCH_BATCH × BENCH_BYTES-byte records, 4 in flight, acks=all
 *   latency  BENCH_PINGS sequential single-record produces: p50 and p99
 *   consume  a new consumer group reads everything produced: throughput
 * Peer: Apache Kafka (KRaft) when .ci/deps/kafka.sh cached its jars, else librdkafka's mock
 * (BENCH_PEER=mock|kafka to choose). BENCH_ROUNDS rounds (default 3) after an unmeasured warm-up; medians are reported.
 */
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { kafkaBrokerUnavailable, startKafkaBroker, startMockCluster, startProxyProcess, type Peer } from './peers.js';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const ROUNDS = num('BENCH_ROUNDS', 3);
const BATCHES = num('BENCH_BATCHES', 300);
const BATCH = num('BENCH_BATCH', 100);
const BYTES = num('BENCH_BYTES', 1024);
const PINGS = num('BENCH_PINGS', 1000);
const FLOW_LOG = process.env['BENCH_FLOW_LOG'] ?? 'all';

interface Figures {
  produceMsgs: number;
  produceMBps: number;
  p50: number;
  p99: number;
  consumeMsgs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function workload(target: Peer, topic: string, round: number, batches = BATCHES, pings = PINGS): Promise<Figures> {
  const kafka = new Kafka({ brokers: [`${target.host}:${target.port}`], clientId: 'bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const value = Buffer.alloc(BYTES, 0x61);
  const messages = Array.from({ length: BATCH }, (_, i) => ({ key: String(i), value }));
  await producer.send({ topic, messages: [{ value: 'warm-up' }] });

  const t0 = performance.now();
  let next = 0;
  const lanes = Array.from({ length: 4 }, async () => {
    while (next < batches) {
      next++;
      await producer.send({ topic, messages, compression: CompressionTypes.None });
    }
  });
  await Promise.all(lanes);
  const produceSeconds = (performance.now() - t0) / 1000;

  const latencies: number[] = [];
  for (let i = 0; i < pings; i++) {
    const s = performance.now();
    await producer.send({ topic, messages: [{ value: 'ping' }] });
    latencies.push(performance.now() - s);
  }
  latencies.sort((a, b) => a - b);
  await producer.disconnect();

  const total = 1 + batches * BATCH + pings;
  const consumer = kafka.consumer({ groupId: `bench-${round}-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  // From run() to the last record: the group join is part of consuming, for both variants.
  const c0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen}/${total} in 300 s`)), 300_000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  const consumeSeconds = (performance.now() - c0) / 1000;
  await consumer.disconnect();
  await admin.connect().then(() => admin.disconnect()).catch(() => undefined);
  return {
    produceMsgs: (batches * BATCH) / produceSeconds,
    produceMBps: (batches * BATCH * BYTES) / produceSeconds / 1e6,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    consumeMsgs: total / consumeSeconds,
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const usePeer = process.env['BENCH_PEER'] ?? (kafkaBrokerUnavailable() === undefined ? 'kafka' : 'mock');
  const broker = usePeer === 'kafka' ? await startKafkaBroker('bench') : await startMockCluster(1, ['bench:1']);
  const proxy = await startProxyProcess(broker, FLOW_LOG).catch(async (error: unknown) => {
    await broker.stop();
    throw error;
  });
  const results: Record<'direct' | 'proxy', Figures[]> = { direct: [], proxy: [] };
  try {
    console.log(`peer: ${broker.label}; proxy: ${proxy.label}`);
    console.log(`workload: ${BATCHES}×${BATCH} records of ${BYTES} B (4 in flight), ${PINGS} sequential pings, then one group consumes all; ${ROUNDS} round(s)`);
    // Warm-up (JIT on both sides, the broker's group coordinator): not measured.
    await workload(broker, 'bench-warmup-direct', 99, Math.ceil(BATCHES / 5), 50);
    await workload(proxy, 'bench-warmup-proxy', 99, Math.ceil(BATCHES / 5), 50);
    for (let round = 0; round < ROUNDS; round++) {
      for (const via of round % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const)) {
        const target = via === 'direct' ? broker : proxy;
        const f = await workload(target, `bench-${via}-${round}`, round);
        results[via].push(f);
        console.log(`round ${round + 1} ${via.padEnd(6)} produce ${f.produceMsgs.toFixed(0)} msg/s (${f.produceMBps.toFixed(1)} MB/s), p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, consume ${f.consumeMsgs.toFixed(0)} msg/s`);
      }
    }
  } finally {
    await proxy.stop();
    await broker.stop();
  }
  const m = (via: 'direct' | 'proxy', k: keyof Figures) => median(results[via].map((f) => f[k]));
  const rows: [string, keyof Figures, string][] = [
    ['produce throughput (msg/s)', 'produceMsgs', 'higher is better'],
    ['produce throughput (MB/s)', 'produceMBps', 'higher is better'],
    ['produce latency p50 (ms)', 'p50', 'lower is better'],
    ['produce latency p99 (ms)', 'p99', 'lower is better'],
    ['consume throughput (msg/s)', 'consumeMsgs', 'higher is better'],
  ];
  console.log('\nmedian of rounds            direct       proxy    proxy/direct');
  for (const [label, key, note] of rows) {
    const d = m('direct', key);
    const p = m('proxy', key);
    console.log(`${label.padEnd(27)} ${d.toFixed(2).padStart(10)} ${p.toFixed(2).padStart(11)} ${(p / d).toFixed(3).padStart(10)}   (${note})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
