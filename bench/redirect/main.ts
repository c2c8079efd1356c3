/**
 * `npm run bench:redirect`: what steering connections into a local proxy costs, eBPF against
 * iptables, measured side by side in one run in a dedicated network namespace (the host's own
 * rules are never touched).
 *
 *   setup  connection setup rate and latency (connect, 1-byte request, 1-byte response, close)
 *          through the stand-in proxy: eBPF connect4 redirect vs iptables nat REDIRECT to the
 *          same proxy, plus a direct baseline without any proxy;
 *   bulk   one-way throughput through the proxy with and without the sockmap/sk_msg fast path.
 *
 * Rounds alternate between the variants and the median of each is reported, with ratios.
 * Sizes come from the environment: BENCH_CONNECTIONS (default 2000), BENCH_CONCURRENCY (8),
 * BENCH_ROUNDS (3), BENCH_BULK_SECONDS (3).
 */
import { execFileSync } from 'node:child_process';
import { openRedirectDataplane, unloadDataplane, attachDataplane, type RedirectDataplane } from '../../bpf/index.js';
import type { OutboundRedirect } from '../../policy-compiler/index.js';
import { Sandbox, missingForKernelTests, peerScript, sh } from './sandbox.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const CONNECTIONS = env('BENCH_CONNECTIONS', 2000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const ROUNDS = env('BENCH_ROUNDS', 3);
const BULK_SECONDS = env('BENCH_BULK_SECONDS', 3);

const SERVICE = '10.232.0.2';
const CLIENT_SRC = '10.232.0.3'; // the iptables variant's client binds it: the rule matches on it
const SERVICE_PORT = 8080;
const SINK_PORT = 8081;
const PROXY_PORT = 15001;

interface Crr {
  rate: number;
  p50us: number;
  p99us: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

function missing(): string | undefined {
  const base = missingForKernelTests();
  if (base) return base;
  if (!peerScript()) return 'dist/bench/redirect/peer.js is missing (run make build)';
  try {
    execFileSync('iptables', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'iptables is not installed (apt-get install iptables, or run .ci/deps/bpf.sh)';
  }
  return undefined;
}

async function main(): Promise<number> {
  const reason = missing();
  if (reason) {
    console.log(`bench:redirect: skipped: ${reason}`);
    return 0;
  }
  const box = new Sandbox();
  const pinRoot = `/sys/fs/bpf/sluice-bench-${box.id}`;
  let dp: RedirectDataplane | undefined;
  try {
    const ns = box.netns('bench');
    const ipn = (...args: string[]): string => sh('ip', ['-n', ns, ...args]);
    // The service and client addresses live on the namespace's loopback: local traffic only.
    ipn('addr', 'add', `${SERVICE}/32`, 'dev', 'lo');
    ipn('addr', 'add', `${CLIENT_SRC}/32`, 'dev', 'lo');
    const workload = box.cgroup('wl');
    const proxyCgroup = box.cgroup('proxy', workload);
    dp = openRedirectDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup] });
    const peers = [
      box.peer(['echo', '--listen', `${SERVICE}:${SERVICE_PORT}`], { netns: ns }),
      box.peer(['sink', '--listen', `${SERVICE}:${SINK_PORT}`], { netns: ns }),
      box.peer(['proxy', '--listen', `127.0.0.1:${PROXY_PORT}`], { netns: ns, cgroup: proxyCgroup }),
    ];
    for (const p of peers) await p.waitFor((l) => l.event === 'listening');

    const iptables = (op: '-A' | '-D'): void =>
      void sh('ip', ['netns', 'exec', ns, 'iptables', '-t', 'nat', op, 'OUTPUT', '-p', 'tcp', '-s', CLIENT_SRC, '-d', SERVICE,
        '--dport', String(SERVICE_PORT), '-j', 'REDIRECT', '--to-ports', String(PROXY_PORT)]);
    // The client runs in the workload cgroup itself (the node's default identity); nothing is bound.
    const rule: OutboundRedirect[] = [{ node: 'bench', direction: 'outbound', address: SERVICE, port: SERVICE_PORT, proxyPort: PROXY_PORT, workloads: ['bench'], bind: {} }];

