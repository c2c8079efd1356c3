/**
 * bench:redirect's main part: steering into real Envoy, eBPF against iptables, side by side in
 * one run. What users run (bench/envoy/bed.ts): a node namespace, the workload in its cgroup,
 * Envoy 1.40 booted from sluice's bootstrap in the proxy cgroup, a real `sluice serve` compiling
 * the policy, serving Envoy and keeping the eBPF dataplane in step. The clients are "another
 * host" (the benchmark's own namespace, over a veth).
 *
 * Inbound, because there the two mechanisms do the same job with nothing else different: the
 * client connects to the workload's protected port and the kernel hands the connection to Envoy's
 * inbound listener (15006), whose `original_dst` filter and filter chain for that port decide.
 *   eBPF       sk_lookup assigns the SYN to Envoy's listening socket (no conntrack, no NAT);
 *   iptables   nat PREROUTING REDIRECT to 15006 in the node namespace (conntrack + NAT; Envoy
 *              reads the original destination with SO_ORIGINAL_DST); the nat table is deleted
 *              again after each iptables run (with `nft`), so no eBPF run pays for conntrack;
 *   direct     the workload's other port, which no policy selects (no proxy at all).
 * Both redirected variants reach the same Envoy, listener, chain, RBAC and upstream; the chain's
 * request counter and the eBPF program's own `in_assigned` counter prove each run took its path.
 *
 * Three measurements per variant and round: connection setup (connect, HTTP GET with
 * `Connection: close`, first response bytes; the stand-in client of peer.ts, which times the
 * handshake too), wrk with a new connection per request (setup under load), and wrk keep-alive
 * with one connection (request latency on an established connection). For the first two, the CPU
 * time of the clients', Envoy's and the workload's cgroups per connection too (cgroup v2
 * `cpu.stat`; packet processing on loopback and veth runs in the sending task's context, so the
 * NAT and conntrack work is in it): on a machine shared with other work, the steadier figure.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EnvoyBed } from '../envoy/bed.js';
import { envoyVersion, findEnvoy } from '../envoy/process.js';
import { wrk, type LoadResult } from '../l7/load.js';
import { sh } from './sandbox.js';

export interface EnvoyRedirectOptions {
  readonly upstream: string;
  readonly connections: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly workers: number;
}

const PROTECTED = 8080;
const OPEN = 8081;
const INBOUND = 15006;
const PATH = '/v1/orders';
const CHAIN_STAT = 'http.inbound_8080_shop_orders.downstream_rq_total';

const POLICY = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: ${PROTECTED} } ]
          rules:
            http:
              - { method: GET, path: { prefix: /v1/ } }
              - { method: POST, path: { exact: /v1/orders }, headers: [ { name: x-tenant, present: true } ] }
          deny:
            http: [ { path: { prefix: /v1/admin } } ]
`;

type Variant = 'direct' | 'ebpf' | 'iptables';
export interface Crr {
  readonly rate: number;
  readonly p50us: number;
  readonly p99us: number;
}
export interface RoundFigures {
  readonly setup: Crr;
  readonly newConnections: LoadResult;
  readonly keepAlive: LoadResult;
  /** CPU µs per connection of the clients, Envoy and the workload: setup, and wrk's new connections. */
  readonly setupCpuUs: number;
  readonly newConnectionCpuUs: number;
}

