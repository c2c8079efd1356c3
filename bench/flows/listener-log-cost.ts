/**
 * bench:flows' cost of the listeners' closed-connection log (`closingChainFlowAccessLog`: Envoy's
 * `tcp_grpc` logger on the Listener, kept by a CEL filter to the connections of sluice's closing
 * chains), on real Envoy 1.40: the flows scenario's HTTP chain on a listener as the compiler builds
 * it (the chain by its name, the `sluice|unmatched` default chain), one request per connection
 * (wrk with `Connection: close`, 8 connections: the worst case, every request is a connection close
 * the listener log judges). A/B in one process, alternated over 12 runs of 3 s (the order reversed
 * every other run, so a drift of the shared machine falls on both sides): `cel`, the listener with
 * the closing-chain log, and `none`, the same listener without it; all keep the connection
 * manager's flow log to the collector. Two more variants bound what one run cannot resolve on a
 * shared machine: `all`, the same log without its filter (every connection a TCP entry: what the
 * filter saves), and `cel×20`, twenty such logs, each filter evaluated (false) on every
 * connection: the filter's own cost, twenty times over, so (cel×20 − none) / 20 is one
 * evaluation's. Figures: Envoy CPU per connection and p50 latency, each run's ratio to `none`, and
 * the TCP flows the collector got (`cel`, `cel×20`: 0, no HTTP connection passes the filter;
 * `all`: one per connection).
 */
import { spawn } from 'node:child_process';
import { Envoy, findEnvoy } from '../envoy/process.js';
import { freePort } from '../kafka/peers.js';
import { missingLoadGenerators, wrk } from '../l7/load.js';
import { upstreamBinary } from '../l7/upstream.js';
import { FlowCollector, FlowStore } from '../../flows/index.js';
import { closingChainFlowAccessLog, UNMATCHED_CHAIN } from '../../policy-compiler/index.js';
import { COLLECTOR_CLUSTER, compileScenario, NODE, ORDERS, scenarioBootstrap } from './scenario.js';
import { processCpuNs } from '../envoy/cpu.js';

const VARIANTS = ['cel', 'all', 'cel×20', 'none'] as const;
type Variant = (typeof VARIANTS)[number];
/** How many filtered logs `cel×20` carries. */
const AMPLIFY = 20;
type Json = Record<string, unknown>;


