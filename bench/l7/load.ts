/**
 * The load generators of the Envoy benchmarks, run as separate processes inside the benchmark's
 * network namespace: Debian's `wrk` (HTTP/1.1, keep-alive or a new connection per request) and
 * `h2load` from `nghttp2-client` (HTTP/2 streams; with a gRPC frame as the body and
 * `content-type: application/grpc`, gRPC unary calls). Their own figures are parsed: wrk's
 * latency distribution (HdrHistogram), h2load's per-request log. `bench/deps.sh` installs both.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { placed, type Placement } from '../redirect/sandbox.js';

/** One load run's figures: completed requests per second, latency quantiles in microseconds. */
export interface LoadResult {
  readonly rate: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly requests: number;
  /** Requests that failed or got a status other than 2xx (a benchmark that counts them is wrong). */
  readonly errors: number;
}

/** Which load generator is missing, with the command that installs it, or undefined. */
export function missingLoadGenerators(): string | undefined {
  for (const [tool, pkg] of [['wrk', 'wrk'], ['h2load', 'nghttp2-client']] as const) {
    try {
      execFileSync(tool, tool === 'wrk' ? ['-v'] : ['--version'], { stdio: 'ignore' });
    } catch (error) {
      // wrk -v prints its version and exits 1; only a missing binary is missing.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `${tool} is not installed (bench/deps.sh, or apt-get install ${pkg})`;
    }
  }
  return undefined;
}

function run(where: Placement, argv: readonly string[], timeoutMs: number): Promise<string> {
  const full = placed(where, argv);
  return new Promise((resolve, reject) => {
    const child = spawn(full[0] ?? 'sh', full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}\n${err}`));
    });
  });
}

const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6 };

/** `50%  150.00us` → 150 (µs). */
function wrkQuantile(text: string, q: '50' | '99'): number {
  const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m?.[1] || !m[2]) throw new Error(`wrk printed no ${q}% latency:\n${text}`);
  return Number(m[1]) * (UNIT_US[m[2]] ?? NaN);
}

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  /** Whole seconds (wrk takes no fractions). */
  readonly seconds: number;
  readonly headers?: readonly string[];
  /** A new connection for every request (`Connection: close`): connection setup included. */
  readonly newConnections?: boolean;
}

/** wrk with one thread (the machine has two cores; Envoy and the upstream need the rest). */
export async function wrk(where: Placement, o: WrkOptions): Promise<LoadResult> {
  const headers = [...(o.headers ?? []), ...(o.newConnections ? ['Connection: close'] : [])];
  const argv = ['wrk', '-t1', `-c${o.connections}`, `-d${Math.max(1, Math.round(o.seconds))}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), o.url];
  const text = await run(where, argv, (o.seconds + 30) * 1000);
  const requests = Number(/^\s*(\d+) requests in/m.exec(text)?.[1] ?? NaN);
  const rate = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  // With Connection: close every response ends in a close that wrk counts as a read "error".
  const socketErrors = socket ? Number(socket[1]) + (o.newConnections ? 0 : Number(socket[2])) + Number(socket[3]) + Number(socket[4]) : 0;
  return { rate, p50us: wrkQuantile(text, '50'), p99us: wrkQuantile(text, '99'), requests, errors: non2xx + socketErrors };
}

export interface H2loadOptions {
  readonly url: string;
  readonly connections: number;
  /** Concurrent streams per connection. */
  readonly streams: number;
  readonly seconds: number;
  readonly headers?: readonly string[];
  /** A request body (then h2load sends POST): for gRPC, one length-prefixed message. */
  readonly body?: Buffer;
}

/** The latency quantile of h2load's per-request log (tab-separated: start µs, status, duration µs). */
function logQuantiles(log: string): { p50us: number; p99us: number; ok: number; bad: number } {
  const durations: number[] = [];
  let bad = 0;
  for (const line of log.split('\n')) {
    const [, status, duration] = line.split('\t');
    // Status 0: a stream still open when the duration ended (h2load counts those as succeeded).
    if (duration === undefined || status === '0') continue;
    if (!status?.startsWith('2')) bad += 1;
    durations.push(Number(duration));
  }
  durations.sort((a, b) => a - b);
  const q = (p: number): number => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? NaN;
  return { p50us: q(0.5), p99us: q(0.99), ok: durations.length - bad, bad };
}

/** h2load for a fixed duration; the gRPC status is in trailers h2load does not read, so a 200 counts. */
export async function h2load(where: Placement, o: H2loadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-h2load-'));
  try {
    const log = path.join(dir, 'requests.tsv');
    const body = path.join(dir, 'body');
    if (o.body) writeFileSync(body, o.body);
    const argv = [
      'h2load', '-t1', `-c${o.connections}`, `-m${o.streams}`, `-D${Math.max(1, Math.round(o.seconds))}`, '--warm-up-time=300ms', `--log-file=${log}`,
      ...(o.body ? ['-d', body] : []), ...(o.headers ?? []).flatMap((h) => ['-H', h]), o.url,
    ];
    const text = await run(where, argv, (o.seconds + 30) * 1000);
    const rate = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(text)?.[1] ?? NaN);
    const failed = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text);
    const q = logQuantiles(readFileSync(log, 'utf8'));
    const errors = q.bad + (failed ? Number(failed[1]) + Number(failed[2]) + Number(failed[3]) : 0);
    return { rate, p50us: q.p50us, p99us: q.p99us, requests: q.ok, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A gRPC request body: one uncompressed length-prefixed message of `payload` bytes. */
export function grpcFrame(payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
