/**
 * sluice's xDS server as a bench peer, in a process of its own. Same line protocol as gcp-peer:
 *   stdin "set <i>" → every bench node gets snapshot i; stdout "ok set <i> <ns>"
 *   stdin "setone <i> <node>" → only that node gets snapshot i; stdout "ok setone <i> <ns>"
 *     (ns: when the command arrived, process.hrtime: CLOCK_MONOTONIC nanoseconds)
 *   stdin "stats"   → stdout {"heapAlloc":…} (after a GC)
 *   stdin "profile start" / "profile stop <file>" → a CPU profile (node:inspector) of what runs between; stdout "ok profile"
 *   stdin "heap start" / "heap stop <file>" → a sampling heap profile of everything allocated between (also what
 *     the GC collected meanwhile: where the garbage comes from), as a `.heapprofile`; stdout "ok heap"
 *   stdout "ready <port>" once serving on 127.0.0.1.
 * The "ok" of a change is written in the event loop's next turn, once the server has pushed the change:
 * only its receipt time is measured, and this process is single-threaded, so writing it first would
 * put a pipe write (0.1–0.3 ms, measured) in front of the push it does not belong to. Even scheduling
 * that write is left until after the push (a microtask queued behind the server's fan-out): a
 * `setImmediate` called before it cost 15–20 µs of the single-node change (hrtime marks).
 * go-control-plane's peer writes its "ok" while other goroutines push.
 * Usage: node ts-peer.js <data.json> <nodes>
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import readline from 'node:readline';
import { createSnapshot, SnapshotCache, XdsServer, type ResourceInput, type Snapshot, type TypeUrl } from '../../xds-server/index.js';

interface DataFile {
  snapshots: { typeUrl: string; name: string; body: string; references?: { typeUrl: string; name: string }[] }[][];
}

const [dataPath = '', nodesArg = '1000'] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8')) as DataFile;
const nodes = Number(nodesArg);
const snapshots: Snapshot[] = data.snapshots.map((rs) => {
  const inputs: ResourceInput[] = rs.map((r) => ({
    typeUrl: r.typeUrl as TypeUrl,
    name: r.name,
    body: Buffer.from(r.body, 'base64'),
    references: (r.references ?? []).map((x) => ({ typeUrl: x.typeUrl as TypeUrl, name: x.name })),
  }));
  const result = createSnapshot(inputs);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.snapshot;
});

const cache = new SnapshotCache();
const set = (i: number): void => {
  const s = snapshots[i];
  if (!s) throw new Error(`no snapshot ${i}`);
  for (let n = 0; n < nodes; n++) cache.set(`bench-${n}`, s);
};
set(0);
const server = new XdsServer({ cache });
const port = await server.listen('127.0.0.1:0');
process.stdout.write(`ready ${port}\n`);

/** Writes a change's "ok" line after the server's push (see above). */
const report = (line: string): void => {
  void Promise.resolve().then(() => setImmediate(() => process.stdout.write(`${line}\n`)));
};

const profiler = new Session();
profiler.connect();
const PUSHED = ['CDS', 'EDS', 'LDS', 'RDS'] as const;
const gc = (globalThis as { gc?: () => void }).gc;
for await (const line of readline.createInterface({ input: process.stdin })) {
  // When the command arrived: the bench measures a change from here, not from its write into the pipe.
  const recv = process.hrtime.bigint();
  const [cmd, arg, nodeArg] = line.trim().split(/\s+/);
  if (cmd === 'set') {
    set(Number(arg));
    report(`ok set ${arg} ${recv}`);
  } else if (cmd === 'setone') {
    const s = snapshots[Number(arg)];
    if (!s || !nodeArg) throw new Error(`bad setone ${line}`);
    cache.set(nodeArg, s);
    report(`ok setone ${arg} ${recv}`);
  } else if (cmd === 'stats') {
    gc?.();
    process.stdout.write(`${JSON.stringify({ heapAlloc: process.memoryUsage().heapUsed, encodes: server.metrics.encodes.get({ type: 'LDS' }), skipped: PUSHED.reduce((n, t) => n + server.metrics.skipped.get({ type: t }), 0) })}\n`);
  } else if (cmd === 'profile') {
    if (arg === 'start') {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
    } else {
      const { profile } = await profiler.post('Profiler.stop');
      fs.writeFileSync(nodeArg ?? 'ts-peer.cpuprofile', JSON.stringify(profile));
    }
    process.stdout.write('ok profile\n');
  } else if (cmd === 'heap') {
    if (arg === 'start') {
      await profiler.post('HeapProfiler.enable');
      await profiler.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else {
      const { profile } = await profiler.post('HeapProfiler.stopSampling');
      fs.writeFileSync(nodeArg ?? 'ts-peer.heapprofile', JSON.stringify(profile));
    }
    process.stdout.write('ok heap\n');
  } else if (cmd === 'quit') break;
}
await server.close();
process.exit(0);
