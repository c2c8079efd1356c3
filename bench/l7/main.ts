/**
 * `npm run bench:l7`: what sluice's compiled RBAC costs Envoy per request, at 10, 100 and 1,000
 * rules on a port, against the same Envoy with no RBAC and against the upstream direct, in one
 * run, for HTTP/1.1 (wrk) and gRPC unary over HTTP/2 (h2load). How the configuration is built and
 * which peer is fair: config.ts; the rules and the measured requests: rules.ts.
 *
 * Two load points per case: one request at a time (latency: p50, p99) and a fixed concurrency
 * (capacity: requests per second, Envoy's single worker busy, and the CPU time Envoy spent per
 * request, read from /proc: on a shared machine the figure least disturbed by other work).
 * Rounds alternate the order of the
 * cases; each figure is the median over rounds, and each ratio is the median of the per-round
 * ratios against "Envoy, no RBAC" of the same round, with its range.
 *
 * Before measuring: every case is checked to be allowed by the rule it means (Envoy's per-rule
 * stats), and every shaped variant to decide as the compiled policies do (verdicts.ts).
 *
 * Sizes: BENCH_L7_SECONDS (1 per run), BENCH_L7_ROUNDS (3), BENCH_L7_CONCURRENCY (8),
 * BENCH_L7_RULES (10,100,1000), BENCH_L7_PROTOCOLS (http,grpc), BENCH_L7_WORKERS (Envoy's, 1).
 * Needs root (a network namespace), Envoy (.ci/deps/envoy.sh), Go, wrk and h2load (bench/deps.sh).
 */
