/**
 * The bench's client fleet, in a process of its own: the Go one (bench/xds/go-load, grpc-go on one
 * core, the default) or the Node one (bench/xds/load.ts, grpc-js; `XDS_BENCH_LOAD=node`). Both speak
 * the same messages ({cmd} in, {evt} out: see load.ts); the Go one costs a fraction of the CPU per
 * response, so that on a 2-core machine the fleet does not dominate what is measured.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { goBinary } from './peers.js';

export type FleetKind = 'go' | 'node';

export type LoadMsg =
  | { evt: 'connected'; bytes: number; responses: number }
  | { evt: 'marked' }
  | { evt: 'converged'; ackNs: string[]; bytes: number; responses: number }
  | { evt: 'error'; message: string };

export interface Fleet {
  readonly kind: FleetKind;
  readonly pid: number;
  send(msg: Record<string, unknown>): void;
  onMessage(f: (m: LoadMsg) => void): void;
  /** Resolves once the process exited (killed after 10 s). */
  stop(): Promise<void>;
}

/** Which fleet to run: `XDS_BENCH_LOAD`, else Go when its binary can be built, else Node (with the reason). */
export function chooseFleet(here: string): { kind: FleetKind; binary?: string; note?: string } {
  const wanted = process.env.XDS_BENCH_LOAD;
  if (wanted === 'node') return { kind: 'node' };
  const bin = goBinary(path.join(here, '..', '..', '..', 'bench', 'xds', 'go-load'), 'go-load');
  if ('path' in bin) return { kind: 'go', binary: bin.path };
  if (wanted === 'go') throw new Error(`XDS_BENCH_LOAD=go: ${bin.reason}`);
  return { kind: 'node', note: `Go fleet not available (${bin.reason}); the Node fleet costs more CPU per response` };
}

export function startFleet(here: string, choice: { kind: FleetKind; binary?: string }): Fleet {
  let child: ChildProcess;
  const listeners: ((m: LoadMsg) => void)[] = [];
  const deliver = (m: LoadMsg) => listeners.forEach((f) => f(m));
  let send: (msg: Record<string, unknown>) => void;
  if (choice.kind === 'go' && choice.binary) {
    child = spawn(choice.binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    readline.createInterface({ input: child.stdout ?? process.stdin }).on('line', (l) => deliver(JSON.parse(l) as LoadMsg));
    send = (msg) => child.stdin?.write(`${JSON.stringify(msg)}\n`);
  } else {
    child = fork(path.join(here, 'load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => deliver(m as LoadMsg));
    send = (msg) => child.send(msg);
  }
  return {
    kind: choice.kind,
    pid: child.pid ?? 0,
    send,
    onMessage: (f) => listeners.push(f),
    stop: async () => {
      try {
        send({ cmd: 'stop' });
      } catch {
        // already gone
      }
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000).unref();
      });
    },
  };
}
