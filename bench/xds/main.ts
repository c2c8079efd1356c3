/**
 * `npm run bench:xds`: N concurrent ADS streams — SotW and Delta — against sluice's xDS server and
 * against go-control-plane (the reference server: its SnapshotCache behind its SotW and its Delta
 * server) in the same run, at several sizes (XDS_BENCH_STREAMS, default 1000,5000,10000;
 * XDS_BENCH_APIS, default sotw,delta). Per size, API and peer: every stream connects at once (time
 * until all ACKed CDS/EDS/LDS/RDS, server CPU, memory per stream), then a change that touches every
 * node (one Listener's RBAC gains a rule: XDS_BENCH_REPEAT times, default 5, each figure the
 * median over them) and one that touches a single node (XDS_BENCH_ONE_REPEAT times, default three
 * times as often: a figure under a millisecond, whose first samples are each server's cold code,
 * needs more of them for a steady median; also a median). For each change:
 * ACK latency (p50/p99/max over the streams it touches, from the peer's receipt of the command: the
 * bench → peer pipe is printed, not counted), responses and bytes sent to all streams
 * (redundant ones included: the load waits a settle time after convergence), server CPU. Figures
 * are printed for both peers with the ratio sluice / go-control-plane. XDS_BENCH_CPU_PROF=DIR writes
 * a CPU profile of sluice's peer during the every-node change into DIR (change-<api>-<n>.cpuprofile);
 * XDS_BENCH_HEAP_PROF=DIR a sampling heap profile of everything it allocates then (garbage included:
 * change-<api>-<n>.heapprofile; a run of its own, as sampling allocations slows the server). The load generator runs in its own process;
 * XDS_BENCH_FLEET_PROF=DIR makes the Go one write a CPU profile (pprof) of each change into DIR.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames, benchSnapshots, type BenchShape } from './resources.js';
import { gcpPeerBinary, Peer, procStats } from './peers.js';
import { summarize, summarizeHeap, type CpuProfile, type HeapProfile } from './profile.js';
import { chooseFleet, startFleet, type LoadMsg } from './fleet.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const SIZES = (process.env.XDS_BENCH_STREAMS ?? '1000,5000,10000').split(',').map(Number);
const APIS = (process.env.XDS_BENCH_APIS ?? 'sotw,delta').split(',') as Api[];
const CPU_PROF = process.env.XDS_BENCH_CPU_PROF;
const HEAP_PROF = process.env.XDS_BENCH_HEAP_PROF;
for (const dir of [CPU_PROF, HEAP_PROF]) if (dir) fs.mkdirSync(dir, { recursive: true });
/** `sluice` alone skips go-control-plane (for quick iterations; the figures to report are the ratios). */
const PEERS = (process.env.XDS_BENCH_PEERS ?? 'sluice,go-control-plane').split(',');
/** How many every-node changes are made per peer (each new content: resources.ts); their figures are the medians. */
const REPEAT = Number(process.env.XDS_BENCH_REPEAT ?? '5');
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`XDS_BENCH_REPEAT must be a whole number of changes, 1 or more (got ${process.env.XDS_BENCH_REPEAT ?? ''})`);
const ONE_REPEAT = Number(process.env.XDS_BENCH_ONE_REPEAT ?? String(3 * REPEAT));
if (!Number.isInteger(ONE_REPEAT) || ONE_REPEAT < 1) throw new Error(`XDS_BENCH_ONE_REPEAT must be a whole number of changes, 1 or more (got ${process.env.XDS_BENCH_ONE_REPEAT ?? ''})`);
const FLEET = chooseFleet(here);
const SHAPE: BenchShape = { clusters: 50, listeners: 20, rulesPerListener: 10 };

type Api = 'sotw' | 'delta';

interface Change {
  /** ACK latency of each stream the change touches, from the peer's receipt of the command. */
  readonly ackMs: readonly number[];
  /** From the bench's write of the command to the peer's receipt (the control pipe, not the server). */
  readonly controlMs: number;
  readonly bytes: number;
  readonly responses: number;
  readonly cpuMs: number;
  /** The load generator's CPU over the same interval (the client fleet shares the machine's cores). */
  readonly loadCpuMs: number;
}