const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function listenerLogCost(fmt: (n: number, digits?: number) => string, runs = 12, seconds = 3): Promise<void> {
  const envoyBin = findEnvoy();
  const upstreamBin = upstreamBinary();
  const missing = 'missing' in envoyBin ? envoyBin.missing : 'missing' in upstreamBin ? upstreamBin.missing : missingLoadGenerators();
  if (missing || !('path' in upstreamBin)) {
    console.log(`listener log: skipped (${missing ?? 'no upstream'})`);
    return;
  }
  const upstreamPort = await freePort();
  const upstream = spawn(upstreamBin.path, ['--listen', `127.0.0.1:${upstreamPort}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => upstream.stdout.once('data', (d: Buffer) => (d.toString().includes('listening') ? resolve() : reject(new Error(`upstream: ${d.toString()}`)))));
  const store = new FlowStore(2_000_000);
  const collector = new FlowCollector({ sink: (flows) => flows.forEach((f) => store.add(f)) });
  const collectorPort = await collector.listen('127.0.0.1:0');
  const compiled = compileScenario({ http: await freePort(), grpc: await freePort(), web: '127.0.0.1' });
  const httpChain = compiled.chains.get(compiled.ports.http)?.chain;
  if (!httpChain) throw new Error('the flows scenario has no HTTP chain');
  const results = new Map<Variant, Array<{ cpuUs: number; p50us: number; rate: number; requests: number; errors: number; tcpFlows: number }>>();
  try {
    for (let run = 0; run < runs; run++) {
      for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const admin = { host: '127.0.0.1', port: await freePort() };
        const bootstrap = scenarioBootstrap(compiled, { admin, collector: { host: '127.0.0.1', port: collectorPort }, upstreams: { http: { host: '127.0.0.1', port: upstreamPort }, grpc: { host: '127.0.0.1', port: upstreamPort } }, flushIntervalMs: 1000 });
        const listeners = (bootstrap['static_resources'] as { listeners: Json[] }).listeners;
        const listener = listeners.find((l) => l['name'] === httpChain.name);
        if (!listener) throw new Error(`no listener ${httpChain.name}`);
        // As the compiler builds a listener: the chain by its name, the default chain, and (cel) the closing-chain log.
        const chains = listener['filter_chains'] as Json[];
        listener['filter_chains'] = chains.map((c) => ({ ...c, name: httpChain.name }));
        listener['default_filter_chain'] = { name: UNMATCHED_CHAIN, filters: [{ name: 'envoy.filters.network.direct_response', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config' } }] };
        const log = closingChainFlowAccessLog(httpChain.direction, { clusterName: COLLECTOR_CLUSTER, flushIntervalMs: 1000 });
        if (variant === 'cel') listener['access_log'] = [log];
        if (variant === 'all') listener['access_log'] = [{ name: log.name, typed_config: log.typed_config }];
        if (variant === 'cel×20') listener['access_log'] = Array.from({ length: AMPLIFY }, () => log);
        const envoy = await Envoy.start({ node: NODE, xds: { host: '127.0.0.1', port: 1 }, admin, bootstrap, accessLog: 'discard', concurrency: 1 });
        try {
          await envoy.until(async () => (await envoy.state()) === 'LIVE', 'LIVE');
          const tcpBefore = store.query({ protocols: ['tcp'] }).length;
          const cpu0 = processCpuNs(envoy.pid ?? 0);
          const r = await wrk({}, { url: `http://${ORDERS}:${compiled.ports.http}/v1/orders/1`, connections: 8, seconds, newConnections: true });
          const cpuUs = (processCpuNs(envoy.pid ?? 0) - cpu0) / 1e3 / r.requests;
          // A second for Envoy's buffered log to flush: a TCP flow would have arrived by then.
          await new Promise((res) => setTimeout(res, 1500));
          const list = results.get(variant) ?? [];
          list.push({ cpuUs, p50us: r.p50us, rate: r.rate, requests: r.requests, errors: r.errors, tcpFlows: store.query({ protocols: ['tcp'] }).length - tcpBefore });
          results.set(variant, list);
        } finally {
          await envoy.stop();
        }
      }
    }
  } finally {
    upstream.kill('SIGTERM');
    await collector.close();
  }
  const none = results.get('none') ?? [];
  console.log(`listener closed-connection log (tcp_grpc + CEL filter) vs none, one request per connection (wrk Connection: close, 8 connections, ${seconds} s; ${runs} runs, alternated)`);
  for (const variant of VARIANTS) {
    const rs = results.get(variant) ?? [];
    console.log(`  ${variant.padEnd(6)} Envoy CPU/connection ${rs.map((r) => fmt(r.cpuUs, 1)).join(', ')} µs; p50 ${rs.map((r) => fmt(r.p50us)).join(', ')} µs; ${rs.map((r) => fmt(r.rate)).join(', ')} conn/s; errors ${rs.map((r) => r.errors).join(', ')}; TCP flows ${rs.map((r, i) => `${fmt(r.tcpFlows)}${i === 0 ? ` of ${fmt(r.requests)} connections` : ''}`).join(', ')}`);
  }
  for (const variant of ['cel', 'all', 'cel×20'] as const) {
    const rs = results.get(variant) ?? [];
    const cpu = rs.map((r, i) => r.cpuUs / (none[i]?.cpuUs ?? NaN));
    const p50 = rs.map((r, i) => r.p50us / (none[i]?.p50us ?? NaN));
    const rate = rs.map((r, i) => r.rate / (none[i]?.rate ?? NaN));
    console.log(`  ${variant}/none per run: CPU/connection ×${cpu.map((x) => x.toFixed(3)).join(', ')} (median ×${median(cpu).toFixed(3)}); p50 ×${p50.map((x) => x.toFixed(3)).join(', ')} (median ×${median(p50).toFixed(3)}); rate ×${rate.map((x) => x.toFixed(3)).join(', ')} (median ×${median(rate).toFixed(3)})`);
  }
  const amplified = (results.get('cel×20') ?? []).map((r, i) => (r.cpuUs - (none[i]?.cpuUs ?? NaN)) / AMPLIFY);
  const base = median(none.map((r) => r.cpuUs));
  console.log(`  one filter evaluation, from cel×${AMPLIFY}: ${amplified.map((x) => fmt(x, 2)).join(', ')} µs per connection (median ${fmt(median(amplified), 2)} µs = ${((median(amplified) / base) * 100).toFixed(2)} % of none's ${fmt(base, 1)} µs)`);
}