export function hasNft(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the rounds; returns every round's figures per variant. */
export async function measureEnvoyRedirect(o: EnvoyRedirectOptions): Promise<{ figures: Record<Variant, RoundFigures[]>; conntrackRemoved: boolean }> {
  const bed = new EnvoyBed();
  try {
    await bed.setUp();
    const w = bed.addWorkload({ name: 'orders', labels: { app: 'orders' }, http: [PROTECTED, OPEN] });
    bed.writeInventory([w.inventory]);
    bed.writePolicy('orders.yaml', POLICY);
    const upstream = bed.spawn('upstream', { cgroup: w.cgroup, netns: bed.netns }, [o.upstream, '--listen', `${w.v4}:${PROTECTED}`, '--listen', `${w.v4}:${OPEN}`]);
    await upstream.waitFor(() => upstream.lines.filter((l) => l.event === 'listening').length >= 2, 'the upstream to listen');
    await bed.startServe();
    const envoy = await bed.startEnvoy({ concurrency: o.workers, accessLog: 'discard' });
    await envoy.until(async () => {
      const status = (await bed.serveAdmin('/status')) as { policies: Array<{ state: string }> };
      return status.policies.length > 0 && status.policies.every((p) => p.state === 'Enforced');
    }, 'the policy to be Enforced', 30_000);

    const clients = bed.box.cgroup('clients');
    const cpuUs = (): number =>
      [clients, bed.proxyCgroup, bed.workloadCgroup].reduce((n, cg) => n + Number(/^usage_usec (\d+)$/m.exec(readFileSync(path.join(cg, 'cpu.stat'), 'utf8'))?.[1] ?? NaN), 0);
    const nft = hasNft();
    const nat = (...args: string[]): void => void sh('ip', ['netns', 'exec', bed.netns, ...args]);
    const iptables = (op: '-A' | '-D'): void =>
      nat('iptables', '-t', 'nat', op, 'PREROUTING', '-i', bed.nodeIface, '-p', 'tcp', '-d', w.v4, '--dport', String(PROTECTED), '-j', 'REDIRECT', '--to-ports', String(INBOUND));
    const assigned = async (): Promise<number> => {
      const text = String(await bed.serveAdmin('/metrics'));
      return Number(/sluice_bpf_events_total\{event="in_assigned"\} (\d+)/.exec(text)?.[1] ?? 0);
    };

    const crr = async (port: number): Promise<Crr> => {
      const client = bed.box.peer(['crr', '--connect', `${w.v4}:${port}`, '--count', String(o.connections), '--concurrency', String(o.concurrency), '--http', PATH], { cgroup: clients });
      const line = await client.waitFor((l) => l.event === 'crr' || l.event === 'error', 300_000);
      if (line.event !== 'crr') throw new Error(`bench:redirect: connection setup failed: ${JSON.stringify(line)}`);
      return line as unknown as Crr;
    };
    const measure = async (variant: Variant): Promise<RoundFigures> => {
      const port = variant === 'direct' ? OPEN : PROTECTED;
      const url = `http://${w.v4}:${port}${PATH}`;
      const before = { rq: await envoy.stat(CHAIN_STAT), assigned: await assigned() };
      if (variant === 'iptables') iptables('-A');
      try {
        const cpu0 = cpuUs();
        const setup = await crr(port);
        const cpu1 = cpuUs();
        const newConnections = await wrk({ cgroup: clients }, { url, connections: o.concurrency, seconds: o.seconds, newConnections: true });
        const cpu2 = cpuUs();
        const keepAlive = await wrk({ cgroup: clients }, { url, connections: 1, seconds: o.seconds });
        for (const [what, r] of [['new connections', newConnections], ['keep-alive', keepAlive]] as const) {
          if (r.errors > 0) throw new Error(`bench:redirect: ${variant} ${what}: ${r.errors} errors in ${r.requests} requests`);
        }
        const through = (await envoy.stat(CHAIN_STAT)) - before.rq;
        const steered = (await assigned()) - before.assigned;
        const sent = o.connections + newConnections.requests + keepAlive.requests;
        // The proof each run took its path: through Envoy (its chain counted the requests) or
        // not, and assigned by sk_lookup (eBPF) or not (iptables REDIRECT, direct).
        const expected = { direct: through === 0 && steered === 0, ebpf: through >= sent && steered >= o.connections, iptables: through >= sent && steered === 0 }[variant];
        if (!expected) throw new Error(`bench:redirect: the ${variant} run did not take its path: Envoy's chain counted ${through} of ${sent} requests, sk_lookup assigned ${steered} connections`);
        return { setup, newConnections, keepAlive, setupCpuUs: (cpu1 - cpu0) / o.connections, newConnectionCpuUs: (cpu2 - cpu1) / newConnections.requests };
      } finally {
        if (variant === 'iptables') {
          iptables('-D');
          if (nft) nat('nft', 'delete', 'table', 'ip', 'nat');
        }
      }
    };

    const figures: Record<Variant, RoundFigures[]> = { direct: [], ebpf: [], iptables: [] };
    await measure('ebpf'); // warm-up (Envoy's connection pools, caches), not counted
    for (let round = 0; round < o.rounds; round += 1) {
      const order: Variant[] = round % 2 === 0 ? ['ebpf', 'iptables', 'direct'] : ['iptables', 'ebpf', 'direct'];
      for (const v of order) figures[v].push(await measure(v));
    }
    return { figures, conntrackRemoved: nft };
  } finally {
    await bed.cleanup();
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Prints the table: medians per variant, and eBPF/iptables ratios (median [range] of the rounds). */
export function printEnvoyRedirect(o: EnvoyRedirectOptions, r: Awaited<ReturnType<typeof measureEnvoyRedirect>>): Record<string, unknown> {
  const rows: Array<[string, Variant]> = [['direct (no proxy)', 'direct'], ['eBPF sk_lookup → Envoy', 'ebpf'], ['iptables REDIRECT → Envoy', 'iptables']];
  type Pick = (f: RoundFigures) => number;
  const columns: Array<[string, Pick]> = [
    ['setup conn/s', (f) => f.setup.rate],
    ['setup p50 µs', (f) => f.setup.p50us],
    ['setup p99 µs', (f) => f.setup.p99us],
    ['setup CPU µs/conn', (f) => f.setupCpuUs],
    ['new-conn req/s', (f) => f.newConnections.rate],
    ['new-conn CPU µs', (f) => f.newConnectionCpuUs],
    ['keep-alive p50 µs', (f) => f.keepAlive.p50us],
    ['keep-alive p99 µs', (f) => f.keepAlive.p99us],
  ];
  const envoy = findEnvoy();
  console.log(`bench:redirect  real Envoy ${'path' in envoy ? envoyVersion(envoy.path) : '?'} (${o.workers} worker), inbound, kernel ${sh('uname', ['-r']).trim()}; ${o.rounds} rounds; setup: ${o.connections} connections, ${o.concurrency} concurrent; wrk: ${o.seconds} s, new connections ${o.concurrency} concurrent, keep-alive 1 connection`);
  if (!r.conntrackRemoved) console.log('  (nft is missing: the nat table stays after the first iptables run, so later eBPF runs pay for conntrack too)');
  console.log(`  ${''.padEnd(28)}${columns.map(([name]) => name.padStart(19)).join('')}`);
  for (const [label, v] of rows) console.log(`  ${label.padEnd(28)}${columns.map(([, pick]) => median(r.figures[v].map(pick)).toFixed(0).padStart(19)).join('')}`);
  const ratios = columns.map(([, pick]) => {
    const per = r.figures.ebpf.map((f, i) => pick(f) / pick(r.figures.iptables[i] ?? f));
    return { median: median(per), min: Math.min(...per), max: Math.max(...per) };
  });
  console.log(`  ${'eBPF / iptables'.padEnd(28)}${ratios.map((x) => `×${x.median.toFixed(2)}`.padStart(19)).join('')}`);
  console.log(`  ${'  (range over rounds)'.padEnd(28)}${ratios.map((x) => `${x.min.toFixed(2)}–${x.max.toFixed(2)}`.padStart(19)).join('')}`);
  // The cost of the redirected path itself: CPU per connection above the same round's direct run.
  const added = (pick: Pick): { median: number; min: number; max: number } => {
    const per = r.figures.ebpf.map((f, i) => {
      const direct = r.figures.direct[i];
      const ipt = r.figures.iptables[i];
      return direct && ipt ? (pick(f) - pick(direct)) / (pick(ipt) - pick(direct)) : NaN;
    });
    return { median: median(per), min: Math.min(...per), max: Math.max(...per) };
  };
  const addedSetup = added((f) => f.setupCpuUs);
  const addedNew = added((f) => f.newConnectionCpuUs);
  const fmt = (x: { median: number; min: number; max: number }): string => `×${x.median.toFixed(2)} [${x.min.toFixed(2)}–${x.max.toFixed(2)}]`;
  console.log(`  CPU per connection added over direct, eBPF / iptables: setup ${fmt(addedSetup)}, wrk new connections ${fmt(addedNew)}`);
  const summary = Object.fromEntries(rows.map(([, v]) => [v, Object.fromEntries(columns.map(([name, pick]) => [name, median(r.figures[v].map(pick))]))]));
  return { envoy: summary, ebpfOverIptables: Object.fromEntries(columns.map(([name], i) => [name, ratios[i]])), addedCpuEbpfOverIptables: { setup: addedSetup, newConnections: addedNew } };
}