import { spawn } from 'node:child_process';
import { envoyVersion, findEnvoy, Envoy } from '../envoy/process.js';
import { placed, Sandbox, sh } from '../redirect/sandbox.js';
import { plan, type Case } from './cases.js';
import { bootstrap, compileSets } from './config.js';
import { grpcFrame, h2load, missingLoadGenerators, wrk, type LoadResult } from './load.js';
import { report, type Sample } from './report.js';
import type { Protocol } from './rules.js';
import { upstreamBinary } from './upstream.js';
import { probes, sameVerdicts } from './verdicts.js';
import { processCpuNs } from '../envoy/cpu.js';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const list = (name: string, fallback: string): string[] => (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const SECONDS = num('BENCH_L7_SECONDS', 1);
const ROUNDS = num('BENCH_L7_ROUNDS', 3);
const CONCURRENCY = num('BENCH_L7_CONCURRENCY', 8);
const WORKERS = num('BENCH_L7_WORKERS', 1);
const COUNTS = list('BENCH_L7_RULES', '10,100,1000').map(Number);
const PROTOCOLS = list('BENCH_L7_PROTOCOLS', 'http,grpc') as Protocol[];

const LOOPBACK = '127.0.0.1';
const UPSTREAM_PORT = 18080;
const ADMIN_PORT = 15000;

function missing(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root (the benchmark runs in a network namespace of its own)';
  const envoy = findEnvoy();
  if ('missing' in envoy) return envoy.missing;
  const upstream = upstreamBinary();
  if ('missing' in upstream) return upstream.missing;
  return missingLoadGenerators();
}


/** One load run of a case: `latency` one request at a time, `rate` at the fixed concurrency. */
function load(ns: string, c: Case, point: 'latency' | 'rate', seconds: number): Promise<LoadResult> {
  const url = `http://${LOOPBACK}:${c.listener?.port ?? UPSTREAM_PORT}${c.path}`;
  const where = { netns: ns };
  if (c.protocol === 'http') return wrk(where, { url, connections: point === 'latency' ? 1 : CONCURRENCY, seconds });
  // gRPC clients multiplex calls on one connection; at the fixed concurrency, two connections.
  const connections = point === 'latency' ? 1 : 2;
  const streams = point === 'latency' ? 1 : Math.max(1, Math.round(CONCURRENCY / connections));
  return h2load(where, { url, connections, streams, seconds, body: grpcFrame(), headers: ['content-type: application/grpc', 'te: trailers'] });
}

async function main(): Promise<number> {
  const reason = missing();
  if (reason) {
    console.log(`bench:l7: skipped: ${reason}`);
    return 0;
  }
  const envoyBin = findEnvoy();
  const upstreamBin = upstreamBinary();
  if (!('path' in envoyBin) || !('path' in upstreamBin)) return 1;
  const { sets, listeners, cases } = plan(PROTOCOLS, COUNTS);
  const compiled = compileSets(sets);
  const box = new Sandbox();
  try {
    const ns = box.netns('l7');
    const subnet = box.subnet('10.234');
    box.veth(undefined, ns, `10.234.${subnet}.1/30`, `10.234.${subnet}.2/30`);
    const admin = { host: `10.234.${subnet}.2`, port: ADMIN_PORT };

    const argv = placed({ netns: ns }, [upstreamBin.path, '--listen', `${LOOPBACK}:${UPSTREAM_PORT}`]);
    const upstream = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    box.onCleanup(() => void upstream.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      upstream.stdout.once('data', (d: Buffer) => (d.toString().includes('listening') ? resolve() : reject(new Error(`upstream: ${d.toString()}`))));
      upstream.once('exit', (code) => reject(new Error(`upstream exited ${code}`)));
    });

    const config = bootstrap(compiled, listeners, { host: LOOPBACK, port: UPSTREAM_PORT }, admin);
    const envoy = await Envoy.start({ node: 'bench-node', xds: admin, admin, where: { netns: ns }, concurrency: WORKERS, bootstrap: config, accessLog: 'discard' });
    box.onCleanup(() => envoy.stop());
    await envoy.until(async () => (await envoy.state()) === 'LIVE', 'its static listeners', 60_000);

    // Warm-up, and the proof each case is what it claims: no errors, and the rule it means to
    // match counted its requests (Envoy's per-rule stats).
    for (const c of cases) {
      const r = await load(ns, c, 'rate', 1);
      if (r.errors > 0 || !(r.requests > 0)) throw new Error(`bench:l7: ${c.protocol} "${c.name}" had ${r.errors} errors in ${r.requests} requests (expected every request allowed)`);
      if (c.rule && c.listener) {
        const stat = `http.bench_${c.listener.name}.rbac.sluice_allow_.policy.${c.rule}.allowed`;
        if (!((await envoy.stat(stat)) > 0)) throw new Error(`bench:l7: ${c.protocol} "${c.name}": ${stat} did not count (the request did not match the rule meant)`);
      }
      // gRPC denials are HTTP 200 with grpc-status 7, which h2load counts as answers: Envoy's own count says.
      const denied = c.listener ? await envoy.stat(`http.bench_${c.listener.name}.rbac.sluice_allow_.denied`) : 0;
      if (denied > 0) throw new Error(`bench:l7: ${c.protocol} "${c.name}": Envoy denied ${denied} requests`);
    }
    // The shaped variants decide what the compiled policies decide, probe for probe.
    const shapes: string[] = [];
    for (const shaped of listeners.filter((l) => l.variant === 'matcher' || l.variant === 'no-rule-stats')) {
      const reference = listeners.find((l) => l.set === shaped.set && l.variant === 'compiled');
      if (!reference) continue;
      const url = (port: number): URL => new URL(`http://${admin.host}:${port}`);
      const same = await sameVerdicts(shaped.set.protocol, url(reference.port), url(shaped.port), probes(shaped.set));
      if ('differs' in same) throw new Error(`bench:l7: ${shaped.name} decides differently from the compiled policies: ${same.differs}`);
      shapes.push(`${shaped.name}: ${same.allowed + same.denied} probes (${same.allowed} allowed, ${same.denied} denied), the same verdicts as the compiled policies`);
    }

    const pid = envoy.pid;
    if (pid === undefined) throw new Error('bench:l7: Envoy has no pid');
    const samples: Sample[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const point of ['latency', 'rate'] as const) {
        const order = round % 2 === 0 ? cases : [...cases].reverse();
        for (const c of order) {
          const cpu0 = processCpuNs(pid);
          const r = await load(ns, c, point, SECONDS);
          const cpuUsPerRequest = c.listener ? (processCpuNs(pid) - cpu0) / 1e3 / r.requests : NaN;
          if (r.errors > 0) throw new Error(`bench:l7: ${c.protocol} "${c.name}" had ${r.errors} errors`);
          samples.push({ round, point, protocol: c.protocol, name: c.name, result: r, cpuUsPerRequest });
        }
      }
    }
    const header = `bench:l7  Envoy ${envoyVersion(envoyBin.path)}, ${WORKERS} worker(s), kernel ${sh('uname', ['-r']).trim()}, ${ROUNDS} rounds × ${SECONDS} s per case and load point; latency: 1 request at a time; rate: ${CONCURRENCY} concurrent`;
    report(header, cases, samples);
    for (const line of shapes) console.log(`  ${line}`);
    return 0;
  } finally {
    await box.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:l7: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
