/**
 * bench:flows — what collecting, keeping and querying L7 flows costs, each figure beside a peer
 * measured in the same run:
 *   1. ingest: flows/s the collector takes (decode, map, store, metrics) from a synthetic Envoy in
 *      a worker thread, vs protobufjs decoding the same messages and nothing else;
 *   2. real Envoy 1.40 under wrk on the flows scenario: requests/s and Envoy CPU per request with
 *      the gRPC access logger to the collector, vs the same Envoy writing the compiler's JSON
 *      access log to a file, vs no access log; and whether every request reached the collector;
 *   3. memory per 100,000 flows in the store, vs the same flows held as JSON-lines text;
 *   4. query latency over 1,000,000 flows, vs the same filter as a linear scan without indexes
 *      and vs `jq` over the same flows as a JSON-lines file;
 *   5. real Envoy 1.40, one request per connection: Envoy CPU per connection and p50 latency with
 *      the listeners' closed-connection log (tcp_grpc, CEL filter) vs without it.
 *
 *   npm run bench:flows            (BENCH_FLOWS_SKIP=ingest,envoy,memory,query,jq,listener to leave parts out)
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { compilePredicate, flowMessage, flowToJson, FlowCollector, FlowMetrics, FlowStore, MESSAGE, OBJECT_FORM, type FlowFilter, type FlowRecord } from '../../flows/index.js';
import { Registry } from '../../telemetry/index.js';
import { encodeMessage } from './als-client.js';
import { realEnvoy } from './envoy-cost.js';
import { listenerLogCost } from './listener-log-cost.js';
import { syntheticFlows } from './synthetic.js';

const skip = new Set((process.env['BENCH_FLOWS_SKIP'] ?? '').split(',').filter(Boolean));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const gc = (globalThis as { gc?: () => void }).gc;

async function ingest(): Promise<void> {
  const streams = 2;
  const messages = 1000;
  const entries = 100;
  const total = streams * (messages * entries + 1);
  const store = new FlowStore(1_000_000);
  const metrics = new FlowMetrics(new Registry());
  const collector = new FlowCollector({ sink: (flows) => {
    for (const f of flows) store.add(f);
    metrics.record(flows);
  } });
  const port = await collector.listen('127.0.0.1:0');
  const start = performance.now();
  const worker = new Worker(new URL('./als-worker.js', import.meta.url), { workerData: { address: `127.0.0.1:${port}`, streams, messages, entries } });
  const sent = await new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  while (collector.stats().accepted + collector.stats().dropped < total || collector.stats().queued > 0) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - start;
  const s = collector.stats();
  await collector.close();
  // The peer: decoding the same message bytes, nothing else.
  const body = encodeMessage(Array.from({ length: entries }, (_, i) => ({ source: '10.1.0.9', destination: '10.1.0.7', port: 8080, path: `/v1/orders/${i}` })), undefined);
  const type = flowMessage(MESSAGE.alsRequest);
  const t = performance.now();
  for (let i = 0; i < 2000; i++) type.toObject(type.decode(body), OBJECT_FORM);
  const decodeRate = (2000 * entries) / ((performance.now() - t) / 1000);
  const rate = s.accepted / (ms / 1000);
  console.log(`ingest (synthetic Envoy, ${streams} streams × ${fmt(messages)} messages × ${entries} entries, ${fmt(sent.bytes)} B each)`);
  console.log(`  collector: ${fmt(rate)} flows/s stored (decode + map + store + metrics), ${fmt(s.dropped)} dropped, ${fmt(s.accepted)} accepted`);
  console.log(`  peer, protobufjs decode alone: ${fmt(decodeRate)} entries/s  → collector ×${(rate / decodeRate).toFixed(2)} of decoding alone`);
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function memory(): void {
  if (!gc) {
    console.log('memory: skipped (run with node --expose-gc, as npm run bench:flows does)');
    return;
  }
  const n = 100_000;
  const flows = [...syntheticFlows({ count: n, start: Date.now() })];
  const before = heapUsed();
  const store = new FlowStore(n);
  for (const f of flows) store.add(f);
  const storeBytes = heapUsed() - before;
  const lines = flows.map((f) => JSON.stringify(flowToJson(f)));
  const textBytes = heapUsed() - before - storeBytes;
  const fileBytes = lines.reduce((a, l) => a + l.length + 1, 0);
  console.log(`memory per 100,000 flows (heap after GC; the synthetic flows themselves excluded)`);
  console.log(`  store (ring + indexes, strings interned): ${fmt(storeBytes / 2 ** 20, 1)} MiB (${fmt(storeBytes / n)} B/flow; typed-array indexes ${fmt(store.indexBytes() / 2 ** 20, 1)} MiB)`);
  console.log(`  peer, the same flows as JSON-lines strings: ${fmt(textBytes / 2 ** 20, 1)} MiB (${fmt(fileBytes / 2 ** 20, 1)} MiB of text) → store ×${(storeBytes / textBytes).toFixed(2)}`);
}

function timeIt(f: () => number): { ms: number; n: number } {
  const t = performance.now();
  const n = f();
  return { ms: performance.now() - t, n };
}

async function query(): Promise<void> {
  const n = 1_000_000;
  const start = Date.now() - n;
  const store = new FlowStore(n);
  const all: FlowRecord[] = [];
  for (const f of syntheticFlows({ count: n, start })) all.push(store.add(f).flow);
  const cases: Array<{ name: string; filter: FlowFilter; jq?: string }> = [
    { name: 'verdict=denied namespace=ns-3', filter: { verdicts: ['denied'], namespaces: ['ns-3'] }, jq: 'select(.verdict == "denied" and (.source.namespace == "ns-3" or .destination.namespace == "ns-3"))' },
    { name: 'from=ns-7/svc-17 to=ns-2/svc-42', filter: { from: [{ kind: 'workload', namespace: 'ns-7', name: 'svc-17' }], to: [{ kind: 'workload', namespace: 'ns-2', name: 'svc-42' }] } },
    { name: 'policy=ns-1/tighten verdict=audit-denied', filter: { policies: ['ns-1/tighten'], verdicts: ['audit-denied'] } },
    { name: 'http-path=^/v1/items/99\\d$ (no index)', filter: { httpPaths: ['^/v1/items/99\\d$'] } },
  ];
  console.log(`query over ${fmt(n)} flows (every match, newest first; median of 5)`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  let file: string | undefined;
  const jqMissing = skip.has('jq') ? 'BENCH_FLOWS_SKIP=jq' : (() => {
    try {
      execFileSync('jq', ['--version'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'jq is not installed (apt-get install jq)';
    }
  })();
  if (!jqMissing) {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-flows-')), 'flows.jsonl');
    const out = fs.openSync(file, 'w');
    for (let i = 0; i < all.length; i += 10_000) fs.writeSync(out, all.slice(i, i + 10_000).map((f) => `${JSON.stringify(flowToJson(f))}\n`).join(''));
    fs.closeSync(out);
  }
  for (const c of cases) {
    const ours = median(Array.from({ length: 5 }, () => timeIt(() => store.query(c.filter).length).ms));
    const count = store.query(c.filter).length;
    const { predicate } = compilePredicate(c.filter);
    const scan = median(Array.from({ length: 5 }, () => timeIt(() => all.filter((f) => predicate.test(f)).length).ms));
    predicate.dispose();
    let jqText = '';
    if (c.jq && file) {
      const t = performance.now();
      const lines = await new Promise<number>((resolve, reject) => {
        const child = spawn('jq', ['-c', c.jq ?? '.', file ?? ''], { stdio: ['ignore', 'pipe', 'inherit'] });
        let k = 0;
        child.stdout.on('data', (d: Buffer) => (k += d.toString().split('\n').length - 1));
        child.on('exit', (code) => (code === 0 ? resolve(k) : reject(new Error(`jq exited ${code}`))));
      });
      const jqMs = performance.now() - t;
      jqText = `; jq over the JSON-lines file ${fmt(jqMs)} ms (${fmt(lines)}) → ×${(ours / jqMs).toFixed(4)}`;
    } else if (c.jq) jqText = `; jq: skipped (${jqMissing})`;
    console.log(`  ${c.name.padEnd(42)} store ${fmt(ours, 1).padStart(7)} ms (${fmt(count)} flows); scan without indexes ${fmt(scan, 1)} ms → ×${(ours / scan).toFixed(2)}${jqText}`);
  }
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`bench:flows on ${os.cpus().length} cores, node ${process.version}`);
  if (!skip.has('ingest')) await ingest();
  if (skip.has('envoy')) console.log('real Envoy: skipped (BENCH_FLOWS_SKIP=envoy)');
  else await realEnvoy(fmt);
  if (!skip.has('memory')) memory();
  if (!skip.has('query')) await query();
  if (skip.has('listener')) console.log('listener log: skipped (BENCH_FLOWS_SKIP=listener)');
  else await listenerLogCost(fmt);
}

await main();
process.exit(0);