interface Result {
  readonly connectMs: number;
  readonly connectCpuMs: number;
  readonly connectResponses: number;
  readonly rssPerStream: number;
  readonly heapPerStream: number;
  /** The every-node change, once per repeat (figures are medians over them). */
  readonly all: readonly Change[];
  readonly one: readonly Change[];
}

/** Where to write the profiles of sluice's peer during the every-node change (none: not profiled). */
interface Profiles {
  readonly cpu?: string;
  readonly heap?: string;
}

async function measure(peer: Peer, port: number, api: Api, streams: number, profile?: Profiles): Promise<Result> {
  const names = benchNames(SHAPE);
  const load = startFleet(here, FLEET);
  const inbox: LoadMsg[] = [];
  let wake: (() => void) | undefined;
  let errors = 0;
  load.onMessage((m) => {
    if (m.evt === 'error') {
      if (errors++ < 5) process.stderr.write(`[load] ${m.message}\n`);
    } else inbox.push(m);
    wake?.();
  });
  const next = async <E extends LoadMsg['evt']>(evt: E, ms: number): Promise<Extract<LoadMsg, { evt: E }>> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex((m) => m.evt === evt);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<LoadMsg, { evt: E }>;
      if (Date.now() > deadline) throw new Error(`load generator: no ${evt} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };
  const change = async (cmd: string, expect: number[] | undefined, prof?: Profiles): Promise<Change> => {
    load.send({ cmd: 'mark', expect });
    await next('marked', 30_000);
    if (prof?.cpu) {
      peer.send('profile start');
      await peer.line((l) => l === 'ok profile', 30_000);
    }
    if (prof?.heap) {
      peer.send('heap start');
      await peer.line((l) => l === 'ok heap', 30_000);
    }
    const s0 = procStats(peer.pid);
    const l0 = procStats(load.pid);
    const t0 = process.hrtime.bigint();
    peer.send(cmd);
    const converged = await next('converged', 300_000);
    const [verb, index] = cmd.split(' ');
    const ok = await peer.line((l) => l.startsWith(`ok ${verb} ${index} `), 30_000);
    const receivedNs = ok.split(' ')[3];
    if (!receivedNs || !/^\d+$/.test(receivedNs)) throw new Error(`${peer.name}: "${ok}" does not say when it received the command`);
    const recv = BigInt(receivedNs);
    const s1 = procStats(peer.pid);
    const l1 = procStats(load.pid);
    if (prof?.cpu) {
      peer.send(`profile stop ${prof.cpu}`);
      await peer.line((l) => l === 'ok profile', 30_000);
    }
    if (prof?.heap) {
      peer.send(`heap stop ${prof.heap}`);
      await peer.line((l) => l === 'ok heap', 30_000);
    }
    return {
      ackMs: converged.ackNs.map((ns) => Number(BigInt(ns) - recv) / 1e6).sort((a, b) => a - b),
      controlMs: Number(recv - t0) / 1e6,
      bytes: converged.bytes,
      responses: converged.responses,
      cpuMs: s1.cpuMs - s0.cpuMs,
      loadCpuMs: l1.cpuMs - l0.cpuMs,
    };
  };
  try {
    const heap0 = await peer.heapBytes();
    const s0 = procStats(peer.pid);
    const t0 = process.hrtime.bigint();
    load.send({ cmd: 'start', port, streams, api, eds: names.eds, rds: names.rds });
    const connected = await next('connected', 600_000);
    const connectMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const s1 = procStats(peer.pid);
    const heap1 = await peer.heapBytes();
    // Let the connect phase's last ACKs drain before the change.
    await new Promise((r) => setTimeout(r, 1000));
    const all: Change[] = [];
    // Snapshots 1…REPEAT, each a change to every node; the profile is of the first.
    for (let k = 1; k <= REPEAT; k++) all.push(await change(`set ${k}`, undefined, k === 1 ? profile : undefined));
    // Snapshots REPEAT+1…REPEAT+ONE_REPEAT, each a change to node bench-0 alone.
    const one: Change[] = [];
    for (let j = 1; j <= ONE_REPEAT; j++) one.push(await change(`setone ${REPEAT + j} bench-0`, [0]));
    return { connectMs, connectCpuMs: s1.cpuMs - s0.cpuMs, connectResponses: connected.responses, rssPerStream: (s1.rssBytes - s0.rssBytes) / streams, heapPerStream: (heap1 - heap0) / streams, all, one };
  } finally {
    await load.stop();
  }
}

const pct = (xs: readonly number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
/** The median of one figure over the repeats of a change. */
const median = (changes: readonly Change[], figure: (c: Change) => number): number => pct(changes.map(figure).sort((a, b) => a - b), 50);

function rows(r: Result): [string, number, string][] {
  return [
    ['connect at once: all ACKed CDS/EDS/LDS/RDS', r.connectMs, 'ms'],
    ['connect: server CPU', r.connectCpuMs, 'ms'],
    ['connect: responses', r.connectResponses, ''],
    ['memory per stream: RSS delta', r.rssPerStream / 1024, 'KiB'],
    ['memory per stream: heap delta', r.heapPerStream / 1024, 'KiB'],
    ['change (every node): ACKed p50', median(r.all, (c) => pct(c.ackMs, 50)), 'ms'],
    ['change (every node): ACKed p99', median(r.all, (c) => pct(c.ackMs, 99)), 'ms'],
    ['change (every node): ACKed max', median(r.all, (c) => c.ackMs[c.ackMs.length - 1] ?? NaN), 'ms'],
    ['change (every node): server CPU', median(r.all, (c) => c.cpuMs), 'ms'],
    ['change (every node): load generator CPU', median(r.all, (c) => c.loadCpuMs), 'ms'],
    ['change (every node): responses sent', median(r.all, (c) => c.responses), ''],
    ['change (every node): bytes sent', median(r.all, (c) => c.bytes), 'B'],
    ['change (one node): ACKed', median(r.one, (c) => pct(c.ackMs, 50)), 'ms'],
    ['change (one node): bench → peer pipe (not counted)', median(r.one, (c) => c.controlMs), 'ms'],
    ['change (one node): server CPU', median(r.one, (c) => c.cpuMs), 'ms'],
    ['change (one node): responses sent', median(r.one, (c) => c.responses), ''],
  ];
}

const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : 'n/a');

function table(title: string, a: Result, b: Result | undefined, names: [string, string]): void {
  const w = 46;
  console.log(`\n${title}`);
  console.log(`${'figure'.padEnd(w)}${names[0].padStart(14)}${names[1].padStart(18)}${'ratio'.padStart(10)}  unit`);
  const ra = rows(a);
  const rb = b ? rows(b) : undefined;
  ra.forEach(([label, v, unit], i) => {
    const g = rb?.[i]?.[1];
    const ratio = g !== undefined && g !== 0 ? fmt(v / g) : 'n/a';
    console.log(`${label.padEnd(w)}${fmt(v).padStart(14)}${(g === undefined ? 'n/a' : fmt(g)).padStart(18)}${ratio.padStart(10)}  ${unit}`);
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-xds-'));
  const peers: Peer[] = [];
  try {
    const snapshots = benchSnapshots(SHAPE, REPEAT, ONE_REPEAT);
    const dataPath = path.join(dir, 'snapshots.json');
    fs.writeFileSync(
      dataPath,
      JSON.stringify({ snapshots: snapshots.map((rs) => rs.map((r) => ({ typeUrl: r.typeUrl, name: r.name, body: Buffer.from(r.body).toString('base64'), references: r.references ?? [] }))) }),
    );
    const resources = snapshots[0]?.length ?? 0;
    const bytes = snapshots[0]?.reduce((n, r) => n + r.body.length, 0) ?? 0;
    console.log(`bench:xds — ${SIZES.join(', ')} ADS streams (one connection each; ${APIS.join(' and ')}), ${resources} resources (${SHAPE.clusters} clusters + endpoints, ${SHAPE.listeners} listeners with RBAC + route configs, ${bytes} bytes encoded)`);
    console.log(`changes: every node's Listener 0 gains an RBAC rule, ${REPEAT} time${REPEAT === 1 ? '' : 's'} (figures are medians); then node bench-0's Listener 1 gains one, ${ONE_REPEAT} time${ONE_REPEAT === 1 ? '' : 's'} (a single-node change)`);
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; client fleet (${FLEET.kind === 'go' ? 'Go, grpc-go, GOMAXPROCS=1' : 'Node, grpc-js'}) in its own process`);
    if (FLEET.note) console.log(FLEET.note);
    const bin = gcpPeerBinary(path.join(repoRoot, 'bench', 'xds', 'gcp-peer'));
    if (!('path' in bin)) console.log(`go-control-plane peer not run: ${bin.reason}`);
    const results: Record<string, Result> = {};
    for (const streams of SIZES) {
      for (const api of APIS) {
        const ts = await Peer.start('sluice', process.execPath, ['--expose-gc', path.join(here, 'ts-peer.js'), dataPath, String(streams)]);
        peers.push(ts.peer);
        const profiles: Profiles = {
          ...(CPU_PROF ? { cpu: path.join(CPU_PROF, `change-${api}-${streams}.cpuprofile`) } : {}),
          ...(HEAP_PROF ? { heap: path.join(HEAP_PROF, `change-${api}-${streams}.heapprofile`) } : {}),
        };
        const ours = await measure(ts.peer, ts.port, api, streams, profiles);
        ts.peer.send('stats');
        const stats = JSON.parse(await ts.peer.line((l) => l.startsWith('{'), 30_000)) as { encodes: number; skipped: number };
        await ts.peer.stop();
        results[`sluice ${api} ${streams}`] = ours;
        let theirs: Result | undefined;
        if ('path' in bin && PEERS.includes('go-control-plane')) {
          const gcp = await Peer.start('go-control-plane', bin.path, ['-data', dataPath, '-nodes', String(streams)]);
          peers.push(gcp.peer);
          theirs = await measure(gcp.peer, gcp.port, api, streams);
          await gcp.peer.stop();
          results[`gcp ${api} ${streams}`] = theirs;
        }
        table(`${streams} streams, ${api === 'sotw' ? 'SotW' : 'Delta'} ADS — sluice vs go-control-plane`, ours, theirs, ['sluice', 'go-control-plane']);
        const each = (changes: readonly Change[] | undefined, figure: (c: Change) => number): string => (changes ? changes.map((c) => fmt(figure(c))).join(' ') : 'n/a');
        for (const [label, figure] of [['server CPU ms', (c: Change) => c.cpuMs], ['ACKed p50 ms', (c: Change) => pct(c.ackMs, 50)], ['ACKed p99 ms', (c: Change) => pct(c.ackMs, 99)]] as const) {
          console.log(`every-node change, ${label} per repeat: sluice ${each(ours.all, figure)}; go-control-plane ${each(theirs?.all, figure)}`);
        }
        console.log(`one-node change, ACKed ms per repeat: sluice ${each(ours.one, (c) => pct(c.ackMs, 50))}; go-control-plane ${each(theirs?.one, (c) => pct(c.ackMs, 50))}`);
        if (CPU_PROF) {
          const file = path.join(CPU_PROF, `change-${api}-${streams}.cpuprofile`);
          console.log(`CPU profile of sluice during the every-node change (${file}):\n${summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile).join('\n')}`);
        }
        if (profiles.heap) {
          console.log(`Allocations of sluice during the every-node change (${profiles.heap}):\n${summarizeHeap(JSON.parse(fs.readFileSync(profiles.heap, 'utf8')) as HeapProfile).join('\n')}`);
        }
        console.log(`sluice encoded ${stats.encodes} LDS response bodies in all (connect + all changes); ${stats.skipped} pushes skipped (stream already held the version)`);
      }
      const sotw = results[`sluice sotw ${streams}`];
      const delta = results[`sluice delta ${streams}`];
      if (sotw && delta) table(`${streams} streams — sluice Delta vs sluice SotW (ratio = Delta / SotW)`, delta, sotw, ['delta', 'sotw']);
    }
    console.log('\nratio = sluice / go-control-plane (below 1: sluice is lower), unless the table says otherwise.');
  } finally {
    for (const p of peers) await p.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
