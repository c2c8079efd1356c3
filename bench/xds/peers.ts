/** Starting the two bench peers (sluice's server and go-control-plane) and reading their process stats. */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { PEER_CACHE } from '../cache.js';

export interface ProcStats {
  readonly rssBytes: number;
  readonly cpuMs: number;
}

const CLK_TCK = 100;

/** RSS and user+system CPU of a process, from /proc. */
export function procStats(pid: number): ProcStats {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / CLK_TCK };
}

/** A peer process speaking the line protocol (`ready <port>`, `set <i>`, `stats`). */
export class Peer {
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private constructor(readonly name: string, readonly proc: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.waiter?.();
    });
    proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  }

  static async start(name: string, cmd: string, args: readonly string[]): Promise<{ peer: Peer; port: number }> {
    const peer = new Peer(name, spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    const ready = await peer.line((l) => l.startsWith('ready '), 60_000);
    return { peer, port: Number(ready.split(' ')[1]) };
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  async line(match: (l: string) => boolean, ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.lines.findIndex(match);
      if (i >= 0) return this.lines.splice(i, 1)[0] ?? '';
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited with ${this.proc.exitCode}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out waiting for output`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  send(cmd: string): void {
    this.proc.stdin.write(`${cmd}\n`);
  }

  async heapBytes(): Promise<number> {
    this.send('stats');
    const l = await this.line((x) => x.startsWith('{'), 30_000);
    return Number((JSON.parse(l) as { heapAlloc: number }).heapAlloc);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.send('quit');
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}


/**
 * Builds a Go program of the bench (`gcp-peer`, the go-control-plane server; `go-load`, the client
 * fleet) on first use into the cache, keyed by its sources. Returns the binary, or a reason it
 * cannot be had (no Go toolchain, module proxy unreachable…).
 */
export function goBinary(srcDir: string, name: string): { path: string } | { reason: string } {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(fs.readFileSync(path.join(srcDir, f)));
  const out = path.join(PEER_CACHE, `xds-${name}`, hash.digest('hex').slice(0, 16), name);
  if (fs.existsSync(out)) return { path: out };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    process.stderr.write(`building ${name} into ${out} (first use)…\n`);
    execFileSync('go', ['build', '-o', out, '.'], { cwd: srcDir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
    return { path: out };
  } catch (err) {
    return { reason: `could not build ${srcDir}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The go-control-plane peer (bench/xds/gcp-peer). */
export function gcpPeerBinary(srcDir: string): { path: string } | { reason: string } {
  return goBinary(srcDir, 'gcp-peer');
}
