/**
 * bench:redirect's kernel-only part: the optional sockmap/sk_msg fast path, which only applies
 * where the client and the proxy share a host (outbound), measured on the stand-in TCP proxy of
 * peer.ts (it forwards bytes and nothing else, so the kernel's share shows), in a dedicated
 * network namespace. It is not a figure about Envoy: Envoy's own costs are in envoy.ts.
 *
 *   setup  connect, 1-byte request, 1-byte response, close through the stand-in: eBPF connect4
 *          redirect with sockmap off and on;
 *   bulk   one-way throughput through the stand-in with sockmap off and on.
 */
import { openRedirectDataplane, unloadDataplane, attachDataplane, type RedirectDataplane } from '../../bpf/index.js';
import type { OutboundRedirect } from '../../policy-compiler/index.js';
import type { Crr } from './envoy.js';
import { Sandbox, sh } from './sandbox.js';

export interface KernelOptions {
  readonly connections: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly bulkSeconds: number;
}

const SERVICE = '10.232.0.2';
const SERVICE_PORT = 8080;
const SINK_PORT = 8081;
const PROXY_PORT = 15001;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const medianCrr = (rs: readonly Crr[]): Crr => ({ rate: median(rs.map((r) => r.rate)), p50us: median(rs.map((r) => r.p50us)), p99us: median(rs.map((r) => r.p99us)) });

export async function kernelOnly(o: KernelOptions): Promise<Record<string, unknown>> {
  const box = new Sandbox();
  const pinRoot = `/sys/fs/bpf/sluice-bench-${box.id}`;
  let dp: RedirectDataplane | undefined;
  try {
    const ns = box.netns('bench');
    sh('ip', ['-n', ns, 'addr', 'add', `${SERVICE}/32`, 'dev', 'lo']);
    const workload = box.cgroup('wl');
    const proxyCgroup = box.cgroup('proxy', workload);
    dp = openRedirectDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup] });
    const peers = [
      box.peer(['echo', '--listen', `${SERVICE}:${SERVICE_PORT}`], { netns: ns }),
      box.peer(['sink', '--listen', `${SERVICE}:${SINK_PORT}`], { netns: ns }),
      box.peer(['proxy', '--listen', `127.0.0.1:${PROXY_PORT}`], { netns: ns, cgroup: proxyCgroup }),
    ];
    for (const p of peers) await p.waitFor((l) => l.event === 'listening');
    // The client runs in the workload cgroup itself (the node's default identity); nothing is bound.
    const rule: OutboundRedirect = { node: 'bench', direction: 'outbound', address: SERVICE, port: SERVICE_PORT, proxyPort: PROXY_PORT, workloads: ['bench'], bind: {} };
    dp.sync([rule, { ...rule, port: SINK_PORT }]);

    const crr = async (): Promise<Crr> => {
      const client = box.peer(['crr', '--connect', `${SERVICE}:${SERVICE_PORT}`, '--count', String(o.connections), '--concurrency', String(o.concurrency)], { netns: ns, cgroup: workload });
      const line = await client.waitFor((l) => l.event === 'crr' || l.event === 'error', 300_000);
      if (line.event !== 'crr') throw new Error(`crr failed: ${JSON.stringify(line)}`);
      return line as unknown as Crr;
    };
    // The sk_msg path has no backpressure towards a sender whose peer reads slowly; a failed run
    // is reported, not hidden.
    const bulk = async (): Promise<number | string> => {
      const client = box.peer(['bulk', '--connect', `${SERVICE}:${SINK_PORT}`, '--seconds', String(o.bulkSeconds)], { netns: ns, cgroup: workload });
      const line = await client.waitFor((l) => l.event === 'bulk' || l.event === 'error', 120_000);
      return line.event === 'bulk' ? Number(line.bytesPerSecond) : `failed: ${String(line.message)}`;
    };
    const setup: Record<'off' | 'on', Crr[]> = { off: [], on: [] };
    const throughput: Record<'off' | 'on', Array<number | string>> = { off: [], on: [] };
    await crr(); // warm-up, not counted
    for (let round = 0; round < o.rounds; round += 1) {
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: mode === 'on' });
        setup[mode].push(await crr());
        throughput[mode].push(await bulk());
      }
    }
    attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: false });
    const bulkMedian = (xs: Array<number | string>): number | string => {
      const ok = xs.filter((x): x is number => typeof x === 'number');
      return ok.length === xs.length ? median(ok) : (xs.find((x) => typeof x === 'string') ?? 'failed');
    };
    const off = medianCrr(setup.off);
    const on = medianCrr(setup.on);
    const bulkOff = bulkMedian(throughput.off);
    const bulkOn = bulkMedian(throughput.on);
    const mb = (x: number | string): string => (typeof x === 'number' ? `${(x / 1e6).toFixed(0)} MB/s` : x);
    const fmt = (c: Crr): string => `${c.rate.toFixed(0).padStart(7)} conn/s   p50 ${c.p50us.toFixed(0).padStart(6)} µs   p99 ${c.p99us.toFixed(0).padStart(6)} µs`;
    console.log(`\nkernel only (stand-in TCP proxy, not Envoy): sockmap/sk_msg, ${o.connections} connections x ${o.rounds} rounds, concurrency ${o.concurrency}`);
    console.log(`  eBPF connect4, sockmap off  ${fmt(off)}`);
    console.log(`  eBPF connect4, sockmap on   ${fmt(on)}   (on/off ×${(on.rate / off.rate).toFixed(2)} rate)`);
    const ratio = typeof bulkOn === 'number' && typeof bulkOff === 'number' ? `   on/off ×${(bulkOn / bulkOff).toFixed(2)}` : '';
    console.log(`  bulk through the stand-in   sockmap off ${mb(bulkOff)}   on ${mb(bulkOn)}${ratio}   (${o.bulkSeconds} s, 64 KiB writes)`);
    console.log(`  counters ${Object.entries(dp.status().stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    return { sockmapOff: off, sockmapOn: on, bulkBytesPerSecond: { off: bulkOff, on: bulkOn } };
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
