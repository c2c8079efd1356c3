/**
 * `npm run bench:xds`: 1,000 concurrent ADS streams against sluice's xDS server and against
 * go-control-plane (the reference server) in the same run, then one policy change (one Listener's
 * RBAC gains a rule). Reports, for both and as a ratio: time until every stream ACKed the change
 * (p50/p99/max), bytes sent, server memory per stream (RSS and heap deltas) and server CPU.
 * The load generator runs in its own process. XDS_BENCH_STREAMS overrides the stream count.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames, benchSnapshots, type BenchShape } from './resources.js';
import { gcpPeerBinary, Peer, procStats } from './peers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const STREAMS = Number(process.env.XDS_BENCH_STREAMS ?? 1000);
const SHAPE: BenchShape = { clusters: 50, listeners: 20, rulesPerListener: 10 };

interface Result {
  readonly connectMs: number;
  readonly connectBytes: number;
  readonly connectCpuMs: number;
  readonly ackMs: readonly number[];
  readonly changeBytes: number;
  readonly changeResponses: number;
  readonly changeCpuMs: number;
  readonly rssPerStream: number;
  readonly heapPerStream: number;
}

type LoadMsg = { evt: 'connected'; bytes: number; responses: number } | { evt: 'marked' } | { evt: 'converged'; ackNs: string[]; bytes: number; responses: number } | { evt: 'error'; message: string };

async function measure(peer: Peer, port: number): Promise<Result> {
  const names = benchNames(SHAPE);
  const load = fork(path.join(here, 'load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: LoadMsg[] = [];
  let wake: (() => void) | undefined;
  load.on('message', (m: LoadMsg) => {
    if (m.evt === 'error') process.stderr.write(`[load] ${m.message}\n`);
    else inbox.push(m);
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
  try {
    const heap0 = await peer.heapBytes();
    const s0 = procStats(peer.pid);
    const t0 = process.hrtime.bigint();
    load.send({ cmd: 'start', port, streams: STREAMS, eds: names.eds, rds: names.rds });
    const connected = await next('connected', 300_000);
    const connectMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const s1 = procStats(peer.pid);
    const heap1 = await peer.heapBytes();
    load.send({ cmd: 'mark' });
    await next('marked', 30_000);
    const s2 = procStats(peer.pid);
    const change = process.hrtime.bigint();
    peer.send('set 1');
    const converged = await next('converged', 300_000);
    const s3 = procStats(peer.pid);
    const ackMs = converged.ackNs.map((ns) => Number(BigInt(ns) - change) / 1e6).sort((a, b) => a - b);
    return {
      connectMs,
      connectBytes: connected.bytes,
      connectCpuMs: s1.cpuMs - s0.cpuMs,
      ackMs,
      changeBytes: converged.bytes,
      changeResponses: converged.responses,
      changeCpuMs: s3.cpuMs - s2.cpuMs,
      rssPerStream: (s1.rssBytes - s0.rssBytes) / STREAMS,
      heapPerStream: (heap1 - heap0) / STREAMS,
    };
  } finally {
    load.send({ cmd: 'stop' });
    await new Promise<void>((resolve) => {
      if (load.exitCode !== null) resolve();
      else load.once('exit', () => resolve());
      setTimeout(() => {
        load.kill('SIGKILL');
        resolve();
      }, 10_000).unref();
    });
  }
}

const pct = (xs: readonly number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

function rows(r: Result): [string, number, string][] {
  return [
    ['connect: every stream ACKed CDS/EDS/LDS/RDS', r.connectMs, 'ms'],
    ['connect: bytes sent', r.connectBytes, 'B'],
    ['connect: server CPU', r.connectCpuMs, 'ms'],
    ['change: ACKed p50', pct(r.ackMs, 50), 'ms'],
    ['change: ACKed p99', pct(r.ackMs, 99), 'ms'],
    ['change: ACKed max (all streams)', r.ackMs[r.ackMs.length - 1] ?? NaN, 'ms'],
    ['change: responses sent', r.changeResponses, ''],
    ['change: bytes sent', r.changeBytes, 'B'],
    ['change: server CPU', r.changeCpuMs, 'ms'],
    ['memory per stream: RSS delta', r.rssPerStream / 1024, 'KiB'],
    ['memory per stream: heap delta', r.heapPerStream / 1024, 'KiB'],
  ];
}

const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : 'n/a');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-xds-'));
  const peers: Peer[] = [];
  try {
    const snapshots = benchSnapshots(SHAPE);
    const dataPath = path.join(dir, 'snapshots.json');
    fs.writeFileSync(
      dataPath,
      JSON.stringify({ snapshots: snapshots.map((rs) => rs.map((r) => ({ typeUrl: r.typeUrl, name: r.name, body: Buffer.from(r.body).toString('base64'), references: r.references ?? [] }))) }),
    );
    const resources = snapshots[0]?.length ?? 0;
    const bytes = snapshots[0]?.reduce((n, r) => n + r.body.length, 0) ?? 0;
    console.log(`bench:xds — ${STREAMS} ADS streams (one connection each), ${resources} resources (${SHAPE.clusters} clusters + endpoints, ${SHAPE.listeners} listeners with RBAC + route configs, ${bytes} bytes encoded); change: one Listener's RBAC gains a rule`);
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}; load generator in its own process\n`);

    const ts = await Peer.start('sluice', process.execPath, ['--expose-gc', path.join(here, 'ts-peer.js'), dataPath, String(STREAMS)]);
    peers.push(ts.peer);
    const ours = await measure(ts.peer, ts.port);
    ts.peer.send('stats');
    const encodes = JSON.parse(await ts.peer.line((l) => l.startsWith('{'), 30_000)) as { encodes: number };
    await ts.peer.stop();

    let theirs: Result | undefined;
    const bin = gcpPeerBinary(path.join(repoRoot, 'bench', 'xds', 'gcp-peer'));
    if ('path' in bin) {
      const gcp = await Peer.start('go-control-plane', bin.path, ['-data', dataPath, '-nodes', String(STREAMS)]);
      peers.push(gcp.peer);
      theirs = await measure(gcp.peer, gcp.port);
      await gcp.peer.stop();
    } else {
      console.log(`go-control-plane peer not run: ${bin.reason}`);
    }

    const w = 48;
    console.log(`${'figure'.padEnd(w)}${'sluice'.padStart(14)}${'go-control-plane'.padStart(18)}${'ratio'.padStart(10)}  unit`);
    const a = rows(ours);
    const b = theirs ? rows(theirs) : undefined;
    a.forEach(([label, v, unit], i) => {
      const g = b?.[i]?.[1];
      const ratio = g !== undefined && g !== 0 ? fmt(v / g) : 'n/a';
      console.log(`${label.padEnd(w)}${fmt(v).padStart(14)}${(g === undefined ? 'n/a' : fmt(g)).padStart(18)}${ratio.padStart(10)}  ${unit}`);
    });
    console.log(`\nratio = sluice / go-control-plane (below 1: sluice is lower). sluice encoded ${encodes.encodes} LDS response bodies in total for ${STREAMS} streams (initial + change).`);
  } finally {
    for (const p of peers) await p.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
