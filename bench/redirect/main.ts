/**
 * `npm run bench:redirect`: what steering connections into the proxy costs, eBPF against
 * iptables, measured side by side in one run in namespaces of its own (the host's rules are never
 * touched).
 *
 *   Envoy        real Envoy 1.40 behind a real `sluice serve` (envoy.ts): inbound connections to
 *                a protected port, eBPF sk_lookup vs iptables nat REDIRECT into the same Envoy,
 *                and direct to an unprotected port; connection setup, a new connection per
 *                request (wrk) and keep-alive request latency (wrk);
 *   kernel only  the optional sockmap/sk_msg path on a stand-in TCP proxy (kernel.ts).
 *
 * Rounds alternate between the variants; medians are reported, and eBPF/iptables ratios per
 * round with their range. Sizes: BENCH_CONNECTIONS (2000), BENCH_CONCURRENCY (8), BENCH_ROUNDS
 * (5), BENCH_SECONDS (1, per wrk run), BENCH_ENVOY_WORKERS (1), BENCH_BULK_SECONDS (2);
 * BENCH_KERNEL=0 skips the kernel-only part.
 */
import { execFileSync } from 'node:child_process';
import { findObject } from '../../bpf/index.js';
import { findEnvoy } from '../envoy/process.js';
import { missingLoadGenerators } from '../l7/load.js';
import { upstreamBinary } from '../l7/upstream.js';
import { measureEnvoyRedirect, printEnvoyRedirect } from './envoy.js';
import { kernelOnly } from './kernel.js';
import { missingForKernelTests, peerScript } from './sandbox.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const CONNECTIONS = env('BENCH_CONNECTIONS', 2000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const ROUNDS = env('BENCH_ROUNDS', 5);
const SECONDS = env('BENCH_SECONDS', 1);
const WORKERS = env('BENCH_ENVOY_WORKERS', 1);
const BULK_SECONDS = env('BENCH_BULK_SECONDS', 2);

function missing(): string | undefined {
  const base = missingForKernelTests();
  if (base) return base;
  if (!peerScript()) return 'dist/bench/redirect/peer.js is missing (run make build)';
  try {
    findObject();
  } catch {
    return 'bpf/build/redirect.bpf.o is not built (make -C bpf needs clang, bpftool, libbpf-dev)';
  }
  try {
    execFileSync('iptables', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'iptables is not installed (apt-get install iptables, or run .ci/deps/bpf.sh)';
  }
  const envoy = findEnvoy();
  if ('missing' in envoy) return envoy.missing;
  return missingLoadGenerators();
}

async function main(): Promise<number> {
  const reason = missing();
  if (reason) {
    console.log(`bench:redirect: skipped: ${reason}`);
    return 0;
  }
  const upstream = upstreamBinary();
  if ('missing' in upstream) {
    console.log(`bench:redirect: skipped: ${upstream.missing}`);
    return 0;
  }
  const options = { upstream: upstream.path, connections: CONNECTIONS, concurrency: CONCURRENCY, rounds: ROUNDS, seconds: SECONDS, workers: WORKERS };
  const envoy = printEnvoyRedirect(options, await measureEnvoyRedirect(options));
  const kernel = process.env['BENCH_KERNEL'] === '0' ? undefined : await kernelOnly({ connections: CONNECTIONS, concurrency: CONCURRENCY, rounds: ROUNDS, bulkSeconds: BULK_SECONDS });
  console.log(JSON.stringify({ ...envoy, ...(kernel ? { kernelOnly: kernel } : {}) }));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:redirect: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