    const crr = async (extra: string[], cgroup?: string): Promise<Crr> => {
      const client = box.peer(['crr', '--connect', `${SERVICE}:${SERVICE_PORT}`, '--count', String(CONNECTIONS), '--concurrency', String(CONCURRENCY), ...extra], { netns: ns, cgroup });
      const line = await client.waitFor((l) => l.event === 'crr' || l.event === 'error', 300000);
      if (line.event !== 'crr') throw new Error(`crr failed: ${JSON.stringify(line)}`);
      return line as unknown as Crr;
    };
    const variants: Record<string, () => Promise<Crr>> = {
      direct: async () => {
        dp!.sync([]);
        return crr([], workload);
      },
      ebpf: async () => {
        dp!.sync(rule);
        return crr([], workload);
      },
      iptables: async () => {
        dp!.sync([]);
        iptables('-A');
        try {
          return await crr(['--bind', CLIENT_SRC]);
        } finally {
          iptables('-D');
        }
      },
    };
    const results: Record<string, Crr[]> = { direct: [], ebpf: [], iptables: [] };
    await crr([], workload); // warm-up (JIT, caches), not counted
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? ['ebpf', 'iptables', 'direct'] : ['iptables', 'ebpf', 'direct'];
      for (const name of order) results[name]?.push(await variants[name]!());
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, rs]) => [
        name,
        { rate: median(rs.map((r) => r.rate)), p50us: median(rs.map((r) => r.p50us)), p99us: median(rs.map((r) => r.p99us)) },
      ]),
    ) as Record<string, Crr>;
    const accepted = peers[2]!.lines.filter((l) => l.event === 'accept').length;

    // Bulk throughput through the proxy, sockmap off and on. The sk_msg path has no backpressure
    // towards a sender whose peer reads slowly; a failed run is reported, not hidden.
    dp.sync([{ ...rule[0]!, port: SINK_PORT }]);
    const bulk = async (): Promise<number | string> => {
      const client = box.peer(['bulk', '--connect', `${SERVICE}:${SINK_PORT}`, '--seconds', String(BULK_SECONDS)], { netns: ns, cgroup: workload });
      const line = await client.waitFor((l) => l.event === 'bulk' || l.event === 'error', 120000);
      return line.event === 'bulk' ? Number(line.bytesPerSecond) : `failed: ${String(line.message)}`;
    };
    const throughput: Record<'off' | 'on', Array<number | string>> = { off: [], on: [] };
    const sockmapCrr: Crr[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: mode === 'on' });
        throughput[mode].push(await bulk());
        if (mode === 'on') {
          dp.sync([rule[0]!, { ...rule[0]!, port: SINK_PORT }]);
          sockmapCrr.push(await crr([], workload));
          dp.sync([{ ...rule[0]!, port: SINK_PORT }]);
        }
      }
    }
    attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: false });
    const stats = dp.status().stats;
    const sockmapSetup: Crr = { rate: median(sockmapCrr.map((r) => r.rate)), p50us: median(sockmapCrr.map((r) => r.p50us)), p99us: median(sockmapCrr.map((r) => r.p99us)) };
    const bulkMedian = (xs: Array<number | string>): number | string => {
      const ok = xs.filter((x): x is number => typeof x === 'number');
      return ok.length === xs.length ? median(ok) : xs.find((x) => typeof x === 'string') ?? 'failed';
    };
    const bulkOff = bulkMedian(throughput.off);
    const bulkOn = bulkMedian(throughput.on);
    const mbText = (x: number | string): string => (typeof x === 'number' ? `${(x / 1e6).toFixed(0)} MB/s` : x);

    const fmt = (c: Crr): string => `${c.rate.toFixed(0).padStart(7)} conn/s   p50 ${c.p50us.toFixed(0).padStart(6)} µs   p99 ${c.p99us.toFixed(0).padStart(6)} µs`;
    console.log(`bench:redirect  kernel ${sh('uname', ['-r']).trim()}, ${CONNECTIONS} connections x ${ROUNDS} rounds, concurrency ${CONCURRENCY}, Node stand-in proxy`);
    console.log(`  direct (no proxy)      ${fmt(summary.direct!)}`);
    console.log(`  eBPF connect4 → proxy  ${fmt(summary.ebpf!)}`);
    console.log(`  iptables REDIRECT      ${fmt(summary.iptables!)}`);
    console.log(`  ratio eBPF / iptables  setup rate ×${(summary.ebpf!.rate / summary.iptables!.rate).toFixed(3)}   p50 latency ×${(summary.ebpf!.p50us / summary.iptables!.p50us).toFixed(3)}   p99 latency ×${(summary.ebpf!.p99us / summary.iptables!.p99us).toFixed(3)}`);
    console.log(`  eBPF + sockmap         ${fmt(sockmapSetup)}   (ratio to eBPF without ×${(sockmapSetup.rate / summary.ebpf!.rate).toFixed(3)} rate)`);
    const ratio = typeof bulkOn === 'number' && typeof bulkOff === 'number' ? `   ratio on/off ×${(bulkOn / bulkOff).toFixed(3)}` : '';
    console.log(`  bulk through proxy     sockmap off ${mbText(bulkOff)}   on ${mbText(bulkOn)}${ratio}   (${BULK_SECONDS} s, 64 KiB writes)`);
    console.log(`  proxy accepted ${accepted} connections; counters ${Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    console.log(JSON.stringify({ setup: { ...summary, ebpfSockmap: sockmapSetup }, bulkBytesPerSecond: { off: bulkOff, on: bulkOn } }));
    return 0;
  } finally {
    dp?.close();
    try {
      unloadDataplane({ pinRoot });
    } catch {
      /* nothing loaded */
    }
    await box.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:redirect: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
