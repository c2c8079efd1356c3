/**
 * bench:flows' real-Envoy part: the flows scenario compiled by sluice, served by Envoy 1.40 on
 * loopback (web at 127.0.0.1, where wrk connects from, so its requests are allowed), under wrk
 * (keep-alive, 8 connections). Three variants of the same listener, alternated over three runs:
 * `als` (the gRPC access logger to a collector in this process), `file` (the compiler's JSON
 * access log written to a file, what Envoy does today) and `none`. Figures: requests/s, Envoy CPU
 * per request, and for `als` the flows the collector received against the requests wrk completed.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Envoy, findEnvoy } from '../envoy/process.js';
import { freePort } from '../kafka/peers.js';
import { missingLoadGenerators, wrk } from '../l7/load.js';
import { upstreamBinary } from '../l7/upstream.js';
import { FlowCollector, FlowStore } from '../../flows/index.js';
import { compileScenario, NODE, ORDERS, scenarioBootstrap } from './scenario.js';
import { processCpuNs } from '../envoy/cpu.js';

type Variant = 'als' | 'file' | 'none';


export async function realEnvoy(fmt: (n: number, digits?: number) => string): Promise<void> {
  const envoyBin = findEnvoy();
  const upstreamBin = upstreamBinary();
  const missing = 'missing' in envoyBin ? envoyBin.missing : 'missing' in upstreamBin ? upstreamBin.missing : missingLoadGenerators();
  if (missing || !('path' in upstreamBin)) {
    console.log(`real Envoy: skipped (${missing ?? 'no upstream'})`);
    return;
  }
  const upstreamPort = await freePort();
  const upstream = spawn(upstreamBin.path, ['--listen', `127.0.0.1:${upstreamPort}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => upstream.stdout.once('data', (d: Buffer) => (d.toString().includes('listening') ? resolve() : reject(new Error(`upstream: ${d.toString()}`)))));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-flows-envoy-'));
  const store = new FlowStore(2_000_000);
  const collector = new FlowCollector({ sink: (flows) => flows.forEach((f) => store.add(f)) });
  const collectorPort = await collector.listen('127.0.0.1:0');
  const compiled = compileScenario({ http: await freePort(), grpc: await freePort(), web: '127.0.0.1' });
  const results = new Map<Variant, Array<{ rate: number; cpuUs: number; errors: number; requests: number; received?: number }>>();
  try {
    for (let run = 0; run < 3; run++) {
      for (const variant of ['als', 'file', 'none'] as const) {
        const admin = { host: '127.0.0.1', port: await freePort() };
        const accessLog = variant === 'als' ? { kind: 'als' as const } : variant === 'file' ? { kind: 'file' as const, path: path.join(dir, `access-${run}.log`) } : { kind: 'none' as const };
        const bootstrap = scenarioBootstrap(compiled, { admin, collector: { host: '127.0.0.1', port: collectorPort }, upstreams: { http: { host: '127.0.0.1', port: upstreamPort }, grpc: { host: '127.0.0.1', port: upstreamPort } }, accessLog, flushIntervalMs: 1000 });
        const envoy = await Envoy.start({ node: NODE, xds: { host: '127.0.0.1', port: 1 }, admin, bootstrap, accessLog: 'discard', concurrency: 1 });
        try {
          await envoy.until(async () => (await envoy.state()) === 'LIVE', 'LIVE');
          const before = store.stats().total;
          const cpu0 = processCpuNs(envoy.pid ?? 0);
          const r = await wrk({}, { url: `http://${ORDERS}:${compiled.ports.http}/v1/orders/1`, connections: 8, seconds: 5 });
          const cpuUs = (processCpuNs(envoy.pid ?? 0) - cpu0) / 1e3 / r.requests;
          let received: number | undefined;
          if (variant === 'als') {
            const deadline = Date.now() + 10_000;
            while (store.stats().total - before < r.requests && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
            received = store.stats().total - before;
          }
          const list = results.get(variant) ?? [];
          list.push({ rate: r.rate, cpuUs, errors: r.errors, requests: r.requests, ...(received !== undefined ? { received } : {}) });
          results.set(variant, list);
        } finally {
          await envoy.stop();
        }
      }
    }
  } finally {
    upstream.kill('SIGTERM');
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('real Envoy 1.40 under wrk (keep-alive, 8 connections, 5 s; 3 runs each, alternated)');
  const none = results.get('none') ?? [];
  for (const variant of ['als', 'file', 'none'] as const) {
    const rs = results.get(variant) ?? [];
    const ratios = rs.map((r, i) => r.rate / (none[i]?.rate ?? NaN));
    const cpuRatios = rs.map((r, i) => r.cpuUs / (none[i]?.cpuUs ?? NaN));
    const got = rs.map((r) => (r.received !== undefined ? ` flows received ${fmt(r.received)}/${fmt(r.requests)}` : '')).join(';');
    console.log(`  ${variant.padEnd(5)} ${rs.map((r) => fmt(r.rate)).join(', ')} req/s (×${ratios.map((x) => x.toFixed(2)).join(', ')} of none); Envoy CPU/request ${rs.map((r) => fmt(r.cpuUs, 1)).join(', ')} µs (×${cpuRatios.map((x) => x.toFixed(2)).join(', ')}); errors ${rs.map((r) => r.errors).join(', ')}${got ? `;${got}` : ''}`);
  }
}
